use super::{Action, Ctx, Deps, Hazard, Step, step};
use crate::catalog::{Acl, DefaultAclKey, Grant, Grantee, ObjectId, PRIVILEGE_ORDER, quote_ident};
use crate::diff::PrivilegeChange;
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

/// One kind of edit to an ACL, in the order they are written: revocations first (a
/// table-wide REVOKE would undo column grants made before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edit {
    Revoke,
    RevokeOption,
    Grant,
    GrantWithOption,
}

/// (edit, grantee) → privilege → columns (empty for the object itself).
type Edits = BTreeMap<(Edit, Grantee), BTreeMap<String, Vec<String>>>;

fn by_grantee(acl: &Acl) -> BTreeMap<&Grantee, BTreeMap<&str, bool>> {
    let mut m: BTreeMap<&Grantee, BTreeMap<&str, bool>> = BTreeMap::new();
    for g in acl {
        m.entry(&g.grantee)
            .or_default()
            .insert(g.privilege.as_str(), g.grantable);
    }
    m
}

/// Adds the edits that turn `from` into `to` (of `column`, or of the object).
fn edits(out: &mut Edits, from: &Acl, to: &Acl, column: Option<&str>) {
    let (f, t) = (by_grantee(from), by_grantee(to));
    let empty = BTreeMap::new();
    let grantees: BTreeSet<&Grantee> = f.keys().chain(t.keys()).copied().collect();
    for g in grantees {
        let (had, want) = (f.get(g).unwrap_or(&empty), t.get(g).unwrap_or(&empty));
        let mut add = |edit: Edit, p: &str| {
            let cols = out
                .entry((edit, g.clone()))
                .or_default()
                .entry(p.to_string())
                .or_default();
            cols.extend(column.map(String::from));
        };
        for (p, &go) in had {
            match want.get(p) {
                None => add(Edit::Revoke, p),
                Some(false) if go => add(Edit::RevokeOption, p),
                _ => {}
            }
        }
        for (p, &go) in want {
            match (had.get(p), go) {
                (None, false) => add(Edit::Grant, p),
                (None | Some(false), true) => add(Edit::GrantWithOption, p),
                _ => {}
            }
        }
    }
}

/// The statements of `edits` on `on`.
fn statements(edits: &Edits, on: &str, who: &dyn Fn(&Grantee) -> String) -> Vec<String> {
    edits
        .iter()
        .map(|((edit, g), privs)| {
            let mut names: Vec<(&String, &Vec<String>)> = privs.iter().collect();
            names.sort_by_key(|(p, _)| {
                PRIVILEGE_ORDER
                    .iter()
                    .position(|o| o == p)
                    .unwrap_or(usize::MAX)
            });
            let list = names
                .iter()
                .map(|(p, cols)| {
                    if cols.is_empty() {
                        p.to_string()
                    } else {
                        let cols: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
                        format!("{p} ({})", cols.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let name = who(g);
            match edit {
                Edit::Revoke => format!("REVOKE {list} ON {on} FROM {name};"),
                Edit::RevokeOption => {
                    format!("REVOKE GRANT OPTION FOR {list} ON {on} FROM {name};")
                }
                Edit::Grant => format!("GRANT {list} ON {on} TO {name};"),
                Edit::GrantWithOption => {
                    format!("GRANT {list} ON {on} TO {name} WITH GRANT OPTION;")
                }
            }
        })
        .collect()
}

fn grantee_roles(acl: &Acl) -> impl Iterator<Item = ObjectId> + '_ {
    acl.iter()
        .filter_map(|g: &Grant| g.grantee.role())
        .map(|r| ObjectId::Role { name: r.into() })
}

pub(super) fn steps(ctx: &Ctx, change: &PrivilegeChange) -> Vec<Step> {
    let s = match change {
        PrivilegeChange::SetPrivileges {
            object,
            from,
            to,
            new,
        } => {
            let owner = ctx.to.owners.get(object);
            let who = |g: &Grantee| match g {
                Grantee::Owner => role_sql(owner),
                other => other.sql(),
            };
            let mut e = Edits::new();
            edits(&mut e, from, to, None);
            let sql = statements(&e, &grant_target(ctx, object), &who);
            let mut requires = vec![object.clone()];
            requires.extend(grantee_roles(to));
            // Table-wide privileges are settled before column ones (a REVOKE on the table
            // takes the column grants with it), and after the owner changes.
            step(
                sql.join("\n"),
                object,
                Action::Grant,
                Deps {
                    requires,
                    marks: vec![format!("acl {object}")],
                    after: vec![format!("owner {object}")],
                    ..Deps::default()
                },
            )
            .hazard_if(!new, Hazard::AuthzUpdate)
        }
        PrivilegeChange::SetColumnPrivileges {
            table,
            columns,
            new,
        } => {
            let id = owning(
                ctx,
                &ObjectId::Column {
                    table: table.clone(),
                    column: String::new(),
                },
            );
            let owner = ctx.to.owners.get(&id);
            let who = |g: &Grantee| match g {
                Grantee::Owner => role_sql(owner),
                other => other.sql(),
            };
            let mut e = Edits::new();
            let mut requires = vec![id.clone()];
            for (column, (from, to)) in columns {
                edits(&mut e, from, to, Some(column));
                requires.push(ObjectId::Column {
                    table: table.clone(),
                    column: column.clone(),
                });
                requires.extend(grantee_roles(to));
            }
            let sql = statements(&e, &grant_target(ctx, &id), &who);
            let mut s = step(
                sql.join("\n"),
                &id,
                Action::Grant,
                Deps {
                    requires,
                    after: vec![format!("acl {id}"), format!("owner {id}")],
                    ..Deps::default()
                },
            )
            .hazard_if(!new, Hazard::AuthzUpdate);
            s.object = format!(
                "columns of {}",
                id.to_string()
                    .split_once(' ')
                    .map(|(_, n)| n)
                    .unwrap_or_default()
            );
            s
        }
        PrivilegeChange::SetOwner { object, owner, new } => {
            let mut requires = vec![object.clone()];
            requires.extend(owner.iter().map(|o| ObjectId::Role { name: o.clone() }));
            step(
                format!(
                    "ALTER {} OWNER TO {};",
                    super::comment::target(ctx, object),
                    role_sql(owner.as_ref())
                ),
                object,
                Action::Owner,
                Deps {
                    requires,
                    marks: vec![format!("owner {object}")],
                    ..Deps::default()
                },
            )
            .hazard_if(!new, Hazard::AuthzUpdate)
        }
        PrivilegeChange::SetDefaultPrivileges { key, from, to } => {
            default_privileges(key, from, to)
        }
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
    let mut e = Edits::new();
    edits(&mut e, from, to, None);
    let sql: Vec<String> = statements(&e, key.kind.default_acl_keyword(), &who)
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
        Action::Alter,
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
