//! `UNTRACKABLE_DEPENDENCIES`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "PostgreSQL does not track what a function body uses: dropping or changing a relation or function that a body names may break it at run time.",
    safer: "Search the code for the names involved and exercise the functions after applying.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let reader = function(
            "app.n",
            "",
            "",
            "bigint",
            "sql",
            &["STABLE"],
            " SELECT count(*) FROM app.t ",
        );
        let from = t(vec![col("a", "integer")]).with_function(reader.clone());
        let p = plan(&from, &base().with_function(reader));
        assert_eq!(
            step(&p, "DROP TABLE app.t;").hazards,
            vec![Hazard::DeletesData, Hazard::UntrackableDependencies]
        );
        let p = plan(&t(vec![col("a", "integer")]), &base());
        assert_eq!(hazards(&p), vec![Hazard::DeletesData], "no body names it");
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("UNTRACKABLE_DEPENDENCIES") > 0,
            "no fixture expects UNTRACKABLE_DEPENDENCIES"
        );
    }
}
