use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub name: QualName,
    /// Labels in sort order.
    pub labels: Vec<String>,
}

/// The catalog query that reads the enums in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
SELECT n.nspname::text, t.typname::text,
       pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
GROUP BY 1, 2
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        catalog.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: row.get(2),
            },
        );
    }
}
