//! `ACCESS_EXCLUSIVE_LOCK`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step holds an ACCESS EXCLUSIVE lock for longer than a catalog update: reads and writes of the table wait for it.",
    safer: "Run it when the table is quiet, or use the online form (NOT VALID then VALIDATE, CONCURRENTLY) where PostgreSQL has one.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let p = plan(
            &t(vec![col("a", "integer")]),
            &base().with_table(table("app.t", vec![col("a", "integer")]).unlogged()),
        );
        assert!(hazards(&p).contains(&Hazard::AccessExclusiveLock));
        let p = plan(
            &t(vec![col("a", "integer")]),
            &t(vec![col("a", "integer"), col("b", "text")]),
        );
        assert!(
            hazards(&p).is_empty(),
            "adding a nullable column is a catalog change"
        );
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("ACCESS_EXCLUSIVE_LOCK") > 0,
            "no fixture expects ACCESS_EXCLUSIVE_LOCK"
        );
    }
}
