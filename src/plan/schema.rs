use super::{Action, Deps, Step, step};
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::SchemaChange;

pub(super) fn steps(change: &SchemaChange) -> Vec<Step> {
    match change {
        SchemaChange::Create { name } => {
            let id = ObjectId::Schema { name: name.clone() };
            vec![step(
                format!("CREATE SCHEMA {};", quote_ident(name)),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    ..Deps::default()
                },
            )]
        }
        SchemaChange::Drop { name } => {
            let id = ObjectId::Schema { name: name.clone() };
            // No CASCADE: everything in it is dropped by its own steps first, so an object
            // the engine does not know about makes this fail instead of vanishing.
            vec![step(
                format!("DROP SCHEMA {};", quote_ident(name)),
                &id,
                Action::Drop,
                Deps {
                    drops: vec![id.clone()],
                    ..Deps::default()
                },
            )]
        }
    }
}
