use crate::catalog::{Catalog, Schema};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name: String = row.get(0);
        catalog.schemas.insert(name.clone(), Schema { name });
    }
}
