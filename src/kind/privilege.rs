//! Privileges, owners and default privileges. Objects created (or created again) by the
//! plan start from what PostgreSQL gives a new object: the built-in default ACL, extended
//! by the default privileges of the role that creates it, owned by that role.

use super::{Change, delegation};
use crate::catalog::{
    Acl, AclKind, Catalog, DefaultAclKey, Grant, Grantee, ObjectId, PRIVILEGE_ORDER, QualName,
    quote_ident,
};
use crate::diff::Context;
use crate::plan::{Action, Deps, Hazard, Step, Target, step};
use std::collections::{BTreeMap, BTreeSet};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PrivilegeChange {
    /// GRANT and REVOKE on one object (`new`: created by this plan).
    SetPrivileges {
        object: crate::catalog::ObjectId,
        from: crate::catalog::Acl,
        to: crate::catalog::Acl,
        new: bool,
    },
    /// GRANT and REVOKE on columns of one table, written together.
    SetColumnPrivileges {
        table: crate::catalog::QualName,
        /// Column → (current ACL, desired ACL).
        columns: std::collections::BTreeMap<String, (crate::catalog::Acl, crate::catalog::Acl)>,
        new: bool,
    },
    /// ALTER … OWNER TO (`None`: the role that applies the plan).
    SetOwner {
        object: crate::catalog::ObjectId,
        owner: Option<String>,
        new: bool,
    },
    /// ALTER DEFAULT PRIVILEGES.
    SetDefaultPrivileges {
        key: crate::catalog::DefaultAclKey,
        from: crate::catalog::Acl,
        to: crate::catalog::Acl,
    },
}

/// Column → (current ACL, desired ACL).
type ColumnAcls = BTreeMap<String, (Acl, Acl)>;

/// The ACL an object has: its stored one, or the default of its kind.
pub(crate) fn effective(catalog: &Catalog, id: &ObjectId) -> Acl {
    catalog.privileges.get(id).cloned().unwrap_or_else(|| {
        AclKind::of(id)
            .map(|k| k.default_acl(catalog.server_version))
            .unwrap_or_default()
    })
}

/// What a default-privileges entry amounts to: global entries replace the built-in
/// default; schema entries add to the global one.
fn effective_default(catalog: &Catalog, key: &DefaultAclKey) -> Acl {
    match catalog.default_privileges.get(key) {
        Some(acl) => acl.clone(),
        None if key.schema.is_none() => key.kind.default_acl(catalog.server_version),
        None => Acl::new(),
    }
}

/// The ACL PostgreSQL gives `id` when the plan creates it (default privileges are
/// changed before anything is created).
fn initial(ctx: &Context, id: &ObjectId) -> Acl {
    let Some(kind) = AclKind::of(id) else {
        return Acl::new();
    };
    if kind == AclKind::Column {
        return Acl::new();
    }
    let role = ctx.to.current_user.clone();
    let mut acl = effective_default(
        ctx.to,
        &DefaultAclKey {
            role: role.clone(),
            schema: None,
            kind,
        },
    );
    if let Some(schema) = id.schema().filter(|_| kind != AclKind::Schema) {
        acl.extend(effective_default(
            ctx.to,
            &DefaultAclKey {
                role,
                schema: Some(schema.to_string()),
                kind,
            },
        ));
    }
    acl
}

pub(crate) fn diff(ctx: &Context, changes: &mut Vec<Change>) {
    let mut created = super::created_by(changes);
    // Identity sequences come with the tables and columns that own them.
    for q in &ctx.to.identity_sequences {
        if !ctx.from.identity_sequences.contains(q) {
            created.insert(ObjectId::Sequence { name: q.clone() });
        }
    }
    let mut ids: BTreeSet<&ObjectId> = ctx.from.privileges.keys().collect();
    ids.extend(ctx.to.privileges.keys());
    ids.extend(created.iter().filter(|id| AclKind::of(id).is_some()));
    let mut out = Vec::new();
    let mut columns: BTreeMap<QualName, (ColumnAcls, bool)> = BTreeMap::new();
    for id in ids {
        if !ctx.to.contains(id) {
            continue;
        }
        let new = created.contains(id);
        let from = if new {
            initial(ctx, id)
        } else {
            effective(ctx.from, id)
        };
        let to = effective(ctx.to, id);
        if from == to {
            continue;
        }
        if let ObjectId::Column { table, column } = id {
            columns
                .entry(table.clone())
                .or_insert_with(|| (BTreeMap::new(), true))
                .0
                .insert(column.clone(), (from, to));
            columns.get_mut(table).expect("inserted").1 &= new;
        } else {
            out.push(Change::Privilege(PrivilegeChange::SetPrivileges {
                object: id.clone(),
                from,
                to,
                new,
            }));
        }
    }
    for (table, (columns, new)) in columns {
        out.push(Change::Privilege(PrivilegeChange::SetColumnPrivileges {
            table,
            columns,
            new,
        }));
    }
    let mut ids: BTreeSet<&ObjectId> = ctx.from.owners.keys().collect();
    ids.extend(ctx.to.owners.keys());
    for id in ids {
        if !ctx.to.contains(id) {
            continue;
        }
        let new = created.contains(id);
        let from = if new { None } else { ctx.from.owners.get(id) };
        let to = ctx.to.owners.get(id);
        if from != to {
            out.push(Change::Privilege(PrivilegeChange::SetOwner {
                object: id.clone(),
                owner: to.cloned(),
                new,
            }));
        }
    }
    // Owners first: privileges written for the owner name the new one.
    out.sort_by_key(|c| !matches!(c, Change::Privilege(PrivilegeChange::SetOwner { .. })));
    changes.extend(out);
}

/// Default privileges, planned before anything is created so that new objects get them.
pub(crate) fn diff_defaults(ctx: &Context, changes: &mut Vec<Change>) {
    let mut keys: BTreeSet<&DefaultAclKey> = ctx.from.default_privileges.keys().collect();
    keys.extend(ctx.to.default_privileges.keys());
    for key in keys {
        if key
            .schema
            .as_ref()
            .is_some_and(|s| !ctx.to.schemas.contains_key(s))
        {
            continue;
        }
        let from = if in_new_schema(ctx, key) {
            Acl::new()
        } else {
            effective_default(ctx.from, key)
        };
        let to = effective_default(ctx.to, key);
        if from != to {
            changes.push(Change::Privilege(PrivilegeChange::SetDefaultPrivileges {
                key: key.clone(),
                from,
                to,
            }));
        }
    }
}

/// Whether `key` is about a schema this plan creates: nothing exists in it yet, so its
/// default privileges start from none and change no one's access to existing data.
fn in_new_schema(ctx: &Context, key: &DefaultAclKey) -> bool {
    key.schema
        .as_ref()
        .is_some_and(|s| !ctx.from.schemas.contains_key(s))
}

/// The object whose owner owns `id`'s privileges (a column's table).
fn owning(ctx: &Context, id: &ObjectId) -> ObjectId {
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
fn grant_target(ctx: &Context, id: &ObjectId) -> String {
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
    /// A grant option someone passed on, with what was granted under it.
    RevokeOptionCascade,
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

/// Adds the edits of `id`'s ACL (`column`: of that column) from `from` to `to`, through
/// the grantors who passed privileges on ([`delegation`]); returns the grants to run as
/// those grantors, written after the edits.
#[allow(clippy::too_many_arguments)]
fn acl_edits(
    ctx: &Context,
    out: &mut Edits,
    id: &ObjectId,
    (from, to): (&Acl, &Acl),
    new: bool,
    column: Option<&str>,
    on: &str,
    who: &dyn Fn(&Grantee) -> String,
) -> Vec<String> {
    let side = if new { ctx.to } else { ctx.from };
    let Some(rows) = side.granted_by.get(id) else {
        edits(out, from, to, column);
        return Vec::new();
    };
    if new {
        edits(out, from, &delegation::by_owner(rows), column);
        return delegation::grants(rows, on, column, who);
    }
    let (left, cascades) = delegation::cascade(from, to, rows);
    for (grantee, privilege) in cascades {
        out.entry((Edit::RevokeOptionCascade, grantee))
            .or_default()
            .entry(privilege)
            .or_default()
            .extend(column.map(String::from));
    }
    edits(out, &left, to, column);
    Vec::new()
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
                Edit::RevokeOptionCascade => {
                    format!("REVOKE GRANT OPTION FOR {list} ON {on} FROM {name} CASCADE;")
                }
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

/// Privileges are not objects.
pub(super) fn created(_: &PrivilegeChange) -> Vec<ObjectId> {
    vec![]
}

pub(super) fn steps(ctx: &Context, change: &PrivilegeChange) -> Vec<Step> {
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
            let on = grant_target(ctx, object);
            let passed_on = acl_edits(ctx, &mut e, object, (from, to), *new, None, &on, &who);
            let mut sql = statements(&e, &on, &who);
            sql.extend(passed_on);
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
            .hazard_if(
                !new,
                Hazard::AuthzUpdate,
                format!("who may use the existing {object} changes"),
            )
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
            let on = grant_target(ctx, &id);
            let mut passed_on = Vec::new();
            for (column, (from, to)) in columns {
                let col = ObjectId::Column {
                    table: table.clone(),
                    column: column.clone(),
                };
                passed_on.extend(acl_edits(
                    ctx,
                    &mut e,
                    &col,
                    (from, to),
                    *new,
                    Some(column),
                    &on,
                    &who,
                ));
                requires.push(col);
                requires.extend(grantee_roles(to));
            }
            let mut sql = statements(&e, &on, &who);
            sql.extend(passed_on);
            step(
                sql.join("\n"),
                &id,
                Action::Grant,
                Deps {
                    requires,
                    after: vec![format!("acl {id}"), format!("owner {id}")],
                    ..Deps::default()
                },
            )
            .hazard_if(
                !new,
                Hazard::AuthzUpdate,
                format!("who may use columns of the existing {table} changes"),
            )
            .serving(Target::ColumnPrivileges {
                table: table.clone(),
            })
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
            .hazard_if(
                !new,
                Hazard::AuthzUpdate,
                format!("the existing {object} changes owner"),
            )
        }
        PrivilegeChange::SetDefaultPrivileges { key, from, to } => {
            default_privileges(key, from, to, in_new_schema(ctx, key))
        }
    };
    vec![s]
}

/// `new_schema`: the entry is for a schema the plan creates (see [`in_new_schema`]).
fn default_privileges(key: &DefaultAclKey, from: &Acl, to: &Acl, new_schema: bool) -> Step {
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
    // Not today's access, but every object created from now on: a hazard unless the
    // schema is new (global entries reach existing schemas, so they always carry it).
    step(
        sql.join("\n"),
        &object,
        Action::Alter,
        Deps {
            requires,
            ..Deps::default()
        },
    )
    .serving(Target::DefaultPrivileges {
        role: key.role.clone(),
        on: key.kind.default_acl_keyword().to_lowercase(),
        schema: key.schema.clone(),
    })
    .hazard_if(
        !new_schema,
        Hazard::AuthzUpdate,
        format!(
            "objects {} creates from now on get other privileges",
            quote_ident(&key.role)
        ),
    )
}
