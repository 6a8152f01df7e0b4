//! Domains and composite types: create, drop, domain defaults, NOT NULL and checks
//! altered in place, composite attributes added, dropped and retyped.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Domain};
use crate::plan::Hazard;

fn with(d: Domain) -> Catalog {
    db().with_schema("app").with_domain(d)
}

fn email() -> Domain {
    domain("app.email", "text").check("email_at", "CHECK ((VALUE ~~ '%_@_%'::text))", true)
}

#[test]
fn create_with_checks_and_a_not_valid_one() {
    let mut d = email().check("email_short", "CHECK ((length(VALUE) < 255))", false);
    d.default = Some("'nobody@example.com'::text".into());
    d.not_null = true;
    d.collation = Some(qn("pg_catalog.C"));
    let p = plan(&db().with_schema("app"), &with(d));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps.iter().all(|s| s.hazards.is_empty()));
}

#[test]
fn drop() {
    let p = plan(&with(email()), &db().with_schema("app"));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].sql, "DROP DOMAIN app.email;");
}

#[test]
fn constraints_default_and_not_null_altered_in_place() {
    let mut to = domain("app.email", "text")
        .check("email_at", "CHECK ((VALUE ~~ '%@%'::text))", true)
        .check("email_lower", "CHECK ((VALUE = lower(VALUE)))", false);
    to.default = Some("''::text".into());
    to.not_null = true;
    let p = plan(&with(email()), &with(to));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "SET NOT NULL").hazards,
        vec![Hazard::DataDependent]
    );
    assert_eq!(
        step(&p, "ADD CONSTRAINT email_at").hazards,
        vec![Hazard::DataDependent]
    );
    assert!(
        step(&p, "ADD CONSTRAINT email_lower").hazards.is_empty(),
        "NOT VALID checks nothing"
    );
}

#[test]
fn not_valid_check_validated_and_not_null_dropped() {
    let mut from = domain("app.qty", "integer").check("qty_positive", "CHECK ((VALUE > 0))", false);
    from.not_null = true;
    let to = domain("app.qty", "integer").check("qty_positive", "CHECK ((VALUE > 0))", true);
    let p = plan(&with(from), &with(to));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "VALIDATE CONSTRAINT qty_positive").hazards,
        vec![Hazard::DataDependent]
    );
    assert!(step(&p, "DROP NOT NULL").hazards.is_empty());
}

#[test]
fn base_type_change_recreates_an_unused_domain() {
    let p = plan(
        &with(domain("app.code", "character varying(10)")),
        &with(domain("app.code", "text")),
    );
    insta::assert_snapshot!(super::script(&p));
}

/// PostgreSQL refuses `DROP DOMAIN` while a column has that type.
#[test]
#[ignore = "bug: a domain whose base type changes is dropped while a column still uses it"]
fn base_type_change_of_a_used_domain() {
    let t = table("app.people", vec![col("code", "app.code")]);
    let from = with(domain("app.code", "character varying(10)"))
        .with_table(t.clone())
        .with_dep(col_id("app.people", "code"), type_id("app.code"));
    let to = with(domain("app.code", "text"))
        .with_table(t)
        .with_dep(col_id("app.people", "code"), type_id("app.code"));
    let p = plan(&from, &to);
    let drop = super::position(&p, "DROP DOMAIN app.code;");
    assert!(
        p.steps[..drop]
            .iter()
            .any(|s| s.object == "column app.people.code"),
        "{}",
        super::script(&p)
    );
}

#[test]
fn domain_created_before_the_table_that_uses_it() {
    let to = with(email())
        .with_table(table("app.accounts", vec![col("address", "app.email")]))
        .with_dep(col_id("app.accounts", "address"), type_id("app.email"));
    let p = plan(&db().with_schema("app"), &to);
    assert!(super::position(&p, "CREATE DOMAIN") < super::position(&p, "CREATE TABLE"));
}

#[test]
fn composite_create_alter_drop() {
    let from = db()
        .with_schema("app")
        .with_composite(composite(
            "app.money_t",
            &[("amount", "numeric"), ("note", "text")],
        ))
        .with_composite(composite("app.old_t", &[("x", "integer")]));
    let mut goal = composite(
        "app.money_t",
        &[("amount", "numeric(12,2)"), ("currency", "character(3)")],
    );
    goal.attributes[0].2 = None;
    let to = db()
        .with_schema("app")
        .with_composite(goal)
        .with_composite(composite("app.range_t", &[("lo", "date"), ("hi", "date")]));
    insta::assert_snapshot!(sql(&from, &to));
}

#[test]
fn composite_attribute_collation() {
    let plain = db()
        .with_schema("app")
        .with_composite(composite("app.label_t", &[("title", "text")]));
    let mut c = composite("app.label_t", &[("title", "text")]);
    c.attributes[0].2 = Some("pg_catalog.\"C\"".into());
    let p = plan(&plain, &db().with_schema("app").with_composite(c));
    step(
        &p,
        "ALTER TYPE app.label_t ALTER ATTRIBUTE title TYPE text COLLATE pg_catalog.\"C\";",
    );
}
