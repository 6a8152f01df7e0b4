use super::QualName;
use serde::{Deserialize, Serialize};

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
