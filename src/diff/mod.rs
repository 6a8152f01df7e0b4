//! Catalog × Catalog → typed changes. Each change keeps the objects it was computed from,
//! so that the plan can render SQL, attach hazards and derive ordering without looking
//! anything up again. Output order is deterministic (catalog maps are ordered); the final
//! order is the plan's job.

mod dependents;
#[cfg(test)]
mod tests;

use crate::catalog::{Catalog, QualName};
pub(crate) use crate::kind::privilege::effective as effective_acl;
pub use crate::kind::*;
use std::collections::BTreeSet;

/// What each kind's diff and steps see: the two catalogs and what is derived from them
/// once for the whole plan.
pub struct Context<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    /// Schemas the engine manages in this run.
    pub scope: &'a BTreeSet<String>,
    /// Tables that are dropped (their parts go with them).
    pub dropped_tables: BTreeSet<QualName>,
    /// Tables that are created (their parts come with them).
    pub created_tables: BTreeSet<QualName>,
    /// Tables that are dropped and created again (a partitioned table whose partitioning
    /// changes, with its partitions): new, empty tables once created.
    pub recreated: BTreeSet<QualName>,
    /// Relations named in the bodies of the desired state's functions, which PostgreSQL
    /// does not track: dropping one of them is flagged.
    pub body_relations: BTreeSet<(Option<String>, String)>,
}

impl<'a> Context<'a> {
    pub fn new(from: &'a Catalog, to: &'a Catalog, scope: &'a BTreeSet<String>) -> Self {
        let only = |a: &Catalog, b: &Catalog| -> BTreeSet<QualName> {
            a.tables
                .keys()
                .filter(|k| !b.tables.contains_key(*k))
                .cloned()
                .collect()
        };
        Context {
            from,
            to,
            scope,
            dropped_tables: only(from, to),
            created_tables: only(to, from),
            recreated: crate::kind::partition::recreated(from, to),
            body_relations: to
                .functions
                .values()
                .flat_map(|f| crate::source::body_references(&f.definition).relations)
                .collect(),
        }
    }
}

/// Computes the changes that turn `from` into `to` within `scope`.
pub fn diff(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Vec<Change> {
    changes(&Context::new(from, to, scope))
}

/// The changes of a plan whose context is already built.
pub(crate) fn changes(ctx: &Context) -> Vec<Change> {
    // Tables that are dropped and created again are diffed as new: everything on them
    // (indexes, triggers, policies, comments, grants) is created with them.
    let recreated = &ctx.recreated;
    if !recreated.is_empty() {
        let mut from = ctx.from.clone();
        from.retain_objects(&|_| true, &|q| !recreated.contains(q));
        // Foreign keys of other tables to a recreated one are dropped before it and, seen
        // as new, added again after it: DROP TABLE refuses to go while they stand.
        let mut out = Vec::new();
        for table in from.tables.values_mut() {
            let to_recreated: Vec<String> = table
                .constraints
                .values()
                .filter(|c| c.references.as_ref().is_some_and(|r| recreated.contains(r)))
                .map(|c| c.name.clone())
                .collect();
            for name in to_recreated {
                let constraint = table.constraints.remove(&name).expect("present");
                out.push(Change::Constraint(crate::kind::ConstraintChange::Drop {
                    table: table.name.clone(),
                    constraint,
                }));
            }
        }
        out.extend(crate::kind::partition::drop_recreated(ctx, recreated));
        // The drops are seen by the passes below: what stands on the tables (views,
        // functions with SQL-standard bodies) goes before them and comes back after.
        return changes_after(&Context::new(&from, ctx.to, ctx.scope), out);
    }
    changes_after(ctx, Vec::new())
}

/// The changes of `ctx`, after `changes` (drops already decided).
fn changes_after(ctx: &Context, mut changes: Vec<Change>) -> Vec<Change> {
    crate::kind::diff_each(ctx, &mut changes);
    // Each pass may make the other find more (a view over a function over a column).
    loop {
        let before = changes.len();
        dependents::recreate_views(ctx, &mut changes);
        dependents::recreate(ctx, &mut changes);
        let changed = dependents::changed_objects(ctx, &changes);
        crate::kind::policy::recreate(ctx, &changed, &mut changes);
        if changes.len() == before {
            break;
        }
    }
    split_blocked_swaps(ctx, &mut changes);
    absorb_recreated_enum_defaults(&mut changes);
    crate::kind::table::replica_identity_after_rebuilds(ctx, &mut changes);
    crate::kind::trigger::recreate_on_rebuilt_views(ctx, &mut changes);
    crate::kind::comment::diff(ctx, &mut changes);
    crate::kind::privilege::diff(ctx, &mut changes);
    crate::kind::role::drops(ctx, &mut changes);
    changes
}

/// An index swap waits for nothing: one whose index stands on something this plan drops
/// or retypes is dropped before that change and created after it instead.
fn split_blocked_swaps(ctx: &Context, changes: &mut Vec<Change>) {
    let changed = dependents::changed_objects(ctx, changes);
    let mut out = Vec::with_capacity(changes.len());
    for c in changes.drain(..) {
        match c {
            Change::Index(IndexChange::Replace { from, to })
                if {
                    let id = crate::catalog::ObjectId::Index {
                        name: from.name.clone(),
                    };
                    ctx.from
                        .deps_of(&id)
                        .any(|d| *d != id && changed.contains(d))
                } =>
            {
                out.push(Change::Index(IndexChange::Drop { index: from }));
                out.push(Change::Index(IndexChange::Create { index: to }));
            }
            other => out.push(other),
        }
    }
    *changes = out;
}

/// A column whose enum type is recreated gets its desired default back from the recreation
/// itself (the old default names the old type); a separate default change would only
/// fight it.
fn absorb_recreated_enum_defaults(changes: &mut Vec<Change>) {
    let recreated: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Enum(EnumChange::Recreate { from, .. }) => Some(from.name.to_string()),
            _ => None,
        })
        .collect();
    if recreated.is_empty() {
        return;
    }
    let of_enum = |t: &str| recreated.contains(t.trim_end_matches("[]"));
    changes.retain_mut(|c| match c {
        Change::Column(ColumnChange::Alter { from, to, .. })
            if of_enum(&from.data_type) && of_enum(&to.data_type) =>
        {
            from.default = to.default.clone();
            from != to
        }
        _ => true,
    });
}

/// The walk every keyed kind shares: objects only in `to` (in key order), then those only
/// in `from`, then those on both sides; the kind says what each becomes (`alter` decides
/// whether two forms differ at all). The order is the one the plan's ties keep.
pub(crate) fn keyed<K: Ord, T, C: Into<Change>>(
    out: &mut Vec<Change>,
    from: &std::collections::BTreeMap<K, T>,
    to: &std::collections::BTreeMap<K, T>,
    mut create: impl FnMut(&T) -> Vec<C>,
    mut drop: impl FnMut(&T) -> Vec<C>,
    mut alter: impl FnMut(&T, &T) -> Vec<C>,
) {
    let (gone, new, both) = split_keys(from, to);
    for k in new {
        out.extend(create(&to[k]).into_iter().map(Into::into));
    }
    for k in gone {
        out.extend(drop(&from[k]).into_iter().map(Into::into));
    }
    for k in both {
        out.extend(alter(&from[k], &to[k]).into_iter().map(Into::into));
    }
}

/// Keys present on only one side, and on both, of two ordered maps.
pub(crate) fn split_keys<'a, K: Ord, A, B>(
    from: &'a std::collections::BTreeMap<K, A>,
    to: &'a std::collections::BTreeMap<K, B>,
) -> (Vec<&'a K>, Vec<&'a K>, Vec<&'a K>) {
    let only_from = from.keys().filter(|k| !to.contains_key(*k)).collect();
    let only_to = to.keys().filter(|k| !from.contains_key(*k)).collect();
    let both = from.keys().filter(|k| to.contains_key(*k)).collect();
    (only_from, only_to, both)
}
