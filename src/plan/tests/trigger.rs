//! Triggers: create after their function, enabled states, drop, recreate on change.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Trigger};

fn touch() -> crate::catalog::Function {
    function(
        "app.touch",
        "",
        "",
        "trigger",
        "plpgsql",
        &[],
        "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n",
    )
}

fn base() -> Catalog {
    db().with_schema("app")
        .with_function(touch())
        .with_table(table(
            "app.accounts",
            vec![
                col("id", "bigint").not_null(),
                col("updated_at", "timestamp with time zone"),
            ],
        ))
}

fn with(t: Trigger) -> Catalog {
    let id = trigger_id(&format!("{}.{}", t.table.schema, t.table.name), &t.name);
    base().with_trigger(t).with_dep(id, fn_id("app.touch", ""))
}

fn touch_trigger() -> Trigger {
    trigger(
        "app.accounts",
        "accounts_touch",
        "BEFORE UPDATE",
        "app.touch",
    )
}

#[test]
fn create_after_its_function() {
    let from = db().with_schema("app");
    let p = plan(&from, &with(touch_trigger()));
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "CREATE OR REPLACE FUNCTION app.touch")
            < super::position(&p, "CREATE TRIGGER")
    );
    assert!(super::position(&p, "CREATE TABLE") < super::position(&p, "CREATE TRIGGER"));
}

#[test]
fn create_disabled() {
    let mut t = touch_trigger();
    t.enabled = "D".into();
    insta::assert_snapshot!(sql(&base(), &with(t)));
}

#[test]
fn drop() {
    let p = plan(&with(touch_trigger()), &base());
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        p.steps[0].sql,
        "DROP TRIGGER accounts_touch ON app.accounts;"
    );
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn changed_definition_is_dropped_and_created() {
    let changed = trigger(
        "app.accounts",
        "accounts_touch",
        "BEFORE INSERT OR UPDATE",
        "app.touch",
    );
    let p = plan(&with(touch_trigger()), &with(changed));
    insta::assert_snapshot!(super::script(&p));
    assert!(
        p.steps.iter().all(|s| s.transactional),
        "one transaction: never without it"
    );
}

#[test]
fn enabled_state_changes() {
    let mut replica = touch_trigger();
    replica.enabled = "R".into();
    let mut always = touch_trigger();
    always.enabled = "A".into();
    let mut disabled = touch_trigger();
    disabled.enabled = "D".into();
    let p = plan(&with(touch_trigger()), &with(replica));
    step(
        &p,
        "ALTER TABLE app.accounts ENABLE REPLICA TRIGGER accounts_touch;",
    );
    let p = plan(&with(always.clone()), &with(disabled));
    step(
        &p,
        "ALTER TABLE app.accounts DISABLE TRIGGER accounts_touch;",
    );
    let p = plan(&with(always), &with(touch_trigger()));
    step(
        &p,
        "ALTER TABLE app.accounts ENABLE TRIGGER accounts_touch;",
    );
}

#[test]
fn dropped_before_its_function() {
    let p = plan(
        &with(touch_trigger()),
        &db()
            .with_schema("app")
            .with_table(base().tables[&qn("app.accounts")].clone()),
    );
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP TRIGGER") < super::position(&p, "DROP FUNCTION"));
}
