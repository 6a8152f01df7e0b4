//! Row level security: the per-table switches and the policies.

use super::{Change, TableChange};
use crate::catalog::{Grantee, ObjectId, Policy, QualName, quote_ident};
use crate::diff::{Context, split_keys};
use crate::plan::{Action, Deps, Hazard, Step, column_ids, step};
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

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
pub(crate) fn recreate(ctx: &Context, changed: &BTreeSet<ObjectId>, changes: &mut Vec<Change>) {
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

fn id_of(p: &Policy) -> ObjectId {
    ObjectId::Policy {
        table: p.table.clone(),
        name: p.name.clone(),
    }
}

pub(super) fn role_ids<'a>(roles: impl IntoIterator<Item = &'a Grantee>) -> Vec<ObjectId> {
    roles
        .into_iter()
        .filter_map(|g| g.role())
        .map(|r| ObjectId::Role { name: r.into() })
        .collect()
}

fn create_sql(p: &Policy) -> String {
    let mut sql = format!("CREATE POLICY {} ON {}", quote_ident(&p.name), p.table);
    if !p.permissive {
        sql.push_str(" AS RESTRICTIVE");
    }
    if p.command != "ALL" {
        sql.push_str(&format!(" FOR {}", p.command));
    }
    if p.roles != [Grantee::Public] {
        sql.push_str(&format!(" TO {}", p.roles_sql()));
    }
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    sql.push(';');
    sql
}

fn drop_sql(p: &Policy) -> String {
    format!("DROP POLICY {} ON {};", quote_ident(&p.name), p.table)
}

fn alter_sql(from: &Policy, to: &Policy) -> String {
    let mut sql = format!("ALTER POLICY {} ON {}", quote_ident(&to.name), to.table);
    if from.roles != to.roles {
        sql.push_str(&format!(" TO {}", to.roles_sql()));
    }
    if let (true, Some(u)) = (from.using != to.using, &to.using) {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let (true, Some(c)) = (from.check != to.check, &to.check) {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    sql.push(';');
    sql
}

/// What the desired policy needs: its table, the columns and functions its expressions
/// use (from pg_depend), its roles.
fn requires(ctx: &Context, p: &Policy) -> Vec<ObjectId> {
    let id = id_of(p);
    let mut out = ctx.requires(std::slice::from_ref(&id));
    out.push(ObjectId::Table {
        name: p.table.clone(),
    });
    out.extend(role_ids(&p.roles));
    out
}

/// A new policy also waits for every column of its table to be in its final shape, so
/// that it never sees a column half-way through an alteration.
fn requires_all_columns(ctx: &Context, p: &Policy) -> Vec<ObjectId> {
    let mut out = requires(ctx, p);
    out.extend(column_ids(ctx.to, &p.table));
    out
}

fn releases(ctx: &Context, p: &Policy) -> Vec<ObjectId> {
    let id = id_of(p);
    ctx.releases(std::slice::from_ref(&id))
}

/// A dropped policy goes before any column of its table changes.
fn releases_all_columns(ctx: &Context, p: &Policy) -> Vec<ObjectId> {
    let mut out = releases(ctx, p);
    out.extend(column_ids(ctx.from, &p.table));
    out
}

fn authz(ctx: &Context, table: &QualName, s: Step) -> Step {
    s.hazard_if(
        ctx.existing(table),
        Hazard::AuthzUpdate,
        format!("which rows of the existing {table} each role sees changes"),
    )
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &PolicyChange) -> Vec<ObjectId> {
    match change {
        PolicyChange::Create { policy } | PolicyChange::Recreate { to: policy, .. } => {
            vec![ObjectId::Policy {
                table: policy.table.clone(),
                name: policy.name.clone(),
            }]
        }
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &PolicyChange) -> Vec<Step> {
    let s = match change {
        PolicyChange::Create { policy: p } => {
            let id = id_of(p);
            let deps = Deps {
                creates: vec![id.clone()],
                requires: requires_all_columns(ctx, p),
                ..Deps::default()
            };
            authz(
                ctx,
                &p.table,
                step(create_sql(p), &id, Action::Create, deps),
            )
        }
        PolicyChange::Drop { policy: p } => {
            let id = id_of(p);
            let deps = Deps {
                drops: vec![id.clone()],
                releases: releases_all_columns(ctx, p),
                ..Deps::default()
            };
            authz(ctx, &p.table, step(drop_sql(p), &id, Action::Drop, deps))
        }
        PolicyChange::Alter { from, to } => {
            let id = id_of(to);
            let deps = Deps {
                requires: requires(ctx, to),
                releases: ctx.released_by_alter(&id),
                ..Deps::default()
            };
            authz(
                ctx,
                &to.table,
                step(alter_sql(from, to), &id, Action::Alter, deps),
            )
        }
        PolicyChange::Recreate { from, to } => {
            let id = id_of(to);
            let deps = Deps {
                requires: requires(ctx, to),
                releases: releases(ctx, from),
                ..Deps::default()
            };
            let sql = format!("{}\n{}", drop_sql(from), create_sql(to));
            authz(ctx, &to.table, step(sql, &id, Action::Alter, deps))
        }
        PolicyChange::SetRowSecurity { table, from, to } => {
            let mut sql = Vec::new();
            if from.0 != to.0 {
                let verb = if to.0 { "ENABLE" } else { "DISABLE" };
                sql.push(format!("ALTER TABLE {table} {verb} ROW LEVEL SECURITY;"));
            }
            if from.1 != to.1 {
                let verb = if to.1 { "FORCE" } else { "NO FORCE" };
                sql.push(format!("ALTER TABLE {table} {verb} ROW LEVEL SECURITY;"));
            }
            let on_table = |c: &crate::catalog::Catalog| -> Vec<ObjectId> {
                c.policies
                    .values()
                    .filter(|p| &p.table == table)
                    .map(id_of)
                    .collect()
            };
            // Switched on once its policies exist; switched off before they go, so that
            // no moment denies every row.
            let mut requires = vec![ObjectId::Table {
                name: table.clone(),
            }];
            requires.extend(on_table(ctx.to));
            let deps = Deps {
                requires,
                releases: on_table(ctx.from),
                ..Deps::default()
            };
            let id = ObjectId::Table {
                name: table.clone(),
            };
            authz(ctx, table, step(sql.join("\n"), &id, Action::Alter, deps))
        }
    };
    vec![s]
}
