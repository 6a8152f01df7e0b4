use crate::catalog::{Catalog, Grantee, Policy, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let name: String = row.get(2);
        let mut roles: Vec<Grantee> = row
            .get::<_, Vec<Option<String>>>(5)
            .into_iter()
            .map(|r| r.map(Grantee::Role).unwrap_or(Grantee::Public))
            .collect();
        roles.sort();
        catalog.policies.insert(
            (table.clone(), name.clone()),
            Policy {
                table,
                name,
                command: row.get(3),
                permissive: row.get(4),
                roles,
                using: row.get(6),
                check: row.get(7),
            },
        );
    }
}
