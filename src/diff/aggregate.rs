use super::{Change, Context, keyed};
use crate::catalog::Aggregate;

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

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
    let alter = |f: &Aggregate, t: &Aggregate| {
        if f == t {
            vec![]
        } else if f.identity_args == t.identity_args {
            // CREATE OR REPLACE AGGREGATE (PostgreSQL 12+) keeps what uses it.
            vec![AggregateChange::Create {
                aggregate: t.clone(),
                replace: true,
            }]
        } else {
            [drop(f), create(t)].concat()
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
