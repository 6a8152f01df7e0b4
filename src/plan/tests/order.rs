//! Ordering through the dependency graph, and determinism.

use super::{plan, position, script};
use crate::catalog::Catalog;
use crate::catalog::testing::*;

fn base() -> Catalog {
    db().with_schema("app")
}

fn parent_child(fk_tail: &str) -> Catalog {
    base()
        .with_table(table("app.b_parents", vec![col("id", "bigint").not_null()]).pk("id"))
        .with_table(
            table(
                "app.a_children",
                vec![col("id", "bigint").not_null(), col("parent_id", "bigint")],
            )
            .pk("id")
            .with(fk(
                "a_children_parent_id_fkey",
                "parent_id",
                "app.b_parents",
                "id",
                fk_tail,
            )),
        )
}

#[test]
fn foreign_key_between_two_new_tables_waits_for_both() {
    let p = plan(&base(), &parent_child(" ON DELETE CASCADE"));
    insta::assert_snapshot!(script(&p));
    let fk = position(&p, "ADD CONSTRAINT a_children_parent_id_fkey");
    assert!(position(&p, "CREATE TABLE app.a_children") < fk);
    assert!(position(&p, "CREATE TABLE app.b_parents") < fk);
}

#[test]
fn reference_cycle_between_new_tables() {
    let a = table(
        "app.a",
        vec![col("id", "bigint").not_null(), col("b_id", "bigint")],
    )
    .pk("id")
    .with(fk("a_b_id_fkey", "b_id", "app.b", "id", ""));
    let b = table(
        "app.b",
        vec![col("id", "bigint").not_null(), col("a_id", "bigint")],
    )
    .pk("id")
    .with(fk("b_a_id_fkey", "a_id", "app.a", "id", ""));
    let p = plan(&base(), &base().with_table(a).with_table(b));
    insta::assert_snapshot!(script(&p));
}

#[test]
fn reference_cycle_between_dropped_tables() {
    let a = table(
        "app.a",
        vec![col("id", "bigint").not_null(), col("b_id", "bigint")],
    )
    .pk("id")
    .with(fk("a_b_id_fkey", "b_id", "app.b", "id", ""));
    let b = table(
        "app.b",
        vec![col("id", "bigint").not_null(), col("a_id", "bigint")],
    )
    .pk("id")
    .with(fk("b_a_id_fkey", "a_id", "app.a", "id", ""));
    let from = base()
        .with_table(a)
        .with_table(b)
        .with_dep(con_id("app.a", "a_b_id_fkey"), con_id("app.b", "b_pkey"))
        .with_dep(con_id("app.b", "b_a_id_fkey"), con_id("app.a", "a_pkey"));
    let p = plan(&from, &base());
    insta::assert_snapshot!(script(&p));
    let last_fk = position(&p, "DROP CONSTRAINT b_a_id_fkey")
        .max(position(&p, "DROP CONSTRAINT a_b_id_fkey"));
    assert!(last_fk < position(&p, "DROP TABLE app.a;"));
    assert!(last_fk < position(&p, "DROP TABLE app.b;"));
}

#[test]
fn referenced_table_dropped_after_the_referencing_one() {
    let from = parent_child("").with_dep(
        con_id("app.a_children", "a_children_parent_id_fkey"),
        con_id("app.b_parents", "b_parents_pkey"),
    );
    let p = plan(&from, &base());
    assert!(position(&p, "DROP TABLE app.a_children;") < position(&p, "DROP TABLE app.b_parents;"));
}

#[test]
fn function_used_by_a_default_comes_before_the_table() {
    let f = function(
        "app.z_code",
        "",
        "",
        "text",
        "sql",
        &["VOLATILE"],
        " SELECT md5(random()::text) ",
    );
    let to = base()
        .with_function(f)
        .with_table(table(
            "app.a_items",
            vec![col("code", "text").default_to("app.z_code()")],
        ))
        .with_dep(col_id("app.a_items", "code"), fn_id("app.z_code", ""));
    let p = plan(&base(), &to);
    assert!(position(&p, "FUNCTION app.z_code") < position(&p, "CREATE TABLE"));
}

#[test]
fn view_in_another_schema_over_a_retyped_column() {
    let users = |ty: &str| {
        table(
            "app.users",
            vec![col("id", "bigint").not_null(), col("score", ty)],
        )
    };
    let v = |ty: &str| {
        view(
            "reports.scores",
            " SELECT users.score\n   FROM app.users;",
            &[("score", ty)],
        )
    };
    let cat = |ty: &str| {
        base()
            .with_schema("reports")
            .with_table(users(ty))
            .with_view(v(ty))
            .with_dep(view_id("reports.scores"), col_id("app.users", "score"))
    };
    let p = plan(&cat("integer"), &cat("numeric(10,2)"));
    insta::assert_snapshot!(script(&p));
    assert!(position(&p, "DROP VIEW reports.scores") < position(&p, "TYPE numeric(10,2)"));
    assert!(position(&p, "TYPE numeric(10,2)") < position(&p, "CREATE VIEW reports.scores"));
}

#[test]
fn table_replaced_by_a_view_of_the_same_name() {
    let from = base().with_table(table("app.report", vec![col("n", "integer")]));
    let to = base().with_view(view("app.report", " SELECT 1 AS n;", &[("n", "integer")]));
    let p = plan(&from, &to);
    insta::assert_snapshot!(script(&p));
    assert!(position(&p, "DROP TABLE app.report;") < position(&p, "CREATE VIEW app.report"));
    let back = plan(&to, &from);
    assert!(position(&back, "DROP VIEW app.report;") < position(&back, "CREATE TABLE app.report"));
}

#[test]
fn constraint_dropped_before_an_index_takes_its_name() {
    let t = || table("app.tags", vec![col("name", "text")]);
    let from = base().with_table(t().with(unique("tags_name_key", "name")));
    let to = base().with_table(t()).with_index(unique_index(
        "app.tags_name_key",
        "app.tags",
        "btree (lower(name))",
    ));
    let p = plan(&from, &to);
    insta::assert_snapshot!(script(&p));
    assert!(position(&p, "DROP CONSTRAINT tags_name_key") < position(&p, "CREATE UNIQUE INDEX"));
}

#[test]
fn same_plan_twice_is_byte_identical() {
    let from = parent_child("").with_index(index(
        "app.a_children_parent_idx",
        "app.a_children",
        "btree (parent_id)",
    ));
    let mut to = parent_child(" ON DELETE CASCADE")
        .with_enum(enum_type("app.kind", &["x", "y"]))
        .with_view(view("app.v", " SELECT 1 AS one;", &[("one", "integer")]))
        .with_comment(table_id("app.b_parents"), "parents");
    to.tables
        .get_mut(&qn("app.a_children"))
        .expect("there")
        .columns
        .push(col("note", "text"));
    let a = plan(&from, &to);
    let b = plan(&from.clone(), &to.clone());
    assert_eq!(crate::plan::render::sql(&a), crate::plan::render::sql(&b));
    assert_eq!(crate::plan::render::json(&a), crate::plan::render::json(&b));
    assert_eq!(
        crate::plan::render::markdown(&a),
        crate::plan::render::markdown(&b)
    );
}

#[test]
fn fingerprint_names_the_source_catalog() {
    let p = plan(&base(), &parent_child(""));
    assert_eq!(p.source_fingerprint, base().fingerprint());
    assert!(
        crate::plan::render::sql(&p)
            .contains(&format!("-- source fingerprint: {}", base().fingerprint()))
    );
}
