//! Plans built from small catalogs: one file per object kind, one for hazards, one for
//! ordering. Each test snapshots the plan as the psql script renders it (without the
//! source fingerprint and the session settings every script starts with) and checks what
//! matters about its steps: hazards, transactionality, order.

mod aggregate;
mod collation;
mod column;
mod comment;
mod constraint;
mod domain;
mod enum_type;
mod extension;
mod function;
mod hazards;
mod index;
mod markdown;
mod operator;
mod order;
mod policy;
mod privilege;
mod role;
mod schema;
mod sequence;
mod table;
mod trigger;
mod view;

use super::{Hazard, Plan, Step};
use crate::catalog::Catalog;
use crate::catalog::testing::{db, scope, table};

/// The plan from `from` to `to`, managing the schemas either side has.
/// A catalog with the schema `app`.
pub(crate) fn base() -> Catalog {
    db().with_schema("app")
}

/// `base()` with a table `app.t` of these columns.
pub(crate) fn t(cols: Vec<crate::catalog::Column>) -> Catalog {
    base().with_table(table("app.t", cols))
}

pub(crate) fn plan(from: &Catalog, to: &Catalog) -> Plan {
    let mut schemas: Vec<&str> = from.schemas.keys().map(String::as_str).collect();
    schemas.extend(to.schemas.keys().map(String::as_str));
    super::build(from, to, &scope(&schemas)).expect("the plan orders")
}

/// The psql script of `plan` without what every script repeats.
pub(crate) fn script(plan: &Plan) -> String {
    let full = super::render::sql(plan);
    let mut out = String::new();
    for line in full.lines() {
        if line.starts_with("-- source fingerprint:")
            || super::render::SCRIPT_SETTINGS.lines().any(|s| s == line)
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.replacen("\n\n\n", "\n\n", 1)
}

/// The script of the plan from `from` to `to`.
pub(crate) fn sql(from: &Catalog, to: &Catalog) -> String {
    script(&plan(from, to))
}

/// The one step whose SQL contains `needle`.
pub(crate) fn step<'a>(plan: &'a Plan, needle: &str) -> &'a Step {
    let found: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| s.sql.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one step with {needle:?}, plan:\n{}",
        script(plan)
    );
    found[0]
}

/// The position of the one step whose SQL contains `needle`.
pub(crate) fn position(plan: &Plan, needle: &str) -> usize {
    step(plan, needle);
    plan.steps
        .iter()
        .position(|s| s.sql.contains(needle))
        .expect("found above")
}

/// Every hazard of the plan, once each.
pub(crate) fn hazards(plan: &Plan) -> Vec<Hazard> {
    let mut all: Vec<Hazard> = plan
        .steps
        .iter()
        .flat_map(|s| s.hazards.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    all
}

#[test]
fn identical_catalogs_plan_nothing() {
    let c = crate::catalog::testing::db().with_schema("app");
    let p = plan(&c, &c);
    assert!(p.is_empty());
    assert_eq!(super::render::sql(&p), "-- no changes\n");
}
