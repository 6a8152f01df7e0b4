use super::{Change, Context, keyed};
use crate::catalog::{Index, QualName};
use std::collections::BTreeMap;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum IndexChange {
    /// Storage parameters of an index (standalone or behind a constraint).
    AlterOptions {
        index: crate::catalog::QualName,
        from: Vec<String>,
        to: Vec<String>,
    },
    Create {
        index: crate::catalog::Index,
    },
    /// A changed index on a table with rows: built under a temporary name, then swapped
    /// in, so that queries never run without it.
    Replace {
        from: crate::catalog::Index,
        to: crate::catalog::Index,
    },
    Drop {
        index: crate::catalog::Index,
    },
}

/// Whether a partition index copy is managed here: only once its partition is detached.
fn managed(ctx: &Context, i: &Index, desired: bool) -> bool {
    if !i.inherited {
        return true;
    }
    let detached = ctx
        .from
        .tables
        .get(&i.table)
        .is_some_and(|f| f.partition_of.is_some())
        && ctx
            .to
            .tables
            .get(&i.table)
            .is_some_and(|t| t.partition_of.is_none());
    detached && !desired
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let from: BTreeMap<QualName, Index> = ctx
        .from
        .indexes
        .iter()
        .filter(|(_, i)| managed(ctx, i, false))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let to: BTreeMap<QualName, Index> = ctx
        .to
        .indexes
        .iter()
        .filter(|(_, i)| !i.inherited)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let create = |i: &Index| vec![IndexChange::Create { index: i.clone() }];
    // A dropped table takes its indexes with it.
    let drop = |i: &Index| {
        if ctx.dropped_tables.contains(&i.table) {
            vec![]
        } else {
            vec![IndexChange::Drop { index: i.clone() }]
        }
    };
    let alter = |f: &Index, t: &Index| {
        let swappable = f.valid
            && !ctx.dropped_tables.contains(&f.table)
            && [ctx.from, ctx.to].iter().all(|c| {
                c.tables
                    .get(&f.table)
                    .is_some_and(|t| t.partition_by.is_none())
            });
        if f.shape() != t.shape() && swappable {
            vec![IndexChange::Replace {
                from: f.clone(),
                to: t.clone(),
            }]
        } else if f.shape() != t.shape() || !f.valid {
            [drop(f), create(t)].concat()
        } else if f.options != t.options {
            vec![IndexChange::AlterOptions {
                index: t.name.clone(),
                from: f.options.clone(),
                to: t.options.clone(),
            }]
        } else {
            vec![]
        }
    };
    keyed(out, &from, &to, create, drop, alter);
}
