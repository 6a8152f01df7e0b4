use crate::catalog::{Catalog, QualName, Sequence, SequenceOptions};
use tokio_postgres::Row;

/// Reads sequence options from `first`.. (type, start, increment, min, max, cache, cycle);
/// `None` when the type column is NULL (a column without identity).
pub(super) fn options(row: &Row, first: usize) -> Option<SequenceOptions> {
    let data_type: Option<String> = row.get(first);
    Some(SequenceOptions {
        data_type: data_type?,
        start: row.get(first + 1),
        increment: row.get(first + 2),
        min: row.get(first + 3),
        max: row.get(first + 4),
        cache: row.get(first + 5),
        cycle: row.get(first + 6),
    })
}

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let owner: Option<String> = row.get(9);
        let owned_by = owner.map(|schema| {
            (
                QualName::new(schema, row.get::<_, String>(10)),
                row.get::<_, String>(11),
            )
        });
        catalog.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options: options(row, 2).expect("sequence has a type"),
                owned_by,
            },
        );
    }
}
