use super::{Action, Ctx, Step, create_step, drop_step};
use crate::catalog::{Aggregate, ObjectId};
use crate::diff::AggregateChange;

/// Aggregates share the functions' namespace and ids.
fn id_of(a: &Aggregate) -> ObjectId {
    ObjectId::Function {
        name: a.name.clone(),
        args: a.arg_types.clone(),
    }
}

pub(super) fn steps(ctx: &Ctx, change: &AggregateChange) -> Vec<Step> {
    match change {
        AggregateChange::Create {
            aggregate: a,
            replace,
        } => {
            let id = id_of(a);
            let action = if *replace {
                Action::Alter
            } else {
                Action::Create
            };
            vec![create_step(ctx, a.create_sql(*replace), &id, action)]
        }
        AggregateChange::Drop { aggregate: a } => {
            let id = id_of(a);
            vec![drop_step(
                ctx,
                format!("DROP AGGREGATE {};", a.signature()),
                &id,
            )]
        }
    }
}
