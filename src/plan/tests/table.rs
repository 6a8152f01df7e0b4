//! Tables: create (plain, unlogged, partitioned, partitions, inheritance), drop, logged
//! state, partition attach and detach, inheritance changes.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::plan::Hazard;

fn base() -> crate::catalog::Catalog {
    db().with_schema("app")
}

fn accounts() -> crate::catalog::Table {
    table(
        "app.accounts",
        vec![
            col("id", "bigint").identity(false),
            col("email", "text").not_null(),
            col("created_at", "timestamp with time zone")
                .not_null()
                .default_to("now()"),
        ],
    )
    .pk("id")
    .with(unique("accounts_email_key", "email"))
    .with(check("accounts_email_check", "(email ~~ '%@%'::text)"))
}

#[test]
fn create_with_inline_constraints() {
    let to = base().with_table(accounts());
    let p = plan(&base(), &to);
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "CREATE TABLE app.accounts");
    assert!(s.hazards.is_empty());
    assert!(s.transactional);
    assert_eq!(
        p.steps.len(),
        1,
        "constraints are written inside CREATE TABLE"
    );
}

#[test]
fn create_unlogged() {
    let t = table("app.cache", vec![col("k", "text").not_null()]).unlogged();
    let out = sql(&base(), &base().with_table(t));
    assert!(out.contains("CREATE UNLOGGED TABLE app.cache (\n    k text NOT NULL\n);"));
}

#[test]
fn create_partitioned_with_partition() {
    let parent = table(
        "app.events",
        vec![col("id", "bigint").not_null(), col("at", "date").not_null()],
    )
    .partitioned("RANGE (at)");
    let child = table(
        "app.events_2024",
        vec![col("id", "bigint").not_null(), col("at", "date").not_null()],
    )
    .partition_of(
        "app.events",
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    );
    let to = base().with_table(child).with_table(parent);
    insta::assert_snapshot!(sql(&base(), &to));
}

#[test]
fn create_child_inherits_after_parent() {
    let parent = table("app.people", vec![col("name", "text")]);
    let child = table("app.students", vec![col("grade", "integer")]).inherits("app.people");
    // The child sorts first by name; the parent must still come first.
    let p = plan(&base(), &base().with_table(child).with_table(parent));
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "TABLE app.people") < super::position(&p, "INHERITS"));
}

#[test]
fn drop_deletes_data() {
    let from = base().with_table(accounts());
    let p = plan(&from, &base());
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "DROP TABLE").hazards,
        vec![Hazard::DeletesData],
        "nothing names it in a function body"
    );
}

#[test]
fn drop_takes_indexes_and_triggers_along() {
    let from = base()
        .with_table(accounts())
        .with_index(index(
            "app.accounts_created_idx",
            "app.accounts",
            "btree (created_at)",
        ))
        .with_trigger(trigger(
            "app.accounts",
            "accounts_touch",
            "BEFORE UPDATE",
            "app.touch",
        ));
    let p = plan(&from, &base());
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(p.steps[0].sql, "DROP TABLE app.accounts;");
}

#[test]
fn set_unlogged_and_logged_rewrite() {
    let logged = base().with_table(table("app.t", vec![col("a", "integer")]));
    let unlogged = base().with_table(table("app.t", vec![col("a", "integer")]).unlogged());
    let p = plan(&logged, &unlogged);
    let s = step(&p, "ALTER TABLE app.t SET UNLOGGED;");
    assert_eq!(
        s.hazards,
        vec![Hazard::TableRewrite, Hazard::AccessExclusiveLock]
    );
    assert_eq!(
        s.statement_timeout_ms,
        crate::plan::LONG_STATEMENT_TIMEOUT_MS
    );
    let back = plan(&unlogged, &logged);
    step(&back, "ALTER TABLE app.t SET LOGGED;");
}

#[test]
fn attach_and_detach_partition() {
    let cols = || vec![col("id", "bigint").not_null(), col("at", "date").not_null()];
    let parent = table("app.events", cols()).partitioned("RANGE (at)");
    let loose = table("app.events_2023", cols());
    let attached = table("app.events_2023", cols()).partition_of(
        "app.events",
        "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    );
    let from = base().with_table(parent.clone()).with_table(loose);
    let to = base().with_table(parent).with_table(attached);
    let attach = plan(&from, &to);
    insta::assert_snapshot!("attach", super::script(&attach));
    assert_eq!(
        step(&attach, "ATTACH PARTITION").hazards,
        vec![Hazard::DataDependent]
    );
    let detach = plan(&to, &from);
    insta::assert_snapshot!("detach", super::script(&detach));
    assert_eq!(
        step(&detach, "DETACH PARTITION").hazards,
        vec![Hazard::AccessExclusiveLock]
    );
}

#[test]
fn partition_key_change_recreates_table() {
    let cols = || vec![col("id", "bigint").not_null(), col("at", "date").not_null()];
    let from = base().with_table(table("app.events", cols()).partitioned("RANGE (at)"));
    let to = base().with_table(table("app.events", cols()).partitioned("LIST (id)"));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP TABLE") < super::position(&p, "CREATE TABLE"));
}

#[test]
fn inherit_and_no_inherit() {
    let parent = table("app.people", vec![col("name", "text")]);
    let alone = table(
        "app.students",
        vec![col("name", "text"), col("grade", "integer")],
    );
    let child = table("app.students", vec![col("grade", "integer")]).inherits("app.people");
    let from = base().with_table(parent.clone()).with_table(alone);
    let to = base().with_table(parent).with_table(child);
    let p = plan(&from, &to);
    // The child keeps its own copy of `name`: no column is dropped.
    insta::assert_snapshot!("inherit", super::script(&p));
    assert_eq!(
        step(&p, "INHERIT").hazards,
        vec![Hazard::AccessExclusiveLock]
    );
    let back = plan(&to, &from);
    insta::assert_snapshot!("no_inherit", super::script(&back));
}

#[test]
fn quoted_names() {
    let t = table(
        "My App.User",
        vec![col("Id", "bigint").not_null(), col("select", "text")],
    )
    .pk("\"Id\"");
    let from = db().with_schema("My App");
    insta::assert_snapshot!(sql(&from, &from.clone().with_table(t)));
}

#[test]
fn same_shape_drop_and_create_notes_a_probable_rename() {
    let cols = || vec![col("id", "bigint").not_null(), col("title", "text")];
    let from = base().with_table(table("app.course", cols()));
    let to = base().with_table(table("app.courses", cols()));
    let p = plan(&from, &to);
    assert_eq!(p.notes.len(), 1);
    assert!(
        p.notes[0].contains("-- @renamed from course"),
        "{:?}",
        p.notes
    );
    insta::assert_snapshot!(super::script(&p));
}

fn codes(identity: crate::catalog::ReplicaIdentity) -> crate::catalog::Catalog {
    base()
        .with_table(
            table(
                "app.codes",
                vec![
                    col("id", "integer").not_null(),
                    col("code", "text").not_null(),
                ],
            )
            .pk("id")
            .replica_identity(identity),
        )
        .with_index(unique_index("app.codes_code", "app.codes", "btree (code)"))
}

#[test]
fn replica_identity_changes_in_place() {
    use crate::catalog::ReplicaIdentity;
    let p = plan(
        &codes(ReplicaIdentity::Default),
        &codes(ReplicaIdentity::Full),
    );
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        p.steps[0].sql,
        "ALTER TABLE app.codes REPLICA IDENTITY FULL;"
    );
    let p = plan(
        &codes(ReplicaIdentity::Nothing),
        &codes(ReplicaIdentity::Index("codes_code".into())),
    );
    assert_eq!(
        step(&p, "REPLICA IDENTITY").sql,
        "ALTER TABLE app.codes REPLICA IDENTITY USING INDEX codes_code;"
    );
    let p = plan(
        &codes(ReplicaIdentity::Full),
        &codes(ReplicaIdentity::Default),
    );
    assert_eq!(
        step(&p, "REPLICA").sql,
        "ALTER TABLE app.codes REPLICA IDENTITY DEFAULT;"
    );
}

#[test]
fn replica_identity_of_a_new_table_waits_for_its_index() {
    let to = codes(crate::catalog::ReplicaIdentity::Index("codes_code".into()));
    let p = plan(&base(), &to);
    assert!(
        super::position(&p, "CREATE UNIQUE INDEX codes_code")
            < super::position(&p, "REPLICA IDENTITY USING INDEX codes_code")
    );
    insta::assert_snapshot!(sql(&base(), &to));
}

#[test]
fn a_rebuilt_identity_index_takes_the_mark_before_the_old_one_goes() {
    use crate::catalog::ReplicaIdentity;
    let identity = ReplicaIdentity::Index("codes_code".into());
    let from = codes(identity.clone());
    let mut to = codes(identity);
    to.indexes
        .values_mut()
        .for_each(|i| i.definition = i.definition.replace("btree (code)", "btree (code, id)"));
    let p = plan(&from, &to);
    let mark = super::position(&p, "REPLICA IDENTITY USING INDEX codes_code_profe_new");
    assert!(super::position(&p, "CREATE UNIQUE INDEX CONCURRENTLY") < mark);
    assert!(mark < super::position(&p, "DROP INDEX CONCURRENTLY app.codes_code"));
    assert_eq!(
        p.steps
            .iter()
            .filter(|s| s.sql.contains("REPLICA IDENTITY"))
            .count(),
        1,
        "the rename keeps the mark"
    );
}

#[test]
fn storage_parameters_are_set_and_reset_in_place() {
    let with = |options: &[&str]| {
        base().with_table(table("app.t", vec![col("a", "text")]).storage(options))
    };
    let p = plan(
        &with(&[
            "autovacuum_vacuum_scale_factor=0.2",
            "fillfactor=70",
            "toast.autovacuum_enabled=false",
        ]),
        &with(&["fillfactor=50", "toast.autovacuum_vacuum_cost_delay=5"]),
    );
    let statements: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE app.t SET (fillfactor='50', toast.autovacuum_vacuum_cost_delay='5');",
            "ALTER TABLE app.t RESET (autovacuum_vacuum_scale_factor, toast.autovacuum_enabled);",
        ]
    );
    assert!(p.steps.iter().all(|s| s.hazards.is_empty()));
    let created = plan(&base(), &with(&["fillfactor=50"]));
    assert!(
        created.steps[0].sql.ends_with(") WITH (fillfactor='50');"),
        "{}",
        created.steps[0].sql
    );
}
