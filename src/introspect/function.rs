use crate::catalog::{Catalog, Function, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let arg_types: String = row.get(8);
        catalog.functions.insert(
            (name.clone(), arg_types.clone()),
            Function {
                name,
                arg_types,
                defaults: row.get(9),
                identity_args: row.get(2),
                arguments: row.get(3),
                result: row.get(4),
                is_procedure: row.get(5),
                language: row.get(6),
                definition: row.get(7),
            },
        );
    }
}
