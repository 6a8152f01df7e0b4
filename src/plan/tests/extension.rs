//! Extensions: created in their schema, dropped only when their schema is managed, moved.

use super::{plan, step};
use crate::catalog::testing::*;
use crate::plan::Hazard;

#[test]
fn create_in_a_new_schema() {
    let to = db()
        .with_schema("ext")
        .with_extension(extension("citext", "ext"));
    let p = plan(&db(), &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "CREATE SCHEMA ext") < super::position(&p, "CREATE EXTENSION"));
}

#[test]
fn drop_in_a_managed_schema_deletes_data() {
    let from = db()
        .with_schema("app")
        .with_extension(extension("hstore", "app"));
    let p = plan(&from, &db().with_schema("app"));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "DROP EXTENSION hstore;").hazards,
        vec![Hazard::DeletesData]
    );
}

#[test]
fn not_dropped_outside_the_scope() {
    let from = db()
        .with_schema("app")
        .with_extension(extension("pgcrypto", "public"));
    let to = db().with_schema("app");
    let p = crate::plan::build(&from, &to, &scope(&["app"])).expect("plans");
    assert!(p.is_empty(), "{}", super::script(&p));
}

#[test]
fn moved_to_another_schema() {
    let from = db()
        .with_schema("ext")
        .with_extension(extension("citext", "public"));
    let to = db()
        .with_schema("ext")
        .with_extension(extension("citext", "ext"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}
