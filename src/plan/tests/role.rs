//! Roles: created (those that can log in flagged), attributes altered, memberships granted and
//! revoked, dropped last.

use super::{plan, step};
use crate::catalog::Role;
use crate::catalog::testing::*;
use crate::plan::Hazard;

fn with(roles: Vec<Role>) -> crate::catalog::Catalog {
    let mut c = db();
    for r in roles {
        c = c.with_role(r);
    }
    c
}

#[test]
fn create_a_group_role_changes_no_access() {
    let p = plan(&db(), &with(vec![role("readers")]));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn create_a_login_role_is_flagged() {
    let mut app = role("app_user");
    app.login = true;
    app.inherit = false;
    app.connection_limit = 10;
    let p = plan(&db(), &with(vec![app]));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps[0].hazards, vec![Hazard::AuthzUpdate]);
}

#[test]
fn create_a_nologin_role_with_attributes_changes_no_access() {
    let mut service = role("svc");
    service.bypassrls = true;
    service.createdb = true;
    let mut member = role("app_user");
    member.member_of.insert("svc".into(), false);
    let p = plan(&with(vec![role("app_user")]), &with(vec![service, member]));
    assert!(
        step(&p, "CREATE ROLE svc CREATEDB BYPASSRLS;")
            .hazards
            .is_empty(),
        "nobody can use it yet: {}",
        super::script(&p)
    );
    assert_eq!(
        step(&p, "GRANT svc TO app_user;").hazards,
        vec![Hazard::AuthzUpdate],
        "becoming its member is the change of access"
    );
}

#[test]
fn attributes_altered() {
    let mut to = role("app_user");
    to.login = true;
    to.bypassrls = true;
    let p = plan(&with(vec![role("app_user")]), &with(vec![to]));
    let s = step(&p, "ALTER ROLE app_user LOGIN BYPASSRLS;");
    assert_eq!(s.hazards, vec![Hazard::AuthzUpdate]);
}

#[test]
fn memberships_granted_and_revoked() {
    let mut before = role("app_user");
    before.member_of.insert("old_group".into(), false);
    before.member_of.insert("admins".into(), true);
    let mut after = role("app_user");
    after.member_of.insert("readers".into(), true);
    after.member_of.insert("admins".into(), false);
    let from = with(vec![before]);
    let to = with(vec![after, role("readers")]);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "CREATE ROLE readers")
            < super::position(&p, "GRANT readers TO app_user"),
        "granted once it exists"
    );
}

#[test]
fn dropped_after_everything_else() {
    let mut from = with(vec![role("legacy")]).with_schema("app");
    from = from.with_table(table("app.t", vec![col("a", "integer")]));
    let to = db().with_schema("app");
    let p = plan(&from, &to);
    assert_eq!(p.dropped_roles, vec!["legacy".to_string()]);
    let last = p.steps.last().expect("steps");
    assert_eq!(last.sql, "DROP ROLE legacy;");
    assert_eq!(last.hazards, vec![Hazard::AuthzUpdate]);
}

#[test]
fn role_still_used_is_not_dropped() {
    let from = with(vec![role("reader")]).with_schema("app");
    let to = db()
        .with_schema("app")
        .with_owner(schema_id("app"), "reader");
    let p = plan(&from, &to);
    assert!(p.dropped_roles.is_empty(), "{}", super::script(&p));
}

#[test]
fn role_created_before_the_grants_and_policies_that_name_it() {
    let from = db()
        .with_schema("app")
        .with_table(table("app.t", vec![col("a", "integer")]));
    let mut granted = table_owner_acl();
    granted.extend(acl(&[("zz_reader", "SELECT", false)]));
    let mut pol = policy("app.t", "readers", "SELECT", "true");
    pol.roles = vec![to_role("zz_reader")];
    let to = from
        .clone()
        .with_role(role("zz_reader"))
        .with_acl(table_id("app.t"), granted)
        .with_policy(pol);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    let create = super::position(&p, "CREATE ROLE zz_reader");
    assert!(create < super::position(&p, "GRANT SELECT"));
    assert!(create < super::position(&p, "CREATE POLICY"));
}
