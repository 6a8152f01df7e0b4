//! Sequences: create with their options and owner, drop, options altered (narrowing may
//! fail), ownership changed.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Sequence};
use crate::plan::Hazard;

fn with(s: Sequence) -> Catalog {
    db().with_schema("app").with_sequence(s)
}

fn orders() -> crate::catalog::Table {
    table(
        "app.orders",
        vec![
            col("id", "bigint")
                .not_null()
                .default_to("nextval('app.order_seq'::regclass)"),
        ],
    )
}

#[test]
fn create_with_non_default_options() {
    let mut s = sequence("app.ticket_seq", "integer");
    s.options.increment = 5;
    s.options.start = 100;
    s.options.min = 100;
    s.options.cache = 20;
    s.options.cycle = true;
    let p = plan(&db().with_schema("app"), &with(s));
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
}

#[test]
fn create_owned_by_a_new_table_column() {
    let mut s = sequence("app.order_seq", "bigint");
    s.owned_by = Some((qn("app.orders"), "id".into()));
    let to = with(s)
        .with_table(orders())
        .with_dep(col_id("app.orders", "id"), seq_id("app.order_seq"));
    let p = plan(&db().with_schema("app"), &to);
    insta::assert_snapshot!(super::script(&p));
    let (create, table, owned) = (
        super::position(&p, "CREATE SEQUENCE"),
        super::position(&p, "CREATE TABLE"),
        super::position(&p, "OWNED BY app.orders.id"),
    );
    assert!(create < table && table < owned);
}

#[test]
fn drop_deletes_data() {
    let p = plan(
        &with(sequence("app.ticket_seq", "bigint")),
        &db().with_schema("app"),
    );
    assert_eq!(
        step(&p, "DROP SEQUENCE app.ticket_seq;").hazards,
        vec![Hazard::DeletesData]
    );
}

#[test]
fn owned_sequence_goes_with_its_table() {
    let mut s = sequence("app.order_seq", "bigint");
    s.owned_by = Some((qn("app.orders"), "id".into()));
    let from = with(s).with_table(orders());
    let p = plan(&from, &db().with_schema("app"));
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(p.steps[0].sql, "DROP TABLE app.orders;");
}

#[test]
fn widening_is_safe_narrowing_depends_on_the_current_value() {
    let a = sequence("app.ticket_seq", "integer");
    let mut wider = a.clone();
    wider.options.data_type = "bigint".into();
    wider.options.max = i64::MAX;
    wider.options.cache = 10;
    let p = plan(&with(a.clone()), &with(wider));
    insta::assert_snapshot!("widen", super::script(&p));
    assert!(p.steps[0].hazards.is_empty());
    let mut narrower = a.clone();
    narrower.options.max = 1000;
    let p = plan(&with(a), &with(narrower));
    insta::assert_snapshot!("narrow", super::script(&p));
    assert_eq!(p.steps[0].hazards, vec![Hazard::DataDependent]);
}

#[test]
fn ownership_set_and_removed() {
    let free = sequence("app.order_seq", "bigint");
    let mut owned = free.clone();
    owned.owned_by = Some((qn("app.orders"), "id".into()));
    let a = with(free).with_table(orders());
    let b = with(owned).with_table(orders());
    insta::assert_snapshot!("owned_by", sql(&a, &b));
    insta::assert_snapshot!("owned_by_none", sql(&b, &a));
}
