use super::QualName;
use serde::{Deserialize, Serialize};

/// A composite type made with CREATE TYPE … AS (…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub name: QualName,
    /// (name, `format_type()`, explicit collation as SQL) in order.
    pub attributes: Vec<(String, String, Option<String>)>,
}
