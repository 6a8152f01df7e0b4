use super::{Action, Ctx, Deps, Hazard, Step, column_ids, step};
use crate::catalog::{Grantee, ObjectId, Policy, QualName, quote_ident};
use crate::diff::PolicyChange;

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
fn requires(ctx: &Ctx, p: &Policy) -> Vec<ObjectId> {
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
fn requires_all_columns(ctx: &Ctx, p: &Policy) -> Vec<ObjectId> {
    let mut out = requires(ctx, p);
    out.extend(column_ids(ctx.to, &p.table));
    out
}

fn releases(ctx: &Ctx, p: &Policy) -> Vec<ObjectId> {
    let id = id_of(p);
    ctx.releases(std::slice::from_ref(&id))
}

/// A dropped policy goes before any column of its table changes.
fn releases_all_columns(ctx: &Ctx, p: &Policy) -> Vec<ObjectId> {
    let mut out = releases(ctx, p);
    out.extend(column_ids(ctx.from, &p.table));
    out
}

fn authz(ctx: &Ctx, table: &QualName, s: Step) -> Step {
    s.hazard_if(ctx.existing(table), Hazard::AuthzUpdate)
}

pub(super) fn steps(ctx: &Ctx, change: &PolicyChange) -> Vec<Step> {
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
