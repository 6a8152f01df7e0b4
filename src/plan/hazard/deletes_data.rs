//! `DELETES_DATA`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "Rows or column values are lost: a table or column is dropped, or a column is recreated.",
    safer: "Keep the old table or column until nothing reads it and copy what you need first; for a rename, mark the desired object with `-- @renamed from old_name` so the data moves with it.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let from = t(vec![col("a", "integer"), col("b", "integer")]);
        let p = plan(&from, &t(vec![col("a", "integer")]));
        assert_eq!(step(&p, "DROP COLUMN b").hazards, vec![Hazard::DeletesData]);
        let v = view("app.v", " SELECT 1 AS one;", &[("one", "integer")]);
        let p = plan(&base().with_view(v), &base());
        assert!(hazards(&p).is_empty(), "a view holds no data");
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("DELETES_DATA") > 0,
            "no fixture expects DELETES_DATA"
        );
    }
}
