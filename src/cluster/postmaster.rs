//! A running server seen from its data directory: `postmaster.pid`, whose process it
//! names (only when that process still works in the directory: the pid may have been
//! reused by anyone since), and how to stop it.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What `postmaster.pid` says (PostgreSQL 10 and later): the lines are the pid, the data
/// directory, the start time, the port, the socket directory, the listen address, the
/// shared memory key and the status (`starting`, `ready`, `stopping`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PidFile {
    pub pid: i32,
    pub port: u16,
    pub socket_dir: PathBuf,
    pub status: String,
}

pub(crate) fn read(data_dir: &Path) -> Option<PidFile> {
    let text = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    parse(&text)
}

fn parse(text: &str) -> Option<PidFile> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let pid = lines.first()?.parse::<i32>().ok().filter(|p| *p > 0)?;
    Some(PidFile {
        pid,
        port: lines.get(3).and_then(|p| p.parse().ok()).unwrap_or(5432),
        socket_dir: PathBuf::from(lines.get(4).copied().unwrap_or_default()),
        status: lines.get(7).copied().unwrap_or_default().to_string(),
    })
}

/// The status line of the data directory's `postmaster.pid`, if there is one.
pub(crate) fn status(data_dir: &Path) -> Option<String> {
    read(data_dir).map(|p| p.status)
}

/// Whether process `pid` is alive (not a zombie) and works in `dir` or below (a server's
/// working directory is its data directory). Without `/proc`, any live process of that
/// id is taken for it.
pub(crate) fn runs_in(pid: i32, dir: &Path) -> bool {
    if !Path::new("/proc/self/cwd").exists() {
        return !matches!(
            kill(Pid::from_raw(pid), None),
            Err(nix::errno::Errno::ESRCH)
        );
    }
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
        && !zombie(pid)
}

/// A process that has ended but whose parent has not reaped it yet (an orphan whose new
/// parent does not reap, in some containers) is gone for every purpose here.
pub(crate) fn zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 1..];
            rest.split_whitespace().next().map(|state| state == "Z")
        })
        .unwrap_or(false)
}

/// Stops the server of `data_dir` if one runs there (a process working in `within`):
/// `signal` first (SIGINT: fast shutdown, SIGQUIT: immediate), SIGKILL once `patience`
/// has passed. Returns the pid it stopped.
pub(crate) fn stop(
    data_dir: &Path,
    within: &Path,
    signal: Signal,
    patience: Duration,
) -> Option<i32> {
    let pid = read(data_dir)?.pid;
    if !runs_in(pid, within) {
        return None;
    }
    let _ = kill(Pid::from_raw(pid), signal);
    let deadline = Instant::now() + patience;
    while runs_in(pid, within) {
        if Instant::now() > deadline {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_files_are_read_by_line() {
        let text = "4242\n/var/lib/data\n1700000000\n5433\n/tmp/sock\n\n  123 456\nready   \n";
        assert_eq!(
            parse(text),
            Some(PidFile {
                pid: 4242,
                port: 5433,
                socket_dir: PathBuf::from("/tmp/sock"),
                status: "ready".into(),
            })
        );
        assert_eq!(parse("0\n"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("4242\n").map(|p| p.status), Some(String::new()));
    }

    #[test]
    fn only_a_process_working_in_the_directory_counts() {
        let me = std::process::id() as i32;
        let cwd = std::env::current_dir().unwrap();
        assert!(runs_in(me, &cwd));
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(!runs_in(me, elsewhere.path()));
        assert!(!zombie(me));
    }
}
