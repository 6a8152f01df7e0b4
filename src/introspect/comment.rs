use crate::catalog::Catalog;
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let kind: &str = row.get(0);
        let schema: String = row.get(1);
        let name: String = row.get(2);
        let sub: Option<String> = row.get(3);
        let id = super::object_id(kind, schema, name, sub);
        catalog.comments.insert(id, row.get(4));
    }
}
