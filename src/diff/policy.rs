//! Row level security: the per-table switches and the policies.

use super::TableChange;
use super::{Change, Context, split_keys};
use crate::catalog::{ObjectId, Policy, QualName};
use std::collections::BTreeSet;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyChange {
    /// ENABLE/DISABLE and FORCE/NO FORCE ROW LEVEL SECURITY: (enabled, forced).
    SetRowSecurity {
        table: crate::catalog::QualName,
        from: (bool, bool),
        to: (bool, bool),
    },
    Create {
        policy: crate::catalog::Policy,
    },
    Drop {
        policy: crate::catalog::Policy,
    },
    /// ALTER POLICY: roles, USING or WITH CHECK.
    Alter {
        from: crate::catalog::Policy,
        to: crate::catalog::Policy,
    },
    /// Command or kind changed: dropped and created in one step, so that there is no
    /// moment without the policy.
    Recreate {
        from: crate::catalog::Policy,
        to: crate::catalog::Policy,
    },
}

/// Tables that start from nothing in this plan (new, or dropped and created again): they
/// have no policies and RLS off until the plan says otherwise.
pub(super) fn fresh_tables(ctx: &Context, changes: &[Change]) -> BTreeSet<QualName> {
    let mut out = ctx.created_tables.clone();
    out.extend(changes.iter().filter_map(|c| match c {
        Change::Table(TableChange::Drop { table }) if ctx.to.tables.contains_key(&table.name) => {
            Some(table.name.clone())
        }
        _ => None,
    }));
    out
}

/// Whether ALTER POLICY can turn `from` into `to` (it cannot change the command or the
/// kind, nor take an expression away).
fn alterable(from: &Policy, to: &Policy) -> bool {
    from.command == to.command
        && from.permissive == to.permissive
        && (from.using.is_none() || to.using.is_some())
        && (from.check.is_none() || to.check.is_some())
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let fresh = fresh_tables(ctx, out);
    for (name, t) in &ctx.to.tables {
        let before = match ctx.from.tables.get(name) {
            Some(f) if !fresh.contains(name) => (f.rls, f.force_rls),
            _ => (false, false),
        };
        if before != (t.rls, t.force_rls) {
            out.push(Change::Policy(PolicyChange::SetRowSecurity {
                table: name.clone(),
                from: before,
                to: (t.rls, t.force_rls),
            }));
        }
    }
    let (gone, new, both) = split_keys(&ctx.from.policies, &ctx.to.policies);
    for key in gone {
        let p = &ctx.from.policies[key];
        if !ctx.dropped_tables.contains(&p.table) && !fresh.contains(&p.table) {
            out.push(Change::Policy(PolicyChange::Drop { policy: p.clone() }));
        }
    }
    for key in new {
        out.push(Change::Policy(PolicyChange::Create {
            policy: ctx.to.policies[key].clone(),
        }));
    }
    for key in both {
        let (f, t) = (&ctx.from.policies[key], &ctx.to.policies[key]);
        if fresh.contains(&t.table) {
            out.push(Change::Policy(PolicyChange::Create { policy: t.clone() }));
        } else if f == t {
        } else if alterable(f, t) {
            out.push(Change::Policy(PolicyChange::Alter {
                from: f.clone(),
                to: t.clone(),
            }));
        } else {
            out.push(Change::Policy(PolicyChange::Recreate {
                from: f.clone(),
                to: t.clone(),
            }));
        }
    }
}

/// Policies over something dropped or changing type (a column, a function, a table in a
/// subquery): PostgreSQL refuses the change while they exist, so they are dropped before
/// and created again after.
pub(super) fn recreate(ctx: &Context, changed: &BTreeSet<ObjectId>, changes: &mut Vec<Change>) {
    let handled: BTreeSet<(QualName, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Policy(PolicyChange::Drop { policy }) => {
                Some((policy.table.clone(), policy.name.clone()))
            }
            _ => None,
        })
        .collect();
    let fresh = fresh_tables(ctx, changes);
    for (key, p) in &ctx.from.policies {
        let id = ObjectId::Policy {
            table: p.table.clone(),
            name: p.name.clone(),
        };
        if handled.contains(key)
            || ctx.dropped_tables.contains(&p.table)
            || fresh.contains(&p.table)
            || !ctx.from.deps_of(&id).any(|d| changed.contains(d))
        {
            continue;
        }
        // Altered into a form that no longer needs what changes: the alteration, ordered
        // before the change, lets go of it.
        let altered = changes.iter().any(|c| {
            matches!(c, Change::Policy(PolicyChange::Alter { to, .. }) | Change::Policy(PolicyChange::Recreate { to, .. })
                if to.table == p.table && to.name == p.name)
        });
        if altered && !ctx.to.deps_of(&id).any(|d| changed.contains(d)) {
            continue;
        }
        changes.retain(|c| {
            !matches!(c, Change::Policy(PolicyChange::Alter { to, .. }) | Change::Policy(PolicyChange::Recreate { to, .. })
                if to.table == p.table && to.name == p.name)
        });
        changes.push(Change::Policy(PolicyChange::Drop { policy: p.clone() }));
        if let Some(keep) = ctx.to.policies.get(key) {
            changes.push(Change::Policy(PolicyChange::Create {
                policy: keep.clone(),
            }));
        }
    }
}
