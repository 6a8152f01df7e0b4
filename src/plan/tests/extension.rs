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

#[test]
fn a_version_is_updated_only_when_the_files_name_it() {
    let at = |version: &str, pinned: bool| {
        let mut e = extension("hstore", "app");
        e.version = version.into();
        e.version_pinned = pinned;
        db().with_schema("app").with_extension(e)
    };
    // The shadow's default version differs from the installed one: not a change.
    assert!(plan(&at("1.7", false), &at("1.8", false)).is_empty());
    let p = plan(&at("1.7", false), &at("1.8", true));
    assert_eq!(
        p.steps.iter().map(|s| s.sql.as_str()).collect::<Vec<_>>(),
        ["ALTER EXTENSION hstore UPDATE TO '1.8';"]
    );
    let created = plan(&db().with_schema("app"), &at("1.7", true));
    step(
        &created,
        "CREATE EXTENSION hstore WITH SCHEMA app VERSION '1.7';",
    );
}
