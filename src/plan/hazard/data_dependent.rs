//! `DATA_DEPENDENT`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step may fail on existing rows: a new NOT NULL, CHECK, UNIQUE or FOREIGN KEY, a narrowing cast, an enum value removed.",
    safer: "Find and fix the offending rows first; constraints are added NOT VALID and validated separately so the check does not block writes.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let from = t(vec![col("a", "integer")]);
        let p = plan(
            &from,
            &t(vec![col("a", "integer"), col("b", "integer").not_null()]),
        );
        assert_eq!(hazards(&p), vec![Hazard::DataDependent]);
        let p = plan(
            &from,
            &t(vec![
                col("a", "integer"),
                col("b", "integer").not_null().default_to("0"),
            ]),
        );
        assert!(hazards(&p).is_empty(), "every row gets the default");
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("DATA_DEPENDENT") > 0,
            "no fixture expects DATA_DEPENDENT"
        );
    }
}
