//! What each kind's diff turns a difference into: created, dropped, altered in place or
//! recreated.

use super::{base, changes};
use crate::catalog::testing::*;
use crate::catalog::{AclKind, Catalog};

#[test]
fn nothing_for_identical_catalogs() {
    let c = base().with_table(table("app.t", vec![col("a", "integer")]));
    assert_eq!(changes(&c, &c), "");
}

#[test]
fn keyed_walk_creates_then_drops_then_alters() {
    let from = base()
        .with_sequence(sequence("app.a_kept", "bigint"))
        .with_sequence(sequence("app.b_gone", "bigint"));
    let mut kept = sequence("app.a_kept", "bigint");
    kept.options.cache = 5;
    let to = base()
        .with_sequence(kept)
        .with_sequence(sequence("app.c_new", "bigint"))
        .with_sequence(sequence("app.d_new", "bigint"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    sequence create app.c_new
    sequence create app.d_new
    sequence drop app.b_gone
    sequence alter app.a_kept
    ");
}

#[test]
fn new_table_keeps_inline_constraints_and_adds_the_others_after() {
    let t = table(
        "app.t",
        vec![col("id", "bigint").not_null(), col("p", "bigint")],
    )
    .pk("id")
    .with(check("t_p_check", "(p > 0)").not_valid())
    .with(fk("t_p_fkey", "p", "app.t", "id", ""));
    insta::assert_snapshot!(changes(&base(), &base().with_table(t)), @r"
    table create app.t constraints=[t_pkey]
    constraint add app.t t_p_check: CHECK ((p > 0)) NOT VALID
    constraint add app.t t_p_fkey: FOREIGN KEY (p) REFERENCES app.t(id)
    ");
}

#[test]
fn new_column_with_a_not_valid_not_null_is_added_then_constrained() {
    let from = base()
        .with_version(PG18)
        .with_table(table("app.t", vec![col("a", "integer")]));
    let to = base().with_version(PG18).with_table(table(
        "app.t",
        vec![
            col("a", "integer"),
            col("b", "integer").not_null_named("t_b_nn", false),
        ],
    ));
    insta::assert_snapshot!(changes(&from, &to), @r"
    column add app.t.b
    column alter app.t.b integer -> integer default None -> None
    ");
}

#[test]
fn dropped_table_takes_indexes_triggers_and_policies_along() {
    let from = base()
        .with_table(table("app.t", vec![col("a", "integer")]))
        .with_index(index("app.t_a_idx", "app.t", "btree (a)"))
        .with_trigger(trigger("app.t", "t_touch", "BEFORE UPDATE", "app.touch"))
        .with_policy(policy("app.t", "p", "ALL", "true"));
    insta::assert_snapshot!(changes(&from, &base()), @"table drop app.t constraints=[]");
}

#[test]
fn foreign_key_between_dropped_tables_is_split_off() {
    let a = table("app.a", vec![col("b", "bigint")]).with(fk("a_b_fkey", "b", "app.b", "id", ""));
    let b = table("app.b", vec![col("id", "bigint").not_null()]).pk("id");
    let self_ref = table(
        "app.c",
        vec![col("id", "bigint").not_null(), col("up", "bigint")],
    )
    .pk("id")
    .with(fk("c_up_fkey", "up", "app.c", "id", ""));
    let from = base().with_table(a).with_table(b).with_table(self_ref);
    insta::assert_snapshot!(changes(&from, &base()), @r"
    constraint drop app.a a_b_fkey
    table drop app.a constraints=[]
    table drop app.b constraints=[b_pkey]
    table drop app.c constraints=[c_pkey, c_up_fkey]
    ");
}

#[test]
fn generated_columns_altered_or_recreated() {
    let t = |c: crate::catalog::Column| {
        base()
            .with_version(PG18)
            .with_table(table("app.t", vec![col("a", "integer"), c]))
    };
    let stored = t(col("g", "integer").stored("(a * 2)"));
    let virt = t(col("g", "integer").virtual_("(a * 2)"));
    let plain = t(col("g", "integer"));
    insta::assert_snapshot!(changes(&stored, &plain), @"column alter app.t.g integer -> integer default None -> None");
    insta::assert_snapshot!(changes(&virt, &plain), @r"
    column drop app.t.g
    column add app.t.g
    ");
    insta::assert_snapshot!(changes(&stored, &virt), @r"
    column drop app.t.g
    column add app.t.g
    ");
}

#[test]
fn starting_to_inherit_merges_the_parent_columns() {
    let parent = table("app.p", vec![col("name", "text")]);
    let alone = table("app.c", vec![col("name", "text"), col("x", "integer")]);
    let child = table("app.c", vec![col("x", "integer")]).inherits("app.p");
    let from = base().with_table(parent.clone()).with_table(alone);
    let to = base().with_table(parent).with_table(child);
    insta::assert_snapshot!(changes(&from, &to), @"table inherit app.c from app.p add=true");
    insta::assert_snapshot!(changes(&to, &from), @"table inherit app.c from app.p add=false");
}

#[test]
fn constraints_changed_in_place_or_recreated() {
    let t = |cs: Vec<crate::catalog::Constraint>| {
        let mut t = table(
            "app.t",
            vec![col("id", "bigint").not_null(), col("p", "bigint")],
        );
        for c in cs {
            t = t.with(c);
        }
        base().with_table(t)
    };
    let fk = || fk("t_p_fkey", "p", "app.t", "id", "");
    let from = t(vec![
        fk().not_valid(),
        unique("t_p_key", "p"),
        pk("t_pkey", "id"),
    ]);
    let to = t(vec![
        fk().deferrable(true),
        unique("t_p_key", "p").deferrable(false),
        pk("t_pkey", "id").index_options(&["fillfactor=90"]),
    ]);
    insta::assert_snapshot!(changes(&from, &to), @r#"
    constraint drop app.t t_p_key
    constraint deferrable app.t t_p_fkey deferrable=true deferred=true
    constraint validate app.t t_p_fkey
    constraint add app.t t_p_key: UNIQUE (p) DEFERRABLE
    index options app.t_pkey [] -> ["fillfactor=90"]
    "#);
}

#[test]
fn indexes_replaced_recreated_or_altered() {
    let t = |indexes: Vec<crate::catalog::Index>| {
        let mut c = base().with_table(table(
            "app.t",
            vec![col("a", "integer"), col("b", "integer")],
        ));
        for i in indexes {
            c = c.with_index(i);
        }
        c
    };
    let from = t(vec![
        index("app.t_a", "app.t", "btree (a)"),
        index("app.t_b", "app.t", "btree (b)").invalid(),
        index("app.t_ab", "app.t", "btree (a, b)"),
    ]);
    let to = t(vec![
        index("app.t_a", "app.t", "btree (a DESC)"),
        index("app.t_b", "app.t", "btree (b)"),
        index("app.t_ab", "app.t", "btree (a, b)").with_options(&["fillfactor=50"]),
    ]);
    insta::assert_snapshot!(changes(&from, &to), @r#"
    index replace app.t_a
    index options app.t_ab [] -> ["fillfactor=50"]
    index drop app.t_b
    index create app.t_b
    "#);
}

#[test]
fn partition_copies_of_indexes_are_left_to_their_parent() {
    let cols = || vec![col("at", "date")];
    let mut copy = index("app.e_2024_at_idx", "app.e_2024", "btree (at)");
    copy.inherited = true;
    copy.parent = Some(qn("app.e_at_idx"));
    let to = base()
        .with_table(table("app.e", cols()).partitioned("RANGE (at)"))
        .with_table(
            table("app.e_2024", cols())
                .partition_of("app.e", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
        )
        .with_index(index("app.e_at_idx", "app.e", "btree (at)"))
        .with_index(copy);
    insta::assert_snapshot!(changes(&base(), &to), @r"
    table create app.e constraints=[]
    table create app.e_2024 constraints=[]
    index create app.e_at_idx
    ");
}

#[test]
fn views_replaced_recreated_optioned_refreshed() {
    let q = " SELECT 1 AS one;";
    let from = base()
        .with_view(view("app.a", q, &[("one", "integer")]))
        .with_view(view("app.b", q, &[("one", "integer")]))
        .with_view(view("app.c", q, &[("one", "integer")]))
        .with_view({
            let mut m = matview("app.d", q, &[("one", "integer")]);
            m.populated = false;
            m
        });
    let to = base()
        .with_view(view(
            "app.a",
            " SELECT 1 AS one,\n    2 AS two;",
            &[("one", "integer"), ("two", "integer")],
        ))
        .with_view(view(
            "app.b",
            " SELECT 'x'::text AS one;",
            &[("one", "text")],
        ))
        .with_view(view("app.c", q, &[("one", "integer")]).with_options(&["security_barrier=true"]))
        .with_view(matview("app.d", q, &[("one", "integer")]));
    insta::assert_snapshot!(changes(&from, &to), @r#"
    view replace app.a
    view drop app.b
    view create app.b
    view options app.c ["security_barrier=true"]
    view refresh app.d populated=true
    "#);
}

#[test]
fn functions_replaced_or_recreated() {
    let f = |result: &str, body: &str| {
        function("app.f", "x integer", "integer", result, "sql", &[], body)
    };
    let g = |params: &str| {
        function(
            "app.g",
            params,
            "integer",
            "integer",
            "sql",
            &[],
            " SELECT 1 ",
        )
    };
    let from = base()
        .with_function(f("integer", " SELECT x "))
        .with_function(g("x integer"));
    let to = base()
        .with_function(f("integer", " SELECT x + 1 "))
        .with_function(g("y integer"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    function replace app.f(x integer)
    function drop app.g(x integer)
    function create app.g(y integer)
    ");
    let to = base()
        .with_function(f("bigint", " SELECT x "))
        .with_function(g("x integer"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    function drop app.f(x integer)
    function create app.f(x integer)
    ");
}

#[test]
fn enum_labels_anchor_on_their_neighbours() {
    let e = |labels: &[&str]| base().with_enum(enum_type("app.e", labels));
    insta::assert_snapshot!(changes(&e(&["b", "d"]), &e(&["a", "b", "c", "d", "e"])), @r#"
    enum add value app.e "a" before=Some("b") after=None
    enum add value app.e "c" before=Some("d") after=None
    enum add value app.e "e" before=None after=Some("d")
    "#);
    insta::assert_snapshot!(changes(&e(&["b", "d"]), &e(&["d", "b"])), @r#"enum recreate app.e ["d", "b"]"#);
}

#[test]
fn types_collations_aggregates_and_triggers() {
    let agg = |init: &str| {
        aggregate(
            "app.agg",
            "integer",
            &[
                ("SFUNC", "int4larger"),
                ("STYPE", "integer"),
                ("INITCOND", init),
            ],
        )
    };
    let trig = |events: &str, enabled: &str| {
        let mut t = trigger("app.t", "t_trg", events, "app.f");
        t.enabled = enabled.into();
        t
    };
    let from = base()
        .with_table(table("app.t", vec![col("a", "integer")]))
        .with_domain(domain("app.d1", "integer"))
        .with_domain(domain("app.d2", "integer"))
        .with_composite(composite("app.c", &[("x", "integer")]))
        .with_collation(collation("app.coll", "icu", "und"))
        .with_aggregate(agg("'0'"))
        .with_trigger(trig("BEFORE UPDATE", "O"));
    let mut d2 = domain("app.d2", "integer");
    d2.not_null = true;
    let to = base()
        .with_table(table("app.t", vec![col("a", "integer")]))
        .with_domain(domain("app.d1", "bigint"))
        .with_domain(d2)
        .with_composite(composite("app.c", &[("x", "bigint")]))
        .with_collation(collation("app.coll", "icu", "de"))
        .with_aggregate(agg("'1'"))
        .with_trigger(trig("BEFORE UPDATE", "D"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    collation drop app.coll
    collation create app.coll
    domain recreate app.d1
    domain alter app.d2
    composite alter app.c
    aggregate create app.agg(integer) replace=true
    trigger enabled t_trg on app.t D
    ");
    let to = from.clone().with_trigger(trig("AFTER UPDATE", "O"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    trigger drop t_trg on app.t
    trigger create t_trg on app.t
    ");
}

#[test]
fn roles_declared_or_only_granted_to() {
    let mut undeclared = role("outsider");
    undeclared.declared = false;
    undeclared.member_of.insert("readers".into(), false);
    let mut had = role("outsider");
    had.login = true;
    had.member_of.insert("readers".into(), true);
    let from = db().with_role(had).with_role(role("unused"));
    let to = db()
        .with_role(undeclared.clone())
        .with_role(role("readers"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    role create readers
    role drop unused
    ");
    undeclared.declared = true;
    let to = db().with_role(undeclared).with_role(role("readers"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    role alter outsider
    role revoke readers from outsider admin_only=true
    role create readers
    role drop unused
    ");
}

#[test]
fn privileges_of_new_objects_start_from_the_defaults() {
    let to = base()
        .with_default_acl(
            USER,
            Some("app"),
            AclKind::Table,
            acl(&[("reader", "SELECT", false)]),
        )
        .with_table(table("app.t", vec![col("a", "integer")]))
        .with_acl(table_id("app.t"), {
            let mut a = table_owner_acl();
            a.extend(acl(&[
                ("reader", "SELECT", false),
                ("writer", "INSERT", false),
            ]));
            a
        });
    insta::assert_snapshot!(changes(&base(), &to), @r#"
    default privileges profe Some("app") Table +["reader:SELECT"] -[]
    table create app.t constraints=[]
    privileges table app.t new=true +["writer:INSERT"] -[]
    "#);
}

#[test]
fn comments_set_on_recreated_objects_even_when_unchanged() {
    let from = base()
        .with_view(view("app.v", " SELECT 1 AS one;", &[("one", "integer")]))
        .with_comment(view_id("app.v"), "kept")
        .with_comment(schema_id("app"), "gone");
    let to = base()
        .with_view(view(
            "app.v",
            " SELECT 'x'::text AS one;",
            &[("one", "text")],
        ))
        .with_comment(view_id("app.v"), "kept");
    insta::assert_snapshot!(changes(&from, &to), @r#"
    view drop app.v
    view create app.v
    comment view app.v Some("kept")
    comment schema app None
    "#);
}

#[test]
fn owners_first_then_grants() {
    let to = base()
        .with_acl(
            schema_id("app"),
            acl(&[("owner", "USAGE", false), ("reader", "USAGE", false)]),
        )
        .with_owner(schema_id("app"), "boss");
    insta::assert_snapshot!(changes(&base(), &to), @r#"
    owner schema app -> Some("boss") new=false
    privileges schema app new=false +["reader:USAGE"] -["CURRENT_USER:CREATE"]
    "#);
}

#[test]
fn identity_sequence_of_a_new_table_counts_as_new() {
    let mut to = base()
        .with_table(table("app.t", vec![col("id", "bigint").identity(true)]))
        .with_acl(seq_id("app.t_id_seq"), {
            let mut a = AclKind::Sequence.default_acl(PG17);
            a.extend(acl(&[("writer", "USAGE", false)]));
            a
        });
    to.identity_sequences.insert(qn("app.t_id_seq"));
    insta::assert_snapshot!(changes(&base(), &to), @r#"
    table create app.t constraints=[]
    privileges sequence app.t_id_seq new=true +["writer:USAGE"] -[]
    "#);
}

#[test]
fn extensions_and_schemas_outside_the_scope_stay() {
    let from = db()
        .with_schema("app")
        .with_schema("other")
        .with_extension(extension("pgcrypto", "other"))
        .with_extension(extension("citext", "app"));
    let to = db()
        .with_schema("app")
        .with_extension(extension("citext", "public"));
    let got: Vec<String> = crate::diff::diff(&from, &to, &scope(&["app"]))
        .iter()
        .map(super::label)
        .collect();
    assert_eq!(got, vec!["extension set schema citext public"]);
}

#[test]
fn policies_of_a_recreated_table_are_created_not_dropped() {
    let p = || policy("app.t", "p", "SELECT", "true");
    let cols = || vec![col("at", "date")];
    let from = base()
        .with_table(
            table("app.t", cols())
                .partitioned("RANGE (at)")
                .rls(true, false),
        )
        .with_policy(p());
    let mut changed = p();
    changed.using = Some("false".into());
    let to = base()
        .with_table(
            table("app.t", cols())
                .partitioned("LIST (at)")
                .rls(true, false),
        )
        .with_policy(changed);
    insta::assert_snapshot!(changes(&from, &to), @r"
    table drop app.t constraints=[]
    table create app.t constraints=[]
    policy row security app.t (false, false) -> (true, false)
    policy create p on app.t
    ");
}

#[test]
fn sequence_owned_by_a_dropped_column_goes_with_it() {
    let mut s = sequence("app.t_n_seq", "bigint");
    s.owned_by = Some((qn("app.t"), "n".into()));
    let from = base().with_sequence(s).with_table(table(
        "app.t",
        vec![col("id", "bigint"), col("n", "bigint")],
    ));
    let to = base().with_table(table("app.t", vec![col("id", "bigint")]));
    insta::assert_snapshot!(changes(&from, &to), @"column drop app.t.n");
}

#[test]
fn catalog_without_schemas_uses_only_its_own() {
    let c = Catalog::default();
    assert!(c.used_schemas().is_empty());
    let with_public = db().with_table(table("public.t", vec![col("a", "integer")]));
    assert!(with_public.used_schemas().contains("public"));
}
