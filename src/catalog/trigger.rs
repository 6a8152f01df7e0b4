use super::QualName;
use serde::{Deserialize, Serialize};

/// A trigger. `definition` is `pg_get_triggerdef()`: timing, events, row/statement,
/// WHEN, transition tables, constraint triggers and deferrability, the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub table: QualName,
    pub name: String,
    pub definition: String,
    /// `pg_trigger.tgenabled`: `O` (origin, the default), `D`, `R` (replica), `A` (always).
    pub enabled: String,
}
