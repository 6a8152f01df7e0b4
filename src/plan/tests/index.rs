//! Standalone indexes: built concurrently on existing tables, in the transaction on new or
//! partitioned ones, replaced under a temporary name, dropped, and their storage options
//! altered.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Index};
use crate::plan::Hazard;

fn lessons(indexes: Vec<Index>) -> Catalog {
    let mut c = db().with_schema("app").with_table(
        table(
            "app.lessons",
            vec![
                col("id", "bigint").not_null(),
                col("course_id", "bigint").not_null(),
                col("starts_at", "timestamp with time zone"),
                col("tags", "text[]"),
            ],
        )
        .pk("id"),
    );
    for i in indexes {
        c = c.with_index(i);
    }
    c
}

fn by_course() -> Index {
    index("app.lessons_course_idx", "app.lessons", "btree (course_id)")
}

#[test]
fn create_on_an_existing_table_is_concurrent() {
    let p = plan(&lessons(vec![]), &lessons(vec![by_course()]));
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "CREATE INDEX CONCURRENTLY lessons_course_idx");
    assert_eq!(s.hazards, vec![Hazard::IndexBuild]);
    assert!(!s.transactional);
    assert_eq!(
        s.on_failure.as_ref().map(|f| f.drop_index.as_str()),
        Some("app.lessons_course_idx")
    );
    assert_eq!(
        s.statement_timeout_ms,
        crate::plan::LONG_STATEMENT_TIMEOUT_MS
    );
}

#[test]
fn create_on_a_new_table_is_plain() {
    let from = db().with_schema("app");
    let p = plan(&from, &lessons(vec![by_course()]));
    insta::assert_snapshot!(super::script(&p));
    let s = step(
        &p,
        "CREATE INDEX lessons_course_idx ON app.lessons USING btree (course_id);",
    );
    assert!(s.hazards.is_empty());
    assert!(s.transactional && s.on_failure.is_none());
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "CREATE INDEX"));
}

#[test]
fn create_on_a_partitioned_table_is_not_concurrent() {
    let t = |i: Option<Index>| {
        let c = db().with_schema("app").with_table(
            table(
                "app.events",
                vec![col("id", "bigint"), col("at", "date").not_null()],
            )
            .partitioned("RANGE (at)"),
        );
        match i {
            Some(i) => c.with_index(i),
            None => c,
        }
    };
    let p = plan(
        &t(None),
        &t(Some(index("app.events_at_idx", "app.events", "btree (at)"))),
    );
    // ON ONLY the partitioned table (it holds no rows; its partitions' indexes are built
    // and attached after it): PostgreSQL cannot build it CONCURRENTLY.
    let s = step(
        &p,
        "CREATE INDEX events_at_idx ON ONLY app.events USING btree (at);",
    );
    assert!(s.hazards.is_empty());
    assert!(s.transactional);
}

#[test]
fn unique_partial_gin_and_include_definitions_are_kept() {
    let many = vec![
        unique_index(
            "app.lessons_course_start_key",
            "app.lessons",
            "btree (course_id, starts_at DESC) INCLUDE (id) WHERE (starts_at IS NOT NULL)",
        ),
        index("app.lessons_tags_idx", "app.lessons", "gin (tags)"),
    ];
    insta::assert_snapshot!(sql(&lessons(vec![]), &lessons(many)));
}

#[test]
fn drop_on_a_kept_table_is_concurrent() {
    let p = plan(&lessons(vec![by_course()]), &lessons(vec![]));
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "DROP INDEX CONCURRENTLY app.lessons_course_idx;");
    assert_eq!(s.hazards, vec![Hazard::IndexDropped]);
    assert!(!s.transactional);
}

#[test]
fn dropped_with_its_table() {
    let p = plan(&lessons(vec![by_course()]), &db().with_schema("app"));
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(p.steps[0].sql, "DROP TABLE app.lessons;");
}

#[test]
fn changed_definition_is_swapped_under_a_temporary_name() {
    let wider = index(
        "app.lessons_course_idx",
        "app.lessons",
        "btree (course_id, starts_at)",
    );
    let p = plan(&lessons(vec![by_course()]), &lessons(vec![wider]));
    insta::assert_snapshot!(super::script(&p));
    let build = step(&p, "lessons_course_idx_profe_new ON app.lessons");
    assert_eq!(build.hazards, vec![Hazard::IndexBuild]);
    assert_eq!(
        build.on_failure.as_ref().map(|f| f.drop_index.as_str()),
        Some("app.lessons_course_idx_profe_new")
    );
    let drop = step(&p, "DROP INDEX CONCURRENTLY app.lessons_course_idx;");
    assert!(drop.hazards.is_empty(), "queries always have an index");
    let rename = step(&p, "RENAME TO lessons_course_idx;");
    assert!(rename.transactional);
}

#[test]
fn temporary_name_fits_in_63_bytes() {
    let long = format!("app.{}", "x".repeat(63));
    let from = lessons(vec![index(&long, "app.lessons", "btree (course_id)")]);
    let to = lessons(vec![index(&long, "app.lessons", "btree (starts_at)")]);
    let p = plan(&from, &to);
    let tmp = format!("{}_profe_new", "x".repeat(53));
    assert_eq!(tmp.len(), 63);
    step(
        &p,
        &format!("CREATE INDEX CONCURRENTLY {tmp} ON app.lessons"),
    );
}

#[test]
fn changed_on_a_partitioned_table_is_dropped_and_created() {
    let t = |body: &str| {
        db().with_schema("app")
            .with_table(
                table("app.events", vec![col("id", "bigint"), col("at", "date")])
                    .partitioned("RANGE (at)"),
            )
            .with_index(index("app.events_idx", "app.events", body))
    };
    let p = plan(&t("btree (at)"), &t("btree (at, id)"));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps.iter().all(|s| s.transactional));
}

#[test]
fn invalid_index_is_rebuilt() {
    let p = plan(
        &lessons(vec![by_course().invalid()]),
        &lessons(vec![by_course()]),
    );
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn storage_options_set_and_reset_in_place() {
    let plain = lessons(vec![by_course()]);
    let tuned = lessons(vec![
        by_course().with_options(&["fillfactor=70", "deduplicate_items=off"]),
    ]);
    let p = plan(&plain, &tuned);
    insta::assert_snapshot!("options_set", super::script(&p));
    assert!(
        p.steps
            .iter()
            .all(|s| s.hazards.is_empty() && s.transactional)
    );
    let p = plan(&tuned, &plain);
    insta::assert_snapshot!("options_reset", super::script(&p));
}

#[test]
fn index_on_a_new_column_waits_for_it() {
    let from = lessons(vec![]);
    let mut to = lessons(vec![index(
        "app.lessons_room_idx",
        "app.lessons",
        "btree (room)",
    )]);
    to.tables
        .get_mut(&qn("app.lessons"))
        .expect("there")
        .columns
        .push(col("room", "text"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "ADD COLUMN room") < super::position(&p, "lessons_room_idx"));
}

#[test]
fn index_on_a_materialized_view() {
    let mv = matview(
        "app.lesson_counts",
        " SELECT course_id,\n    count(*) AS n\n   FROM app.lessons\n  GROUP BY course_id;",
        &[("course_id", "bigint"), ("n", "bigint")],
    );
    let from = lessons(vec![]).with_view(mv.clone());
    let to = from.clone().with_index(unique_index(
        "app.lesson_counts_course_idx",
        "app.lesson_counts",
        "btree (course_id)",
    ));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    // Not a table that exists before: built in the transaction.
    assert!(p.steps[0].transactional);
    assert!(p.steps[0].hazards.is_empty());
}
