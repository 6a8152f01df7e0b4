//! `TABLE_REWRITE`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The whole table is rewritten under an ACCESS EXCLUSIVE lock (most column type changes, SET LOGGED/UNLOGGED, a new stored generated expression).",
    safer: "Add a new column, backfill it in batches, switch the readers over, then drop the old column.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let p = plan(&t(vec![col("a", "integer")]), &t(vec![col("a", "bigint")]));
        assert!(hazards(&p).contains(&Hazard::TableRewrite));
        let p = plan(
            &t(vec![col("a", "text")]),
            &t(vec![col("a", "character varying")]),
        );
        assert!(
            !hazards(&p).contains(&Hazard::TableRewrite),
            "binary compatible"
        );
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("TABLE_REWRITE") > 0,
            "no fixture expects TABLE_REWRITE"
        );
    }

    #[test]
    fn the_reason_names_the_table_and_both_types() {
        let p = plan(&t(vec![col("a", "integer")]), &t(vec![col("a", "text")]));
        let s = step(&p, "TYPE text");
        assert_eq!(
            s.hazard_reasons[&Hazard::TableRewrite],
            "rewrites app.t: type change integer → text"
        );
        assert!(
            s.hazard_lines()
                .contains(&"TABLE_REWRITE: rewrites app.t: type change integer → text".into())
        );
    }
}
