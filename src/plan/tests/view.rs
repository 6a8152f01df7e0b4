//! Views and materialized views: create, drop, replace in place, recreate when columns
//! change, options, refresh, and recreation around changes of what they read.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, View};
use crate::plan::Hazard;

fn base() -> Catalog {
    db().with_schema("app").with_table(
        table(
            "app.users",
            vec![
                col("id", "bigint").not_null(),
                col("name", "text"),
                col("active", "boolean").not_null(),
            ],
        )
        .pk("id"),
    )
}

const ACTIVE: &str = " SELECT users.id,\n    users.name\n   FROM app.users\n  WHERE users.active;";

fn active() -> View {
    view(
        "app.active_users",
        ACTIVE,
        &[("id", "bigint"), ("name", "text")],
    )
}

/// `app.active_users` over `app.users`, with the columns it reads recorded in pg_depend.
fn with_view(c: Catalog, v: View) -> Catalog {
    let id = view_id(&format!("{}.{}", v.name.schema, v.name.name));
    c.with_view(v)
        .with_dep(id.clone(), col_id("app.users", "id"))
        .with_dep(id.clone(), col_id("app.users", "name"))
        .with_dep(id, col_id("app.users", "active"))
}

#[test]
fn create_and_drop() {
    let to = with_view(base(), active());
    let p = plan(&base(), &to);
    insta::assert_snapshot!("create", super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
    let p = plan(&to, &base());
    insta::assert_snapshot!("drop", super::script(&p));
    assert!(p.steps[0].hazards.is_empty(), "no function body names it");
}

#[test]
fn same_columns_new_query_is_replaced_in_place() {
    let mut changed = active();
    changed.definition = ACTIVE.replace(
        "WHERE users.active",
        "WHERE (users.active AND (users.name IS NOT NULL))",
    );
    let p = plan(&with_view(base(), active()), &with_view(base(), changed));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].action, "alter");
}

#[test]
fn appended_column_is_replaced_in_place() {
    let wider = view(
        "app.active_users",
        " SELECT users.id,\n    users.name,\n    users.active\n   FROM app.users\n  WHERE users.active;",
        &[("id", "bigint"), ("name", "text"), ("active", "boolean")],
    );
    let p = plan(&with_view(base(), active()), &with_view(base(), wider));
    step(&p, "CREATE OR REPLACE VIEW app.active_users AS");
}

#[test]
fn removed_column_recreates_the_view() {
    let narrower = view(
        "app.active_users",
        " SELECT users.id\n   FROM app.users\n  WHERE users.active;",
        &[("id", "bigint")],
    );
    let p = plan(&with_view(base(), active()), &with_view(base(), narrower));
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP VIEW") < super::position(&p, "CREATE VIEW"));
}

#[test]
fn options_set_and_reset() {
    let plain = with_view(base(), active());
    let barrier = with_view(
        base(),
        active().with_options(&["security_barrier=true", "check_option=local"]),
    );
    insta::assert_snapshot!("options_set", sql(&plain, &barrier));
    insta::assert_snapshot!("options_reset", sql(&barrier, &plain));
}

#[test]
fn options_and_query_change_together_replace_with_options() {
    let mut changed = active().with_options(&["security_invoker=true"]);
    changed.definition = ACTIVE.replace("WHERE users.active", "WHERE (NOT users.active)");
    let p = plan(&with_view(base(), active()), &with_view(base(), changed));
    step(
        &p,
        "CREATE OR REPLACE VIEW app.active_users WITH (security_invoker='true') AS",
    );
    assert_eq!(p.steps.len(), 1);
}

#[test]
fn materialized_view_create_with_and_without_data() {
    let q = " SELECT count(*) AS n\n   FROM app.users;";
    let filled = matview("app.user_count", q, &[("n", "bigint")]);
    let mut empty = matview("app.user_count_later", q, &[("n", "bigint")]);
    empty.populated = false;
    let to = base().with_view(filled).with_view(empty);
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "WITH DATA;").statement_timeout_ms,
        crate::plan::LONG_STATEMENT_TIMEOUT_MS,
        "filling runs the query"
    );
}

#[test]
fn materialized_view_refreshed_when_it_becomes_populated() {
    let q = " SELECT count(*) AS n\n   FROM app.users;";
    let mut empty = matview("app.user_count", q, &[("n", "bigint")]);
    empty.populated = false;
    let filled = matview("app.user_count", q, &[("n", "bigint")]);
    let p = plan(
        &base().with_view(empty.clone()),
        &base().with_view(filled.clone()),
    );
    insta::assert_snapshot!("refresh", super::script(&p));
    let p = plan(&base().with_view(filled), &base().with_view(empty));
    step(&p, "REFRESH MATERIALIZED VIEW app.user_count WITH NO DATA;");
}

#[test]
fn materialized_view_query_change_recreates_it_with_its_indexes() {
    let q = |filter: &str| {
        format!(
            " SELECT users.name,\n    count(*) AS n\n   FROM app.users\n  WHERE {filter}\n  GROUP BY users.name;"
        )
    };
    let mv = |filter: &str| {
        matview(
            "app.name_counts",
            &q(filter),
            &[("name", "text"), ("n", "bigint")],
        )
    };
    let idx = unique_index(
        "app.name_counts_name_idx",
        "app.name_counts",
        "btree (name)",
    );
    let from = base().with_view(mv("users.active")).with_index(idx.clone());
    let to = base().with_view(mv("(NOT users.active)")).with_index(idx);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        !p.steps.iter().any(|s| s.sql.starts_with("DROP INDEX")),
        "the index goes with the view"
    );
    assert!(
        super::position(&p, "CREATE MATERIALIZED VIEW")
            < super::position(&p, "CREATE UNIQUE INDEX")
    );
}

#[test]
fn view_to_materialized_view() {
    let mut m = active();
    m.materialized = true;
    let p = plan(&with_view(base(), active()), &with_view(base(), m));
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn view_over_a_retyped_column_is_recreated_around_it() {
    let from = with_view(base(), active());
    let mut to_base = base();
    to_base
        .tables
        .get_mut(&qn("app.users"))
        .expect("there")
        .columns[1]
        .data_type = "character varying(80)".into();
    let mut retyped = active();
    retyped.columns[1].1 = "character varying(80)".into();
    let to = with_view(to_base, retyped);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    let (drop, alter, create) = (
        super::position(&p, "DROP VIEW app.active_users;"),
        super::position(&p, "TYPE character varying(80)"),
        super::position(&p, "CREATE VIEW app.active_users"),
    );
    assert!(drop < alter && alter < create);
}

#[test]
fn view_over_an_unrelated_retyped_column_stays() {
    let from = with_view(
        base().with_table(table(
            "app.notes",
            vec![col("body", "character varying(10)")],
        )),
        active(),
    );
    let to = with_view(
        base().with_table(table("app.notes", vec![col("body", "text")])),
        active(),
    );
    let p = plan(&from, &to);
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
}

#[test]
fn view_of_a_view_is_recreated_with_it() {
    let outer = view(
        "app.active_names",
        " SELECT active_users.name\n   FROM app.active_users;",
        &[("name", "text")],
    );
    let narrower = view(
        "app.active_users",
        " SELECT users.name\n   FROM app.users\n  WHERE users.active;",
        &[("name", "text")],
    );
    let from = with_view(base(), active())
        .with_view(outer.clone())
        .with_dep(view_id("app.active_names"), view_id("app.active_users"));
    let to = with_view(base(), narrower)
        .with_view(outer)
        .with_dep(view_id("app.active_names"), view_id("app.active_users"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "DROP VIEW app.active_names")
            < super::position(&p, "DROP VIEW app.active_users")
    );
    assert!(
        super::position(&p, "CREATE VIEW app.active_users")
            < super::position(&p, "CREATE VIEW app.active_names")
    );
}

#[test]
fn view_named_in_a_function_body_is_flagged_when_dropped() {
    let f = function(
        "app.active_count",
        "",
        "",
        "bigint",
        "sql",
        &["STABLE"],
        " SELECT count(*) FROM app.active_users ",
    );
    let from = with_view(base(), active()).with_function(f.clone());
    let to = base().with_function(f);
    let p = plan(&from, &to);
    assert_eq!(
        step(&p, "DROP VIEW app.active_users;").hazards,
        vec![Hazard::UntrackableDependencies]
    );
}
