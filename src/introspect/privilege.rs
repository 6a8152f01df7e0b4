use crate::catalog::{
    AclKind, Catalog, DefaultAclKey, Grant, GrantedBy, Grantee, ObjectId, merged,
};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Row;

fn grantee(kind: &str, name: Option<String>) -> Grantee {
    match (kind, name) {
        ("owner", _) => Grantee::Owner,
        ("role", Some(n)) => Grantee::Role(n),
        _ => Grantee::Public,
    }
}

pub(super) fn read(catalog: &mut Catalog, privileges: &[Row], owners: &[Row], defaults: &[Row]) {
    let mut rows: BTreeMap<ObjectId, BTreeSet<GrantedBy>> = BTreeMap::new();
    for row in privileges {
        let id = super::object_id(row.get(0), row.get(1), row.get(2), row.get(3));
        rows.entry(id).or_default().insert(GrantedBy {
            grantor: row.get(8),
            grant: Grant {
                grantee: grantee(row.get(4), row.get(5)),
                privilege: row.get(6),
                grantable: row.get(7),
            },
        });
    }
    for (id, rows) in rows {
        let acl = merged(rows.iter().map(|r| r.grant.clone()));
        if rows.iter().any(|r| r.grantor.is_some()) {
            catalog.granted_by.insert(id.clone(), rows);
        }
        catalog.privileges.insert(id, acl);
    }
    // An explicit ACL equal to the default says nothing more than NULL.
    let version = catalog.server_version;
    catalog
        .privileges
        .retain(|id, acl| AclKind::of(id).is_none_or(|k| *acl != k.default_acl(version)));
    for row in owners {
        let id = super::object_id(row.get(0), row.get(1), row.get(2), row.get(3));
        catalog.owners.insert(id, row.get(4));
    }
    for row in defaults {
        let Some(kind) = AclKind::from_default_acl_type(row.get(2)) else {
            continue;
        };
        let key = DefaultAclKey {
            role: row.get(0),
            schema: row.get(1),
            kind,
        };
        catalog
            .default_privileges
            .entry(key)
            .or_default()
            .insert(Grant {
                grantee: grantee(row.get(3), row.get(4)),
                privilege: row.get(5),
                grantable: row.get(6),
            });
    }
}
