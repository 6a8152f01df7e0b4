use serde::{Deserialize, Serialize};
use std::fmt;

mod access_exclusive_lock;
mod authz_update;
mod data_dependent;
mod deletes_data;
mod index_build;
mod index_dropped;
mod non_transactional;
mod table_rewrite;
mod untrackable_dependencies;

/// What a hazard means and what to do instead, shown in reviews.
pub struct Doc {
    pub meaning: &'static str,
    pub safer: &'static str,
}

/// Declares the closed set of hazards once: each variant with its name (as the command
/// line, the JSON plan and the HTTP API spell it) and the module (declared above) that
/// documents it and tests its detection; the enum, [`Hazard::ALL`], [`Hazard::name`] and
/// [`Hazard::doc`] all come from here.
macro_rules! hazards {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal in $module:ident;)*) => {
        /// The closed set of risks a step can carry. `apply` refuses a step whose hazards
        /// were not allowed.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        pub enum Hazard {
            $($(#[doc = $doc])* #[serde(rename = $name)] $variant,)*
        }

        impl Hazard {
            pub const ALL: &'static [Hazard] = &[$(Hazard::$variant),*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Hazard::$variant => $name,)*
                }
            }

            pub fn doc(self) -> &'static Doc {
                match self {
                    $(Hazard::$variant => &$module::DOC,)*
                }
            }
        }
    };
}

hazards! {
    /// Rows or column values are lost (DROP TABLE, DROP COLUMN, a column recreated).
    DeletesData = "DELETES_DATA" in deletes_data;
    /// The whole table is rewritten under an ACCESS EXCLUSIVE lock (most type changes).
    TableRewrite = "TABLE_REWRITE" in table_rewrite;
    /// The step holds an ACCESS EXCLUSIVE lock for longer than a catalog update.
    AccessExclusiveLock = "ACCESS_EXCLUSIVE_LOCK" in access_exclusive_lock;
    /// An index is built on a table that already exists.
    IndexBuild = "INDEX_BUILD" in index_build;
    /// An index that queries may rely on is dropped.
    IndexDropped = "INDEX_DROPPED" in index_dropped;
    /// Who may read or write data changes.
    AuthzUpdate = "AUTHZ_UPDATE" in authz_update;
    /// May fail on existing rows (SET NOT NULL, a new constraint, a cast).
    DataDependent = "DATA_DEPENDENT" in data_dependent;
    /// Cannot run inside a transaction block.
    NonTransactional = "NON_TRANSACTIONAL" in non_transactional;
    /// PostgreSQL does not track what depends on the object (function bodies).
    UntrackableDependencies = "UNTRACKABLE_DEPENDENCIES" in untrackable_dependencies;
}

impl Hazard {
    pub fn parse(name: &str) -> Option<Hazard> {
        Hazard::ALL
            .iter()
            .copied()
            .find(|h| h.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Parses `--allow-hazards`: a comma list of names, or `all`. An unknown name is
    /// answered with the closest one, else with the list of names.
    pub fn parse_list(list: &str) -> Result<Vec<Hazard>, String> {
        if list.trim().eq_ignore_ascii_case("all") {
            return Ok(Hazard::ALL.to_vec());
        }
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Hazard::parse(s).ok_or_else(|| Hazard::unknown(s.trim())))
            .collect()
    }

    fn unknown(name: &str) -> String {
        let names = || Hazard::ALL.iter().map(|h| h.name()).chain(["all"]);
        match crate::suggest::did_you_mean(name, names()) {
            hint if hint.is_empty() => format!(
                "unknown hazard {name:?} (the names are {})",
                names().collect::<Vec<_>>().join(", ")
            ),
            hint => format!("unknown hazard {name:?}{hint}"),
        }
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
    let subdirs = |d: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    };
    // fixtures/<kind>/<case>/options.toml
    subdirs(&dir)
        .iter()
        .flat_map(|kind| subdirs(kind))
        .filter(|case| {
            std::fs::read_to_string(case.join("options.toml"))
                .is_ok_and(|t| t.contains("expect_hazards") && t.contains(&quoted))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::Hazard;

    #[test]
    fn an_unknown_name_suggests_the_one_meant_or_lists_them() {
        assert_eq!(
            Hazard::parse_list("deletes_data, INDEX_BUILD"),
            Ok(vec![Hazard::DeletesData, Hazard::IndexBuild])
        );
        assert_eq!(
            Hazard::parse_list("DELETES_DATA,INDEX_BULD"),
            Err("unknown hazard \"INDEX_BULD\"; did you mean INDEX_BUILD?".into())
        );
        let e = Hazard::parse_list("bogus").unwrap_err();
        assert!(
            e.starts_with("unknown hazard \"bogus\" (the names are DELETES_DATA,")
                && e.ends_with("UNTRACKABLE_DEPENDENCIES, all)"),
            "{e}"
        );
    }
}
