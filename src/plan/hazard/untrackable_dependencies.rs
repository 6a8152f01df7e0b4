//! `UNTRACKABLE_DEPENDENCIES`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "PostgreSQL does not track what a function body uses: dropping or changing a relation or function that a body names may break it at run time.",
    safer: "Search the code for the names involved and exercise the functions after applying.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("UNTRACKABLE_DEPENDENCIES") > 0,
            "no fixture expects UNTRACKABLE_DEPENDENCIES"
        );
    }
}
