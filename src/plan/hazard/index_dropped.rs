//! `INDEX_DROPPED`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "An index that queries may rely on is dropped; plans that used it get slower.",
    safer: "Check `pg_stat_user_indexes.idx_scan` before dropping; a changed index is swapped in without this hazard.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("INDEX_DROPPED") > 0,
            "no fixture expects INDEX_DROPPED"
        );
    }
}
