use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_postgres::Row;

/// A collation made with CREATE COLLATION.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    pub name: QualName,
    /// `libc`, `icu` or `builtin`.
    pub provider: String,
    /// ICU or builtin locale; for libc, LC_COLLATE.
    pub locale: Option<String>,
    /// libc only: LC_CTYPE.
    pub ctype: Option<String>,
    pub deterministic: bool,
    /// ICU tailoring rules (PostgreSQL 16+).
    pub rules: Option<String>,
}

/// The catalog query that reads the collations in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Collations made with CREATE COLLATION. The row is read as JSON: the columns that hold
-- the locale moved between PostgreSQL 14 and 17.
SELECT n.nspname::text, co.collname::text, pg_catalog.to_jsonb(co)::text
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass
                    AND d.objid = co.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let json: Value = serde_json::from_str(row.get(2)).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(String::from);
        let provider = match text("collprovider").as_deref() {
            Some("i") => "icu",
            Some("b") => "builtin",
            _ => "libc",
        };
        let (locale, ctype) = if provider == "libc" {
            (text("collcollate"), text("collctype"))
        } else {
            // colllocale since 17, colliculocale in 15 and 16, collcollate in 14.
            (
                text("colllocale")
                    .or_else(|| text("colliculocale"))
                    .or_else(|| text("collcollate")),
                None,
            )
        };
        catalog.collations.insert(
            name.clone(),
            Collation {
                name,
                provider: provider.into(),
                locale,
                ctype,
                deterministic: json
                    .get("collisdeterministic")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                rules: text("collicurules"),
            },
        );
    }
}
