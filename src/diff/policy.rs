//! Row level security: the per-table switches and the policies.

use super::{Change, Context, split_keys};
use crate::catalog::{ObjectId, Policy, QualName};
use std::collections::BTreeSet;

/// Tables that start from nothing in this plan (new, or dropped and created again): they
/// have no policies and RLS off until the plan says otherwise.
pub(super) fn fresh_tables(ctx: &Context, changes: &[Change]) -> BTreeSet<QualName> {
    let mut out = ctx.created_tables.clone();
    out.extend(changes.iter().filter_map(|c| match c {
        Change::DropTable { table } if ctx.to.tables.contains_key(&table.name) => {
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
            out.push(Change::SetRowSecurity {
                table: name.clone(),
                from: before,
                to: (t.rls, t.force_rls),
            });
        }
    }
    let (gone, new, both) = split_keys(&ctx.from.policies, &ctx.to.policies);
    for key in gone {
        let p = &ctx.from.policies[key];
        if !ctx.dropped_tables.contains(&p.table) && !fresh.contains(&p.table) {
            out.push(Change::DropPolicy { policy: p.clone() });
        }
    }
    for key in new {
        out.push(Change::CreatePolicy {
            policy: ctx.to.policies[key].clone(),
        });
    }
    for key in both {
        let (f, t) = (&ctx.from.policies[key], &ctx.to.policies[key]);
        if fresh.contains(&t.table) {
            out.push(Change::CreatePolicy { policy: t.clone() });
        } else if f == t {
        } else if alterable(f, t) {
            out.push(Change::AlterPolicy {
                from: f.clone(),
                to: t.clone(),
            });
        } else {
            out.push(Change::RecreatePolicy {
                from: f.clone(),
                to: t.clone(),
            });
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
            Change::DropPolicy { policy } => Some((policy.table.clone(), policy.name.clone())),
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
            matches!(c, Change::AlterPolicy { to, .. } | Change::RecreatePolicy { to, .. }
                if to.table == p.table && to.name == p.name)
        });
        if altered && !ctx.to.deps_of(&id).any(|d| changed.contains(d)) {
            continue;
        }
        changes.retain(|c| {
            !matches!(c, Change::AlterPolicy { to, .. } | Change::RecreatePolicy { to, .. }
                if to.table == p.table && to.name == p.name)
        });
        changes.push(Change::DropPolicy { policy: p.clone() });
        if let Some(keep) = ctx.to.policies.get(key) {
            changes.push(Change::CreatePolicy {
                policy: keep.clone(),
            });
        }
    }
}
