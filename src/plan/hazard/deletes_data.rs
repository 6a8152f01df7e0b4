//! `DELETES_DATA`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "Rows or column values are lost: a table or column is dropped, or a column is recreated.",
    safer: "Keep the old table or column until nothing reads it and copy what you need first; for a rename, mark the desired object with `-- @renamed from old_name` so the data moves with it.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("DELETES_DATA") > 0,
            "no fixture expects DELETES_DATA"
        );
    }
}
