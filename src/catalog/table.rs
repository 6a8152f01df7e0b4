use super::{Constraint, QualName, SequenceOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: QualName,
    /// Columns in attribute order (order is recorded, not reconciled: PostgreSQL can only
    /// append columns, and rewriting a table to reorder them is never worth it).
    pub columns: Vec<Column>,
    pub constraints: BTreeMap<String, Constraint>,
    pub unlogged: bool,
    /// `pg_get_partkeydef()` of a partitioned table: `RANGE (starts_on)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// For a partition: its parent and bound (`FOR VALUES …` or `DEFAULT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<(QualName, String)>,
    /// INHERITS parents, in order. The columns they give are not listed in `columns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualName>,
    /// ENABLE ROW LEVEL SECURITY.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls: bool,
    /// FORCE ROW LEVEL SECURITY (the owner is filtered too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_rls: bool,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type()` output, schema-qualified for user types.
    pub data_type: String,
    /// An explicit collation that differs from the type's default.
    pub collation: Option<QualName>,
    pub not_null: bool,
    /// PostgreSQL 18 records NOT NULL as a named constraint that may be NOT VALID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_constraint: Option<NotNull>,
    pub default: Option<String>,
    pub identity: Option<Identity>,
    pub generated: Option<Generated>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotNull {
    pub name: String,
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ALWAYS` or `BY DEFAULT`.
    pub always: bool,
    pub options: SequenceOptions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub expression: String,
    /// PostgreSQL 18 virtual generated columns; stored otherwise.
    pub is_virtual: bool,
}
