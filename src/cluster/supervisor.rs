//! Keeps the embedded server from outliving the process that started it.
//!
//! PostgreSQL cannot watch its parent itself: the postmaster forks its own children, and a
//! parent-death signal set before `exec` fires when the *thread* that spawned it exits
//! (clusters are started from tokio's blocking pool, whose threads come and go). So each
//! cluster directory gets a watcher: a small `sh` in a process group of its own (a
//! terminal's Ctrl-C does not reach it) whose stdin is a pipe that only this process can
//! write. Whatever ends this process — an error, SIGINT, SIGTERM, SIGHUP or SIGKILL — the
//! kernel closes the pipe, the watcher reads end of file, stops the process it was last
//! told about (initdb or the postmaster) with SIGQUIT (PostgreSQL's immediate shutdown)
//! and removes the directory.
//!
//! Should the watcher die too (the whole process tree killed, a reboot), the directory
//! carries an `owner` marker (process id and start time): a later start removes the
//! directories of owners that are gone, and only those.

use crate::error::{Error, Result};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// The prefix of every cluster directory in the temporary directory.
pub const DIR_PREFIX: &str = "profe-pg-";
const MARKER: &str = "owner";
const MARKER_TAG: &str = "profe-migrate embedded cluster";

/// The watcher. `$1` is the cluster directory (canonical). Each line read is the process
/// to stop should this process die (0: none); end of file means it died, or dropped the
/// cluster. A process counts as the cluster's while its working directory lies inside
/// the cluster directory (initdb runs there, the server in its data directory), so a pid
/// reused by someone else is never signalled.
const SCRIPT: &str = r#"
trap '' HUP INT
dir=$1
pid=0
while IFS= read -r line; do pid=$line; done
ours() {
  if [ -d /proc/self ]; then
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in
      "$dir"|"$dir"/*) return 0 ;;
    esac
    return 1
  fi
  kill -0 "$pid" 2>/dev/null
}
if [ "$pid" != 0 ] && ours; then
  kill -QUIT "$pid" 2>/dev/null
  i=0
  while ours; do
    i=$((i + 1))
    # Immediate shutdown takes milliseconds; a server that ignores it is killed.
    if [ "$i" -eq 100 ]; then kill -KILL "$pid" 2>/dev/null; fi
    if [ "$i" -ge 200 ]; then break; fi
    sleep 0.05
  done
fi
rm -rf -- "$dir"
"#;

/// A cluster directory and its watcher: dropping it removes the directory, and the
/// watcher then ends.
pub struct ClusterDir {
    path: PathBuf,
    watcher: Option<(Child, ChildStdin)>,
}

impl ClusterDir {
    /// Removes the leftovers of dead runs, then creates a fresh directory with its marker
    /// and watcher.
    pub fn create() -> Result<ClusterDir> {
        let parent = parent_dir();
        remove_leftovers(&std::env::temp_dir());
        remove_leftovers(Path::new(SHM));
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&parent)
            .map_err(|e| Error::Cluster(format!("cannot create a temporary directory: {e}")))?;
        // Canonical: the watcher compares it with the kernel's view of working directories.
        let path = std::fs::canonicalize(dir.path())
            .map_err(|e| Error::Cluster(format!("cannot resolve {}: {e}", dir.path().display())))?;
        // From here on, the ClusterDir removes it (and the watcher, should this process die).
        let _ = dir.keep();
        let mut out = ClusterDir {
            path,
            watcher: None,
        };
        let me = Owner::current();
        std::fs::write(out.path.join(MARKER), me.to_marker()).map_err(|e| {
            Error::Cluster(format!(
                "cannot write {}: {e}",
                out.path.join(MARKER).display()
            ))
        })?;
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("profe-pg-watcher")
            .arg(&out.path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| Error::Cluster(format!("cannot start the cluster's watcher: {e}")))?;
        let stdin = child.stdin.take().expect("piped stdin");
        out.watcher = Some((child, stdin));
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The process the watcher stops should this process die (0: none).
    pub fn watch(&mut self, pid: u32) {
        if let Some((_, stdin)) = &mut self.watcher {
            // A watcher that is gone cannot be helped; the marker remains for a later run.
            let _ = writeln!(stdin, "{pid}");
            let _ = stdin.flush();
        }
    }
}

impl Drop for ClusterDir {
    fn drop(&mut self) {
        // The caller has stopped what ran here: the watcher is told so before the end of
        // file, lest it signal a pid that the system has since reused.
        self.watch(0);
        let _ = std::fs::remove_dir_all(&self.path);
        if let Some((mut child, stdin)) = self.watcher.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

/// A process, told apart from a later one with the same id by its start time.
#[derive(Debug, PartialEq)]
struct Owner {
    pid: i32,
    /// Clock ticks after boot (`/proc/PID/stat`, field 22).
    start: u64,
}

impl Owner {
    /// This process; its start time is 0 where there is no `/proc` to read it from.
    fn current() -> Owner {
        let pid = std::process::id() as i32;
        Owner {
            pid,
            start: start_time(pid).unwrap_or(0),
        }
    }

    fn to_marker(&self) -> String {
        format!("{MARKER_TAG}\npid {}\nstart {}\n", self.pid, self.start)
    }

    fn from_marker(text: &str) -> Option<Owner> {
        let mut lines = text.lines();
        if lines.next()? != MARKER_TAG {
            return None;
        }
        let pid = lines.next()?.strip_prefix("pid ")?.parse().ok()?;
        let start = lines.next()?.strip_prefix("start ")?.parse().ok()?;
        (pid > 0).then_some(Owner { pid, start })
    }

    fn alive(&self) -> bool {
        if !Path::new("/proc/self/stat").exists() {
            // Without /proc, a live process of that id is taken for the owner.
            let pid = nix::unistd::Pid::from_raw(self.pid);
            return !matches!(
                nix::sys::signal::kill(pid, None),
                Err(nix::errno::Errno::ESRCH)
            );
        }
        start_time(self.pid) == Some(self.start)
    }
}

fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: fields count from its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Shared memory: a file system in memory on Linux.
const SHM: &str = "/dev/shm";

/// What shared memory must have free for a throwaway cluster to go there.
const SHM_ROOM: u64 = 4 << 30;

/// Where throwaway clusters go: `TMPDIR` when it is set; else shared memory when it is
/// writable and has 4 GiB free, as the cluster's files are scratch that dies with the run
/// (on a disk, creating and removing the files of thousands of relations took a third of
/// a load, and a 1,000-table plan loaded about twice as fast in memory); else the system's
/// temporary directory.
fn parent_dir() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some() {
        return std::env::temp_dir();
    }
    memory_dir().unwrap_or_else(std::env::temp_dir)
}

/// Shared memory, when it is a writable directory with 4 GiB free.
pub fn memory_dir() -> Option<PathBuf> {
    let shm = Path::new(SHM);
    let roomy = crate::backup::space::free_bytes(shm).is_ok_and(|b| b >= SHM_ROOM);
    let writable = nix::unistd::access(shm, nix::unistd::AccessFlags::W_OK).is_ok();
    (roomy && writable && shm.is_dir()).then(|| shm.to_path_buf())
}

/// Removes the cluster directories under `tmp` whose owner is dead, stopping a server
/// still running there. Anything without a marker of ours is left alone.
pub fn remove_leftovers(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    let me = nix::unistd::geteuid();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(DIR_PREFIX) {
            continue;
        }
        let dir = entry.path();
        // Not a symlink, and ours (as root, the directory belongs to the postgres user).
        let Ok(meta) = std::fs::symlink_metadata(&dir) else {
            continue;
        };
        if !meta.is_dir() || !(me.is_root() || meta.uid() == me.as_raw()) {
            continue;
        }
        let Some(owner) = std::fs::read_to_string(dir.join(MARKER))
            .ok()
            .and_then(|t| Owner::from_marker(&t))
        else {
            continue;
        };
        if owner.alive() {
            continue;
        }
        let Ok(dir) = std::fs::canonicalize(&dir) else {
            continue;
        };
        stop_server_in(&dir);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => tracing::info!(
                "removed {}, the embedded PostgreSQL of a run that ended without cleaning up \
                 (process {})",
                dir.display(),
                owner.pid
            ),
            // Its watcher may be removing it at the same time.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(
                "cannot remove {}, left by a run that ended (process {}): {e}",
                dir.display(),
                owner.pid
            ),
        }
    }
}

/// Stops the server whose data directory is `dir/data`, if one still runs there.
fn stop_server_in(dir: &Path) {
    super::postmaster::stop(
        &dir.join("data"),
        dir,
        nix::sys::signal::Signal::SIGQUIT,
        Duration::from_secs(10),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_foreign_text_is_not_one() {
        let me = Owner::current();
        assert!(me.alive());
        assert_eq!(Owner::from_marker(&me.to_marker()), Some(me));
        assert_eq!(Owner::from_marker("pid 1\nstart 2\n"), None);
        assert_eq!(Owner::from_marker(""), None);
        let gone = Owner {
            pid: std::process::id() as i32,
            start: 0,
        };
        assert!(
            !gone.alive(),
            "same pid, another start time: not this process"
        );
    }

    #[test]
    fn only_dead_owners_directories_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let make = |name: &str, marker: Option<String>| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).unwrap();
            if let Some(m) = marker {
                std::fs::write(d.join(MARKER), m).unwrap();
            }
            d
        };
        let me = Owner::current();
        let dead = Owner {
            pid: me.pid,
            start: me.start + 1,
        };
        let mine_dead = make("profe-pg-dead", Some(dead.to_marker()));
        let mine_alive = make("profe-pg-alive", Some(me.to_marker()));
        let unmarked = make("profe-pg-unmarked", None);
        let foreign = make("profe-pg-foreign", Some("something else\n".into()));
        let other_prefix = make("other-dead", Some(dead.to_marker()));
        remove_leftovers(tmp.path());
        assert!(!mine_dead.exists());
        for kept in [mine_alive, unmarked, foreign, other_prefix] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
    }
}
