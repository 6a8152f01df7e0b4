//! `INDEX_BUILD`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "An index is built on a table that already has rows: it reads the whole table (CONCURRENTLY where possible, so writes go on).",
    safer: "Run it off-peak and watch replication lag; a failed concurrent build is cleaned up by the engine.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("INDEX_BUILD") > 0,
            "no fixture expects INDEX_BUILD"
        );
    }
}
