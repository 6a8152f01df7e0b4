//! Failure injection: the command line killed with SIGKILL at random points of an apply
//! (tables altered and created, indexes built concurrently), then a new run; and two
//! applies at once. After each, the database converges (a new apply, then a plan with no
//! changes), no run is left `running` in the history, and no embedded server or
//! directory outlives its run. The small forms run by default; the big ones (a few hundred
//! tables, more kills) are ignored unless asked for (`scripts/failure-injection.sh`).
//! `PROFE_CRASH_SEED` replays a sequence of kill points.

use super::{assert_gone, bin, cluster_dirs, describe, exec, temp_root};
use crate::support::{Env, TestResult, trial};
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The starting point and the desired state for `n` tables: every table gets an index
/// (built concurrently), every third a column, every fourth a new table beside it.
fn schemas(n: usize) -> (String, String) {
    let mut from = String::new();
    let mut desired = String::new();
    for i in 0..n {
        from.push_str(&format!(
            "CREATE TABLE public.t{i} (id int PRIMARY KEY, v text);\n\
             INSERT INTO public.t{i} SELECT g, md5(g::text) FROM generate_series(1, 500) g;\n"
        ));
        let extra = if i % 3 == 0 { ", w int" } else { "" };
        desired.push_str(&format!(
            "CREATE TABLE public.t{i} (id int PRIMARY KEY, v text{extra});\n\
             CREATE INDEX t{i}_v ON public.t{i} (v);\n"
        ));
        if i % 4 == 0 {
            desired.push_str(&format!(
                "CREATE TABLE public.n{i} (id int PRIMARY KEY, t int REFERENCES public.t{i} (id));\n"
            ));
        }
    }
    (from, desired)
}

/// A small generator of kill points: reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn new() -> (Rng, u64) {
        let seed = std::env::var("PROFE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        (Rng(seed | 1), seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn apply_cmd(tmp: &Path, url: &str, desired: &Path) -> std::process::Command {
    let mut c = bin();
    c.env("TMPDIR", tmp)
        .args(["apply", "--yes", "--no-backup", "--allow-hazards", "all"])
        .args(["--database-url", url, "--to"])
        .arg(desired);
    c
}

/// Results in the history, oldest first.
fn history(url: &str) -> Result<Vec<String>, String> {
    let o = bin()
        .args(["history", "--format", "json", "--database-url", url])
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!("history: {}", describe(&o)));
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
    Ok(v.as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["result"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until `run` has written its history row (its steps are about to run), or ended.
fn wait_for_steps(env: &Env, url: &str, run: &mut std::process::Child) -> TestResult {
    env.block_on(async {
        let t = profe_migrate::db::parse(url).map_err(|e| e.to_string())?;
        let c = profe_migrate::db::connect(&t)
            .await
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let running = c
                .query_one(
                    "SELECT to_regclass('profe_migrate.history') IS NOT NULL AND EXISTS \
                       (SELECT FROM profe_migrate.history WHERE result = 'running')",
                    &[],
                )
                .await
                .is_ok_and(|r| r.get::<_, Option<bool>>(0) == Some(true));
            if running || run.try_wait().ok().flatten().is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err("the run never started its steps".into())
    })
}

/// Waits until no session holds the engine's lock on the database at `url`.
fn wait_lock_free(env: &Env, url: &str) -> TestResult {
    env.block_on(async {
        let t = profe_migrate::db::parse(url).map_err(|e| e.to_string())?;
        let c = profe_migrate::db::connect(&t)
            .await
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let held: bool = c
                .query_one(
                    "SELECT EXISTS (SELECT FROM pg_catalog.pg_locks WHERE locktype = 'advisory' \
                       AND database = (SELECT oid FROM pg_catalog.pg_database \
                                       WHERE datname = current_database()) \
                       AND classid::bigint = ($1::bigint >> 32) \
                       AND objid::bigint = ($1::bigint & 4294967295) AND objsubid = 1)",
                    &[&profe_migrate::apply::LOCK_KEY],
                )
                .await
                .map_err(|e| e.to_string())?
                .get(0);
            if !held {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err("the lock of a killed run was never released".into())
    })
}

/// No embedded cluster is left under `tmp` (they go within seconds of their run).
fn no_cluster_left(tmp: &Path) -> TestResult {
    for dir in cluster_dirs(tmp) {
        assert_gone(&dir, Duration::from_secs(20))?;
    }
    Ok(())
}

/// Applies until it succeeds; a run killed a moment ago may hold the lock until its
/// server session notices.
fn apply_until_done(tmp: &Path, url: &str, desired: &Path) -> Result<Output, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let o = apply_cmd(tmp, url, desired)
            .output()
            .map_err(|e| e.to_string())?;
        let err = String::from_utf8_lossy(&o.stderr);
        if o.status.success() || !err.contains("holds the migration lock") {
            return Ok(o);
        }
        if Instant::now() > deadline {
            return Err(format!("the lock was never released: {}", describe(&o)));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The database matches `desired` and its history has no run left `running`.
fn converged(tmp: &Path, url: &str, desired: &Path) -> TestResult {
    let o = bin()
        .env("TMPDIR", tmp)
        .args(["plan", "--from", url, "--to"])
        .arg(desired)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() || o.stdout != b"-- no changes\n" {
        return Err(format!("not converged: {}", describe(&o)));
    }
    let h = history(url)?;
    // A run killed after its last step but before recording it is `interrupted`
    // too, and the next run then finds nothing to do: no result is required, only
    // that none still claims to be running.
    if h.iter().any(|r| r == "running") {
        return Err(format!("history after converging: {h:?}"));
    }
    no_cluster_left(tmp)
}

fn kill_mid_apply(env: &Env, tables: usize, kills: usize) -> TestResult {
    let (mut rng, seed) = Rng::new();
    let tmp = temp_root()?;
    let (from, desired_sql) = schemas(tables);
    let desired = tmp.path().join("desired.sql");
    std::fs::write(&desired, desired_sql).map_err(|e| e.to_string())?;
    let db = env.block_on(env.scratch("inject"))?;
    let url = env.url(&db.name);
    let result = (|| {
        exec(env, &url, &from)?;
        for k in 0..kills {
            // Each run has work to do: the session of the run killed before may still
            // finish its statement (an index build) and hold the lock meanwhile.
            wait_lock_free(env, &url)?;
            let log = tmp.path().join(format!("run-{k}.log"));
            let mut run = apply_cmd(tmp.path(), &url, &desired)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
                .spawn()
                .map_err(|e| e.to_string())?;
            let start = Instant::now();
            // Half the kills land while the steps run (the history row is written
            // before the first), the others anywhere from the start.
            let delay = if k % 2 == 0 {
                wait_for_steps(env, &url, &mut run)?;
                rng.below(8 * tables as u64)
            } else {
                rng.below(3000 + 20 * tables as u64)
            };
            std::thread::sleep(Duration::from_millis(delay));
            let killed = run.try_wait().ok().flatten().is_none();
            let _ = run.kill();
            let _ = run.wait();
            let ended = if killed {
                String::new()
            } else {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                format!(": {}", text.lines().last().unwrap_or("(no output)"))
            };
            eprintln!(
                "kill {k}: {} after {:?}{ended}",
                if killed { "killed" } else { "already ended" },
                start.elapsed()
            );
            no_cluster_left(tmp.path())?;
        }
        let o = apply_until_done(tmp.path(), &url, &desired)?;
        if !o.status.success() {
            return Err(format!("the run after the kills: {}", describe(&o)));
        }
        converged(tmp.path(), &url, &desired)
    })();
    let _ = env.block_on(db.drop_db());
    result.map_err(|e| format!("{e}\n(PROFE_CRASH_SEED={seed} replays these kill points)"))
}

/// Two applies of the same desired state at once: the lock keeps them apart; the one
/// that loses says why; the database ends as desired with one applied run.
fn concurrent_applies(env: &Env, tables: usize) -> TestResult {
    let tmp = temp_root()?;
    let (from, desired_sql) = schemas(tables);
    let desired = tmp.path().join("desired.sql");
    std::fs::write(&desired, desired_sql).map_err(|e| e.to_string())?;
    let db = env.block_on(env.scratch("concurrent"))?;
    let url = env.url(&db.name);
    let result = (|| {
        exec(env, &url, &from)?;
        let runs: Vec<_> = (0..2)
            .map(|_| {
                apply_cmd(tmp.path(), &url, &desired)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
            })
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let outs: Vec<Output> = runs
            .into_iter()
            .map(|r| r.wait_with_output())
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let won = outs.iter().filter(|o| o.status.success()).count();
        for o in outs.iter().filter(|o| !o.status.success()) {
            let err = String::from_utf8_lossy(&o.stderr);
            if !err.contains("holds the migration lock")
                && !err.contains("no longer matches the plan's source fingerprint")
            {
                return Err(format!("the losing run: {}", describe(o)));
            }
        }
        if won == 0 {
            return Err(format!("neither run applied: {}", describe(&outs[0])));
        }
        converged(tmp.path(), &url, &desired)?;
        let applied = history(&url)?.iter().filter(|r| *r == "applied").count();
        if applied != 1 {
            return Err(format!("{applied} runs recorded as applied"));
        }
        Ok(())
    })();
    let _ = env.block_on(db.drop_db());
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "crashes::kill_9_mid_apply_small", |env| {
            kill_mid_apply(&env, 24, 3)
        }),
        trial(env, "crashes::kill_9_mid_apply_big", |env| {
            kill_mid_apply(&env, 300, 8)
        })
        .with_ignored_flag(true),
        trial(env, "crashes::concurrent_applies_small", |env| {
            concurrent_applies(&env, 24)
        }),
        trial(env, "crashes::concurrent_applies_big", |env| {
            concurrent_applies(&env, 300)
        })
        .with_ignored_flag(true),
    ]
}
