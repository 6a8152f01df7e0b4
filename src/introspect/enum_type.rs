use crate::catalog::{Catalog, EnumType, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        catalog.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: row.get(2),
            },
        );
    }
}
