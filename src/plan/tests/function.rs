//! Functions and procedures: create, drop, replace in place, recreate when the signature
//! or result changes, and what stands on them (defaults, checks, expression indexes).

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Function};
use crate::plan::Hazard;

fn base() -> Catalog {
    db().with_schema("app")
}

fn grade(body: &str) -> Function {
    function(
        "app.letter_grade",
        "score numeric",
        "numeric",
        "text",
        "sql",
        &["IMMUTABLE"],
        body,
    )
}

const BODY: &str = " SELECT CASE WHEN score >= 90 THEN 'A' ELSE 'B' END ";

#[test]
fn create_and_drop() {
    let to = base().with_function(grade(BODY));
    let p = plan(&base(), &to);
    insta::assert_snapshot!("create", super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
    let p = plan(&to, &base());
    insta::assert_snapshot!("drop", super::script(&p));
    assert_eq!(
        p.steps[0].hazards,
        vec![Hazard::UntrackableDependencies],
        "other bodies may call it"
    );
}

#[test]
fn body_change_is_replaced_in_place_with_a_body_diff() {
    let from = base().with_function(grade(BODY));
    let to = base().with_function(grade(&BODY.replace("90", "85")));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].action, "alter");
    assert!(p.steps[0].hazards.is_empty());
    assert_eq!(p.body_diffs.len(), 1);
}

#[test]
fn result_type_change_drops_and_creates() {
    let from = base().with_function(grade(BODY));
    let mut changed = function(
        "app.letter_grade",
        "score numeric",
        "numeric",
        "character(1)",
        "sql",
        &["IMMUTABLE"],
        " SELECT 'A'::character(1) ",
    );
    changed.result = Some("character(1)".into());
    let p = plan(&from, &base().with_function(changed));
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP FUNCTION") < super::position(&p, "CREATE OR REPLACE"));
}

#[test]
fn renamed_parameter_drops_and_creates() {
    let from = base().with_function(grade(BODY));
    let renamed = function(
        "app.letter_grade",
        "points numeric",
        "numeric",
        "text",
        "sql",
        &["IMMUTABLE"],
        " SELECT CASE WHEN points >= 90 THEN 'A' ELSE 'B' END ",
    );
    let p = plan(&from, &base().with_function(renamed));
    assert_eq!(p.steps.len(), 2, "{}", super::script(&p));
    step(&p, "DROP FUNCTION app.letter_grade(score numeric);");
}

#[test]
fn taking_a_default_away_drops_and_adding_one_replaces() {
    let with_default = |n: i16| {
        let params = if n == 1 {
            "size integer DEFAULT 20"
        } else {
            "size integer"
        };
        let mut f = function(
            "app.page",
            params,
            "integer",
            "integer",
            "sql",
            &["IMMUTABLE"],
            " SELECT size ",
        );
        f.identity_args = "size integer".into();
        f.defaults = n;
        base().with_function(f)
    };
    let p = plan(&with_default(1), &with_default(0));
    assert_eq!(p.steps.len(), 2, "{}", super::script(&p));
    let p = plan(&with_default(0), &with_default(1));
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(p.steps[0].action, "alter");
}

#[test]
fn procedure_create_and_drop() {
    let pr = procedure("app.archive", "before date", "date", " SELECT before ");
    let to = base().with_function(pr);
    insta::assert_snapshot!("procedure_create", sql(&base(), &to));
    let p = plan(&to, &base());
    step(&p, "DROP PROCEDURE app.archive(before date);");
}

#[test]
fn function_to_procedure_drops_and_creates() {
    let f = function("app.tick", "", "", "void", "sql", &[], " SELECT 1 ");
    let pr = procedure("app.tick", "", "", " SELECT 1 ");
    let p = plan(&base().with_function(f), &base().with_function(pr));
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn only_the_changed_overload_is_touched() {
    let one = |body: &str| {
        function(
            "app.area",
            "r numeric",
            "numeric",
            "numeric",
            "sql",
            &["IMMUTABLE"],
            body,
        )
    };
    let two = function(
        "app.area",
        "w numeric, h numeric",
        "numeric, numeric",
        "numeric",
        "sql",
        &["IMMUTABLE"],
        " SELECT w * h ",
    );
    let from = base()
        .with_function(one(" SELECT 3.14 * r * r "))
        .with_function(two.clone());
    let to = base()
        .with_function(one(" SELECT pi() * r * r "))
        .with_function(two);
    let p = plan(&from, &to);
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].object, "function app.area(numeric)");
}

#[test]
fn sql_function_is_created_after_the_table_it_reads() {
    let count = function(
        "app.aa_count",
        "",
        "",
        "bigint",
        "sql",
        &["STABLE"],
        " SELECT count(*) FROM app.zz_items ",
    );
    let to = base()
        .with_table(table("app.zz_items", vec![col("id", "bigint")]))
        .with_function(count);
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "FUNCTION app.aa_count"));
}

#[test]
fn default_over_a_recreated_function_is_reset_around_it() {
    let next = |result: &str| {
        function(
            "app.next_code",
            "",
            "",
            result,
            "sql",
            &["VOLATILE"],
            " SELECT 1000 ",
        )
    };
    let t = table(
        "app.courses",
        vec![
            col("code", "bigint")
                .not_null()
                .default_to("app.next_code()"),
        ],
    );
    let from = base()
        .with_function(next("integer"))
        .with_table(t.clone())
        .with_dep(col_id("app.courses", "code"), fn_id("app.next_code", ""));
    let to = base()
        .with_function(next("bigint"))
        .with_table(t)
        .with_dep(col_id("app.courses", "code"), fn_id("app.next_code", ""));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    let order = [
        "DROP DEFAULT",
        "DROP FUNCTION",
        "CREATE OR REPLACE FUNCTION",
        "SET DEFAULT app.next_code()",
    ]
    .map(|n| super::position(&p, n));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn check_over_a_recreated_function_is_dropped_and_added_again() {
    let valid = |params: &str, types: &str| {
        function(
            "app.valid_code",
            params,
            types,
            "boolean",
            "sql",
            &["IMMUTABLE"],
            " SELECT true ",
        )
    };
    let t = table("app.courses", vec![col("code", "text")])
        .with(check("courses_code_check", "app.valid_code(code)"));
    let from = base()
        .with_function(valid("c text", "text"))
        .with_table(t.clone())
        .with_dep(
            con_id("app.courses", "courses_code_check"),
            fn_id("app.valid_code", "text"),
        );
    let to = base()
        .with_function(valid("code text", "text"))
        .with_table(t)
        .with_dep(
            con_id("app.courses", "courses_code_check"),
            fn_id("app.valid_code", "text"),
        );
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP CONSTRAINT") < super::position(&p, "DROP FUNCTION"));
    assert!(super::position(&p, "CREATE OR REPLACE") < super::position(&p, "ADD CONSTRAINT"));
}

#[test]
fn expression_index_over_a_replaced_function_is_rebuilt() {
    let norm = |body: &str| {
        function(
            "app.norm",
            "t text",
            "text",
            "text",
            "sql",
            &["IMMUTABLE"],
            body,
        )
    };
    let t = table("app.tags", vec![col("name", "text")]);
    let idx = index("app.tags_norm_idx", "app.tags", "btree (app.norm(name))");
    let from = base()
        .with_function(norm(" SELECT lower(t) "))
        .with_table(t.clone())
        .with_index(idx.clone())
        .with_dep(idx_id("app.tags_norm_idx"), fn_id("app.norm", "text"));
    let to = base()
        .with_function(norm(" SELECT lower(trim(t)) "))
        .with_table(t)
        .with_index(idx)
        .with_dep(idx_id("app.tags_norm_idx"), fn_id("app.norm", "text"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "CREATE OR REPLACE FUNCTION") < super::position(&p, "CREATE INDEX")
    );
}
