//! Privileges, owners and default privileges. Objects created (or created again) by the
//! plan start from what PostgreSQL gives a new object: the built-in default ACL, extended
//! by the default privileges of the role that creates it, owned by that role.

use super::{Change, Context};
use crate::catalog::{Acl, AclKind, Catalog, DefaultAclKey, ObjectId, QualName};
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

pub(super) fn diff(ctx: &Context, changes: &mut Vec<Change>) {
    let mut created = super::comment::created(changes);
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
        if !super::comment::survives(ctx, id) {
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
        if !super::comment::survives(ctx, id) {
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
pub(super) fn diff_defaults(ctx: &Context, changes: &mut Vec<Change>) {
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
        let from = if key
            .schema
            .as_ref()
            .is_some_and(|s| !ctx.from.schemas.contains_key(s))
        {
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
