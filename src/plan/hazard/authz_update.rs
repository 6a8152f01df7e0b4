//! `AUTHZ_UPDATE`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "Who may read or write existing data changes: grants, owners, row level security, policies, roles.",
    safer: "Read the access summary of the plan (`--format markdown` or `json`) and test the affected roles with SET ROLE.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("AUTHZ_UPDATE") > 0,
            "no fixture expects AUTHZ_UPDATE"
        );
    }
}
