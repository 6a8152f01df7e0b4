use crate::catalog::{Catalog, Constraint, ConstraintKind, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = catalog.tables.get_mut(&table) else {
            continue;
        };
        let Some(kind) = ConstraintKind::from_contype(row.get(3)) else {
            continue;
        };
        let ref_schema: Option<String> = row.get(6);
        let name: String = row.get(2);
        t.constraints.insert(
            name.clone(),
            Constraint {
                name,
                kind,
                definition: row.get(4),
                validated: row.get(5),
                references: ref_schema.map(|s| QualName::new(s, row.get::<_, String>(7))),
            },
        );
    }
}
