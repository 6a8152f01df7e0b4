//! Comments: set, changed, removed, on every kind of object that has one, and set again on
//! objects the plan recreates.

use super::{plan, sql};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, ObjectId};

fn base() -> Catalog {
    db().with_schema("app")
        .with_table(
            table(
                "app.users",
                vec![col("id", "bigint").not_null(), col("email", "text")],
            )
            .pk("id"),
        )
        .with_function(function(
            "app.one",
            "",
            "",
            "integer",
            "sql",
            &["IMMUTABLE"],
            " SELECT 1 ",
        ))
        .with_domain(domain("app.email", "text"))
        .with_enum(enum_type("app.mood", &["ok"]))
        .with_index(index("app.users_email_idx", "app.users", "btree (email)"))
        .with_view(view(
            "app.v",
            " SELECT users.id\n   FROM app.users;",
            &[("id", "bigint")],
        ))
}

fn commented(pairs: &[(ObjectId, &str)]) -> Catalog {
    let mut c = base();
    for (id, text) in pairs {
        c = c.with_comment(id.clone(), text);
    }
    c
}

#[test]
fn every_kind_named_as_comment_on_wants() {
    let to = commented(&[
        (schema_id("app"), "Application"),
        (table_id("app.users"), "People"),
        (col_id("app.users", "email"), "Where we write"),
        (con_id("app.users", "users_pkey"), "Identity"),
        (idx_id("app.users_email_idx"), "Lookups"),
        (fn_id("app.one", ""), "It's one"),
        (type_id("app.email"), "An address"),
        (type_id("app.mood"), "How it goes"),
        (view_id("app.v"), "Ids"),
    ]);
    insta::assert_snapshot!(sql(&base(), &to));
}

#[test]
fn changed_and_removed() {
    let from = commented(&[(table_id("app.users"), "People"), (view_id("app.v"), "Ids")]);
    let to = commented(&[(table_id("app.users"), "Everyone")]);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 2);
    assert!(p.steps.iter().any(|s| s.action == "uncomment"));
}

#[test]
fn comment_of_a_new_object_follows_it() {
    let to = base()
        .with_table(table("app.zz_new", vec![col("a", "integer")]))
        .with_comment(table_id("app.zz_new"), "fresh")
        .with_comment(col_id("app.zz_new", "a"), "col");
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "COMMENT ON TABLE"));
}

#[test]
fn comment_set_again_on_a_recreated_view() {
    let narrower = view("app.v", " SELECT 1 AS one;", &[("one", "integer")]);
    let from = base().with_comment(view_id("app.v"), "Ids");
    let mut to = base().with_comment(view_id("app.v"), "Ids");
    to.views.insert(qn("app.v"), narrower);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "CREATE VIEW") < super::position(&p, "COMMENT ON VIEW app.v IS 'Ids';")
    );
}

#[test]
fn comment_of_a_dropped_object_is_not_removed_by_hand() {
    let from = base().with_comment(view_id("app.v"), "Ids");
    let mut to = base();
    to.views.clear();
    let p = plan(&from, &to);
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(p.steps[0].sql, "DROP VIEW app.v;");
}
