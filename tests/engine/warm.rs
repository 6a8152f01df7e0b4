//! The warm shadow server (`src/cluster/warm`) through the command line: the next run
//! reuses it, `server status` shows it, `server stop` ends it and its keeper, it stops
//! itself once idle, runs started together share one, and it is left alone when turned off
//! or unusable. Each test has a cache directory of its own (`PROFE_MIGRATE_CACHE`) and a
//! guard that runs `server stop` there however the test ends; the rest of the suite runs
//! with `PROFE_MIGRATE_NO_WARM_SERVER=1` (main.rs), which these commands take out.
//!
//! Named under `cli::`: they do not depend on the server's version, and scripts/test.sh
//! runs them once, not on each version pass.

use crate::cli::{MODEL, code, expect, run, text, write};
use crate::support::{Env, TestResult, bin, trial};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "cli::warm_server_is_reused_shown_and_stopped",
            reused_shown_stopped,
        ),
        trial(env, "cli::warm_server_stops_itself_when_idle", idle_stop),
        trial(
            env,
            "cli::warm_server_is_one_for_runs_started_together",
            together,
        ),
        trial(env, "cli::warm_server_is_not_used_when_off", off),
        trial(
            env,
            "cli::warm_server_unusable_falls_back_to_a_throwaway_one",
            unusable,
        ),
    ]
}

/// A cache directory of its own, a desired state to plan, and `server stop` on drop.
pub(crate) struct Cache {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) files: tempfile::TempDir,
}

impl Cache {
    pub(crate) fn new() -> Result<Cache, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        // As root the server runs as postgres, which must pass through to its folder.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        let files = tempfile::tempdir().map_err(|e| e.to_string())?;
        write(files.path(), "model.sql", MODEL);
        Ok(Cache { dir, files })
    }

    /// The binary with the warm server on, in this cache directory.
    pub(crate) fn cmd(&self) -> Command {
        let mut c = bin();
        c.env_remove("PROFE_MIGRATE_NO_WARM_SERVER")
            .env_remove("PROFE_MIGRATE_SERVER_IDLE")
            .env("PROFE_MIGRATE_CACHE", self.dir.path());
        c
    }

    /// `plan --from empty --to` the model: it needs a shadow server, and no database.
    fn plan(&self) -> Command {
        let mut c = self.cmd();
        c.args(["plan", "--from", "empty", "--to"])
            .arg(self.files.path());
        c
    }

    pub(crate) fn status(&self) -> Result<String, String> {
        let o = run(self.cmd().args(["server", "status"]));
        expect(&o, 0)?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// The postmaster's and the keeper's pids as `server status` gives them.
    fn pids(&self) -> Result<(i32, i32), String> {
        let status = self.status()?;
        let field = |prefix: &str| {
            status
                .lines()
                .find_map(|l| l.trim().strip_prefix(prefix)?.trim().parse::<i32>().ok())
                .ok_or_else(|| format!("no {prefix:?} in server status:\n{status}"))
        };
        Ok((field("pid:")?, field("keeper: pid")?))
    }

    fn folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains("server-"))
            .collect()
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        let _ = self.cmd().args(["server", "stop"]).output();
    }
}

/// A process that exists and has not ended (an orphan nobody reaps stays a zombie).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 1..];
            rest.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

/// Waits until none of `pids` is alive; false after `limit`.
fn all_gone(pids: &[i32], limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while pids.iter().any(|p| alive(*p)) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// The live postmasters whose data directory lies under `dir`.
fn postmasters_under(dir: &Path) -> Vec<i32> {
    let data = format!("-D\0{}", dir.display());
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&data))
                && alive(*pid)
        })
        .collect()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn plans_the_model(o: &Output) -> TestResult {
    expect(o, 0)?;
    if !stdout(o).contains("CREATE TABLE app.items") {
        return Err(text(o));
    }
    Ok(())
}

/// The databases named `profe_…` (scratch ones, and the copies kept as templates) on the
/// server `server status` describes.
pub(crate) async fn profe_databases(status: &str) -> Result<Vec<String>, String> {
    let conn = status
        .split("psql \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or_else(|| format!("no connection string in:\n{status}"))?;
    let target = profe_migrate::db::parse(conn).map_err(|e| e.to_string())?;
    let client = profe_migrate::db::connect(&target)
        .await
        .map_err(|e| e.to_string())?;
    let rows = client
        .query("SELECT datname::text FROM pg_catalog.pg_database", &[])
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|n| n.starts_with("profe_"))
        .collect())
}

fn reused_shown_stopped(env: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    let first = run(&mut cache.plan());
    plans_the_model(&first)?;
    let (pid, keeper) = cache.pids()?;
    let status = cache.status()?;
    let folder = cache.dir.path().join("server-");
    for want in [
        "warm server: running".to_string(),
        "major: ".into(),
        format!("data directory: {}", folder.display()),
        format!("socket: {}", folder.display()),
        "it stops after 10min idle".into(),
    ] {
        if !status.contains(&want) {
            return Err(format!("{want:?} missing from server status:\n{status}"));
        }
    }
    if !alive(pid) || !alive(keeper) {
        return Err(format!("server or keeper not running:\n{status}"));
    }
    let second = run(&mut cache.plan());
    plans_the_model(&second)?;
    if stdout(&second) != stdout(&first) {
        return Err(format!(
            "the plans differ:\n{}\n{}",
            text(&first),
            text(&second)
        ));
    }
    let (again, _) = cache.pids()?;
    if again != pid {
        return Err(format!(
            "the second run did not reuse the server: pid {pid}, then {again}"
        ));
    }
    // Each run dropped the scratch databases it made there (the copies it keeps are
    // templates, see warm_kept.rs).
    let mut left = env.block_on(profe_databases(&cache.status()?))?;
    left.retain(|n| profe_migrate::db::is_scratch_name(n));
    if !left.is_empty() {
        return Err(format!(
            "scratch databases left on the warm server: {left:?}"
        ));
    }
    // A keeper that died is replaced by the next run.
    let _ = Command::new("kill")
        .args(["-KILL", &keeper.to_string()])
        .status();
    if !all_gone(&[keeper], Duration::from_secs(10)) {
        return Err(format!("keeper {keeper} survived SIGKILL"));
    }
    plans_the_model(&run(&mut cache.plan()))?;
    let (same, keeper) = cache.pids()?;
    if same != pid || !alive(keeper) {
        return Err(format!(
            "after its keeper died: server {pid} → {same}, new keeper {keeper}"
        ));
    }
    let o = run(cache.cmd().args(["server", "stop"]));
    expect(&o, 0)?;
    if !stdout(&o).contains(&format!("warm server (pid {pid})")) {
        return Err(text(&o));
    }
    if !all_gone(&[pid, keeper], Duration::from_secs(10)) {
        return Err(format!(
            "server {pid} or keeper {keeper} still runs after server stop"
        ));
    }
    let status = cache.status()?;
    if !status.contains("warm server: not running") {
        return Err(format!("after server stop:\n{status}"));
    }
    // Nothing to stop is no error.
    let o = run(cache.cmd().args(["server", "stop"]));
    expect(&o, 0)?;
    if !stdout(&o).contains("no warm server was running") {
        return Err(text(&o));
    }
    Ok(())
}

fn idle_stop(_: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    let o = run(cache.plan().env("PROFE_MIGRATE_SERVER_IDLE", "2s"));
    plans_the_model(&o)?;
    let (pid, keeper) = cache.pids()?;
    let status = cache.status()?;
    if !status.contains("it stops after 2s idle") {
        return Err(format!("the idle period is not the run's:\n{status}"));
    }
    // 2 s idle, the keeper's look every 200 ms, a fast shutdown: well within 20 s.
    if !all_gone(&[pid, keeper], Duration::from_secs(20)) {
        return Err(format!(
            "server {pid} or keeper {keeper} still runs 20 s after the run ended:\n{}",
            cache.status()?
        ));
    }
    let status = cache.status()?;
    if !status.contains("warm server: not running") {
        return Err(format!("after the idle stop:\n{status}"));
    }
    // The next run starts it again, from the data directory left in place.
    plans_the_model(&run(&mut cache.plan()))?;
    let (next, _) = cache.pids()?;
    if next == pid || !alive(next) {
        return Err(format!("no new server after the idle stop: {pid}, {next}"));
    }
    Ok(())
}

fn together(_: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    let children: Vec<_> = (0..3)
        .map(|_| {
            cache
                .plan()
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    for o in &outputs {
        plans_the_model(o)?;
        if stdout(o) != stdout(&outputs[0]) {
            return Err(format!("the plans differ:\n{}", text(o)));
        }
    }
    let (pid, _) = cache.pids()?;
    let running = postmasters_under(cache.dir.path());
    if running != [pid] {
        return Err(format!(
            "expected one server ({pid}) for the three runs, found {running:?}"
        ));
    }
    Ok(())
}

fn off(env: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    plans_the_model(&run(cache.plan().arg("--no-warm-server")))?;
    plans_the_model(&run(cache.plan().env("PROFE_MIGRATE_NO_WARM_SERVER", "1")))?;
    plans_the_model(&run(cache.plan().arg("--dev-url").arg(env.url("postgres"))))?;
    let folders = cache.folders();
    if !folders.is_empty() {
        return Err(format!("a warm server was set up: {folders:?}"));
    }
    // The check can fail: the same run without the flag sets one up.
    plans_the_model(&run(&mut cache.plan()))?;
    if cache.folders().is_empty() {
        return Err("no warm server's folder after a run that uses it".into());
    }
    Ok(())
}

fn unusable(_: Arc<Env>) -> TestResult {
    let cache = Cache::new()?;
    // A file where the cache directory should be: no folder can be made in it.
    let file = write(cache.dir.path(), "not-a-directory", "");
    let o = run(cache.plan().env("PROFE_MIGRATE_CACHE", &file));
    plans_the_model(&o)?;
    let err = String::from_utf8_lossy(&o.stderr);
    if !err.contains("the warm server cannot be used") || !err.contains("throwaway") {
        return Err(format!("no warning (exit {}):\n{}", code(&o), text(&o)));
    }
    Ok(())
}
