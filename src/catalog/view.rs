use super::QualName;
use serde::{Deserialize, Serialize};

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
