//! Crashes and restarts: the embedded server never outlives the process that started it,
//! a lost connection or a restarted server mid-apply is reported step by step, dead runs
//! show as interrupted, a bad file in the backup storage is skipped, and the failure
//! injection (kill -9 at random points, concurrent applies) converges. The big forms are
//! ignored by default: `scripts/failure-injection.sh` runs them.

mod apply;
mod backup;
mod cluster;
mod inject;

pub(crate) use crate::support::bin;
use crate::support::{Env, TestResult};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    let mut t = cluster::trials(env);
    t.extend(apply::trials(env));
    t.extend(backup::trials(env));
    t.extend(inject::trials(env));
    t
}

/// The command line, without the environment's database settings.
/// A directory to serve as a run's TMPDIR, where its embedded cluster goes: readable by
/// the `postgres` user the server runs as when the tests run as root.
fn temp_root() -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The embedded clusters' directories under `tmp`.
fn cluster_dirs(tmp: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(tmp)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("profe-pg-"))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

/// Waits until a cluster under `tmp` (other than those of `known`) accepts connections.
fn wait_for_cluster(tmp: &Path, known: &[PathBuf], timeout: Duration) -> Result<PathBuf, String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        for dir in cluster_dirs(tmp) {
            if known.contains(&dir) {
                continue;
            }
            let pid = std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap_or_default();
            if pid.lines().nth(7).map(str::trim) == Some("ready") {
                return Ok(dir);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!(
        "no embedded cluster became ready under {}",
        tmp.display()
    ))
}

/// Processes that work inside `dir` (PostgreSQL's postmaster and every backend run in
/// its data directory) or name it on their command line (`pgrep -f`).
fn processes_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if std::fs::read_link(entry.path().join("cwd")).is_ok_and(|c| c.starts_with(dir)) {
            let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            found.push(format!("{pid} {cmd}"));
        }
    }
    if let Ok(o) = Command::new("pgrep")
        .arg("-af")
        .arg(dir.as_os_str())
        .output()
    {
        found.extend(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| format!("pgrep: {l}")),
        );
    }
    found
}

/// Waits until no process runs in `dir` and `dir` is gone.
fn assert_gone(dir: &Path, timeout: Duration) -> TestResult {
    let deadline = Instant::now() + timeout;
    loop {
        let procs = processes_in(dir);
        if procs.is_empty() && !dir.exists() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} outlived its run: exists {}, processes {procs:?}",
                dir.display(),
                dir.exists()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A TCP server that accepts connections and never answers: a run connecting to it
/// waits, with its embedded cluster up, for as long as a test needs.
struct Silent {
    url: String,
}

impl Silent {
    fn start() -> Result<Silent, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream);
            }
        });
        Ok(Silent {
            url: format!("postgres://nobody@127.0.0.1:{port}/silent?sslmode=disable"),
        })
    }
}

/// Runs SQL on the database at `url`, on a runtime of its own.
fn exec(env: &Env, url: &str, sql: &str) -> TestResult {
    env.block_on(async {
        let c =
            profe_migrate::db::connect(&profe_migrate::db::parse(url).map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
        c.batch_execute(sql).await.map_err(|e| e.to_string())
    })
}

fn describe(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
