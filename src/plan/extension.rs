use super::{Deps, Hazard, Step, step};
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::Change;

pub(super) fn steps(change: &Change) -> Vec<Step> {
    let schema = |s: &str| ObjectId::Schema {
        name: s.to_string(),
    };
    match change {
        Change::CreateExtension { extension: e } => {
            let id = ObjectId::Extension {
                name: e.name.clone(),
            };
            vec![step(
                format!(
                    "CREATE EXTENSION {} WITH SCHEMA {};",
                    quote_ident(&e.name),
                    quote_ident(&e.schema)
                ),
                &id,
                "create",
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&e.schema)],
                    ..Deps::default()
                },
            )]
        }
        Change::DropExtension { extension: e } => {
            let id = ObjectId::Extension {
                name: e.name.clone(),
            };
            vec![
                step(
                    format!("DROP EXTENSION {};", quote_ident(&e.name)),
                    &id,
                    "drop",
                    Deps {
                        drops: vec![id.clone()],
                        releases: vec![schema(&e.schema)],
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::DeletesData),
            ]
        }
        Change::AlterExtensionSchema { from, to } => {
            let id = ObjectId::Extension {
                name: to.name.clone(),
            };
            vec![step(
                format!(
                    "ALTER EXTENSION {} SET SCHEMA {};",
                    quote_ident(&to.name),
                    quote_ident(&to.schema)
                ),
                &id,
                "alter",
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&to.schema)],
                    releases: vec![schema(&from.schema)],
                    ..Deps::default()
                },
            )]
        }
        _ => unreachable!("extension change"),
    }
}
