//! The schedule of small states: what waits for what.

use super::*;
use crate::source::{DesiredState, SourceFile};
use std::path::PathBuf;

fn schedule(sql: &str) -> (Vec<String>, Schedule) {
    let state = DesiredState::from_files(vec![SourceFile {
        path: PathBuf::from("t.sql"),
        text: sql.to_string(),
    }])
    .expect("parses");
    let texts = state.statements.iter().map(|s| s.sql.clone()).collect();
    (texts, state.schedule)
}

/// Whether the statement starting with `b` waits (directly or not) for the one
/// starting with `a`.
fn waits(texts: &[String], s: &Schedule, a: &str, b: &str) -> bool {
    let find = |p: &str| texts.iter().position(|t| t.starts_with(p)).expect(p);
    let (a, b) = (find(a) as u32, find(b));
    let mut todo = vec![b as u32];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(x) = todo.pop() {
        for &d in &s.after[x as usize] {
            if d == a {
                return true;
            }
            if seen.insert(d) {
                todo.push(d);
            }
        }
    }
    false
}

#[test]
fn families_hold_the_names_postgresql_chooses() {
    assert_eq!(family("users"), "user");
    assert_eq!(family("users_email_key"), "user");
    assert_eq!(family("_users"), "user");
    assert_eq!(family("a_b"), "a");
    assert_eq!(family("a_b_c_idx"), "a");
    assert_eq!(family("ab"), "ab");
    assert_eq!(family("ab_c_idx"), "ab");
    assert_eq!(family("__x"), "x");
    assert_eq!(family("été_x"), "été");
}

#[test]
fn what_touches_one_object_keeps_its_order() {
    let sql = "CREATE SCHEMA app;
        CREATE TABLE app.t (a int);
        CREATE TABLE app.other (a int);
        ALTER TABLE app.t ADD COLUMN b int;
        ALTER TABLE app.t ADD COLUMN c int;
        CREATE INDEX ON app.t (b);
        CREATE TABLE app.x (id int PRIMARY KEY);
        CREATE TABLE app.y (x_id int REFERENCES app.x);
        CREATE VIEW app.v AS SELECT a FROM app.other;
        COMMENT ON TABLE app.other IS 'o';";
    let (texts, s) = schedule(sql);
    assert!(s.parallel);
    let w = |a, b| waits(&texts, &s, a, b);
    assert!(w(
        "ALTER TABLE app.t ADD COLUMN b",
        "ALTER TABLE app.t ADD COLUMN c"
    ));
    assert!(w("ALTER TABLE app.t ADD COLUMN c", "CREATE INDEX ON app.t"));
    assert!(w("CREATE TABLE app.x", "CREATE TABLE app.y"));
    assert!(w("CREATE VIEW app.v", "COMMENT ON TABLE app.other"));
    assert!(w("CREATE SCHEMA app", "CREATE TABLE app.x"));
    // Different families, no shared object: free to run at once.
    assert!(!w("CREATE TABLE app.t", "CREATE TABLE app.other"));
    assert!(!w("CREATE TABLE app.x", "CREATE VIEW app.v"));
}

#[test]
fn names_postgresql_may_choose_alike_keep_their_order() {
    // `a_b_c_key` is the name of both unique indexes PostgreSQL makes: which table gets
    // `a_b_c_key1` depends on which is made first.
    let sql = "CREATE TABLE a (b_c int UNIQUE);
        CREATE TABLE a_b (c int UNIQUE);
        CREATE TABLE _a (x int);
        CREATE TABLE zz (x int);";
    let (texts, s) = schedule(sql);
    assert!(waits(&texts, &s, "CREATE TABLE a (", "CREATE TABLE a_b"));
    assert!(waits(&texts, &s, "CREATE TABLE a_b", "CREATE TABLE _a"));
    assert!(!waits(&texts, &s, "CREATE TABLE a (", "CREATE TABLE zz"));
}

#[test]
fn unqualified_names_touch_every_schema_of_their_path() {
    let sql = "CREATE SCHEMA a; CREATE SCHEMA b;
        SET search_path = a, b;
        CREATE TABLE b.thing (x int);
        CREATE VIEW v AS SELECT * FROM thing;
        CREATE TABLE a.thing (x int);";
    let (texts, s) = schedule(sql);
    assert!(waits(&texts, &s, "CREATE TABLE b.thing", "CREATE VIEW v"));
    // The view names `thing`, which a.thing would take over: a.thing waits for it
    // or comes before it, as the ordering put them.
    let v = texts
        .iter()
        .position(|t| t.starts_with("CREATE VIEW"))
        .unwrap();
    let a = texts
        .iter()
        .position(|t| t.starts_with("CREATE TABLE a.thing"))
        .unwrap();
    let (first, second) = if v < a {
        ("CREATE VIEW v", "CREATE TABLE a.thing")
    } else {
        ("CREATE TABLE a.thing", "CREATE VIEW v")
    };
    assert!(waits(&texts, &s, first, second));
}

#[test]
fn what_is_not_known_safe_is_a_barrier() {
    let sql = "CREATE TABLE t1 (a int);
        DO $$ BEGIN CREATE TYPE mood AS ENUM ('x'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        CREATE TABLE t2 (a int);
        ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
        CREATE TABLE t3 (a int);
        GRANT USAGE ON SCHEMA public TO PUBLIC;
        CREATE TABLE t4 (a int);";
    let (texts, s) = schedule(sql);
    assert!(s.parallel);
    assert!(waits(&texts, &s, "CREATE TABLE t1", "DO"));
    assert!(waits(&texts, &s, "DO", "CREATE TABLE t2"));
    assert!(waits(&texts, &s, "CREATE TABLE t2", "ALTER DEFAULT"));
    assert!(waits(&texts, &s, "ALTER DEFAULT", "CREATE TABLE t3"));
    assert!(waits(&texts, &s, "GRANT USAGE", "CREATE TABLE t4"));
}

#[test]
fn what_changes_a_parent_changes_its_children() {
    // Columns added to a parent go to its children, after theirs so far; indexes on a
    // partitioned table are made on its partitions, named after them.
    let sql = "CREATE TABLE base (id int);
        CREATE TABLE child (own int) INHERITS (base);
        ALTER TABLE child ADD COLUMN late int;
        ALTER TABLE base ADD COLUMN parent_late int;
        CREATE TABLE ev (at date) PARTITION BY RANGE (at);
        CREATE TABLE x_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE x_2024_at_idx_table (a int);
        CREATE INDEX ON ev (at);
        ALTER SEQUENCE s OWNED BY t.id;";
    let (texts, s) = schedule(sql);
    assert!(waits(&texts, &s, "ALTER TABLE child", "ALTER TABLE base"));
    assert!(waits(
        &texts,
        &s,
        "CREATE TABLE x_2024_at",
        "CREATE INDEX ON ev"
    ));
}

#[test]
fn what_alters_a_type_keeps_its_order() {
    let sql = "CREATE TYPE mood AS ENUM ('low');
        CREATE TABLE uses (m mood);
        ALTER TYPE mood ADD VALUE 'high';
        ALTER TYPE mood ADD VALUE 'mid' BEFORE 'high';
        CREATE DOMAIN pos AS int;
        ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0);
        ALTER DOMAIN pos ADD CONSTRAINT q CHECK (VALUE < 10);";
    let (texts, s) = schedule(sql);
    assert!(waits(
        &texts,
        &s,
        "ALTER TYPE mood ADD VALUE 'high'",
        "ALTER TYPE mood ADD VALUE 'mid'"
    ));
    assert!(waits(
        &texts,
        &s,
        "CREATE TABLE uses",
        "ALTER TYPE mood ADD VALUE 'high'"
    ));
    assert!(waits(
        &texts,
        &s,
        "ALTER DOMAIN pos ADD CONSTRAINT p",
        "ALTER DOMAIN pos ADD CONSTRAINT q"
    ));
}

#[test]
fn session_settings_lead_or_keep_the_load_on_one_connection() {
    let header = "SET client_min_messages = warning;
        SELECT pg_catalog.set_config('search_path', '', false);
        SET check_function_bodies = false;
        CREATE TABLE public.t1 (a int);
        CREATE TABLE public.t2 (a int);";
    let (_, s) = schedule(header);
    assert!(s.parallel);
    assert_eq!(s.prelude, 3);
    let middle = "CREATE TABLE t1 (a int);
        SET default_table_access_method = heap;
        CREATE TABLE t2 (a int);";
    assert!(!schedule(middle).1.parallel);
    let role = "CREATE TABLE t1 (a int); SET ROLE someone; CREATE TABLE t2 (a int);";
    assert!(!schedule(role).1.parallel);
    let setting_do = "CREATE TABLE t1 (a int);
        DO $$ BEGIN PERFORM set_config('x.y', '1', false); END $$;";
    assert!(!schedule(setting_do).1.parallel);
}
