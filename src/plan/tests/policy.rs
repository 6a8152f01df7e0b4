//! Row level security: policies created, dropped, altered in place or recreated in one
//! step, and the table switches (ENABLE, FORCE) ordered around them.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Policy, Table};
use crate::plan::Hazard;

fn grades() -> Table {
    table(
        "app.grades",
        vec![
            col("id", "bigint").not_null(),
            col("teacher", "text").not_null(),
            col("score", "integer"),
        ],
    )
}

fn with(rls: (bool, bool), policies: Vec<Policy>) -> Catalog {
    let mut c = db()
        .with_schema("app")
        .with_table(grades().rls(rls.0, rls.1));
    for p in policies {
        c = c.with_policy(p);
    }
    c
}

fn own() -> Policy {
    let mut p = policy(
        "app.grades",
        "own_grades",
        "SELECT",
        "(teacher = CURRENT_USER)",
    );
    p.roles = vec![to_role("teacher")];
    p
}

#[test]
fn policy_and_rls_on_an_existing_table_change_access() {
    let p = plan(
        &with((false, false), vec![]),
        &with((true, false), vec![own()]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert!(
        super::position(&p, "CREATE POLICY") < super::position(&p, "ENABLE ROW LEVEL SECURITY"),
        "switched on once its policies exist"
    );
    assert!(
        p.steps
            .iter()
            .all(|s| s.hazards == vec![Hazard::AuthzUpdate])
    );
}

#[test]
fn policies_of_a_new_table_change_no_existing_access() {
    let from = db().with_schema("app");
    let p = plan(&from, &with((true, true), vec![own()]));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps.iter().all(|s| s.hazards.is_empty()));
}

#[test]
fn rls_switched_off_before_its_policies_go() {
    let p = plan(
        &with((true, true), vec![own()]),
        &with((false, false), vec![]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DISABLE ROW LEVEL SECURITY") < super::position(&p, "DROP POLICY"));
}

#[test]
fn roles_and_expressions_altered_in_place() {
    let mut to = own();
    to.roles = vec![to_role("admin"), to_role("teacher")];
    to.using =
        Some("((teacher = CURRENT_USER) OR pg_has_role('admin'::name, 'member'::text))".into());
    let p = plan(
        &with((true, false), vec![own()]),
        &with((true, false), vec![to]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps[0].action, "alter");
}

#[test]
fn with_check_added_in_place_removed_by_recreation() {
    let mut checked = own();
    checked.command = "ALL".into();
    checked.check = Some("((score >= 0) AND (score <= 100))".into());
    let mut unchecked = checked.clone();
    unchecked.check = None;
    let p = plan(
        &with((true, false), vec![unchecked.clone()]),
        &with((true, false), vec![checked.clone()]),
    );
    step(
        &p,
        "ALTER POLICY own_grades ON app.grades WITH CHECK (((score >= 0) AND (score <= 100)));",
    );
    let p = plan(
        &with((true, false), vec![checked]),
        &with((true, false), vec![unchecked]),
    );
    insta::assert_snapshot!(super::script(&p));
}

#[test]
fn command_or_kind_change_recreates_in_one_step() {
    let mut restrictive = own();
    restrictive.permissive = false;
    restrictive.command = "ALL".into();
    let p = plan(
        &with((true, false), vec![own()]),
        &with((true, false), vec![restrictive]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(p.steps.len(), 1, "no moment without the policy");
}

#[test]
fn each_command_and_public() {
    let mut all = vec![];
    for (i, cmd) in ["INSERT", "UPDATE", "DELETE"].iter().enumerate() {
        let mut p = policy("app.grades", &format!("p{i}"), cmd, "true");
        if *cmd == "INSERT" {
            p.using = None;
            p.check = Some("(score IS NOT NULL)".into());
        }
        all.push(p);
    }
    insta::assert_snapshot!(sql(&with((true, false), vec![]), &with((true, false), all)));
}

#[test]
fn policy_over_a_retyped_column_is_recreated_around_it() {
    let mut retyped = grades();
    retyped.columns[1].data_type = "character varying(60)".into();
    let dep = |c: Catalog| {
        c.with_dep(
            policy_id("app.grades", "own_grades"),
            col_id("app.grades", "teacher"),
        )
    };
    let from = dep(with((true, false), vec![own()]));
    let to = dep(db()
        .with_schema("app")
        .with_table(retyped.rls(true, false))
        .with_policy(own()));
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    let (drop, alter, create) = (
        super::position(&p, "DROP POLICY"),
        super::position(&p, "TYPE character varying(60)"),
        super::position(&p, "CREATE POLICY"),
    );
    assert!(drop < alter && alter < create);
}
