use super::QualName;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
