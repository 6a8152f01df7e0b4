//! `NON_TRANSACTIONAL`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step runs outside a transaction and cannot be undone afterwards (a new enum value cannot be removed): if a later step fails, it stays.",
    safer: "Apply such changes in a plan of their own, or make sure the later steps cannot fail.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let e = |labels: &[&str]| base().with_enum(enum_type("app.e", labels));
        let p = plan(&e(&["a"]), &e(&["a", "b"]));
        assert_eq!(hazards(&p), vec![Hazard::NonTransactional]);
        // A concurrent index build also runs outside a transaction, but cleans up after
        // itself: it is flagged as an index build only.
        let i = index("app.t_a_idx", "app.t", "btree (a)");
        let p = plan(
            &t(vec![col("a", "integer")]),
            &t(vec![col("a", "integer")]).with_index(i),
        );
        assert!(!p.steps[0].transactional);
        assert!(!hazards(&p).contains(&Hazard::NonTransactional));
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("NON_TRANSACTIONAL") > 0,
            "no fixture expects NON_TRANSACTIONAL"
        );
    }
}
