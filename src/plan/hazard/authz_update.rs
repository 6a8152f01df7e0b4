//! `AUTHZ_UPDATE`.

use super::Doc;

pub(super) const DOC: Doc = Doc {
    meaning: "Who may read or write existing data changes: grants, owners, row level security, policies, roles.",
    safer: "Read the access summary of the plan (`--format markdown` or `json`) and test the affected roles with SET ROLE.",
};

#[cfg(test)]
mod tests {
    use crate::catalog::testing::*;
    use crate::plan::Hazard;
    use crate::plan::tests::*;

    #[test]
    fn detected() {
        let mut granted = table_owner_acl();
        granted.extend(acl(&[("reader", "SELECT", false)]));
        let from = t(vec![col("a", "integer")]);
        let p = plan(
            &from,
            &from.clone().with_acl(table_id("app.t"), granted.clone()),
        );
        assert_eq!(hazards(&p), vec![Hazard::AuthzUpdate]);
        let p = plan(&base(), &from.with_acl(table_id("app.t"), granted));
        assert!(
            hazards(&p).is_empty(),
            "nobody had access to a table that did not exist"
        );
    }

    #[test]
    fn fixtures_pin_it() {
        assert!(
            super::super::pinned_by_fixtures("AUTHZ_UPDATE") > 0,
            "no fixture expects AUTHZ_UPDATE"
        );
    }
}
