use super::QualName;
use serde::{Deserialize, Serialize};

/// A standalone index (indexes that back a constraint belong to the constraint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: QualName,
    pub table: QualName,
    /// `pg_get_indexdef()` with an empty `search_path`: covers method, opclasses, order,
    /// INCLUDE, predicate, NULLS NOT DISTINCT and storage parameters.
    pub definition: String,
    pub unique: bool,
    /// False after a failed `CREATE INDEX CONCURRENTLY`: such an index is rebuilt.
    pub valid: bool,
    /// Storage parameters (`reloptions`), which ALTER INDEX can change in place.
    pub options: Vec<String>,
    /// A partition's copy of its parent's index: it comes and goes with the parent's
    /// (and stays behind, as an index of its own, when the partition is detached).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inherited: bool,
    /// The partitioned index an inherited copy belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<QualName>,
}

impl Index {
    /// The partition indexes that belong to this partitioned index in `catalog`: they are
    /// created (or adopted) with it and dropped with it.
    pub fn children<'a>(&'a self, catalog: &'a super::Catalog) -> impl Iterator<Item = &'a Index> {
        catalog
            .indexes
            .values()
            .filter(move |i| i.parent.as_ref() == Some(&self.name))
    }

    /// The definition without its storage parameters.
    pub fn shape(&self) -> String {
        if self.options.is_empty() {
            return self.definition.clone();
        }
        let with = format!(" WITH ({})", super::options_sql(&self.options));
        self.definition.replacen(&with, "", 1)
    }
}
