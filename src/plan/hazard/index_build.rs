//! `INDEX_BUILD`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "An index is built on a table that already has rows: it reads the whole table (CONCURRENTLY where possible, so writes go on).",
    safer: "Run it off-peak and watch replication lag; a failed concurrent build is cleaned up by the engine.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let i = index("app.t_a_idx", "app.t", "btree (a)");
        let p = plan(
            &t(vec![col("a", "integer")]),
            &t(vec![col("a", "integer")]).with_index(i.clone()),
        );
        assert_eq!(hazards(&p), vec![Hazard::IndexBuild]);
        let p = plan(&base(), &t(vec![col("a", "integer")]).with_index(i));
        assert!(hazards(&p).is_empty(), "a new table has no rows");
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("INDEX_BUILD") > 0,
            "no fixture expects INDEX_BUILD"
        );
    }
}
