use crate::catalog::{Catalog, Index, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let schema: String = row.get(0);
        let name = QualName::new(schema.clone(), row.get::<_, String>(1));
        let parent: (Option<String>, Option<String>) = (row.get(8), row.get(9));
        catalog.indexes.insert(
            name.clone(),
            Index {
                name,
                table: QualName::new(schema, row.get::<_, String>(2)),
                // A partitioned table's index is printed `ON ONLY`, which would create it
                // for the parent alone: created plainly, it cascades to the partitions.
                definition: row.get::<_, String>(3).replacen(" ON ONLY ", " ON ", 1),
                unique: row.get(4),
                valid: row.get(5),
                options: row.get::<_, Option<Vec<String>>>(6).unwrap_or_default(),
                inherited: row.get(7),
                parent: match parent {
                    (Some(schema), Some(name)) => Some(QualName::new(schema, name)),
                    _ => None,
                },
            },
        );
    }
}
