use super::QualName;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclude,
}

impl ConstraintKind {
    pub fn from_contype(c: &str) -> Option<Self> {
        Some(match c {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclude,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Exclude => "exclusion constraint",
        }
    }
}

/// A table constraint. `definition` is `pg_get_constraintdef()` read with an empty
/// `search_path`, so it is both the comparison key and the SQL to recreate it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    pub definition: String,
    pub validated: bool,
    /// For foreign keys: the referenced table.
    pub references: Option<QualName>,
}

impl Constraint {
    /// The definition without a trailing `NOT VALID`, to compare the rule itself.
    pub fn rule(&self) -> &str {
        self.definition
            .strip_suffix(" NOT VALID")
            .unwrap_or(&self.definition)
    }
}
