//! What the warm server keeps between runs (`src/cluster/warm/templates.rs`): the copy of
//! the current schema as a template database and the loaded desired state, both keyed by
//! content. The next run with the same inputs uses them, a changed file or database never
//! does, and a run killed at any moment leaves nothing that a later run would take for a
//! complete entry. Named under `cli::` like warm.rs: run once, not on each version pass.

use crate::cli::{expect, run, text, write};
use crate::support::{Env, TestResult, run_user_sql, trial};
use crate::warm::{Cache, profe_databases, stdout};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "cli::warm_server_keeps_what_it_loaded_never_a_stale_copy",
            kept_never_stale,
        ),
        trial(
            env,
            "cli::warm_server_killed_runs_leave_nothing_broken",
            killed_runs,
        ),
    ]
}

const REUSED_STATE: &str = "desired state: read back by an earlier run";
const CLONED: &str = "replay copy: cloned from profe_tpl_";
const NO_TEMPLATE: &str = "replay copy: no template profe_tpl_";
const SAME_DATABASE: &str = "database catalog: unchanged since an earlier run";
const SAME_DUMP: &str = "database dump: unchanged since an earlier run";
const SAME_VERDICT: &str = "replay: this plan on this copy converged in an earlier run";
const SAME_PLAN: &str = "plan: both sides unchanged since an earlier run";
const SAME_COPY_READS: &str = "replay copy: read by an earlier run";

/// `plan --from URL --to FILES` with the warm server, its debug log on stderr.
fn plan(cache: &Cache, url: &str, to: &Path) -> Command {
    let mut c = cache.cmd();
    c.args(["plan", "--from", url, "--to"])
        .arg(to)
        .env("PROFE_MIGRATE_LOG", "profe_migrate=debug");
    c
}

/// The same plan with a throwaway shadow server: what the kept entries must give.
fn fresh(cache: &Cache, url: &str, to: &Path) -> Result<String, String> {
    let o = run(cache
        .cmd()
        .args(["plan", "--no-warm-server", "--from", url, "--to"])
        .arg(to));
    expect(&o, 0)?;
    Ok(stdout(&o))
}

/// The count `server status` gives on its line starting with `label`.
fn kept(status: &str, label: &str) -> Result<usize, String> {
    status
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(label)?
                .trim()
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .ok_or_else(|| format!("no {label:?} in server status:\n{status}"))
}

/// The desired states kept (files `state-*.json`) and the copies kept (template
/// databases, as `server status` counts them).
fn counts(cache: &Cache) -> Result<(usize, usize), String> {
    let status = cache.status()?;
    let mut states = 0;
    for place in std::fs::read_dir(cache.dir.path()).map_err(|e| e.to_string())? {
        let kept = place.map_err(|e| e.to_string())?.path().join("kept");
        states += std::fs::read_dir(&kept)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|f| f.file_name().to_string_lossy().starts_with("state-"))
            .count();
    }
    Ok((states, kept(&status, "kept copies (template databases):")?))
}

/// Each of `wanted` is in the run's log, none of `unwanted`.
fn logged(o: &Output, wanted: &[&str], unwanted: &[&str]) -> TestResult {
    let log = stderr(o);
    for w in wanted {
        if !log.contains(w) {
            return Err(format!("{w:?} not in the log:\n{}", text(o)));
        }
    }
    for u in unwanted {
        if log.contains(u) {
            return Err(format!("{u:?} in the log:\n{}", text(o)));
        }
    }
    Ok(())
}

/// Runs `text` in the scratch database `db` (one runtime: the connection lives in it).
fn sql(env: &Env, db: &profe_migrate::db::ScratchDb, text: &str) -> TestResult {
    env.block_on(async {
        let client = env.connect(db).await?;
        run_user_sql(&client, text).await.map_err(|e| e.to_string())
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A plan that succeeds and equals `want`.
fn same_plan(o: &Output, want: &str) -> TestResult {
    expect(o, 0)?;
    if stdout(o) != want {
        return Err(format!(
            "the warm server's plan differs from a throwaway one's:\n{}\n--- expected ---\n{want}",
            text(o)
        ));
    }
    Ok(())
}

fn kept_never_stale(env: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    let db = env.block_on(env.scratch("warm_kept"))?;
    let result = (|| {
        sql(
            &env,
            &db,
            "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY);",
        )?;
        let url = env.url(&db.name);
        let dir = cache.files.path().join("kept");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let wide = "CREATE SCHEMA app;\nCREATE TABLE app.t (id int PRIMARY KEY, name text);\n";
        write(&dir, "app.sql", wide);

        let first = run(&mut plan(&cache, &url, &dir));
        same_plan(&first, &fresh(&cache, &url, &dir)?)?;
        if !stdout(&first).contains("ADD COLUMN name") {
            return Err(text(&first));
        }
        if counts(&cache)? != (1, 1) {
            return Err(format!("after one plan:\n{}", cache.status()?));
        }
        // The same inputs: everything kept is used (the desired state, the database's
        // catalog and dump, the replay's verdict), and gives the same plan.
        let second = run(&mut plan(&cache, &url, &dir));
        same_plan(&second, &stdout(&first))?;
        logged(&second, &[SAME_PLAN], &[CLONED, NO_TEMPLATE, REUSED_STATE])?;
        // Rows and statistics are no DDL: the database's reads still hold.
        sql(
            &env,
            &db,
            "INSERT INTO app.t VALUES (1), (2); ANALYZE app.t;",
        )?;
        let rows = run(&mut plan(&cache, &url, &dir));
        same_plan(&rows, &stdout(&first))?;
        logged(&rows, &[SAME_PLAN], &[])?;
        // A catalog rewritten without DDL (VACUUM FULL) is read again, but the replay of
        // the same plan on the same copy is known to converge.
        sql(&env, &db, "VACUUM FULL pg_catalog.pg_class")?;
        let rewritten = run(&mut plan(&cache, &url, &dir));
        same_plan(&rewritten, &stdout(&first))?;
        logged(
            &rewritten,
            &[REUSED_STATE, SAME_VERDICT],
            &[SAME_PLAN, SAME_DATABASE, CLONED],
        )?;

        // A changed file: its state is loaded again; the database's reads and copy hold.
        write(
            &dir,
            "app.sql",
            &wide.replace("name text", "name text, note text"),
        );
        let third = run(&mut plan(&cache, &url, &dir));
        same_plan(&third, &fresh(&cache, &url, &dir)?)?;
        if !stdout(&third).contains("ADD COLUMN note") {
            return Err(text(&third));
        }
        logged(
            &third,
            &[SAME_DATABASE, CLONED, SAME_COPY_READS],
            &[REUSED_STATE, SAME_VERDICT, SAME_PLAN],
        )?;

        // A changed database: read again, its copy made again, not cloned from the old one.
        sql(&env, &db, "ALTER TABLE app.t ADD COLUMN note text")?;
        let fourth = run(&mut plan(&cache, &url, &dir));
        same_plan(&fourth, &fresh(&cache, &url, &dir)?)?;
        if stdout(&fourth).contains("ADD COLUMN note") {
            return Err(text(&fourth));
        }
        logged(
            &fourth,
            &[REUSED_STATE, NO_TEMPLATE],
            &[SAME_DATABASE, SAME_DUMP, SAME_VERDICT, SAME_PLAN],
        )?;
        // A change no plan of this scope sees (a comment on another schema) is DDL all
        // the same: nothing read before it is used.
        sql(
            &env,
            &db,
            "CREATE SCHEMA elsewhere; COMMENT ON SCHEMA elsewhere IS 'x'",
        )?;
        let fifth = run(&mut plan(&cache, &url, &dir));
        same_plan(&fifth, &fresh(&cache, &url, &dir)?)?;
        logged(&fifth, &[], &[SAME_DATABASE, SAME_DUMP, SAME_PLAN])?;
        if counts(&cache)? != (2, 2) {
            return Err(format!(
                "after plans of two states on two schemas of the database:\n{}",
                cache.status()?
            ));
        }
        Ok(())
    })();
    let _ = env.block_on(db.drop_db());
    result
}

/// `n` tables in schema `big`, each with `columns`, and an index on `b` when `indexed`.
fn tables(n: usize, columns: &str, indexed: bool) -> String {
    let mut sql = String::from("CREATE SCHEMA big;\n");
    for i in 0..n {
        sql.push_str(&format!("CREATE TABLE big.t{i} ({columns});\n"));
        if indexed {
            sql.push_str(&format!("CREATE INDEX t{i}_b ON big.t{i} (b);\n"));
        }
    }
    sql
}

fn killed_runs(env: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    let db = env.block_on(env.scratch("warm_killed"))?;
    let result = (|| {
        // The server runs before the runs that are killed (they are killed in their loads).
        let o = run(cache
            .cmd()
            .args(["plan", "--from", "empty", "--to"])
            .arg(cache.files.path()));
        expect(&o, 0)?;
        sql(
            &env,
            &db,
            &tables(150, "id int PRIMARY KEY, a text, b int", false),
        )?;
        let url = env.url(&db.name);
        let dir = cache.files.path().join("big");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        write(
            &dir,
            "big.sql",
            &tables(150, "id int PRIMARY KEY, a text, b int, c date", true),
        );
        let mut killed = 0;
        for delay in [100, 250, 400, 600, 900, 1300] {
            let mut child = plan(&cache, &url, &dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| e.to_string())?;
            std::thread::sleep(Duration::from_millis(delay));
            if child.try_wait().map_err(|e| e.to_string())?.is_none() {
                killed += 1;
            }
            // SIGKILL: nothing of the run's own cleanup runs.
            let _ = child.kill();
            let _ = child.wait();
        }
        // The delays span a run: most of them land inside one.
        if killed < 4 {
            return Err(format!(
                "only {killed} of 6 runs were still running when killed"
            ));
        }
        let want = fresh(&cache, &url, &dir)?;
        let o = run(&mut plan(&cache, &url, &dir));
        same_plan(&o, &want)?;
        // Whatever the killed runs left, what is kept now is whole: a run using it agrees.
        let again = run(&mut plan(&cache, &url, &dir));
        same_plan(&again, &want)?;
        logged(&again, &[SAME_PLAN], &[])?;
        let templates: Vec<String> = env
            .block_on(profe_databases(&cache.status()?))?
            .into_iter()
            .filter(|n| n.starts_with("profe_tpl_"))
            .collect();
        if templates.is_empty() {
            return Err(format!("no template kept:\n{}", cache.status()?));
        }
        for place in std::fs::read_dir(cache.dir.path()).map_err(|e| e.to_string())? {
            let kept = place.map_err(|e| e.to_string())?.path().join("kept");
            for file in std::fs::read_dir(&kept).into_iter().flatten().flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if name.starts_with("state-") {
                    let bytes = std::fs::read(file.path()).map_err(|e| e.to_string())?;
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map_err(|e| format!("{name} is not whole: {e}"))?;
                }
            }
        }
        Ok(())
    })();
    let _ = env.block_on(db.drop_db());
    result
}
