use crate::catalog::{Catalog, CompositeType, Domain, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let coll_schema: Option<String> = row.get(3);
        let names: Vec<String> = row.get(7);
        let defs: Vec<String> = row.get(8);
        let valid: Vec<bool> = row.get(9);
        catalog.domains.insert(
            name.clone(),
            Domain {
                name,
                base_type: row.get(2),
                collation: coll_schema.map(|s| QualName::new(s, row.get::<_, String>(4))),
                default: row.get(5),
                not_null: row.get(6),
                checks: names.into_iter().zip(defs.into_iter().zip(valid)).collect(),
            },
        );
    }
}

pub(super) fn read_composites(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let names: Vec<String> = row.get(2);
        let types: Vec<String> = row.get(3);
        let colls: Vec<Option<String>> = row.get(4);
        catalog.composites.insert(
            name.clone(),
            CompositeType {
                name,
                attributes: names
                    .into_iter()
                    .zip(types)
                    .zip(colls)
                    .map(|((n, t), c)| (n, t, c))
                    .collect(),
            },
        );
    }
}
