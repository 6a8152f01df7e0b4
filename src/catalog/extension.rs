use super::Catalog;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// An installed extension. The version is diffed only when the files name one (`VERSION`
/// or `ALTER EXTENSION … UPDATE TO`): otherwise the shadow server may ship another default
/// version than the live one, and either is what the files ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub schema: String,
    pub version: String,
    /// The comment its control file gives it, which a comment of the user's replaces and
    /// which comes back when that comment is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_comment: Option<String>,
    /// The desired state names this version explicitly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub version_pinned: bool,
}

/// The catalog query that reads the extensions (all of them: they are not in a schema).
pub(crate) const QUERY: &str = r#"
-- Every extension of the database; scope is applied by the diff (extensions are
-- database-wide objects that follow the desired state).
SELECT e.extname::text, n.nspname::text, e.extversion,
       pg_catalog.obj_description(e.oid, 'pg_extension'),
       -- The comment the control file gives it (the view reads the control files: joined
       -- once, not looked up per extension).
       a.comment
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname
ORDER BY 1
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name: String = row.get(0);
        let (comment, default_comment): (Option<String>, Option<String>) = (row.get(3), row.get(4));
        // Only a comment other than the control file's is the user's.
        if let Some(comment) = comment.filter(|c| Some(c) != default_comment.as_ref()) {
            let id = super::ObjectId::Extension { name: name.clone() };
            catalog.comments.insert(id, comment);
        }
        catalog.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema: row.get(1),
                version: row.get(2),
                default_comment,
                version_pinned: false,
            },
        );
    }
}
