//! Schemas: created before what lives in them, dropped after it, never outside the scope.

use super::{plan, sql};
use crate::catalog::testing::*;

#[test]
fn create_before_its_objects() {
    let to = db()
        .with_schema("billing")
        .with_table(table("billing.invoices", vec![col("id", "bigint")]));
    let p = plan(&db(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "CREATE SCHEMA billing;") < super::position(&p, "CREATE TABLE"));
}

#[test]
fn drop_after_its_objects() {
    let from = db()
        .with_schema("billing")
        .with_table(table("billing.invoices", vec![col("id", "bigint")]));
    let p = plan(&from, &db());
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP TABLE") < super::position(&p, "DROP SCHEMA billing;"));
    assert!(!p.steps.iter().any(|s| s.sql.contains("CASCADE")));
}

#[test]
fn schema_outside_the_scope_is_not_dropped() {
    let from = db().with_schema("app").with_schema("other");
    let to = db().with_schema("app");
    let p = crate::plan::build(&from, &to, &scope(&["app", "public"])).expect("plans");
    assert!(p.is_empty(), "{}", super::script(&p));
}

#[test]
fn quoted_schema_name() {
    insta::assert_snapshot!(sql(&db(), &db().with_schema("Billing Dept")));
}
