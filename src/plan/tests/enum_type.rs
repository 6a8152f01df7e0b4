//! Enum types: create, drop, labels added in place (outside a transaction), labels removed
//! or reordered (the type is recreated and its columns converted).

use super::{plan, sql, step};
use crate::catalog::Catalog;
use crate::catalog::testing::*;
use crate::plan::Hazard;

fn with_labels(labels: &[&str]) -> Catalog {
    db().with_schema("app")
        .with_enum(enum_type("app.status", labels))
}

#[test]
fn create_and_drop() {
    let to = with_labels(&["draft", "it's live"]);
    let from = db().with_schema("app");
    insta::assert_snapshot!("create", sql(&from, &to));
    let p = plan(&to, &from);
    insta::assert_snapshot!("drop", super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn label_appended_outside_a_transaction() {
    let p = plan(
        &with_labels(&["draft", "live"]),
        &with_labels(&["draft", "live", "archived"]),
    );
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "ADD VALUE 'archived' AFTER 'live';");
    assert!(!s.transactional);
    assert_eq!(s.hazards, vec![Hazard::NonTransactional]);
}

#[test]
fn labels_inserted_at_the_start_and_in_the_middle() {
    let p = plan(
        &with_labels(&["draft", "live"]),
        &with_labels(&["idea", "draft", "review", "approved", "live"]),
    );
    insta::assert_snapshot!(super::script(&p));
    // Each anchors on the next old label; those added before are already in place.
    assert_eq!(p.steps.len(), 3);
}

#[test]
fn removed_label_recreates_the_type_and_converts_columns() {
    let t = table(
        "app.posts",
        vec![
            col("id", "bigint").not_null(),
            col("status", "app.status")
                .not_null()
                .default_to("'draft'::app.status"),
            col("history", "app.status[]"),
        ],
    );
    let from = with_labels(&["draft", "review", "live"]).with_table(t.clone());
    let to = with_labels(&["draft", "live"]).with_table(t);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "ALTER TABLE app.posts ALTER COLUMN status DROP DEFAULT").hazards,
        vec![Hazard::TableRewrite, Hazard::DataDependent]
    );
    assert!(p.steps.iter().all(|s| s.transactional), "all or nothing");
}

#[test]
fn reordered_labels_recreate_the_type() {
    let p = plan(&with_labels(&["b", "a"]), &with_labels(&["a", "b"]));
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn index_over_an_enum_column_is_rebuilt_when_the_type_is_recreated() {
    let t = table("app.posts", vec![col("status", "app.status")]);
    let idx = index(
        "app.posts_live_idx",
        "app.posts",
        "btree (status) WHERE (status = 'live'::app.status)",
    );
    let from = with_labels(&["draft", "review", "live"])
        .with_table(t.clone())
        .with_index(idx.clone())
        .with_dep(idx_id("app.posts_live_idx"), type_id("app.status"));
    let to = with_labels(&["draft", "live"])
        .with_table(t)
        .with_index(idx)
        .with_dep(idx_id("app.posts_live_idx"), type_id("app.status"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP INDEX") < super::position(&p, "RENAME TO status__profe_old"));
    assert!(
        super::position(&p, "DROP TYPE app.status__profe_old")
            < super::position(&p, "CREATE INDEX")
    );
}

#[test]
fn trigger_whose_when_uses_the_type_goes_before_the_conversion() {
    let mut t = trigger("app.posts", "posts_audit", "AFTER UPDATE", "app.audit");
    t.definition = t.definition.replace(
        "FOR EACH ROW",
        "FOR EACH ROW WHEN ((new.status <> 'review'::app.status))",
    );
    let cat = |labels: &[&str]| {
        with_labels(labels)
            .with_table(table("app.posts", vec![col("status", "app.status")]))
            .with_trigger(t.clone())
            .with_dep(
                trigger_id("app.posts", "posts_audit"),
                type_id("app.status"),
            )
    };
    let p = plan(
        &cat(&["draft", "review", "live"]),
        &cat(&["draft", "review"]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP TRIGGER") < super::position(&p, "USING status::text"));
    assert!(
        super::position(&p, "DROP TYPE app.status__profe_old")
            < super::position(&p, "CREATE TRIGGER")
    );
}
