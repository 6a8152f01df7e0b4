//! `DATA_DEPENDENT`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "The step may fail on existing rows: a new NOT NULL, CHECK, UNIQUE or FOREIGN KEY, a narrowing cast, an enum value removed.",
    safer: "Find and fix the offending rows first; constraints are added NOT VALID and validated separately so the check does not block writes.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("DATA_DEPENDENT") > 0,
            "no fixture expects DATA_DEPENDENT"
        );
    }
}
