use super::Change;
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::{Context, split_keys};
use crate::plan::{Action, Deps, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaChange {
    Create { name: String },
    Drop { name: String },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, _) = split_keys(&ctx.from.schemas, &ctx.to.schemas);
    out.extend(
        new.into_iter()
            .map(|n| Change::Schema(SchemaChange::Create { name: n.clone() })),
    );
    out.extend(
        gone.into_iter()
            .filter(|n| ctx.scope.contains(*n))
            .map(|n| Change::Schema(SchemaChange::Drop { name: n.clone() })),
    );
}

/// Objects this change creates (or creates again): a comment or privilege they should
/// carry is set whatever the current database says.
pub(super) fn created(change: &SchemaChange) -> Vec<ObjectId> {
    match change {
        SchemaChange::Create { name } => vec![ObjectId::Schema { name: name.clone() }],
        SchemaChange::Drop { .. } => vec![],
    }
}

pub(super) fn steps(_ctx: &Context, change: &SchemaChange) -> Vec<Step> {
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
