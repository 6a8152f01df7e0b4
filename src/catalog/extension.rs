use super::Catalog;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// An installed extension. The version is recorded for reports but not diffed: the shadow
/// server may ship another default version than the live one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub schema: String,
    pub version: String,
}

/// The catalog query that reads the extensions (all of them: they are not in a schema).
pub(crate) const QUERY: &str = r#"
-- Every extension of the database; scope is applied by the diff (extensions are
-- database-wide objects that follow the desired state).
SELECT e.extname::text, n.nspname::text, e.extversion
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
ORDER BY 1
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name: String = row.get(0);
        catalog.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema: row.get(1),
                version: row.get(2),
            },
        );
    }
}
