//! The warm shadow server: one PostgreSQL per user and major version, started by the
//! first run that needs a shadow and reused by the runs after it, so that a run does not
//! pay for initdb and a server start (1.5–3.4 s) each time. The command line uses it
//! unless told not to (`--no-warm-server`, `PROFE_MIGRATE_NO_WARM_SERVER`); the library's
//! engines (and so the tests') keep their own throwaway clusters.
//!
//! Its folder, `server-<major>/` under [`cache_root`], holds:
//! - `data/`: the data directory (initdb writes `data.new/`, renamed once complete, so a
//!   killed initdb never leaves a half-made `data/`); it stays when the server stops, so
//!   the next start skips initdb;
//! - `server.log` and `keeper.log`;
//! - `lock`: held (flock, exclusive) while the server is started or stopped, so that two
//!   runs racing to start it do not both run initdb or the server: the second waits, then
//!   finds it running;
//! - `in-use`: each run holds a shared flock on it for as long as it uses the server;
//! - `last-used`: touched by each run when it starts and when it ends; its text is that
//!   run's idle period, so the latest setting wins;
//! - `keeper`: flocked by the keeper for its whole life (so a live keeper is known without
//!   trusting a pid), its text the keeper's pid;
//! - the Unix socket, unless its path would be too long for one: then it lives in
//!   `/tmp/profe-migrate-<uid>-<major>/`. The server never listens on TCP.
//!
//! The keeper ([`keeper`]) is this executable again (`profe-migrate server keep FOLDER`),
//! started detached by the run that finds none alive: it stops the server once
//! `last-used` is older than the idle period and neither a run nor any other session uses
//! it, then exits.
//!
//! As root, the server runs as the `postgres` system user (PostgreSQL refuses root), which
//! cannot enter root's home: the folder is then `/var/cache/profe-migrate/server-<major>`
//! (unless `PROFE_MIGRATE_CACHE` says otherwise), owned by `postgres`.

pub mod control;
pub mod keeper;
pub mod templates;

use super::postmaster::{self, PidFile};
use super::{ServerBin, find_bin_dir, server_major, server_user};
use crate::error::{Error, Result};
use std::fs::{self, File, TryLockError};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// The idle period when `PROFE_MIGRATE_SERVER_IDLE` does not give one.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(600);
/// The environment variable of the idle period (a DURATION, as `--lock-timeout` takes).
pub const IDLE_VARIABLE: &str = "PROFE_MIGRATE_SERVER_IDLE";
/// The port in the socket's name (`.s.PGSQL.5432`): each server has a folder of its own.
const PORT: u16 = 5432;
/// The longest path of a Unix socket PostgreSQL accepts (`sun_path` holds 108 bytes with
/// the terminating NUL).
const SOCKET_PATH_MAX: usize = 107;

const LOCK: &str = "lock";
const IN_USE: &str = "in-use";
const LAST_USED: &str = "last-used";
const KEEPER: &str = "keeper";

/// Where the warm servers' folders are: `$PROFE_MIGRATE_CACHE`, else (as root, since the
/// server runs as `postgres`, which cannot enter root's home) `/var/cache/profe-migrate`,
/// else `$XDG_CACHE_HOME/profe-migrate` (when absolute), else `~/.cache/profe-migrate`:
/// the rule of scripts/cache.sh.
pub fn cache_root() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let root = if let Some(dir) = var("PROFE_MIGRATE_CACHE") {
        PathBuf::from(dir)
    } else if nix::unistd::geteuid().is_root() {
        PathBuf::from("/var/cache/profe-migrate")
    } else if let Some(xdg) = var("XDG_CACHE_HOME").filter(|x| Path::new(x).is_absolute()) {
        Path::new(&xdg).join("profe-migrate")
    } else if let Some(home) = var("HOME") {
        Path::new(&home).join(".cache/profe-migrate")
    } else {
        return Err(Error::Cluster(
            "no cache directory for the warm server: set PROFE_MIGRATE_CACHE or HOME".into(),
        ));
    };
    // The server is given absolute paths (it changes into its data directory).
    std::path::absolute(&root).map_err(|source| Error::Warm {
        what: "resolve",
        path: root,
        source,
    })
}

/// The idle period: `PROFE_MIGRATE_SERVER_IDLE`, else [`DEFAULT_IDLE`] (a value that is
/// not a DURATION is said, and the default used).
pub fn idle_period() -> Duration {
    match std::env::var(IDLE_VARIABLE) {
        Ok(v) if !v.trim().is_empty() => match crate::config::parse_duration(&v) {
            Ok(ms) => Duration::from_millis(ms),
            Err(e) => {
                tracing::warn!("{IDLE_VARIABLE}: {e}; the warm server stops after 10min idle");
                DEFAULT_IDLE
            }
        },
        _ => DEFAULT_IDLE,
    }
}

/// The folder of one major version's warm server, and the paths inside it.
#[derive(Debug, Clone)]
pub struct Place {
    pub major: u32,
    pub folder: PathBuf,
    pub data: PathBuf,
    pub socket_dir: PathBuf,
}

impl Place {
    pub fn new(root: &Path, major: u32) -> Place {
        Place::in_folder(root.join(format!("server-{major}")), major)
    }

    fn in_folder(folder: PathBuf, major: u32) -> Place {
        let socket = format!(".s.PGSQL.{PORT}");
        let socket_dir = if folder.as_os_str().len() + 1 + socket.len() <= SOCKET_PATH_MAX {
            folder.clone()
        } else {
            let uid = nix::unistd::geteuid();
            PathBuf::from(format!("/tmp/profe-migrate-{uid}-{major}"))
        };
        Place {
            major,
            data: folder.join("data"),
            folder,
            socket_dir,
        }
    }

    /// The place of a folder named `server-<major>`.
    pub fn from_folder(folder: &Path) -> Option<Place> {
        let name = folder.file_name()?.to_str()?;
        let major = name.strip_prefix("server-")?.parse().ok()?;
        Some(Place::in_folder(folder.to_path_buf(), major))
    }

    /// Every warm server's folder under `root`, by major version.
    pub fn all(root: &Path) -> Vec<Place> {
        let mut places: Vec<Place> = fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| Place::from_folder(&e.path()))
            .collect();
        places.sort_by_key(|p| p.major);
        places
    }

    fn file(&self, name: &str) -> PathBuf {
        self.folder.join(name)
    }

    /// The server running on this data directory, if any (whatever its status).
    pub(crate) fn postmaster(&self) -> Option<PidFile> {
        postmaster::read(&self.data).filter(|p| postmaster::runs_in(p.pid, &self.data))
    }

    /// The connection string of the server's `postgres` database.
    pub(crate) fn connection_string(pid_file: &PidFile) -> String {
        let host = pid_file
            .socket_dir
            .to_string_lossy()
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        format!(
            "host='{host}' port={} user=postgres dbname=postgres",
            pid_file.port
        )
    }

    /// Takes `name` (a lock file in the folder) exclusively, waiting for its holder.
    fn lock(&self, name: &str) -> Result<File> {
        self.lock_with(name, File::lock)
    }

    /// Takes `name` with `how` ([`File::lock`], [`File::lock_shared`]), waiting as needed.
    fn lock_with(&self, name: &str, how: fn(&File) -> std::io::Result<()>) -> Result<File> {
        let file = open_lock(&self.file(name))?;
        how(&file).map_err(|source| Error::Warm {
            what: "lock",
            path: self.file(name),
            source,
        })?;
        Ok(file)
    }

    /// Whether some process holds a lock on `name` (taken and let go at once when not).
    fn held(&self, name: &str) -> Result<bool> {
        let file = open_lock(&self.file(name))?;
        match file.try_lock() {
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(source)) => Err(Error::Warm {
                what: "lock",
                path: self.file(name),
                source,
            }),
        }
    }

    /// When a run last started or ended, and the idle period it asked for.
    pub fn last_used(&self) -> Option<(Duration, Duration)> {
        let path = self.file(LAST_USED);
        let modified = fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        let idle = fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_IDLE);
        Some((age, idle))
    }

    fn touch(&self, idle: Duration) {
        let path = self.file(LAST_USED);
        if let Err(e) = fs::write(&path, format!("{}\n", idle.as_millis())) {
            tracing::warn!("cannot write {}: {e}", path.display());
        }
    }

    /// The keeper's pid, when a keeper is alive.
    pub fn keeper(&self) -> Option<i32> {
        if !self.held(KEEPER).unwrap_or(false) {
            return None;
        }
        fs::read_to_string(self.file(KEEPER))
            .ok()
            .and_then(|t| t.trim().parse().ok())
    }

    /// Creates the folder (and, as root, hands it to the server's user). Its parents
    /// keep the usual permissions: the server's user must be able to pass through them.
    fn prepare(&self, user: Option<&nix::unistd::User>) -> Result<()> {
        let mkdir = |dir: &Path| {
            if let Some(parent) = dir.parent() {
                fs::create_dir_all(parent).map_err(|source| Error::Warm {
                    what: "create",
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            match fs::DirBuilder::new().mode(0o700).create(dir) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(Error::Warm {
                    what: "create",
                    path: dir.to_path_buf(),
                    source: e,
                }),
                _ => Ok(()),
            }
        };
        mkdir(&self.folder)?;
        chown(&self.folder, user)?;
        if self.socket_dir != self.folder {
            mkdir(&self.socket_dir)?;
            chown(&self.socket_dir, user)?;
            // In /tmp anyone may have made it first: it must be a directory of ours.
            let meta = fs::symlink_metadata(&self.socket_dir).map_err(|source| Error::Warm {
                what: "inspect",
                path: self.socket_dir.clone(),
                source,
            })?;
            let owner = user.map_or(nix::unistd::geteuid(), |u| u.uid);
            if !meta.is_dir() || meta.uid() != owner.as_raw() || meta.mode() & 0o077 != 0 {
                return Err(Error::Cluster(format!(
                    "{} is not a private directory of the server's user: remove it",
                    self.socket_dir.display()
                )));
            }
        }
        Ok(())
    }

    /// Stops the server (fast shutdown) if one runs; the caller holds `lock`.
    fn stop_server(&self) -> Option<i32> {
        let pid = postmaster::stop(
            &self.data,
            &self.data,
            nix::sys::signal::Signal::SIGINT,
            Duration::from_secs(30),
        );
        if self.socket_dir != self.folder {
            // Empty once the server has removed its socket: then it goes too.
            let _ = fs::remove_dir(&self.socket_dir);
        }
        pid
    }
}

fn open_lock(path: &Path) -> Result<File> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| Error::Warm {
            what: "open",
            path: path.to_path_buf(),
            source,
        })
}

fn chown(path: &Path, user: Option<&nix::unistd::User>) -> Result<()> {
    if let Some(u) = user {
        nix::unistd::chown(path, Some(u.uid), Some(u.gid))
            .map_err(|e| Error::Cluster(format!("cannot chown {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Detaches a command from this run: a session of its own (no terminal's Ctrl-C or
/// hangup reaches it), so it outlives the run that starts it.
fn detach(command: &mut Command) {
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(Into::into));
    }
}

/// A run's use of the warm server: while it lives, the server counts as in use (a
/// shared lock on `in-use`) and the keeper leaves it running. Dropping it records the
/// end of the run in `last-used`.
pub struct Lease {
    place: Place,
    pid_file: PidFile,
    idle: Duration,
    _in_use: File,
}

impl Lease {
    /// Finds the server binaries (the warm server is per major version: another major's
    /// is another folder), then reuses that major's warm server, or starts it (and its
    /// keeper) when none runs.
    pub fn take() -> Result<Lease> {
        let bin_dir = find_bin_dir()?;
        let major = server_major(&bin_dir)?;
        let place = Place::new(&cache_root()?, major);
        let user = server_user()?;
        let idle = idle_period();
        place.prepare(user.as_ref())?;
        // Held until the server runs and this run is counted in: a second run waits here,
        // then finds the server running; the keeper cannot stop it in between.
        let lock = place.lock(LOCK)?;
        let server = ServerBin {
            bin_dir: &bin_dir,
            user: user.as_ref(),
            cwd: &place.folder,
        };
        let pid_file = start_if_needed(&place, &server)?;
        let in_use = place.lock_with(IN_USE, File::lock_shared)?;
        place.touch(idle);
        if place.keeper().is_none()
            && let Err(e) = spawn_keeper(&place)
        {
            // Without a keeper nothing would ever stop it.
            drop(in_use);
            if !place.held(IN_USE).unwrap_or(true) {
                place.stop_server();
            }
            return Err(e);
        }
        drop(lock);
        tracing::debug!(
            "warm server: PostgreSQL {major} (pid {}) in {}",
            pid_file.pid,
            place.folder.display()
        );
        Ok(Lease {
            place,
            pid_file,
            idle,
            _in_use: in_use,
        })
    }

    /// [`Lease::take`], or nothing (said on stderr) when the warm server cannot be used:
    /// the caller then starts a throwaway cluster.
    pub async fn take_or_warn() -> Option<Lease> {
        let taken = tokio::task::spawn_blocking(Lease::take)
            .await
            .map_err(|e| Error::Cluster(e.to_string()))
            .and_then(|r| r);
        match taken {
            Ok(lease) => Some(lease),
            Err(e) => {
                tracing::warn!(
                    "the warm server cannot be used ({}): a throwaway PostgreSQL is started \
                     instead (--no-warm-server skips the attempt)",
                    crate::error::report(&e)
                );
                None
            }
        }
    }

    /// The connection string of the server's `postgres` database (through its socket).
    pub fn connection_string(&self) -> String {
        Place::connection_string(&self.pid_file)
    }

    /// The server's folder, where it keeps what runs loaded ([`templates::States`]).
    pub fn folder(&self) -> &Path {
        &self.place.folder
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.place.touch(self.idle);
    }
}

/// The running server, started first when none is (the caller holds `lock`).
fn start_if_needed(place: &Place, server: &ServerBin) -> Result<PidFile> {
    if let Some(running) = place.postmaster() {
        if wait_answering(place, &running) {
            return place.postmaster().ok_or_else(|| {
                Error::Cluster("the warm server stopped while it was being reused".into())
            });
        }
        tracing::warn!(
            "the warm server (pid {}) does not answer: it is restarted",
            running.pid
        );
        place.stop_server();
    }
    start(place, server)?;
    place
        .postmaster()
        .ok_or_else(|| Error::Cluster("the warm server stopped as soon as it started".into()))
}

/// Whether a server found running is (or becomes, within a minute: it may be
/// recovering) ready and accepts connections on its socket.
fn wait_answering(place: &Place, running: &PidFile) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match place.postmaster() {
            Some(p) if p.status == "ready" => {
                let socket = p.socket_dir.join(format!(".s.PGSQL.{}", p.port));
                return std::os::unix::net::UnixStream::connect(socket).is_ok();
            }
            Some(p) if p.pid == running.pid && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => return false,
        }
    }
}

/// initdb (when there is no data directory yet), then the server, detached, its output
/// in `server.log`.
fn start(place: &Place, server: &ServerBin) -> Result<()> {
    if !place.data.join("PG_VERSION").is_file() {
        let fresh = place.folder.join("data.new");
        let _ = fs::remove_dir_all(&fresh);
        server.initdb(&fresh, |_| {})?;
        let _ = fs::remove_dir_all(&place.data);
        fs::rename(&fresh, &place.data).map_err(|source| Error::Warm {
            what: "rename",
            path: fresh,
            source,
        })?;
    }
    // Left by a server that did not stop cleanly (killed, or the machine restarted): the
    // process they name is gone, or is someone else's now, and would stop the start.
    let _ = fs::remove_file(place.data.join("postmaster.pid"));
    let _ = fs::remove_file(place.socket_dir.join(format!(".s.PGSQL.{PORT}.lock")));
    let log_path = place.file("server.log");
    let log = server.log_file(&log_path)?;
    let mut command = server.postgres(&place.data, &place.socket_dir, PORT, &[]);
    let out = log.try_clone().map_err(|source| Error::Warm {
        what: "open",
        path: log_path.clone(),
        source,
    })?;
    command.stdin(Stdio::null()).stdout(out).stderr(log);
    detach(&mut command);
    let mut child = command.spawn().map_err(|e| {
        Error::Cluster(format!(
            "cannot start {}/postgres: {e}",
            server.bin_dir.display()
        ))
    })?;
    if let Err(e) = super::wait_ready(&place.data, &log_path, &mut child) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    Ok(())
}

/// Starts the keeper: this executable again, `server keep FOLDER`, detached, its output
/// in `keeper.log`. It is not waited for: it outlives this run.
fn spawn_keeper(place: &Place) -> Result<()> {
    let exe = std::env::current_exe().map_err(|source| Error::Warm {
        what: "find the executable to keep",
        path: place.folder.clone(),
        source,
    })?;
    let log_path = place.file("keeper.log");
    let log = File::create(&log_path).map_err(|source| Error::Warm {
        what: "create",
        path: log_path.clone(),
        source,
    })?;
    let out = log.try_clone().map_err(|source| Error::Warm {
        what: "open",
        path: log_path,
        source,
    })?;
    let mut command = Command::new(exe);
    command
        .args(["server", "keep"])
        .arg(&place.folder)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(log);
    detach(&mut command);
    command
        .spawn()
        .map(drop)
        .map_err(|e| Error::Cluster(format!("cannot start the warm server's keeper: {e}")))
}
