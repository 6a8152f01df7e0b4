use super::{Action, Deps, Hazard, Step, step};
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::ExtensionChange;

pub(super) fn steps(change: &ExtensionChange) -> Vec<Step> {
    let schema = |s: &str| ObjectId::Schema {
        name: s.to_string(),
    };
    match change {
        ExtensionChange::Create { extension: e } => {
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
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&e.schema)],
                    ..Deps::default()
                },
            )]
        }
        ExtensionChange::Drop { extension: e } => {
            let id = ObjectId::Extension {
                name: e.name.clone(),
            };
            vec![
                step(
                    format!("DROP EXTENSION {};", quote_ident(&e.name)),
                    &id,
                    Action::Drop,
                    Deps {
                        drops: vec![id.clone()],
                        releases: vec![schema(&e.schema)],
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::DeletesData),
            ]
        }
        ExtensionChange::SetSchema { from, to } => {
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
                Action::Alter,
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&to.schema)],
                    releases: vec![schema(&from.schema)],
                    ..Deps::default()
                },
            )]
        }
    }
}
