use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A composite type made with CREATE TYPE … AS (…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub name: QualName,
    /// (name, `format_type()`, explicit collation as SQL) in order.
    pub attributes: Vec<(String, String, Option<String>)>,
}

/// The catalog query that reads the composites in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Composite types made with CREATE TYPE … AS (…) (not the row types of tables).
SELECT n.nspname::text, c.relname::text,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation
                         THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
             LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
             LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'c'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND d.objid = c.reltype AND d.deptype = 'e')
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
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
