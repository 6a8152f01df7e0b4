//! The embedded server that a run starts for itself never outlives it, whatever ends the
//! run; a later run removes what a run that could not clean up left behind.

use super::{
    Silent, assert_gone, bin, cluster_dirs, describe, processes_in, temp_root, wait_for_cluster,
};
use crate::support::{Env, TestResult, trial};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

const DESIRED: &str = "CREATE TABLE public.t (id int PRIMARY KEY);\n";

/// `plan` from a server that never answers: its embedded cluster (for the desired state)
/// comes up, then the run waits.
fn waiting_run(tmp: &Path, silent: &Silent) -> Result<Child, String> {
    let desired = tmp.join("desired.sql");
    std::fs::write(&desired, DESIRED).map_err(|e| e.to_string())?;
    bin()
        .env("TMPDIR", tmp)
        .args(["plan", "--from", &silent.url, "--to"])
        .arg(&desired)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())
}

fn signal(child: &Child, sig: Signal) -> TestResult {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig)
        .map_err(|e| e.to_string())
}

/// `sig` to the command line while its embedded server runs: the run ends as that signal
/// ends a process, and the server and its directory go with it.
fn dies_with_the_run(sig: Signal) -> TestResult {
    let tmp = temp_root()?;
    let silent = Silent::start()?;
    let mut run = waiting_run(tmp.path(), &silent)?;
    let dir = match wait_for_cluster(tmp.path(), &[], Duration::from_secs(60)) {
        Ok(d) => d,
        Err(e) => {
            let _ = run.kill();
            return Err(e);
        }
    };
    if let Ok(Some(status)) = run.try_wait() {
        return Err(format!("the run ended before the signal: {status:?}"));
    }
    signal(&run, sig)?;
    let status = run.wait().map_err(|e| e.to_string())?;
    if status.signal() != Some(sig as i32) {
        return Err(format!("{sig}: the run ended with {status:?}"));
    }
    assert_gone(&dir, Duration::from_secs(20))
}

/// A run whose cluster's watcher died with it (the whole process tree killed) leaves the
/// server running and its directory; the next run stops that server and removes it, and
/// leaves alone what is not a dead run's.
fn leftovers_are_removed_by_the_next_run() -> TestResult {
    let tmp = temp_root()?;
    let silent = Silent::start()?;
    let mut run = waiting_run(tmp.path(), &silent)?;
    let dir = wait_for_cluster(tmp.path(), &[], Duration::from_secs(60));
    // Everything that names the directory but the server: the watcher.
    if let Ok(dir) = &dir {
        for p in processes_in(dir) {
            if let Some(watcher) = p.strip_prefix("pgrep: ")
                && watcher.contains("profe-pg-watcher")
            {
                let pid: i32 = watcher
                    .split_whitespace()
                    .next()
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0);
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
    signal(&run, Signal::SIGKILL)?;
    let _ = run.wait();
    let dir = dir?;
    std::thread::sleep(Duration::from_millis(300));
    if processes_in(&dir).is_empty() || !dir.exists() {
        return Err(format!(
            "the server of the killed run should still run in {} (nothing killed it)",
            dir.display()
        ));
    }
    let unrelated = tmp.path().join("profe-pg-not-a-cluster");
    std::fs::create_dir(&unrelated).map_err(|e| e.to_string())?;
    let o = bin()
        .env("TMPDIR", tmp.path())
        .args(["plan", "--from", "empty", "--to"])
        .arg(tmp.path().join("desired.sql"))
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(describe(&o));
    }
    assert_gone(&dir, Duration::from_secs(20))?;
    let left = cluster_dirs(tmp.path());
    if left != [unrelated] {
        return Err(format!("left under the temporary directory: {left:?}"));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    let mut t = Vec::new();
    for (name, sig) in [
        ("sigkill", Signal::SIGKILL),
        ("sigterm", Signal::SIGTERM),
        ("sigint", Signal::SIGINT),
        ("sighup", Signal::SIGHUP),
    ] {
        t.push(trial(
            env,
            &format!("crashes::embedded_server_dies_with_the_run_on_{name}"),
            move |_| dies_with_the_run(sig),
        ));
    }
    t.push(trial(
        env,
        "crashes::leftovers_of_dead_runs_are_removed_by_the_next_run",
        |_| leftovers_are_removed_by_the_next_run(),
    ));
    t
}
