//! `ACCESS_EXCLUSIVE_LOCK`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step holds an ACCESS EXCLUSIVE lock for longer than a catalog update: reads and writes of the table wait for it.",
    safer: "Run it when the table is quiet, or use the online form (NOT VALID then VALIDATE, CONCURRENTLY) where PostgreSQL has one.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("ACCESS_EXCLUSIVE_LOCK") > 0,
            "no fixture expects ACCESS_EXCLUSIVE_LOCK"
        );
    }
}
