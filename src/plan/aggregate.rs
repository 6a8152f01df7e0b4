use super::{Ctx, Deps, Step, step};
use crate::catalog::{Aggregate, ObjectId};
use crate::diff::Change;

/// Aggregates share the functions' namespace and ids.
fn id_of(a: &Aggregate) -> ObjectId {
    ObjectId::Function {
        name: a.name.clone(),
        args: a.arg_types.clone(),
    }
}

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    match change {
        Change::CreateAggregate {
            aggregate: a,
            replace,
        } => {
            let id = id_of(a);
            vec![step(
                a.create_sql(*replace),
                &id,
                if *replace { "alter" } else { "create" },
                Deps {
                    creates: vec![id.clone()],
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )]
        }
        Change::DropAggregate { aggregate: a } => {
            let id = id_of(a);
            vec![step(
                format!("DROP AGGREGATE {};", a.signature()),
                &id,
                "drop",
                Deps {
                    drops: vec![id.clone()],
                    releases: ctx.releases(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )]
        }
        _ => unreachable!("aggregate change"),
    }
}
