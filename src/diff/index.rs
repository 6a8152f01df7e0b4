use super::{Change, Context, split_keys};
use crate::catalog::{Index, QualName};
use std::collections::BTreeMap;

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
    let (gone, new, both) = split_keys(&from, &to);
    for name in new {
        out.push(Change::CreateIndex {
            index: to[name].clone(),
        });
    }
    for name in gone {
        let i = &from[name];
        if !ctx.dropped_tables.contains(&i.table) {
            out.push(Change::DropIndex { index: i.clone() });
        }
    }
    for name in both {
        let (f, t) = (&from[name], &to[name]);
        let swappable = f.valid
            && !ctx.dropped_tables.contains(&f.table)
            && [ctx.from, ctx.to].iter().all(|c| {
                c.tables
                    .get(&f.table)
                    .is_some_and(|t| t.partition_by.is_none())
            });
        if f.shape() != t.shape() && swappable {
            out.push(Change::ReplaceIndex {
                from: f.clone(),
                to: t.clone(),
            });
        } else if f.shape() != t.shape() || !f.valid {
            if !ctx.dropped_tables.contains(&f.table) {
                out.push(Change::DropIndex { index: f.clone() });
            }
            out.push(Change::CreateIndex { index: t.clone() });
        } else if f.options != t.options {
            out.push(Change::AlterIndexOptions {
                index: t.name.clone(),
                from: f.options.clone(),
                to: t.options.clone(),
            });
        }
    }
}
