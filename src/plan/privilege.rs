use super::{Ctx, Deps, Hazard, Step, step};
use crate::catalog::{Acl, DefaultAclKey, Grant, Grantee, ObjectId, PRIVILEGE_ORDER, quote_ident};
use crate::diff::Change;
use std::collections::{BTreeMap, BTreeSet};

/// The object whose owner owns `id`'s privileges (a column's table).
fn owning(ctx: &Ctx, id: &ObjectId) -> ObjectId {
    match id {
        ObjectId::Column { table, .. } if ctx.to.views.contains_key(table) => ObjectId::View {
            name: table.clone(),
        },
        ObjectId::Column { table, .. } => ObjectId::Table {
            name: table.clone(),
        },
        other => other.clone(),
    }
}

fn role_sql(name: Option<&String>) -> String {
    name.map(|n| quote_ident(n))
        .unwrap_or_else(|| "CURRENT_USER".into())
}

/// How GRANT names the object (views are tables to it, aggregates functions).
fn grant_target(ctx: &Ctx, id: &ObjectId) -> String {
    let t = super::comment::target(ctx, &owning(ctx, id));
    for (from, to) in [
        ("MATERIALIZED VIEW ", "TABLE "),
        ("VIEW ", "TABLE "),
        ("AGGREGATE ", "FUNCTION "),
    ] {
        if let Some(rest) = t.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    t
}

fn ordered(privs: &BTreeSet<&str>) -> Vec<String> {
    let mut v: Vec<&str> = privs.iter().copied().collect();
    v.sort_by_key(|p| PRIVILEGE_ORDER.iter().position(|o| o == p).unwrap_or(99));
    v.into_iter().map(String::from).collect()
}

fn by_grantee(acl: &Acl) -> BTreeMap<&Grantee, BTreeMap<&str, bool>> {
    let mut m: BTreeMap<&Grantee, BTreeMap<&str, bool>> = BTreeMap::new();
    for g in acl {
        m.entry(&g.grantee)
            .or_default()
            .insert(g.privilege.as_str(), g.grantable);
    }
    m
}

/// GRANT and REVOKE statements turning `from` into `to`: revocations first (a table-wide
/// REVOKE would undo column grants made before it).
fn statements(
    from: &Acl,
    to: &Acl,
    on: &str,
    column: Option<&str>,
    who: &dyn Fn(&Grantee) -> String,
) -> Vec<String> {
    let (f, t) = (by_grantee(from), by_grantee(to));
    let list = |privs: &BTreeSet<&str>| {
        ordered(privs)
            .into_iter()
            .map(|p| match column {
                Some(c) => format!("{p} ({})", quote_ident(c)),
                None => p,
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let empty = BTreeMap::new();
    let grantees: BTreeSet<&Grantee> = f.keys().chain(t.keys()).copied().collect();
    let (mut revokes, mut grants) = (Vec::new(), Vec::new());
    for g in grantees {
        let (had, want) = (f.get(g).unwrap_or(&empty), t.get(g).unwrap_or(&empty));
        let gone: BTreeSet<&str> = had
            .keys()
            .filter(|p| !want.contains_key(*p))
            .copied()
            .collect();
        let lose_option: BTreeSet<&str> = had
            .iter()
            .filter(|(p, go)| **go && want.get(*p) == Some(&false))
            .map(|(p, _)| *p)
            .collect();
        let plain: BTreeSet<&str> = want
            .iter()
            .filter(|(p, go)| !**go && !had.contains_key(*p))
            .map(|(p, _)| *p)
            .collect();
        let with_option: BTreeSet<&str> = want
            .iter()
            .filter(|(p, go)| **go && had.get(*p) != Some(&true))
            .map(|(p, _)| *p)
            .collect();
        let name = who(g);
        if !gone.is_empty() {
            revokes.push(format!("REVOKE {} ON {on} FROM {name};", list(&gone)));
        }
        if !lose_option.is_empty() {
            revokes.push(format!(
                "REVOKE GRANT OPTION FOR {} ON {on} FROM {name};",
                list(&lose_option)
            ));
        }
        if !plain.is_empty() {
            grants.push(format!("GRANT {} ON {on} TO {name};", list(&plain)));
        }
        if !with_option.is_empty() {
            grants.push(format!(
                "GRANT {} ON {on} TO {name} WITH GRANT OPTION;",
                list(&with_option)
            ));
        }
    }
    revokes.extend(grants);
    revokes
}

fn grantee_roles(acl: &Acl) -> impl Iterator<Item = ObjectId> + '_ {
    acl.iter()
        .filter_map(|g: &Grant| g.grantee.role())
        .map(|r| ObjectId::Role { name: r.into() })
}

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    let s = match change {
        Change::SetPrivileges {
            object,
            from,
            to,
            new,
        } => {
            let owner = ctx.to.owners.get(&owning(ctx, object));
            let who = |g: &Grantee| match g {
                Grantee::Owner => role_sql(owner),
                other => other.sql(),
            };
            let column = match object {
                ObjectId::Column { column, .. } => Some(column.as_str()),
                _ => None,
            };
            let sql = statements(from, to, &grant_target(ctx, object), column, &who);
            let mut requires = vec![object.clone(), owning(ctx, object)];
            requires.extend(grantee_roles(to));
            let table = owning(ctx, object);
            // Table-wide privileges are settled before column ones (a REVOKE on the table
            // takes the column grants with it), and after the owner changes.
            let (marks, mut after) = if column.is_none() {
                (vec![format!("acl {table}")], Vec::new())
            } else {
                (Vec::new(), vec![format!("acl {table}")])
            };
            after.push(format!("owner {table}"));
            step(
                sql.join("\n"),
                object,
                "grant",
                Deps {
                    requires,
                    marks,
                    after,
                    ..Deps::default()
                },
            )
            .hazard_if(!new, Hazard::AuthzUpdate)
        }
        Change::SetOwner { object, owner, new } => {
            let mut requires = vec![object.clone()];
            requires.extend(owner.iter().map(|o| ObjectId::Role { name: o.clone() }));
            step(
                format!(
                    "ALTER {} OWNER TO {};",
                    super::comment::target(ctx, object),
                    role_sql(owner.as_ref())
                ),
                object,
                "owner",
                Deps {
                    requires,
                    marks: vec![format!("owner {object}")],
                    ..Deps::default()
                },
            )
            .hazard_if(!new, Hazard::AuthzUpdate)
        }
        Change::SetDefaultPrivileges { key, from, to } => default_privileges(key, from, to),
        _ => unreachable!("privilege change"),
    };
    vec![s]
}

fn default_privileges(key: &DefaultAclKey, from: &Acl, to: &Acl) -> Step {
    let mut head = format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {}",
        quote_ident(&key.role)
    );
    if let Some(s) = &key.schema {
        head.push_str(&format!(" IN SCHEMA {}", quote_ident(s)));
    }
    let who = |g: &Grantee| match g {
        Grantee::Owner => quote_ident(&key.role),
        other => other.sql(),
    };
    let sql: Vec<String> = statements(from, to, key.kind.default_acl_keyword(), None, &who)
        .into_iter()
        .map(|s| format!("{head} {s}"))
        .collect();
    let mut requires = vec![ObjectId::Role {
        name: key.role.clone(),
    }];
    requires.extend(
        key.schema
            .iter()
            .map(|s| ObjectId::Schema { name: s.clone() }),
    );
    requires.extend(grantee_roles(to));
    let object = ObjectId::Role {
        name: key.role.clone(),
    };
    // Not today's access, but every object created from now on.
    let mut s = step(
        sql.join("\n"),
        &object,
        "alter",
        Deps {
            requires,
            ..Deps::default()
        },
    );
    s.object = format!(
        "default privileges of role {} on {}{}",
        quote_ident(&key.role),
        key.kind.default_acl_keyword().to_lowercase(),
        key.schema
            .as_ref()
            .map(|s| format!(" in schema {}", quote_ident(s)))
            .unwrap_or_default()
    );
    s.hazard(Hazard::AuthzUpdate)
}
