mod access_exclusive_lock;
mod authz_update;
mod data_dependent;
mod deletes_data;
mod index_build;
mod index_dropped;
mod non_transactional;
mod table_rewrite;
mod untrackable_dependencies;

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a hazard means and what to do instead, shown in reviews.
pub struct Doc {
    pub meaning: &'static str,
    pub safer: &'static str,
}

/// The closed set of risks a step can carry. `apply` refuses a step whose hazards were not
/// allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Hazard {
    /// Rows or column values are lost (DROP TABLE, DROP COLUMN, a column recreated).
    DeletesData,
    /// The whole table is rewritten under an ACCESS EXCLUSIVE lock (most type changes).
    TableRewrite,
    /// The step holds an ACCESS EXCLUSIVE lock for longer than a catalog update.
    AccessExclusiveLock,
    /// An index is built on a table that already exists.
    IndexBuild,
    /// An index that queries may rely on is dropped.
    IndexDropped,
    /// Who may read or write data changes.
    AuthzUpdate,
    /// May fail on existing rows (SET NOT NULL, a new constraint, a cast).
    DataDependent,
    /// Cannot run inside a transaction block.
    NonTransactional,
    /// PostgreSQL does not track what depends on the object (function bodies).
    UntrackableDependencies,
}

impl Hazard {
    pub const ALL: &'static [Hazard] = &[
        Hazard::DeletesData,
        Hazard::TableRewrite,
        Hazard::AccessExclusiveLock,
        Hazard::IndexBuild,
        Hazard::IndexDropped,
        Hazard::AuthzUpdate,
        Hazard::DataDependent,
        Hazard::NonTransactional,
        Hazard::UntrackableDependencies,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Hazard::DeletesData => "DELETES_DATA",
            Hazard::TableRewrite => "TABLE_REWRITE",
            Hazard::AccessExclusiveLock => "ACCESS_EXCLUSIVE_LOCK",
            Hazard::IndexBuild => "INDEX_BUILD",
            Hazard::IndexDropped => "INDEX_DROPPED",
            Hazard::AuthzUpdate => "AUTHZ_UPDATE",
            Hazard::DataDependent => "DATA_DEPENDENT",
            Hazard::NonTransactional => "NON_TRANSACTIONAL",
            Hazard::UntrackableDependencies => "UNTRACKABLE_DEPENDENCIES",
        }
    }

    pub fn doc(self) -> &'static Doc {
        match self {
            Hazard::DeletesData => &deletes_data::DOC,
            Hazard::TableRewrite => &table_rewrite::DOC,
            Hazard::AccessExclusiveLock => &access_exclusive_lock::DOC,
            Hazard::IndexBuild => &index_build::DOC,
            Hazard::IndexDropped => &index_dropped::DOC,
            Hazard::AuthzUpdate => &authz_update::DOC,
            Hazard::DataDependent => &data_dependent::DOC,
            Hazard::NonTransactional => &non_transactional::DOC,
            Hazard::UntrackableDependencies => &untrackable_dependencies::DOC,
        }
    }

    pub fn parse(name: &str) -> Option<Hazard> {
        Hazard::ALL
            .iter()
            .copied()
            .find(|h| h.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Parses `--allow-hazards`: a comma list of names, or `all`.
    pub fn parse_list(list: &str) -> Result<Vec<Hazard>, String> {
        if list.trim().eq_ignore_ascii_case("all") {
            return Ok(Hazard::ALL.to_vec());
        }
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Hazard::parse(s).ok_or_else(|| format!("unknown hazard {:?}", s.trim())))
            .collect()
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many fixture cases expect `name` in their plan (each hazard must be pinned by one).
#[cfg(test)]
fn pinned_by_fixtures(name: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let quoted = format!("\"{name}\"");
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    std::fs::read_to_string(e.path().join("options.toml"))
                        .is_ok_and(|t| t.contains("expect_hazards") && t.contains(&quoted))
                })
                .count()
        })
        .unwrap_or(0)
}
