//! Operators: created, dropped, and altered in place where ALTER OPERATOR can on every
//! supported server (the RESTRICT and JOIN estimators); any other change is a drop and a
//! create. An operator that another names as its commutator or negator is created as a
//! shell by the first and completed by its own CREATE, so the two may come in either order.

use super::Change;
use crate::catalog::{ObjectId, Operator};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, create_step, drop_step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorChange {
    Create {
        operator: Operator,
    },
    Drop {
        operator: Operator,
    },
    /// New RESTRICT or JOIN estimators.
    SetEstimators {
        from: Operator,
        to: Operator,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |o: &Operator| {
        vec![OperatorChange::Create {
            operator: o.clone(),
        }]
    };
    let drop = |o: &Operator| {
        vec![OperatorChange::Drop {
            operator: o.clone(),
        }]
    };
    let alter = |from: &Operator, to: &Operator| {
        let estimators_only = Operator {
            restrict: to.restrict.clone(),
            join: to.join.clone(),
            ..from.clone()
        } == *to;
        if from == to {
            vec![]
        } else if estimators_only {
            vec![OperatorChange::SetEstimators {
                from: from.clone(),
                to: to.clone(),
            }]
        } else {
            [drop(from), create(to)].concat()
        }
    };
    keyed(
        out,
        &ctx.from.operators,
        &ctx.to.operators,
        create,
        drop,
        alter,
    );
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &OperatorChange) -> Vec<ObjectId> {
    match change {
        OperatorChange::Create { operator } => vec![operator.id()],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &OperatorChange) -> Vec<Step> {
    match change {
        OperatorChange::Create { operator: o } => {
            vec![create_step(ctx, o.create_sql(), &o.id(), Action::Create)]
        }
        OperatorChange::Drop { operator: o } => {
            let id = o.id();
            let sql = format!("DROP {};", id.sql_reference());
            // Function bodies may use it: PostgreSQL does not track that.
            vec![drop_step(ctx, sql, &id).hazard(
                Hazard::UntrackableDependencies,
                format!("function bodies may still use {id}"),
            )]
        }
        OperatorChange::SetEstimators { from, to } => {
            let id = to.id();
            let set = |key: &str, value: &Option<String>| {
                format!("{key} = {}", value.as_deref().unwrap_or("NONE"))
            };
            let mut changed = Vec::new();
            if from.restrict != to.restrict {
                changed.push(set("RESTRICT", &to.restrict));
            }
            if from.join != to.join {
                changed.push(set("JOIN", &to.join));
            }
            vec![step(
                format!("ALTER {} SET ({});", id.sql_reference(), changed.join(", ")),
                &id,
                Action::Alter,
                Deps {
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    releases: ctx.released_by_alter(&id),
                    ..Deps::default()
                },
            )]
        }
    }
}
