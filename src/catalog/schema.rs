use super::Catalog;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
}

/// The catalog query that reads the schemas in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- User schemas in scope ($1: schema names, NULL for every user schema).
SELECT n.nspname::text
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY 1
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name: String = row.get(0);
        catalog.schemas.insert(name.clone(), Schema { name });
    }
}
