//! Constraints: primary keys, unique, foreign keys, checks and exclusions, added to new and
//! existing tables (online where PostgreSQL allows it), dropped, changed, validated, and
//! their deferrability and index options altered.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Constraint, Table};
use crate::plan::Hazard;

fn courses() -> Table {
    table(
        "app.courses",
        vec![col("id", "bigint").not_null(), col("title", "text")],
    )
    .pk("id")
}

fn enrollments() -> Table {
    table(
        "app.enrollments",
        vec![
            col("id", "bigint").not_null(),
            col("course_id", "bigint").not_null(),
            col("seats", "integer"),
        ],
    )
    .pk("id")
}

fn with(constraints: Vec<Constraint>) -> Catalog {
    let mut t = enrollments();
    for c in constraints {
        t = t.with(c);
    }
    db().with_schema("app").with_table(courses()).with_table(t)
}

fn course_fk() -> Constraint {
    fk(
        "enrollments_course_id_fkey",
        "course_id",
        "app.courses",
        "id",
        "",
    )
}

fn seats_check() -> Constraint {
    check("enrollments_seats_check", "(seats > 0)")
}

#[test]
fn check_on_an_existing_table_is_added_not_valid_then_validated() {
    let p = plan(&with(vec![]), &with(vec![seats_check()]));
    insta::assert_snapshot!(super::script(&p));
    let add = step(&p, "CHECK ((seats > 0)) NOT VALID;");
    assert!(add.hazards.is_empty() && add.transactional);
    let validate = step(&p, "VALIDATE CONSTRAINT enrollments_seats_check");
    assert_eq!(validate.hazards, vec![Hazard::DataDependent]);
    assert!(!validate.transactional);
    assert_eq!(
        validate.probe.as_deref(),
        Some("SELECT count(*) FROM app.enrollments WHERE NOT ((seats > 0))")
    );
}

#[test]
fn foreign_key_on_an_existing_table_is_added_not_valid_then_validated() {
    let p = plan(&with(vec![]), &with(vec![course_fk()]));
    insta::assert_snapshot!(super::script(&p));
    let validate = step(&p, "VALIDATE CONSTRAINT enrollments_course_id_fkey");
    assert_eq!(
        validate.probe.as_deref(),
        Some(
            "SELECT count(*) FROM app.enrollments c WHERE c.course_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app.courses p WHERE p.id = c.course_id)"
        )
    );
}

#[test]
fn constraints_of_a_new_table_need_no_validation() {
    let to = db()
        .with_schema("app")
        .with_table(courses())
        .with_table(enrollments().with(course_fk()).with(seats_check()));
    let from = db().with_schema("app").with_table(courses());
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(
        p.steps
            .iter()
            .all(|s| s.hazards.is_empty() && s.transactional)
    );
}

#[test]
fn not_valid_constraint_on_a_new_table_is_added_after_it() {
    let from = db().with_schema("app").with_table(courses());
    let to = from
        .clone()
        .with_table(enrollments().with(seats_check().not_valid()));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "NOT VALID"));
}

#[test]
fn not_valid_constraint_on_an_existing_table_is_not_validated() {
    let p = plan(&with(vec![]), &with(vec![seats_check().not_valid()]));
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn validating_an_existing_not_valid_constraint() {
    let p = plan(
        &with(vec![course_fk().not_valid()]),
        &with(vec![course_fk()]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].action, "validate");
}

#[test]
fn validated_to_not_valid_recreates() {
    let p = plan(
        &with(vec![seats_check()]),
        &with(vec![seats_check().not_valid()]),
    );
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn check_on_an_existing_partitioned_table_is_checked_in_place() {
    let t = |c: Option<Constraint>| {
        let mut t =
            table("app.sales", vec![col("amount", "numeric")]).partitioned("RANGE (amount)");
        if let Some(c) = c {
            t = t.with(c);
        }
        db().with_schema("app").with_table(t)
    };
    let p = plan(
        &t(None),
        &t(Some(check(
            "sales_amount_check",
            "(amount >= (0)::numeric)",
        ))),
    );
    assert_eq!(p.steps.len(), 1, "no NOT VALID on partitioned tables");
    assert_eq!(
        p.steps[0].hazards,
        vec![Hazard::AccessExclusiveLock, Hazard::DataDependent]
    );
}

#[test]
fn unique_on_an_existing_table_builds_its_index_concurrently() {
    let t = |c: Vec<Constraint>| {
        let mut t = courses();
        for c in c {
            t = t.with(c);
        }
        db().with_schema("app").with_table(t)
    };
    let p = plan(&t(vec![]), &t(vec![unique("courses_title_key", "title")]));
    insta::assert_snapshot!(super::script(&p));
    let build = step(&p, "CREATE UNIQUE INDEX CONCURRENTLY courses_title_key");
    assert_eq!(
        build.hazards,
        vec![Hazard::IndexBuild, Hazard::DataDependent]
    );
    assert!(!build.transactional);
    assert_eq!(
        build.on_failure.as_ref().map(|f| f.sql()).as_deref(),
        Some("DROP INDEX CONCURRENTLY IF EXISTS app.courses_title_key;")
    );
    let attach = step(&p, "UNIQUE USING INDEX courses_title_key");
    assert!(attach.hazards.is_empty());
}

#[test]
fn primary_key_on_an_existing_table_attaches_a_concurrent_index() {
    let bare = table(
        "app.tags",
        vec![col("id", "bigint").not_null(), col("name", "text")],
    );
    let from = db().with_schema("app").with_table(bare.clone());
    let to = db().with_schema("app").with_table(
        bare.pk("id")
            .with(unique("tags_name_key", "name").index_options(&["fillfactor=80"])),
    );
    insta::assert_snapshot!(sql(&from, &to));
}

#[test]
fn deferrable_unique_is_added_under_lock() {
    let t = |c: Option<Constraint>| {
        let mut t = courses();
        if let Some(c) = c {
            t = t.with(c);
        }
        db().with_schema("app").with_table(t)
    };
    let p = plan(
        &t(None),
        &t(Some(unique("courses_title_key", "title").deferrable(false))),
    );
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        p.steps[0].hazards,
        vec![
            Hazard::AccessExclusiveLock,
            Hazard::IndexBuild,
            Hazard::DataDependent
        ]
    );
}

#[test]
fn exclusion_added_and_dropped() {
    let t = |c: Option<Constraint>| {
        let mut t = table(
            "app.bookings",
            vec![col("room", "integer"), col("during", "tsrange")],
        );
        if let Some(c) = c {
            t = t.with(c);
        }
        db().with_schema("app").with_table(t)
    };
    let excl = exclude(
        "bookings_no_overlap",
        "USING gist (room WITH =, during WITH &&)",
    );
    let p = plan(&t(None), &t(Some(excl)));
    insta::assert_snapshot!("exclusion_add", super::script(&p));
    let p = plan(&p.desired, &t(None));
    insta::assert_snapshot!("exclusion_drop", super::script(&p));
    assert_eq!(p.steps[0].hazards, vec![Hazard::IndexDropped]);
}

#[test]
fn dropping_a_check_drops_no_index() {
    let p = plan(&with(vec![seats_check()]), &with(vec![]));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn changed_check_is_dropped_and_added_again() {
    let p = plan(
        &with(vec![seats_check()]),
        &with(vec![check("enrollments_seats_check", "(seats >= 0)")]),
    );
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn foreign_key_deferrability_is_altered_in_place() {
    let p = plan(
        &with(vec![course_fk()]),
        &with(vec![course_fk().deferrable(true)]),
    );
    insta::assert_snapshot!(super::script(&p));
    let p = plan(
        &with(vec![course_fk().deferrable(true)]),
        &with(vec![course_fk().deferrable(false)]),
    );
    step(
        &p,
        "ALTER CONSTRAINT enrollments_course_id_fkey DEFERRABLE INITIALLY IMMEDIATE;",
    );
}

#[test]
fn unique_deferrability_change_recreates() {
    let t = |c: Constraint| db().with_schema("app").with_table(courses().with(c));
    let p = plan(
        &t(unique("courses_title_key", "title")),
        &t(unique("courses_title_key", "title").deferrable(false)),
    );
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn index_options_of_a_primary_key_are_altered_in_place() {
    let t = |opts: &[&str]| {
        db().with_schema("app").with_table(
            table("app.tags", vec![col("id", "bigint").not_null()])
                .with(pk("tags_pkey", "id").index_options(opts)),
        )
    };
    let p = plan(&t(&[]), &t(&["fillfactor=70"]));
    insta::assert_snapshot!(super::script(&p));
    let back = plan(&t(&["fillfactor=70"]), &t(&[]));
    step(&back, "ALTER INDEX app.tags_pkey RESET (fillfactor);");
}

#[test]
fn primary_key_change_takes_the_referencing_foreign_key_along() {
    let from = with(vec![course_fk()])
        .with_dep(
            con_id("app.enrollments", "enrollments_course_id_fkey"),
            con_id("app.courses", "courses_pkey"),
        )
        .with_dep(
            con_id("app.enrollments", "enrollments_course_id_fkey"),
            col_id("app.courses", "id"),
        );
    // Afterwards the foreign key stands on the new unique constraint.
    let mut to = with(vec![course_fk()]).with_dep(
        con_id("app.enrollments", "enrollments_course_id_fkey"),
        con_id("app.courses", "courses_id_key"),
    );
    let courses = to.tables.get_mut(&qn("app.courses")).expect("there");
    courses.constraints.clear();
    *courses = courses.clone().with(pk("courses_pkey", "id, title"));
    courses.columns[1].not_null = true;
    courses
        .constraints
        .insert("courses_id_key".into(), unique("courses_id_key", "id"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    let fk_drop = super::position(&p, "DROP CONSTRAINT enrollments_course_id_fkey");
    let pk_drop = super::position(&p, "DROP CONSTRAINT courses_pkey");
    let fk_add = super::position(&p, "ADD CONSTRAINT enrollments_course_id_fkey");
    assert!(
        fk_drop < pk_drop,
        "the foreign key lets go of the key first"
    );
    assert!(pk_drop < fk_add);
    assert!(super::position(&p, "ADD CONSTRAINT courses_id_key") < fk_add);
}
