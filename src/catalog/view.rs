use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A view or materialized view. `definition` is `pg_get_viewdef()` read with an empty
/// `search_path` (PostgreSQL's own normalized text of the query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: QualName,
    pub materialized: bool,
    pub definition: String,
    /// Output columns: (name, `format_type()`), in order.
    pub columns: Vec<(String, String)>,
    /// `reloptions`: check_option, security_barrier, security_invoker; storage parameters
    /// of a materialized view.
    pub options: Vec<String>,
    /// Materialized views only: WITH DATA (false for WITH NO DATA).
    pub populated: bool,
}

impl View {
    pub fn keyword(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }

    /// The query without the trailing semicolon `pg_get_viewdef()` prints.
    pub fn query(&self) -> &str {
        self.definition.trim_end().trim_end_matches(';')
    }
}

/// The catalog query that reads the views in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Views and materialized views with their output columns and options.
SELECT n.nspname::text, c.relname::text, c.relkind = 'm',
       pg_catalog.pg_get_viewdef(c.oid),
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum),
       ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum),
       c.reloptions::text[], c.relispopulated
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
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
