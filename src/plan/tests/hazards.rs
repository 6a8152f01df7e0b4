//! Every hazard: a step that carries it, and a similar step that does not.

use super::{hazards, plan, step};
use crate::catalog::Catalog;
use crate::catalog::testing::*;
use crate::plan::Hazard;

fn base() -> Catalog {
    db().with_schema("app")
}

fn t(cols: Vec<crate::catalog::Column>) -> Catalog {
    base().with_table(table("app.t", cols))
}

#[test]
fn deletes_data() {
    let from = t(vec![col("a", "integer"), col("b", "integer")]);
    let p = plan(&from, &t(vec![col("a", "integer")]));
    assert_eq!(step(&p, "DROP COLUMN b").hazards, vec![Hazard::DeletesData]);
    let v = view("app.v", " SELECT 1 AS one;", &[("one", "integer")]);
    let p = plan(&base().with_view(v), &base());
    assert!(hazards(&p).is_empty(), "a view holds no data");
}

#[test]
fn table_rewrite() {
    let p = plan(&t(vec![col("a", "integer")]), &t(vec![col("a", "bigint")]));
    assert!(hazards(&p).contains(&Hazard::TableRewrite));
    let p = plan(
        &t(vec![col("a", "text")]),
        &t(vec![col("a", "character varying")]),
    );
    assert!(
        !hazards(&p).contains(&Hazard::TableRewrite),
        "binary compatible"
    );
}

#[test]
fn access_exclusive_lock() {
    let p = plan(
        &t(vec![col("a", "integer")]),
        &base().with_table(table("app.t", vec![col("a", "integer")]).unlogged()),
    );
    assert!(hazards(&p).contains(&Hazard::AccessExclusiveLock));
    let p = plan(
        &t(vec![col("a", "integer")]),
        &t(vec![col("a", "integer"), col("b", "text")]),
    );
    assert!(
        hazards(&p).is_empty(),
        "adding a nullable column is a catalog change"
    );
}

#[test]
fn index_build() {
    let i = index("app.t_a_idx", "app.t", "btree (a)");
    let p = plan(
        &t(vec![col("a", "integer")]),
        &t(vec![col("a", "integer")]).with_index(i.clone()),
    );
    assert_eq!(hazards(&p), vec![Hazard::IndexBuild]);
    let p = plan(&base(), &t(vec![col("a", "integer")]).with_index(i));
    assert!(hazards(&p).is_empty(), "a new table has no rows");
}

#[test]
fn index_dropped() {
    let i = index("app.t_a_idx", "app.t", "btree (a)");
    let p = plan(
        &t(vec![col("a", "integer")]).with_index(i),
        &t(vec![col("a", "integer")]),
    );
    assert_eq!(hazards(&p), vec![Hazard::IndexDropped]);
    let checked = base()
        .with_table(table("app.t", vec![col("a", "integer")]).with(check("t_a_check", "(a > 0)")));
    let p = plan(&checked, &t(vec![col("a", "integer")]));
    assert!(hazards(&p).is_empty(), "a check has no index");
}

#[test]
fn authz_update() {
    let mut granted = table_owner_acl();
    granted.extend(acl(&[("reader", "SELECT", false)]));
    let from = t(vec![col("a", "integer")]);
    let p = plan(
        &from,
        &from.clone().with_acl(table_id("app.t"), granted.clone()),
    );
    assert_eq!(hazards(&p), vec![Hazard::AuthzUpdate]);
    let p = plan(&base(), &from.with_acl(table_id("app.t"), granted));
    assert!(
        hazards(&p).is_empty(),
        "nobody had access to a table that did not exist"
    );
}

#[test]
fn data_dependent() {
    let from = t(vec![col("a", "integer")]);
    let p = plan(
        &from,
        &t(vec![col("a", "integer"), col("b", "integer").not_null()]),
    );
    assert_eq!(hazards(&p), vec![Hazard::DataDependent]);
    let p = plan(
        &from,
        &t(vec![
            col("a", "integer"),
            col("b", "integer").not_null().default_to("0"),
        ]),
    );
    assert!(hazards(&p).is_empty(), "every row gets the default");
}

#[test]
fn non_transactional() {
    let e = |labels: &[&str]| base().with_enum(enum_type("app.e", labels));
    let p = plan(&e(&["a"]), &e(&["a", "b"]));
    assert_eq!(hazards(&p), vec![Hazard::NonTransactional]);
    // A concurrent index build also runs outside a transaction, but cleans up after
    // itself: it is flagged as an index build only.
    let i = index("app.t_a_idx", "app.t", "btree (a)");
    let p = plan(
        &t(vec![col("a", "integer")]),
        &t(vec![col("a", "integer")]).with_index(i),
    );
    assert!(!p.steps[0].transactional);
    assert!(!hazards(&p).contains(&Hazard::NonTransactional));
}

#[test]
fn untrackable_dependencies() {
    let reader = function(
        "app.n",
        "",
        "",
        "bigint",
        "sql",
        &["STABLE"],
        " SELECT count(*) FROM app.t ",
    );
    let from = t(vec![col("a", "integer")]).with_function(reader.clone());
    let p = plan(&from, &base().with_function(reader));
    assert_eq!(
        step(&p, "DROP TABLE app.t;").hazards,
        vec![Hazard::DeletesData, Hazard::UntrackableDependencies]
    );
    let p = plan(&t(vec![col("a", "integer")]), &base());
    assert_eq!(hazards(&p), vec![Hazard::DeletesData], "no body names it");
}

#[test]
fn summary_counts_steps_per_hazard_and_disallowed_lists_them() {
    let from = t(vec![
        col("a", "integer"),
        col("b", "integer"),
        col("c", "integer"),
    ]);
    let p = plan(&from, &t(vec![col("a", "bigint")]));
    assert_eq!(p.summary.hazards.get("DELETES_DATA"), Some(&2));
    assert_eq!(p.summary.hazards.get("TABLE_REWRITE"), Some(&1));
    let refused = p.disallowed(&[Hazard::TableRewrite, Hazard::AccessExclusiveLock]);
    assert_eq!(refused.len(), 2);
    assert!(
        refused
            .iter()
            .all(|(_, _, h)| h == &vec![Hazard::DeletesData])
    );
    assert!(p.disallowed(Hazard::ALL).is_empty());
}

#[test]
fn every_hazard_is_produced_by_some_plan() {
    let mut seen: Vec<Hazard> = Vec::new();
    for test in [
        (t(vec![col("a", "integer")]), t(vec![col("a", "text")])),
        (t(vec![col("a", "integer")]), base()),
        (
            t(vec![col("a", "integer")]).with_index(index("app.i", "app.t", "btree (a)")),
            t(vec![col("a", "integer")]).with_index(index("app.i2", "app.t", "btree (a)")),
        ),
        (
            base().with_enum(enum_type("app.e", &["a"])),
            base().with_enum(enum_type("app.e", &["a", "b"])),
        ),
        (
            base().with_function(function(
                "app.f",
                "",
                "",
                "integer",
                "sql",
                &[],
                " SELECT 1 ",
            )),
            base(),
        ),
        (
            t(vec![col("a", "integer")]),
            t(vec![col("a", "integer").not_null()])
                .with_acl(table_id("app.t"), acl(&[("owner", "SELECT", false)])),
        ),
    ] {
        seen.extend(hazards(&plan(&test.0, &test.1)));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen, Hazard::ALL.to_vec());
}
