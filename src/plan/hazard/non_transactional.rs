//! `NON_TRANSACTIONAL`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step runs outside a transaction and cannot be undone afterwards (a new enum value cannot be removed): if a later step fails, it stays.",
    safer: "Apply such changes in a plan of their own, or make sure the later steps cannot fail.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("NON_TRANSACTIONAL") > 0,
            "no fixture expects NON_TRANSACTIONAL"
        );
    }
}
