use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A trigger on a table or a view (`INSTEAD OF`). `definition` is `pg_get_triggerdef()`: timing, events, row/statement,
/// WHEN, transition tables, constraint triggers and deferrability, the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub table: QualName,
    pub name: String,
    pub definition: String,
    /// `pg_trigger.tgenabled`: `O` (origin, the default), `D`, `R` (replica), `A` (always).
    pub enabled: String,
}

/// The catalog query that reads the triggers in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Triggers on tables and views (constraint triggers included; internal ones, such as
-- those behind foreign keys, left out).
SELECT n.nspname::text, c.relname::text, t.tgname::text,
       pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND c.relkind IN ('r', 'p', 'v')
  -- Clones of a partitioned table's triggers on its partitions belong to the parent.
  AND t.tgparentid = 0
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let name: String = row.get(2);
        catalog.triggers.insert(
            (table.clone(), name.clone()),
            Trigger {
                table,
                name,
                definition: row.get(3),
                enabled: row.get(4),
            },
        );
    }
}
