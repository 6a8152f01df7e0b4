use crate::catalog::{Catalog, Extension};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name: String = row.get(0);
        catalog.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema: row.get(1),
                version: row.get(2),
            },
        );
    }
}
