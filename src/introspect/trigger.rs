use crate::catalog::{Catalog, QualName, Trigger};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let name: String = row.get(2);
        catalog.triggers.insert(
            (table.clone(), name.clone()),
            Trigger {
                table,
                name,
                definition: row.get(3),
                enabled: row.get(4),
            },
        );
    }
}
