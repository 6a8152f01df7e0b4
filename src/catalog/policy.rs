use super::{Catalog, Grantee, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A row level security policy. `using` and `check` are `pg_get_expr()` read with
/// `search_path` cleared, so both sides spell them the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub table: QualName,
    pub name: String,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// False for `AS RESTRICTIVE`.
    pub permissive: bool,
    /// Sorted; `[Public]` when the policy applies to everyone.
    pub roles: Vec<Grantee>,
    pub using: Option<String>,
    pub check: Option<String>,
}

impl Policy {
    /// `TO …` as written in CREATE and ALTER POLICY.
    pub fn roles_sql(&self) -> String {
        self.roles
            .iter()
            .map(Grantee::sql)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The catalog query that reads the policies in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Row level security policies. Roles by name (0 is PUBLIC); expressions read with
-- search_path cleared, as PostgreSQL stores them.
SELECT n.nspname::text, c.relname::text, pol.polname::text,
       CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                       WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
       pol.polpermissive,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN NULL ELSE a.rolname::text END
             FROM pg_catalog.unnest(pol.polroles) AS r(oid)
             LEFT JOIN pg_catalog.pg_roles a ON a.oid = r.oid
             ORDER BY 1),
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid)
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let name: String = row.get(2);
        let mut roles: Vec<Grantee> = row
            .get::<_, Vec<Option<String>>>(5)
            .into_iter()
            .map(|r| r.map(Grantee::Role).unwrap_or(Grantee::Public))
            .collect();
        roles.sort();
        catalog.policies.insert(
            (table.clone(), name.clone()),
            Policy {
                table,
                name,
                command: row.get(3),
                permissive: row.get(4),
                roles,
                using: row.get(6),
                check: row.get(7),
            },
        );
    }
}
