//! `INDEX_DROPPED`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "An index that queries may rely on is dropped; plans that used it get slower.",
    safer: "Check `pg_stat_user_indexes.idx_scan` before dropping; a changed index is swapped in without this hazard.",
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
            &t(vec![col("a", "integer")]).with_index(i),
            &t(vec![col("a", "integer")]),
        );
        assert_eq!(hazards(&p), vec![Hazard::IndexDropped]);
        let checked = base().with_table(
            table("app.t", vec![col("a", "integer")]).with(check("t_a_check", "(a > 0)")),
        );
        let p = plan(&checked, &t(vec![col("a", "integer")]));
        assert!(hazards(&p).is_empty(), "a check has no index");
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("INDEX_DROPPED") > 0,
            "no fixture expects INDEX_DROPPED"
        );
    }
}
