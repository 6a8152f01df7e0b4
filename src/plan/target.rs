//! What a step serves: an object of the catalog, or a set of privileges that is not one
//! object (the grants on a table's columns, a role's default privileges); and where the
//! desired state writes it.

use crate::catalog::{ObjectId, QualName, quote_ident};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Object(ObjectId),
    /// GRANT and REVOKE on some columns of one table, written as one step.
    ColumnPrivileges {
        table: QualName,
    },
    /// ALTER DEFAULT PRIVILEGES of a role on a kind of object (`tables`, `sequences` …),
    /// in one schema or everywhere.
    DefaultPrivileges {
        role: String,
        on: String,
        schema: Option<String>,
    },
}

impl Target {
    /// The kind the plan's summary counts the step under (`table`, `function` …).
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Object(id) => id.kind(),
            Target::ColumnPrivileges { .. } => "columns",
            Target::DefaultPrivileges { .. } => "default",
        }
    }
}

impl From<ObjectId> for Target {
    fn from(id: ObjectId) -> Target {
        Target::Object(id)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Object(id) => id.fmt(f),
            Target::ColumnPrivileges { table } => write!(f, "columns of {table}"),
            Target::DefaultPrivileges { role, on, schema } => {
                write!(
                    f,
                    "default privileges of role {} on {on}",
                    quote_ident(role)
                )?;
                match schema {
                    Some(s) => write!(f, " in schema {}", quote_ident(s)),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A file of the desired state and a line in it (1-based), as the files were named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
}
