//! The rules that add changes for what stands on something else: objects over a dropped
//! or retyped column, an index swap that cannot wait, enum defaults.

use super::{base, changes};
use crate::catalog::Catalog;
use crate::catalog::testing::*;

fn users(score_type: &str) -> Catalog {
    base().with_table(table(
        "app.users",
        vec![col("id", "bigint").not_null(), col("score", score_type)],
    ))
}

#[test]
fn view_over_a_retyped_column_is_dropped_and_created() {
    let v = |t: &str| {
        view(
            "app.v",
            " SELECT users.score\n   FROM app.users;",
            &[("score", t)],
        )
    };
    let dep = |c: Catalog| c.with_dep(view_id("app.v"), col_id("app.users", "score"));
    let from = dep(users("integer").with_view(v("integer")));
    let to = dep(users("bigint").with_view(v("bigint")));
    insta::assert_snapshot!(changes(&from, &to), @r"
    column alter app.users.score integer -> bigint default None -> None
    view drop app.v
    view create app.v
    ");
}

#[test]
fn function_over_a_dropped_column_is_recreated_and_so_is_its_view() {
    let f = function(
        "app.top",
        "",
        "",
        "integer",
        "sql",
        &["STABLE"],
        " SELECT max(score) FROM app.users ",
    );
    let v = view("app.w", " SELECT app.top() AS top;", &[("top", "integer")]);
    let from = users("integer")
        .with_function(f.clone())
        .with_view(v.clone())
        .with_dep(fn_id("app.top", ""), col_id("app.users", "score"))
        .with_dep(view_id("app.w"), fn_id("app.top", ""));
    let mut to = base()
        .with_table(table("app.users", vec![col("id", "bigint").not_null()]))
        .with_function(f)
        .with_view(v);
    to = to.with_dep(view_id("app.w"), fn_id("app.top", ""));
    insta::assert_snapshot!(changes(&from, &to), @r"
    column drop app.users.score
    function drop app.top()
    function create app.top()
    view drop app.w
    view create app.w
    ");
}

#[test]
fn index_over_a_retyped_column_is_not_swapped_but_dropped_and_created() {
    let idx = |c: Catalog| {
        c.with_index(index("app.users_score_idx", "app.users", "btree (score)"))
            .with_dep(idx_id("app.users_score_idx"), col_id("app.users", "score"))
    };
    let from = idx(users("integer"));
    let mut to = users("bigint").with_index(index(
        "app.users_score_idx",
        "app.users",
        "btree (score DESC)",
    ));
    to = to.with_dep(idx_id("app.users_score_idx"), col_id("app.users", "score"));
    insta::assert_snapshot!(changes(&from, &to), @r"
    column alter app.users.score integer -> bigint default None -> None
    index drop app.users_score_idx
    index create app.users_score_idx
    ");
}

#[test]
fn foreign_key_over_a_dropped_key_is_dropped_and_added_back() {
    let parent = |key: crate::catalog::Constraint| {
        table(
            "app.p",
            vec![col("id", "bigint").not_null(), col("k", "text").not_null()],
        )
        .with(key)
    };
    let child =
        table("app.c", vec![col("p", "bigint")]).with(fk("c_p_fkey", "p", "app.p", "id", ""));
    let from = base()
        .with_table(parent(pk("p_pkey", "id")))
        .with_table(child.clone())
        .with_dep(con_id("app.c", "c_p_fkey"), con_id("app.p", "p_pkey"));
    let to = base()
        .with_table(parent(pk("p_pkey", "id")).with(unique("p_k_key", "k")))
        .with_table(child.clone());
    // Unrelated change: nothing else moves.
    insta::assert_snapshot!(changes(&from, &to), @"constraint add app.p p_k_key: UNIQUE (k)");
    let to = base()
        .with_table(parent(pk("p_pkey", "id, k")).with(unique("p_id_key", "id")))
        .with_table(child);
    insta::assert_snapshot!(changes(&from, &to), @r"
    constraint drop app.p p_pkey
    constraint add app.p p_id_key: UNIQUE (id)
    constraint add app.p p_pkey: PRIMARY KEY (id, k)
    constraint drop app.c c_p_fkey
    constraint add app.c c_p_fkey: FOREIGN KEY (p) REFERENCES app.p(id)
    ");
}

#[test]
fn trigger_stays_when_its_function_body_is_replaced() {
    let f = |body: &str| function("app.touch", "", "", "trigger", "plpgsql", &[], body);
    let t = trigger("app.users", "users_touch", "BEFORE UPDATE", "app.touch");
    let dep = |c: Catalog| {
        c.with_dep(
            trigger_id("app.users", "users_touch"),
            fn_id("app.touch", ""),
        )
    };
    let from = dep(users("integer")
        .with_function(f("\nBEGIN RETURN NEW; END\n"))
        .with_trigger(t.clone()));
    let to = dep(users("integer")
        .with_function(f("\nBEGIN RETURN OLD; END\n"))
        .with_trigger(t));
    insta::assert_snapshot!(changes(&from, &to), @"function replace app.touch()");
}

#[test]
fn trigger_over_a_recreated_enum_is_recreated() {
    let mut t = trigger("app.posts", "posts_audit", "AFTER UPDATE", "app.audit");
    t.definition = t.definition.replace(
        "FOR EACH ROW",
        "FOR EACH ROW WHEN ((new.status <> 'b'::app.e))",
    );
    let cat = |labels: &[&str]| {
        base()
            .with_enum(enum_type("app.e", labels))
            .with_table(table("app.posts", vec![col("status", "app.e")]))
            .with_trigger(t.clone())
            .with_dep(trigger_id("app.posts", "posts_audit"), type_id("app.e"))
    };
    insta::assert_snapshot!(changes(&cat(&["a", "b", "c"]), &cat(&["b", "c"])), @r#"
    enum recreate app.e ["b", "c"]
    trigger drop posts_audit on app.posts
    trigger create posts_audit on app.posts
    "#);
}

#[test]
fn default_over_a_recreated_function_is_reset() {
    let f = |result: &str| function("app.n", "", "", result, "sql", &[], " SELECT 1 ");
    let t = table("app.t", vec![col("n", "bigint").default_to("app.n()")]);
    let dep = |c: Catalog| c.with_dep(col_id("app.t", "n"), fn_id("app.n", ""));
    let from = dep(base().with_function(f("integer")).with_table(t.clone()));
    let to = dep(base().with_function(f("bigint")).with_table(t));
    insta::assert_snapshot!(changes(&from, &to), @r"
    function drop app.n()
    function create app.n()
    column reset default app.t.n
    ");
}

#[test]
fn enum_recreation_carries_the_column_default() {
    let t = |default: &str| table("app.t", vec![col("s", "app.e").default_to(default)]);
    let from = base()
        .with_enum(enum_type("app.e", &["a", "b", "c"]))
        .with_table(t("'a'::app.e"));
    let to = base()
        .with_enum(enum_type("app.e", &["b", "c"]))
        .with_table(t("'b'::app.e"));
    // No separate default change: the recreation sets the desired default.
    insta::assert_snapshot!(changes(&from, &to), @r#"enum recreate app.e ["b", "c"]"#);
}

#[test]
fn policy_over_a_retyped_column_is_recreated() {
    let p = policy("app.users", "mine", "SELECT", "(score > 0)");
    let dep = |c: Catalog| c.with_dep(policy_id("app.users", "mine"), col_id("app.users", "score"));
    let from = dep(users("integer").with_policy(p.clone()));
    let to = dep(users("bigint").with_policy(p));
    insta::assert_snapshot!(changes(&from, &to), @r"
    column alter app.users.score integer -> bigint default None -> None
    policy drop mine on app.users
    policy create mine on app.users
    ");
}

#[test]
fn materialized_view_recreated_brings_its_indexes_back() {
    let mv = |q: &str| matview("app.m", q, &[("n", "bigint")]);
    let idx = index("app.m_n_idx", "app.m", "btree (n)");
    let from = base()
        .with_view(mv(" SELECT 1::bigint AS n;"))
        .with_index(idx.clone());
    let to = base()
        .with_view(mv(" SELECT 2::bigint AS n;"))
        .with_index(idx);
    insta::assert_snapshot!(changes(&from, &to), @r"
    view drop app.m
    view create app.m
    index create app.m_n_idx
    ");
}
