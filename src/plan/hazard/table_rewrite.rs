//! `TABLE_REWRITE`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The whole table is rewritten under an ACCESS EXCLUSIVE lock (most column type changes, SET LOGGED/UNLOGGED, a new stored generated expression).",
    safer: "Add a new column, backfill it in batches, switch the readers over, then drop the old column.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("TABLE_REWRITE") > 0,
            "no fixture expects TABLE_REWRITE"
        );
    }
}
