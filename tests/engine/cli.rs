//! The command line as scripts use it: exit codes, formats, plan files, inspect.

use crate::support::{Env, TestResult, bin, trial};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

pub(crate) fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run profe-migrate")
}

pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {}\nstdout:\n{}\nstderr:\n{}",
        code(o),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) fn expect(o: &Output, want: i32) -> TestResult {
    if code(o) == want {
        Ok(())
    } else {
        Err(format!("expected exit {want}, got {}", text(o)))
    }
}

pub(crate) fn write(dir: &Path, name: &str, sql: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, sql).unwrap();
    p
}

pub(crate) const MODEL: &str = "CREATE SCHEMA app;\n\
    CREATE TYPE app.kind AS ENUM ('a', 'b');\n\
    CREATE TABLE app.items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind app.kind NOT NULL DEFAULT 'a', name text NOT NULL UNIQUE);\n\
    CREATE TABLE app.notes (id serial PRIMARY KEY, item_id bigint REFERENCES app.items (id) ON DELETE CASCADE, body text CHECK (length(body) < 500));\n\
    CREATE INDEX notes_item ON app.notes (item_id) WHERE body IS NOT NULL;\n";

/// One of every kind the engine manages, across schemas, for the inspect round trip.
const EVERY_KIND: &str = r#"
CREATE SCHEMA other;
COMMENT ON SCHEMA other IS 'Other things';
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE TABLE other.t (id int PRIMARY KEY, item bigint REFERENCES app.items (id), email public.citext);
CREATE TABLE public.p (x int);
CREATE DOMAIN other.score AS numeric(5,2) DEFAULT 0 CONSTRAINT score_range CHECK (VALUE BETWEEN 0 AND 100);
CREATE TYPE other.period AS (starts_on date, ends_on date);
CREATE TABLE other.results (id bigint PRIMARY KEY, score other.score, period other.period, updated_at timestamptz);
COMMENT ON COLUMN other.results.score IS 'Out of 100';
CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER results_updated_at BEFORE UPDATE ON other.results FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE FUNCTION other.average() RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT avg(score) FROM other.results $$;
CREATE VIEW other.top AS SELECT id, score FROM other.results WHERE score > 90;
CREATE MATERIALIZED VIEW other.counts AS SELECT count(*) AS n FROM other.results;
CREATE UNIQUE INDEX counts_n ON other.counts (n);
CREATE TABLE other.events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE other.events_2026 PARTITION OF other.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at ON other.events (at);
CREATE AGGREGATE other.biggest(integer) (SFUNC = int4larger, STYPE = integer);
CREATE COLLATION other.posix (provider = libc, locale = 'C');
CREATE TABLE other.inherited (extra int) INHERITS (other.results);
CREATE ROLE insp_reader;
CREATE ROLE insp_owner;
GRANT USAGE ON SCHEMA other TO insp_reader;
GRANT SELECT ON other.results TO insp_reader WITH GRANT OPTION;
GRANT SELECT (id), UPDATE (email) ON other.t TO insp_reader;
ALTER TABLE other.results ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers ON other.results FOR SELECT TO insp_reader USING (score > 50);
COMMENT ON POLICY readers ON other.results IS 'Good results only';
REVOKE EXECUTE ON FUNCTION other.average() FROM PUBLIC;
ALTER VIEW other.top OWNER TO insp_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO insp_reader;
"#;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "cli::timeouts_are_configurable", |_| {
            let dir = tempfile::tempdir().unwrap();
            let b = write(dir.path(), "b.sql", "CREATE TABLE public.t (id int);");
            let o = run(bin()
                .args(["plan", "--from", "empty", "--lock-timeout", "750ms", "--to"])
                .arg(&b));
            expect(&o, 0)?;
            if !String::from_utf8_lossy(&o.stdout).contains("SET LOCAL lock_timeout = '750ms';") {
                return Err(text(&o));
            }
            let o = run(bin()
                .args(["plan", "--from", "empty", "--lock-timeout", "soon", "--to"])
                .arg(&b));
            expect(&o, 64)
        }),
        trial(env, "cli::markdown_shows_changed_bodies_as_diffs", |_| {
            let dir = tempfile::tempdir().unwrap();
            let a = write(
                dir.path(),
                "a.sql",
                "CREATE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$;",
            );
            let b = write(
                dir.path(),
                "b.sql",
                "CREATE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 2 $$;",
            );
            let o = run(bin()
                .args(["plan", "--format", "markdown", "--from"])
                .arg(&a)
                .arg("--to")
                .arg(&b));
            expect(&o, 0)?;
            let out = String::from_utf8_lossy(&o.stdout);
            if out.contains("-AS $function$ SELECT a + 1 $function$")
                && out.contains("+AS $function$ SELECT a + 2 $function$")
            {
                Ok(())
            } else {
                Err(text(&o))
            }
        }),
        trial(
            env,
            "cli::plan_from_empty_uses_the_embedded_postgres_and_apply_converges",
            |env| {
                let dir = tempfile::tempdir().unwrap();
                let to = write(dir.path(), "model.sql", MODEL);
                // No --dev-url: the binary starts its own throwaway server.
                let o = run(bin().args(["plan", "--from", "empty", "--to"]).arg(&to));
                expect(&o, 0)?;
                let out = String::from_utf8_lossy(&o.stdout);
                if !out.contains("CREATE TABLE app.items") || !out.contains("BEGIN;") {
                    return Err(text(&o));
                }
                let db = env.block_on(env.scratch("cli"))?;
                let url = env.url(&db.name);
                let o = run(bin()
                    .args([
                        "apply",
                        "--no-backup",
                        "--yes",
                        "--database-url",
                        &url,
                        "--to",
                    ])
                    .arg(&to));
                expect(&o, 0)?;
                let o = run(bin()
                    .args(["drift", "--database-url", &url, "--to"])
                    .arg(&to));
                let r = expect(&o, 0);
                let _ = env.block_on(db.drop_db());
                r
            },
        ),
        trial(env, "cli::exit_codes_hazards_and_drift", |env| {
            let dev = env.url("postgres");
            let dir = tempfile::tempdir().unwrap();
            let to = write(dir.path(), "model.sql", MODEL);
            let o = run(bin().args(["plan", "--no-such-flag"]));
            expect(&o, 64)?;
            let db = env.block_on(env.scratch("cli"))?;
            let url = env.url(&db.name);
            let r = (|| {
                let apply = |to: &Path, extra: &[&str]| {
                    run(bin()
                        .args([
                            "apply",
                            "--no-backup",
                            "--dev-url",
                            &dev,
                            "--database-url",
                            &url,
                            "--to",
                        ])
                        .arg(to)
                        .args(extra))
                };
                // Not on a terminal and no --yes: refused.
                expect(&apply(&to, &[]), 3)?;
                expect(&apply(&to, &["--yes"]), 0)?;
                let o = run(bin()
                    .args(["drift", "--dev-url", &dev, "--database-url", &url, "--to"])
                    .arg(&to));
                expect(&o, 0)?;
                // Dropping a table deletes data: refused unless allowed, and nothing changes.
                let smaller = write(dir.path(), "smaller.sql", &MODEL.replace(
                    "CREATE TABLE app.notes (id serial PRIMARY KEY, item_id bigint REFERENCES app.items (id) ON DELETE CASCADE, body text CHECK (length(body) < 500));\n\
    CREATE INDEX notes_item ON app.notes (item_id) WHERE body IS NOT NULL;\n", ""));
                let o = run(bin()
                    .args(["drift", "--dev-url", &dev, "--database-url", &url, "--to"])
                    .arg(&smaller));
                expect(&o, 2)?;
                let o = apply(&smaller, &["--yes"]);
                expect(&o, 3)?;
                if !String::from_utf8_lossy(&o.stderr).contains("DELETES_DATA") {
                    return Err(text(&o));
                }
                let o = run(bin()
                    .args(["drift", "--dev-url", &dev, "--database-url", &url, "--to"])
                    .arg(&to));
                expect(&o, 0)?;
                let o = apply(&smaller, &["--yes", "--allow-hazards", "DELETES_DATA"]);
                expect(&o, 0)?;
                let o = run(bin()
                    .args(["drift", "--dev-url", &dev, "--database-url", &url, "--to"])
                    .arg(&smaller));
                expect(&o, 0)?;
                let o = apply(&to, &["--yes", "--allow-hazards", "NOT_A_HAZARD"]);
                expect(&o, 64)
            })();
            let _ = env.block_on(db.drop_db());
            r
        }),
        trial(
            env,
            "cli::plan_file_is_refused_when_the_database_changed",
            |env| {
                let dev = env.url("postgres");
                let dir = tempfile::tempdir().unwrap();
                let to = write(dir.path(), "model.sql", MODEL);
                let plan = dir.path().join("plan.json");
                let db = env.block_on(env.scratch("cli"))?;
                let url = env.url(&db.name);
                let r = (|| {
                    let o = run(bin()
                        .args([
                            "plan",
                            "--dev-url",
                            &dev,
                            "--from",
                            &url,
                            "--format",
                            "json",
                            "--out",
                        ])
                        .arg(&plan)
                        .arg("--to")
                        .arg(&to));
                    expect(&o, 0)?;
                    let json: serde_json::Value =
                        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap())
                            .map_err(|e| e.to_string())?;
                    for key in ["source_fingerprint", "steps", "summary"] {
                        if json.get(key).is_none() {
                            return Err(format!("plan JSON lacks {key}"));
                        }
                    }
                    let step = &json["steps"][0];
                    if !(step["sql"].is_string()
                        && step["object"].is_string()
                        && step["hazards"].is_array()
                        && step["transactional"].is_boolean())
                    {
                        return Err(format!("bad step: {step}"));
                    }
                    env.block_on(async {
                        let c =
                            profe_migrate::db::connect(&profe_migrate::db::parse(&url).unwrap())
                                .await
                                .unwrap();
                        c.batch_execute("CREATE SCHEMA app").await.unwrap();
                    });
                    let o = run(bin()
                        .args([
                            "apply",
                            "--no-backup",
                            "--yes",
                            "--database-url",
                            &url,
                            "--plan",
                        ])
                        .arg(&plan));
                    expect(&o, 3)?;
                    env.block_on(async {
                        let c =
                            profe_migrate::db::connect(&profe_migrate::db::parse(&url).unwrap())
                                .await
                                .unwrap();
                        c.batch_execute("DROP SCHEMA app").await.unwrap();
                    });
                    let o = run(bin()
                        .args([
                            "apply",
                            "--no-backup",
                            "--yes",
                            "--database-url",
                            &url,
                            "--plan",
                        ])
                        .arg(&plan));
                    expect(&o, 0)
                })();
                let _ = env.block_on(db.drop_db());
                r
            },
        ),
        trial(
            env,
            "cli::apply_refuses_while_another_run_holds_the_lock",
            |env| {
                let dev = env.url("postgres");
                let dir = tempfile::tempdir().unwrap();
                let to = write(dir.path(), "model.sql", MODEL);
                let db = env.block_on(env.scratch("cli"))?;
                let url = env.url(&db.name);
                // The CLI runs on the blocking pool so that this runtime keeps serving the
                // connection that holds the lock.
                let apply = || {
                    let (dev, url, to) = (dev.clone(), url.clone(), to.clone());
                    tokio::task::spawn_blocking(move || {
                        run(bin()
                            .args([
                                "apply",
                                "--no-backup",
                                "--yes",
                                "--dev-url",
                                &dev,
                                "--database-url",
                                &url,
                            ])
                            .arg("--to")
                            .arg(&to))
                    })
                };
                let r = env.block_on(async {
                    let other = profe_migrate::db::connect(
                        &profe_migrate::db::parse(&url).map_err(|e| e.to_string())?,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    let pid: i32 = other
                        .query_one(
                            "SELECT pg_advisory_lock($1), pg_backend_pid()",
                            &[&profe_migrate::apply::LOCK_KEY],
                        )
                        .await
                        .map_err(|e| e.to_string())?
                        .get(1);
                    let o = apply().await.map_err(|e| e.to_string())?;
                    expect(&o, 1)?;
                    let msg = text(&o);
                    if !msg.contains("holds the migration lock")
                        || !msg.contains(&format!("backend {pid}"))
                    {
                        return Err(format!(
                            "the refusal does not say who holds the lock: {msg}"
                        ));
                    }
                    let schemas: i64 = other
                        .query_one(
                            "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'",
                            &[],
                        )
                        .await
                        .map_err(|e| e.to_string())?
                        .get(0);
                    if schemas != 0 {
                        return Err("apply changed the database without the lock".into());
                    }
                    drop(other);
                    expect(&apply().await.map_err(|e| e.to_string())?, 0)
                });
                let _ = env.block_on(db.drop_db());
                r
            },
        ),
        trial(
            env,
            "cli::inspect_writes_files_that_plan_back_to_nothing",
            |env| {
                let dev = env.url("postgres");
                let dir = tempfile::tempdir().unwrap();
                let db = env.block_on(env.scratch("cli"))?;
                let url = env.url(&db.name);
                let r = (|| {
                    env.block_on(async {
                        let c =
                            profe_migrate::db::connect(&profe_migrate::db::parse(&url).unwrap())
                                .await
                                .unwrap();
                        c.batch_execute(MODEL).await.unwrap();
                        c.batch_execute(EVERY_KIND).await.unwrap();
                    });
                    let out = dir.path().join("inspected");
                    let o = run(bin()
                        .args(["inspect", "--database-url", &url, "--out"])
                        .arg(&out));
                    expect(&o, 0)?;
                    if !out.join("app.sql").is_file() || !out.join("other.sql").is_file() {
                        return Err(format!("missing files: {}", text(&o)));
                    }
                    let o = run(bin()
                        .args(["plan", "--dev-url", &dev, "--from", &url, "--to"])
                        .arg(&out));
                    expect(&o, 0)?;
                    if String::from_utf8_lossy(&o.stdout) != "-- no changes\n" {
                        return Err(text(&o));
                    }
                    Ok(())
                })();
                let _ = env.block_on(db.drop_db());
                r
            },
        ),
        trial(env, "cli::plans_are_deterministic_in_every_format", |env| {
            let dev = env.url("postgres");
            let dir = tempfile::tempdir().unwrap();
            let to = write(dir.path(), "model.sql", MODEL);
            for format in ["sql", "json", "markdown", "sarif"] {
                let once = run(bin()
                    .args(["plan", "--dev-url", &dev, "--format", format, "--to"])
                    .arg(&to));
                expect(&once, 0)?;
                let twice = run(bin()
                    .args(["plan", "--dev-url", &dev, "--format", format, "--to"])
                    .arg(&to));
                if once.stdout != twice.stdout {
                    return Err(format!("{format} differs between runs"));
                }
                let out = String::from_utf8_lossy(&once.stdout);
                let marker = match format {
                    "sql" => "CREATE TYPE app.kind",
                    "json" => "\"source_fingerprint\"",
                    "sarif" => "\"version\": \"2.1.0\"",
                    _ => "| table | 2 | 0 | 0 |",
                };
                if !out.contains(marker) {
                    return Err(format!("{format} output lacks {marker:?}:\n{out}"));
                }
            }
            Ok(())
        }),
    ]
}
