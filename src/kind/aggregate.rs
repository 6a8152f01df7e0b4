use super::Change;
use crate::catalog::{Aggregate, ObjectId};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Step, create_step, drop_step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateChange {
    /// `replace`: CREATE OR REPLACE AGGREGATE.
    Create {
        aggregate: crate::catalog::Aggregate,
        replace: bool,
    },
    Drop {
        aggregate: crate::catalog::Aggregate,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |a: &Aggregate| {
        vec![AggregateChange::Create {
            aggregate: a.clone(),
            replace: false,
        }]
    };
    let drop = |a: &Aggregate| {
        vec![AggregateChange::Drop {
            aggregate: a.clone(),
        }]
    };
    let alter = |from: &Aggregate, to: &Aggregate| {
        if from == to {
            vec![]
        } else if from.identity_args == to.identity_args {
            // CREATE OR REPLACE AGGREGATE (PostgreSQL 12+) keeps what uses it.
            vec![AggregateChange::Create {
                aggregate: to.clone(),
                replace: true,
            }]
        } else {
            [drop(from), create(to)].concat()
        }
    };
    keyed(
        out,
        &ctx.from.aggregates,
        &ctx.to.aggregates,
        create,
        drop,
        alter,
    );
}

/// Aggregates share the functions' namespace and ids.
fn id_of(a: &Aggregate) -> ObjectId {
    ObjectId::Function {
        name: a.name.clone(),
        args: a.arg_types.clone(),
    }
}

/// Objects this change creates (an aggregate replaced in place keeps its comment).
pub(super) fn created(change: &AggregateChange) -> Vec<ObjectId> {
    match change {
        AggregateChange::Create {
            aggregate,
            replace: false,
        } => vec![ObjectId::Function {
            name: aggregate.name.clone(),
            args: aggregate.arg_types.clone(),
        }],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &AggregateChange) -> Vec<Step> {
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
