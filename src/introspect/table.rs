use crate::catalog::{Catalog, Column, Generated, Identity, QualName, Table};
use std::collections::BTreeMap;
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, tables: &[Row], columns: &[Row]) {
    for row in tables {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        catalog.tables.insert(
            name.clone(),
            Table {
                name,
                columns: Vec::new(),
                constraints: BTreeMap::new(),
                unlogged: row.get(2),
                partition_by: row.get(3),
                partition_of: row.get::<_, Option<String>>(4).map(|schema| {
                    (
                        QualName::new(schema, row.get::<_, String>(5)),
                        row.get::<_, String>(6),
                    )
                }),
                inherits: row
                    .get::<_, Vec<String>>(7)
                    .into_iter()
                    .zip(row.get::<_, Vec<String>>(8))
                    .map(|(s, n)| QualName::new(s, n))
                    .collect(),
                rls: row.get(9),
                force_rls: row.get(10),
            },
        );
    }
    for row in columns {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = catalog.tables.get_mut(&table) else {
            continue;
        };
        // An inheritance child's inherited columns are its parents' (merged ones too:
        // PostgreSQL makes them so whether they were written in the child or not).
        let inherited: i32 = row.get(17);
        if !t.inherits.is_empty() && inherited > 0 {
            continue;
        }
        let coll_schema: Option<String> = row.get(4);
        let expr: Option<String> = row.get(7);
        let identity: String = row.get(8);
        let generated: String = row.get(9);
        let (default, generated) = if generated.is_empty() {
            (expr, None)
        } else {
            (
                None,
                expr.map(|expression| Generated {
                    expression,
                    is_virtual: generated == "v",
                }),
            )
        };
        let identity = if identity.is_empty() {
            None
        } else {
            super::sequence::options(row, 10).map(|options| Identity {
                always: identity == "a",
                options,
            })
        };
        t.columns.push(Column {
            name: row.get(2),
            data_type: row.get(3),
            collation: coll_schema.map(|s| QualName::new(s, row.get::<_, String>(5))),
            not_null: row.get(6),
            not_null_constraint: None,
            default,
            identity,
            generated,
        });
    }
}
