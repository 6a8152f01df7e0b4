//! Aggregates: create after their state functions, replace in place, drop, recreate when
//! the signature changes.

use super::{plan, sql};
use crate::catalog::testing::*;
use crate::catalog::{Aggregate, Catalog};

fn step_fn() -> crate::catalog::Function {
    function(
        "app.sum_sq_step",
        "state numeric, x numeric",
        "numeric, numeric",
        "numeric",
        "sql",
        &["IMMUTABLE"],
        " SELECT state + x * x ",
    )
}

fn sum_squares(initcond: &str) -> Aggregate {
    aggregate(
        "app.sum_squares",
        "numeric",
        &[
            ("SFUNC", "app.sum_sq_step"),
            ("STYPE", "numeric"),
            ("INITCOND", initcond),
        ],
    )
}

fn with(a: Aggregate) -> Catalog {
    db().with_schema("app")
        .with_function(step_fn())
        .with_aggregate(a)
        .with_dep(
            fn_id("app.sum_squares", "numeric"),
            fn_id("app.sum_sq_step", "numeric, numeric"),
        )
}

#[test]
fn create_after_its_state_function() {
    let p = plan(&db().with_schema("app"), &with(sum_squares("'0'")));
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "FUNCTION app.sum_sq_step") < super::position(&p, "CREATE AGGREGATE")
    );
}

#[test]
fn changed_options_replace_in_place() {
    let p = plan(&with(sum_squares("'0'")), &with(sum_squares("'1'")));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].action, "alter");
}

#[test]
fn drop_before_its_state_function() {
    let p = plan(&with(sum_squares("'0'")), &db().with_schema("app"));
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP AGGREGATE") < super::position(&p, "DROP FUNCTION"));
}

#[test]
fn renamed_argument_drops_and_creates() {
    let mut named = sum_squares("'0'");
    named.identity_args = "x numeric".into();
    let out = sql(&with(sum_squares("'0'")), &with(named));
    assert!(
        out.contains("DROP AGGREGATE app.sum_squares(numeric);"),
        "{out}"
    );
    assert!(
        out.contains("CREATE AGGREGATE app.sum_squares(x numeric) ("),
        "{out}"
    );
    assert!(!out.contains("OR REPLACE AGGREGATE"), "{out}");
}
