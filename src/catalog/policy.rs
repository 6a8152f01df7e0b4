use super::{Grantee, QualName};
use serde::{Deserialize, Serialize};

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
