//! Loading over several connections (`src/source/schedule.rs`, `src/source/run.rs`)
//! gives the database that loading one statement after another gives. The reference is
//! the file run whole on one session, as psql runs it; the desired state loaded from the
//! same file over four connections must then plan to nothing against it, run after run.
//! Every class of order-dependent statement the schedule knows of is in the file:
//! columns added to one table, names PostgreSQL chooses (alike for two tables), identity
//! sequences, partitions indexed through their parent, inheritance children gaining
//! columns, enum values added later, default privileges half-way, names found through the
//! search path, `DO`, comments and grants.

use crate::cli::{expect, run, text, write};
use crate::support::{Env, TestResult, bin, run_user_sql, trial};
use std::fmt::Write;
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "load::parallel_gives_what_in_order_gives",
        same_as_in_order,
    )]
}

fn schema_sql() -> String {
    let mut sql = String::from(
        "SET client_min_messages = warning;\n\
         SET check_function_bodies = true;\n\
         CREATE SCHEMA app;\nCREATE SCHEMA other;\n\
         CREATE TYPE app.mood AS ENUM ('low');\n",
    );
    for i in 0..24 {
        let _ = writeln!(
            sql,
            "CREATE TABLE app.w{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n\
             ALTER TABLE app.w{i} ADD COLUMN b{i} int;\n\
             ALTER TABLE app.w{i} ADD COLUMN a{i} text UNIQUE;\n\
             CREATE INDEX ON app.w{i} (b{i});\n\
             CREATE INDEX ON app.w{i} (b{i});\n\
             CREATE TABLE app.w{i}_b{i} (a{i} int UNIQUE, m app.mood);\n\
             CREATE TABLE app.w{i}_b (id serial PRIMARY KEY, w_id bigint REFERENCES app.w{i});\n\
             ALTER TABLE app.w{i} ADD COLUMN c{i} bigint REFERENCES app.w{i}_b (id);\n\
             CREATE VIEW app.v{i} AS SELECT id, b{i} FROM app.w{i};\n\
             CREATE VIEW app.vv{i} AS SELECT * FROM app.v{i};\n\
             CREATE FUNCTION app.f{i}() RETURNS bigint LANGUAGE sql STABLE \
             AS $$ SELECT count(*) FROM app.vv{i} $$;\n\
             COMMENT ON TABLE app.w{i} IS 'w{i}';\n\
             COMMENT ON COLUMN app.w{i}.b{i} IS 'b{i}';\n\
             GRANT SELECT ON app.w{i} TO PUBLIC;\n\
             GRANT UPDATE (b{i}) ON app.w{i} TO PUBLIC;\n\
             ALTER TABLE app.w{i} ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY p{i} ON app.w{i} USING (b{i} > 0);\n\
             CREATE TABLE app.k{i} (b_c int UNIQUE);\n\
             CREATE TABLE app.k{i}_b (c int UNIQUE);"
        );
    }
    // Partitions made before their parent's index: PostgreSQL names the partitions' own.
    sql.push_str("CREATE TABLE app.events (id int, at date) PARTITION BY RANGE (at);\n");
    for y in 0..6 {
        let _ = writeln!(
            sql,
            "CREATE TABLE app.ev_{y} PARTITION OF app.events \
             FOR VALUES FROM ('20{y:02}-01-01') TO ('20{:02}-01-01');",
            y + 1
        );
    }
    sql.push_str("CREATE INDEX ON app.events (at);\nCREATE UNIQUE INDEX ON app.events (id, at);\n");
    // Children first, then columns on the parent: they go to the children too.
    sql.push_str("CREATE TABLE app.base (id int);\n");
    for c in 0..4 {
        let _ = writeln!(
            sql,
            "CREATE TABLE app.child{c} (own{c} int) INHERITS (app.base);\n\
             ALTER TABLE app.child{c} ADD COLUMN late{c} int;"
        );
    }
    sql.push_str(
        "ALTER TABLE app.base ADD COLUMN parent_late int;\n\
         ALTER TYPE app.mood ADD VALUE 'high';\n\
         ALTER TYPE app.mood ADD VALUE 'mid' BEFORE 'high';\n\
         DO $$ BEGIN CREATE TYPE app.guarded AS ENUM ('x'); \
         EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n\
         CREATE TABLE app.after_defaults (id int);\n\
         SET search_path = other, app;\n\
         CREATE TABLE pathed (x int);\n\
         CREATE TABLE mood_user (x int, m mood);\n\
         CREATE VIEW pathed_v AS SELECT x FROM pathed JOIN mood_user USING (x);\n\
         SET search_path TO DEFAULT;\n",
    );
    for i in 0..30 {
        let _ = writeln!(
            sql,
            "CREATE TABLE other.s{i} (id int PRIMARY KEY, note text);\n\
             CREATE SEQUENCE other.q{i};\n\
             ALTER SEQUENCE other.q{i} OWNED BY other.s{i}.id;\n\
             COMMENT ON SEQUENCE other.q{i} IS 'q{i}';\n\
             GRANT USAGE ON SEQUENCE other.q{i} TO PUBLIC;"
        );
    }
    sql
}

fn same_as_in_order(env: Arc<Env>) -> TestResult {
    let sql = schema_sql();
    let db = env.block_on(async {
        let db = env.scratch("profe_parallel").await?;
        let client = env.connect(&db).await?;
        run_user_sql(&client, &sql)
            .await
            .map_err(|e| format!("the reference load fails: {e:?}"))?;
        Ok::<_, String>(db)
    })?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = write(dir.path(), "schema.sql", &sql);
    let url = env.url(&db.name);
    let dev = env.url("postgres");
    let plan = |connections: &str, to: &std::path::Path, validate: bool| {
        let mut cmd = bin();
        cmd.args(["plan", "--dev-url", &dev, "--from", &url, "--to"])
            .arg(to)
            .env("PROFE_MIGRATE_LOAD_CONNECTIONS", connections)
            .env("PROFE_MIGRATE_LOG", "profe_migrate::source::run=debug");
        if !validate {
            cmd.arg("--no-validate");
        }
        run(&mut cmd)
    };
    // In order, the loaded state is the database: nothing to plan.
    let alone = plan("1", &file, false);
    expect(&alone, 0)?;
    let reference = String::from_utf8_lossy(&alone.stdout).to_string();
    if reference.contains("-- step 1") {
        return Err(format!("loaded in order, the state differs:\n{reference}"));
    }
    for round in 0..3 {
        let o = plan("4", &file, false);
        expect(&o, 0)?;
        let log = String::from_utf8_lossy(&o.stderr);
        // Falling back to one connection after a failure would hide a wrong schedule.
        if !log.contains("over 4 connection(s)") || log.contains("loaded in order on one") {
            return Err(format!("not loaded over four connections:\n{}", text(&o)));
        }
        if String::from_utf8_lossy(&o.stdout) != reference {
            return Err(format!(
                "round {round}: loaded over four connections, the state differs from the \
                 file run in order:\n{}",
                text(&o)
            ));
        }
    }
    // A change, validated: the copy of the database is loaded over four connections too,
    // and the plan is the one a load over one gives.
    let changed = write(
        dir.path(),
        "changed.sql",
        &format!("{sql}\nCREATE TABLE app.added (id int);\n"),
    );
    let one = plan("1", &changed, true);
    expect(&one, 0)?;
    let four = plan("4", &changed, true);
    expect(&four, 0)?;
    let copy_stage = "copying the current schema to replay on: ";
    if !String::from_utf8_lossy(&four.stderr).contains(copy_stage) {
        return Err(format!("no copy was loaded:\n{}", text(&four)));
    }
    if one.stdout != four.stdout || !String::from_utf8_lossy(&four.stdout).contains("app.added") {
        return Err(format!(
            "over one connection:\n{}\nover four:\n{}",
            text(&one),
            text(&four)
        ));
    }
    Ok(())
}
