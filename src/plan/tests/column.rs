//! Columns: add (nullable, NOT NULL, defaults, identity, generated), drop, type and
//! collation changes, NOT NULL set and dropped, defaults, identity and generation changes.

use super::{plan, sql, step};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, Column};
use crate::plan::Hazard;

/// `app.orders (id bigint NOT NULL, …extra)`.
fn orders(extra: Vec<Column>) -> Catalog {
    let mut cols = vec![col("id", "bigint").not_null()];
    cols.extend(extra);
    db().with_schema("app")
        .with_table(table("app.orders", cols).pk("id"))
}

#[test]
fn add_nullable_is_safe() {
    let p = plan(&orders(vec![]), &orders(vec![col("note", "text")]));
    insta::assert_snapshot!(super::script(&p));
    assert!(step(&p, "ADD COLUMN note text").hazards.is_empty());
}

#[test]
fn add_not_null_without_default_depends_on_data() {
    let p = plan(
        &orders(vec![]),
        &orders(vec![col("qty", "integer").not_null()]),
    );
    let s = step(&p, "ADD COLUMN qty integer NOT NULL;");
    assert_eq!(s.hazards, vec![Hazard::DataDependent]);
}

#[test]
fn add_not_null_with_constant_default_is_safe() {
    let qty = col("qty", "integer").not_null().default_to("1");
    let p = plan(&orders(vec![]), &orders(vec![qty]));
    let s = step(&p, "ADD COLUMN qty integer DEFAULT 1 NOT NULL;");
    assert!(s.hazards.is_empty(), "{:?}", s.hazards);
}

#[test]
fn add_with_volatile_default_rewrites() {
    let token = col("token", "uuid")
        .not_null()
        .default_to("gen_random_uuid()");
    let p = plan(&orders(vec![]), &orders(vec![token]));
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "ADD COLUMN token").hazards,
        vec![Hazard::TableRewrite]
    );
}

#[test]
fn add_identity_rewrites() {
    let n = col("n", "integer").identity(true);
    let p = plan(&orders(vec![]), &orders(vec![n]));
    let s = step(
        &p,
        "ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY NOT NULL;",
    );
    assert_eq!(s.hazards, vec![Hazard::TableRewrite]);
}

#[test]
fn add_stored_generated_rewrites_virtual_does_not() {
    let from = orders(vec![col("price", "numeric")]);
    let stored = orders(vec![
        col("price", "numeric"),
        col("gross", "numeric").stored("(price * 1.21)"),
    ]);
    let p = plan(&from, &stored);
    let s = step(
        &p,
        "ADD COLUMN gross numeric GENERATED ALWAYS AS ((price * 1.21)) STORED;",
    );
    assert_eq!(s.hazards, vec![Hazard::TableRewrite]);
    let virt = orders(vec![
        col("price", "numeric"),
        col("gross", "numeric").virtual_("(price * 1.21)"),
    ]);
    let p = plan(&from.with_version(PG18), &virt.with_version(PG18));
    let s = step(&p, "GENERATED ALWAYS AS ((price * 1.21)) VIRTUAL;");
    assert!(s.hazards.is_empty());
}

#[test]
fn drop_deletes_data_unless_generated() {
    let from = orders(vec![
        col("price", "numeric"),
        col("gross", "numeric").stored("(price * 1.21)"),
        col("note", "text"),
    ]);
    let to = orders(vec![col("price", "numeric")]);
    let p = plan(&from, &to);
    insta::assert_snapshot!(super::script(&p));
    assert_eq!(
        step(&p, "DROP COLUMN note;").hazards,
        vec![Hazard::DeletesData]
    );
    assert!(step(&p, "DROP COLUMN gross;").hazards.is_empty());
}

/// PostgreSQL refuses to drop a column a generated column is computed from (or, before
/// 13, drops the generated column along): the generated column must go first. The
/// dependency is within one table, which the catalog does not record, and columns are
/// dropped in attribute order.
#[test]
#[ignore = "bug: a generated column is dropped after the column it is computed from"]
fn drop_generated_column_before_its_source() {
    let from = orders(vec![
        col("price", "numeric"),
        col("gross", "numeric").stored("(price * 1.21)"),
    ]);
    let p = plan(&from, &orders(vec![]));
    assert!(
        super::position(&p, "DROP COLUMN gross;") < super::position(&p, "DROP COLUMN price;"),
        "{}",
        super::script(&p)
    );
}

#[test]
fn int_to_bigint_rewrites_but_cannot_fail() {
    let p = plan(
        &orders(vec![col("qty", "integer")]),
        &orders(vec![col("qty", "bigint")]),
    );
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "TYPE bigint");
    assert_eq!(
        s.hazards,
        vec![Hazard::TableRewrite, Hazard::AccessExclusiveLock]
    );
    assert!(s.probe.is_none());
    assert!(!s.sql.contains("USING"));
}

#[test]
fn varchar_widening_is_a_catalog_change() {
    let p = plan(
        &orders(vec![col("code", "character varying(20)")]),
        &orders(vec![col("code", "character varying(40)")]),
    );
    let s = step(&p, "ALTER COLUMN code TYPE character varying(40);");
    assert_eq!(s.hazards, vec![Hazard::AccessExclusiveLock]);
}

#[test]
fn varchar_narrowing_is_probed() {
    let p = plan(
        &orders(vec![col("code", "character varying(40)")]),
        &orders(vec![col("code", "character varying(10)")]),
    );
    let s = step(&p, "TYPE character varying(10)");
    assert!(s.hazards.contains(&Hazard::DataDependent));
    assert_eq!(
        s.probe.as_deref(),
        Some(
            "SELECT count(*) FROM app.orders WHERE pg_catalog.length(pg_catalog.rtrim(code::text, ' ')) > 10"
        )
    );
}

#[test]
fn text_to_integer_casts_with_using_and_probes_input() {
    let p = plan(
        &orders(vec![col("ref", "text")]),
        &orders(vec![col("ref", "integer")]),
    );
    insta::assert_snapshot!(super::script(&p));
    let s = step(&p, "TYPE integer USING ref::integer;");
    assert_eq!(
        s.hazards,
        vec![
            Hazard::TableRewrite,
            Hazard::AccessExclusiveLock,
            Hazard::DataDependent
        ]
    );
    assert_eq!(
        s.probe.as_deref(),
        Some(
            "SELECT count(*) FROM app.orders WHERE NOT pg_catalog.pg_input_is_valid(ref::text, 'integer')"
        )
    );
}

#[test]
fn narrowing_resets_a_default_around_the_cast() {
    let p = plan(
        &orders(vec![col("qty", "bigint").default_to("0")]),
        &orders(vec![col("qty", "integer").default_to("0")]),
    );
    insta::assert_snapshot!(super::script(&p));
    let (drop, retype, set) = (
        super::position(&p, "DROP DEFAULT"),
        super::position(&p, "TYPE integer"),
        super::position(&p, "SET DEFAULT 0"),
    );
    assert!(drop < retype && retype < set);
}

#[test]
fn collation_change_keeps_the_data() {
    let p = plan(
        &orders(vec![col("name", "text")]),
        &orders(vec![col("name", "text").collate("pg_catalog.C")]),
    );
    let s = step(&p, "ALTER COLUMN name TYPE text COLLATE pg_catalog.\"C\";");
    assert_eq!(s.hazards, vec![Hazard::AccessExclusiveLock]);
}

#[test]
fn set_not_null_goes_through_a_validated_check() {
    let p = plan(
        &orders(vec![col("customer", "bigint")]),
        &orders(vec![col("customer", "bigint").not_null()]),
    );
    insta::assert_snapshot!(super::script(&p));
    let validate = step(&p, "VALIDATE CONSTRAINT customer_profe_not_null");
    assert!(!validate.transactional);
    assert_eq!(validate.hazards, vec![Hazard::DataDependent]);
    assert_eq!(
        validate.probe.as_deref(),
        Some("SELECT count(*) FROM app.orders WHERE customer IS NULL")
    );
    assert!(step(&p, "SET NOT NULL").hazards.is_empty());
}

#[test]
fn set_not_null_on_a_partitioned_table_scans_under_lock() {
    let t = |nn: bool| {
        let c = col("customer", "bigint");
        db().with_schema("app").with_table(
            table("app.sales", vec![if nn { c.not_null() } else { c }])
                .partitioned("HASH (customer)"),
        )
    };
    let p = plan(&t(false), &t(true));
    assert_eq!(p.steps.len(), 1, "{}", super::script(&p));
    assert_eq!(
        step(
            &p,
            "ALTER TABLE app.sales ALTER COLUMN customer SET NOT NULL;"
        )
        .hazards,
        vec![Hazard::AccessExclusiveLock, Hazard::DataDependent]
    );
}

#[test]
fn drop_not_null_is_plain() {
    let p = plan(
        &orders(vec![col("customer", "bigint").not_null()]),
        &orders(vec![col("customer", "bigint")]),
    );
    insta::assert_snapshot!(super::script(&p));
    assert!(p.steps.iter().all(|s| s.hazards.is_empty()));
}

#[test]
fn default_added_changed_dropped() {
    let with = |d: Option<&str>| {
        let c = col("status", "text");
        orders(vec![match d {
            Some(d) => c.default_to(d),
            None => c,
        }])
    };
    let none = with(None);
    let new = with(Some("'new'::text"));
    let open = with(Some("'open'::text"));
    insta::assert_snapshot!("default_add", sql(&none, &new));
    insta::assert_snapshot!("default_change", sql(&new, &open));
    insta::assert_snapshot!("default_drop", sql(&open, &none));
}

#[test]
fn identity_added_changed_dropped() {
    let plain = orders(vec![col("n", "integer").not_null()]);
    let by_default = orders(vec![col("n", "integer").identity(false)]);
    let mut cycling = col("n", "integer").identity(true);
    let id = cycling.identity.as_mut().expect("identity");
    id.options.increment = 10;
    id.options.cycle = true;
    let always = orders(vec![cycling]);
    insta::assert_snapshot!("identity_add", sql(&plain, &by_default));
    insta::assert_snapshot!("identity_alter", sql(&by_default, &always));
    insta::assert_snapshot!("identity_drop", sql(&always, &plain));
}

#[test]
fn generated_expression_changed_and_dropped() {
    let base = |g: Option<&str>| {
        let c = col("gross", "numeric");
        orders(vec![
            col("price", "numeric"),
            match g {
                Some(e) => c.stored(e),
                None => c,
            },
        ])
    };
    let a = base(Some("(price * 1.21)"));
    let b = base(Some("(price * 1.1)"));
    let p = plan(&a, &b);
    assert_eq!(
        step(&p, "ALTER COLUMN gross SET EXPRESSION AS ((price * 1.1));").hazards,
        vec![Hazard::TableRewrite, Hazard::AccessExclusiveLock]
    );
    let p = plan(&a, &base(None));
    insta::assert_snapshot!(super::script(&p));
    assert!(step(&p, "DROP EXPRESSION").hazards.is_empty());
}

#[test]
fn generated_expression_change_before_17_recreates_the_column() {
    let base = |e: &str| {
        orders(vec![
            col("price", "numeric"),
            col("gross", "numeric").stored(e),
        ])
        .with_version(160004)
    };
    let p = plan(&base("(price * 1.21)"), &base("(price * 1.1)"));
    insta::assert_snapshot!(super::script(&p));
    assert!(super::position(&p, "DROP COLUMN gross") < super::position(&p, "ADD COLUMN gross"));
}

#[test]
fn plain_to_generated_recreates_the_column() {
    let from = orders(vec![col("price", "numeric"), col("gross", "numeric")]);
    let to = orders(vec![
        col("price", "numeric"),
        col("gross", "numeric").stored("(price * 1.21)"),
    ]);
    let p = plan(&from, &to);
    assert_eq!(
        step(&p, "DROP COLUMN gross").hazards,
        vec![Hazard::DeletesData]
    );
    step(&p, "ADD COLUMN gross numeric GENERATED ALWAYS AS");
}

#[test]
fn pg18_not_null_constraint_not_valid_then_validated() {
    let v = |c: Column| orders(vec![c]).with_version(PG18);
    let nullable = v(col("customer", "bigint"));
    let unchecked = v(col("customer", "bigint").not_null_named("orders_customer_nn", false));
    let checked = v(col("customer", "bigint").not_null_named("orders_customer_nn", true));
    let p = plan(&nullable, &unchecked);
    insta::assert_snapshot!("pg18_not_valid", super::script(&p));
    assert_eq!(
        step(&p, "NOT NULL customer NOT VALID").hazards,
        vec![Hazard::AccessExclusiveLock]
    );
    let p = plan(&unchecked, &checked);
    insta::assert_snapshot!("pg18_validate", super::script(&p));
    assert_eq!(
        step(&p, "VALIDATE CONSTRAINT orders_customer_nn").hazards,
        vec![Hazard::DataDependent]
    );
}

#[test]
fn same_type_drop_and_add_notes_a_probable_rename() {
    let p = plan(
        &orders(vec![col("nme", "text")]),
        &orders(vec![col("name", "text")]),
    );
    assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    assert!(p.notes[0].contains("`-- @renamed from nme`"));
}

fn tuned(statistics: Option<i32>, main: bool, pglz: bool) -> crate::catalog::Column {
    let mut c = col("body", "text");
    c.statistics = statistics;
    c.storage = main.then(|| {
        Box::new(crate::catalog::ColumnStorage {
            mode: "MAIN".into(),
            type_default: "EXTENDED".into(),
        })
    });
    c.compression = pglz.then(|| "pglz".to_string());
    c
}

fn pages(body: crate::catalog::Column) -> crate::catalog::Catalog {
    db().with_schema("app")
        .with_table(table("app.pages", vec![col("id", "bigint"), body]))
}

#[test]
fn statistics_storage_and_compression_are_set_and_reset_in_place() {
    let sqls = |from, to| -> Vec<String> {
        plan(&pages(from), &pages(to))
            .steps
            .into_iter()
            .map(|s| s.sql)
            .collect()
    };
    assert_eq!(
        sqls(tuned(None, false, false), tuned(Some(1000), true, true)),
        vec![
            "ALTER TABLE app.pages ALTER COLUMN body SET STATISTICS 1000;",
            "ALTER TABLE app.pages ALTER COLUMN body SET STORAGE MAIN;",
            "ALTER TABLE app.pages ALTER COLUMN body SET COMPRESSION pglz;",
        ]
    );
    assert_eq!(
        sqls(tuned(Some(1000), true, true), tuned(None, false, false)),
        vec![
            "ALTER TABLE app.pages ALTER COLUMN body SET STATISTICS -1;",
            "ALTER TABLE app.pages ALTER COLUMN body SET STORAGE EXTENDED;",
            "ALTER TABLE app.pages ALTER COLUMN body SET COMPRESSION DEFAULT;",
        ]
    );
}

#[test]
fn a_new_column_is_added_then_tuned() {
    let from = db()
        .with_schema("app")
        .with_table(table("app.pages", vec![col("id", "bigint")]));
    let p = plan(&from, &pages(tuned(Some(0), false, false)));
    let statements: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE app.pages ADD COLUMN body text;",
            "ALTER TABLE app.pages ALTER COLUMN body SET STATISTICS 0;",
        ]
    );
}
