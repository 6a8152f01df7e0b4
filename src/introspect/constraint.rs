use crate::catalog::{Catalog, Constraint, ConstraintKind, NotNull, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = catalog.tables.get_mut(&table) else {
            continue;
        };
        let contype: &str = row.get(3);
        if contype == "n" {
            let column: Option<String> = row.get(11);
            if let Some(c) = t
                .columns
                .iter_mut()
                .find(|c| Some(&c.name) == column.as_ref())
            {
                c.not_null_constraint = Some(NotNull {
                    name: row.get(2),
                    validated: row.get(5),
                });
            }
            continue;
        }
        let Some(kind) = ConstraintKind::from_contype(contype) else {
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
                deferrable: row.get(8),
                deferred: row.get(9),
                index_options: row.get::<_, Option<Vec<String>>>(10).unwrap_or_default(),
            },
        );
    }
}
