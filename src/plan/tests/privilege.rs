//! Privileges: grants and revocations on tables, columns, schemas, sequences and
//! functions, grant options, owners, default privileges; new objects start from what
//! PostgreSQL gives them.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{AclKind, Catalog};
use crate::plan::Hazard;

fn base() -> Catalog {
    db().with_schema("app")
        .with_table(table(
            "app.courses",
            vec![col("id", "bigint").not_null(), col("title", "text")],
        ))
        .with_function(function(
            "app.total",
            "",
            "",
            "bigint",
            "sql",
            &["STABLE"],
            " SELECT count(*) FROM app.courses ",
        ))
}

fn owner_plus(extra: &[(&str, &str, bool)]) -> crate::catalog::Acl {
    let mut a = table_owner_acl();
    a.extend(acl(extra));
    a
}

#[test]
fn grant_and_revoke_on_a_table() {
    let from = base().with_acl(
        table_id("app.courses"),
        owner_plus(&[("writer", "DELETE", false)]),
    );
    let to = base().with_acl(
        table_id("app.courses"),
        owner_plus(&[("reader", "SELECT", true), ("writer", "INSERT", false)]),
    );
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps[0].hazards, vec![Hazard::AuthzUpdate]);
    assert!(!p.access.is_empty(), "the access summary lists who changes");
}

#[test]
fn grant_option_taken_away_keeps_the_privilege() {
    let from = base().with_acl(
        table_id("app.courses"),
        owner_plus(&[("reader", "SELECT", true)]),
    );
    let to = base().with_acl(
        table_id("app.courses"),
        owner_plus(&[("reader", "SELECT", false)]),
    );
    let p = plan(&from, &to);
    step(
        &p,
        "REVOKE GRANT OPTION FOR SELECT ON TABLE app.courses FROM reader;",
    );
}

#[test]
fn execute_moved_from_public_to_a_role() {
    let to = base().with_acl(
        fn_id("app.total", ""),
        acl(&[("owner", "EXECUTE", false), ("api", "EXECUTE", false)]),
    );
    insta::assert_snapshot!(sql(&base(), &to));
}

#[test]
fn column_privileges_written_together() {
    let to = base()
        .with_acl(
            col_id("app.courses", "id"),
            acl(&[("reader", "SELECT", false)]),
        )
        .with_acl(
            col_id("app.courses", "title"),
            acl(&[("reader", "SELECT", false), ("editor", "UPDATE", false)]),
        );
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps[0].object, "columns of app.courses");
}

#[test]
fn column_grant_after_a_table_wide_revoke() {
    let from = base().with_acl(
        table_id("app.courses"),
        owner_plus(&[("reader", "SELECT", false)]),
    );
    let to = base().with_acl(
        col_id("app.courses", "title"),
        acl(&[("reader", "SELECT", false)]),
    );
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "REVOKE SELECT ON TABLE") < super::position(&p, "GRANT SELECT (title)"),
        "a table-wide REVOKE would take the column grant with it"
    );
}

#[test]
fn new_table_with_grants_changes_no_existing_access() {
    let to = base()
        .with_table(table("app.lessons", vec![col("id", "bigint")]))
        .with_acl(
            table_id("app.lessons"),
            owner_plus(&[("reader", "SELECT", false)]),
        );
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    let grant = step(&p, "GRANT SELECT ON TABLE app.lessons TO reader;");
    assert!(grant.hazards.is_empty());
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "GRANT SELECT"));
}

#[test]
fn schema_usage_granted() {
    let mut schema_acl = AclKind::Schema.default_acl(PG17);
    schema_acl.extend(acl(&[("reader", "USAGE", false)]));
    let to = base().with_acl(schema_id("app"), schema_acl);
    let p = plan(&base(), &to);
    step(&p, "GRANT USAGE ON SCHEMA app TO reader;");
}

#[test]
fn owner_changed_before_grants_naming_the_owner() {
    let to = base()
        .with_owner(table_id("app.courses"), "course_admin")
        .with_acl(
            table_id("app.courses"),
            acl(&[("owner", "SELECT", false), ("reader", "SELECT", false)]),
        );
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "OWNER TO course_admin") < super::position(&p, "ON TABLE app.courses")
    );
}

#[test]
fn owner_reset_to_the_applying_role() {
    let from = base().with_owner(fn_id("app.total", ""), "someone");
    let p = plan(&from, &base());
    step(&p, "ALTER FUNCTION app.total() OWNER TO CURRENT_USER;");
}

#[test]
fn default_privileges_global_and_in_schema() {
    let to = base()
        .with_default_acl(
            USER,
            None,
            AclKind::Function,
            acl(&[("owner", "EXECUTE", false)]),
        )
        .with_default_acl(
            USER,
            Some("app"),
            AclKind::Table,
            acl(&[("reader", "SELECT", false)]),
        );
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        p.steps
            .iter()
            .all(|s| s.hazards == vec![Hazard::AuthzUpdate])
    );
}

#[test]
fn default_privileges_apply_before_new_objects() {
    let to = base()
        .with_default_acl(
            USER,
            Some("app"),
            AclKind::Table,
            acl(&[("reader", "SELECT", false)]),
        )
        .with_table(table("app.lessons", vec![col("id", "bigint")]))
        .with_acl(
            table_id("app.lessons"),
            owner_plus(&[("reader", "SELECT", false)]),
        );
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        !p.steps
            .iter()
            .any(|s| s.sql.starts_with("GRANT SELECT ON TABLE app.lessons")),
        "the default privileges grant it"
    );
}

#[test]
fn default_privileges_in_a_new_schema_change_no_existing_access() {
    let reader = || acl(&[("reader", "SELECT", false)]);
    let to = base()
        .with_schema("fresh")
        .with_default_acl(USER, Some("fresh"), AclKind::Table, reader())
        .with_default_acl(USER, Some("app"), AclKind::Table, reader())
        .with_default_acl(USER, None, AclKind::Sequence, reader());
    let p = plan(&base(), &to);
    let hazards = |needle: &str| {
        p.steps
            .iter()
            .find(|s| s.sql.contains(needle))
            .unwrap_or_else(|| panic!("no step with {needle}: {}", super::script(&p)))
            .hazards
            .clone()
    };
    assert!(
        hazards("IN SCHEMA fresh").is_empty(),
        "nothing exists yet in a schema the plan creates"
    );
    assert_eq!(hazards("IN SCHEMA app"), vec![Hazard::AuthzUpdate]);
    assert_eq!(
        hazards("ON SEQUENCES TO reader"),
        vec![Hazard::AuthzUpdate],
        "global default privileges reach existing schemas"
    );
}
