use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio_postgres::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: QualName,
    /// `format_type()` of the base type with its typmod.
    pub base_type: String,
    pub collation: Option<QualName>,
    pub default: Option<String>,
    pub not_null: bool,
    /// CHECK constraints by name: (`pg_get_constraintdef()`, validated).
    pub checks: BTreeMap<String, (String, bool)>,
}

/// The catalog query that reads the domains in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Domains with their CHECK constraints (as parallel arrays).
SELECT n.nspname::text, t.typname::text,
       pg_catalog.format_type(t.typbasetype, t.typtypmod),
       cn.nspname::text, co.collname::text,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typnotnull,
       ARRAY(SELECT c.conname::text FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
       ARRAY(SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
       ARRAY(SELECT c.convalidated FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation AND t.typcollation <> bt.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
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
