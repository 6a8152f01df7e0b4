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
    pub deferrable: bool,
    pub deferred: bool,
    /// Storage parameters of the index behind a primary key, unique or exclusion
    /// constraint (`pg_get_constraintdef()` leaves them out).
    pub index_options: Vec<String>,
}

impl Constraint {
    /// The definition without a trailing `NOT VALID`, to compare the rule itself.
    pub fn rule(&self) -> &str {
        self.definition
            .strip_suffix(" NOT VALID")
            .unwrap_or(&self.definition)
    }

    /// The rule without its deferrability, which ALTER CONSTRAINT can change in place.
    pub fn base_rule(&self) -> &str {
        let r = self.rule();
        let r = r.strip_suffix(" INITIALLY DEFERRED").unwrap_or(r);
        r.strip_suffix(" DEFERRABLE").unwrap_or(r)
    }

    pub fn backs_index(&self) -> bool {
        matches!(
            self.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclude
        )
    }

    /// The definition with the index's storage parameters written back in, where
    /// PostgreSQL's grammar puts them (before the predicate and the deferrability).
    pub fn full_definition(&self) -> String {
        if self.index_options.is_empty() {
            return self.definition.clone();
        }
        let with = format!(" WITH ({})", super::options_sql(&self.index_options));
        let def = &self.definition;
        let at = [" WHERE (", " DEFERRABLE", " NOT VALID"]
            .iter()
            .filter_map(|m| def.find(m))
            .min()
            .unwrap_or(def.len());
        format!("{}{with}{}", &def[..at], &def[at..])
    }
}
