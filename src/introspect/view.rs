use crate::catalog::{Catalog, QualName, View};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let names: Vec<String> = row.get(4);
        let types: Vec<String> = row.get(5);
        catalog.views.insert(
            name.clone(),
            View {
                name,
                materialized: row.get(2),
                definition: row.get(3),
                columns: names.into_iter().zip(types).collect(),
                options: row.get::<_, Option<Vec<String>>>(6).unwrap_or_default(),
                populated: row.get(7),
            },
        );
    }
}
