//! The embedded throwaway PostgreSQL: found among the installed binaries, initialised in a
//! temporary directory, listening only on a private Unix socket, stopped and removed on
//! drop — and, should the process die first (a signal, SIGKILL), by its watcher (see
//! [`supervisor`]). It is the test suite's server, the library's default shadow server and
//! the command line's with `--no-warm-server`; [`warm`] runs one of the same make (binaries,
//! initdb flags, settings: `ServerBin`) that outlives runs, the command line's default.

mod binaries;
mod postmaster;
pub mod supervisor;
pub mod warm;

pub use binaries::{find_bin_dir, server_major};
use supervisor::ClusterDir;

use crate::error::{Error, Result};
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_PORT: u16 = 5432;

pub struct Cluster {
    bin_dir: PathBuf,
    socket_dir: PathBuf,
    data_dir: PathBuf,
    child: Option<Child>,
    /// How the server is started, for [`Cluster::restart`].
    server: Command,
    log_path: PathBuf,
    major: u32,
    port: u16,
    // Dropped last: removes the directory once the server has stopped.
    dir: ClusterDir,
}

/// The user to run the server as: PostgreSQL refuses to run as root.
pub(crate) fn server_user() -> Result<Option<nix::unistd::User>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name("postgres") {
        Ok(Some(user)) => Ok(Some(user)),
        _ => Err(Error::Cluster(
            "running as root, but there is no 'postgres' system user to run the embedded \
             PostgreSQL server as (PostgreSQL refuses to run as root); create that user \
             or run as an ordinary user"
                .into(),
        )),
    }
}

impl Cluster {
    /// Finds the binaries (see [`find_bin_dir`]) and starts a fresh cluster.
    pub fn start() -> Result<Cluster> {
        Self::start_with(&find_bin_dir()?)
    }

    pub fn start_with(bin_dir: &Path) -> Result<Cluster> {
        Self::start_with_settings(bin_dir, &[])
    }

    /// Starts a cluster with extra server settings (`-c name=value`), for example TCP
    /// and TLS for the tests that need them.
    pub fn start_with_settings(bin_dir: &Path, settings: &[(String, String)]) -> Result<Cluster> {
        let user = server_user()?;
        let port = settings
            .iter()
            .find(|(k, _)| k == "port")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(DEFAULT_PORT);
        let mut dir = ClusterDir::create()?;
        let root = dir.path().to_path_buf();
        let data_dir = root.join("data");
        let socket_dir = root.clone();
        if let Some(u) = &user {
            nix::unistd::chown(&root, Some(u.uid), Some(u.gid))
                .map_err(|e| Error::Cluster(format!("cannot chown {}: {e}", root.display())))?;
        }
        let server_bin = ServerBin {
            bin_dir,
            user: user.as_ref(),
            cwd: &root,
        };
        server_bin.initdb(&data_dir, |pid| dir.watch(pid))?;
        let log_path = root.join("server.log");
        let log = server_bin.log_file(&log_path)?;
        let mut server = server_bin.postgres(&data_dir, &socket_dir, port, settings);
        // A process group of its own: a terminal's Ctrl-C or hangup goes to this process,
        // whose death the watcher turns into the server's stop; the server does not
        // reload or stop half-way on its own.
        server.process_group(0);
        server
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| Error::Cluster(e.to_string()))?)
            .stderr(log);
        let major = binaries::major_version(&data_dir);
        let mut cluster = Cluster {
            bin_dir: bin_dir.to_path_buf(),
            socket_dir,
            data_dir,
            child: None,
            server,
            log_path,
            major,
            port,
            dir,
        };
        cluster.spawn_server()?;
        Ok(cluster)
    }

    fn spawn_server(&mut self) -> Result<()> {
        let mut child = self.server.spawn().map_err(|e| {
            Error::Cluster(format!(
                "cannot start {}/postgres: {e}",
                self.bin_dir.display()
            ))
        })?;
        self.dir.watch(child.id());
        let ready = wait_ready(&self.data_dir, &self.log_path, &mut child);
        self.child = Some(child);
        ready
    }

    /// Restarts the server as `pg_ctl restart` does by default ("fast": every session is
    /// ended, open transactions roll back, what was committed stays): for the tests of
    /// what a restart does to a run.
    pub fn restart(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
            let _ = child.wait();
        }
        self.dir.watch(0);
        self.spawn_server()
    }

    /// libpq key/value connection string for a database of this cluster.
    pub fn connection_string(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={dbname}",
            self.socket_dir.display(),
            self.port
        )
    }

    /// The cluster's directory (data directory, socket, log): gone once the cluster is
    /// dropped or this process has died.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server's major version (from the data directory's PG_VERSION).
    pub fn major(&self) -> u32 {
        self.major
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, stop cleanly.
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How the engine runs the server binaries of one installation: as which user (the
/// `postgres` system user when running as root) and from which working directory.
pub(crate) struct ServerBin<'a> {
    pub bin_dir: &'a Path,
    pub user: Option<&'a nix::unistd::User>,
    pub cwd: &'a Path,
}

impl ServerBin<'_> {
    fn command(&self, name: &str) -> Command {
        let mut c = Command::new(self.bin_dir.join(name));
        if let Some(u) = self.user {
            c.uid(u.uid.as_raw()).gid(u.gid.as_raw());
        }
        c.current_dir(self.cwd);
        c
    }

    /// Runs initdb to the end: trust authentication (only the owner reaches the private
    /// socket), UTF8, the C locale, superuser `postgres`, no fsync. `started` learns its
    /// process id (0 once it has ended), for a watcher that stops it should this process
    /// die.
    pub fn initdb(&self, data_dir: &Path, mut started: impl FnMut(u32)) -> Result<()> {
        let initdb = self
            .command("initdb")
            .arg("-D")
            .arg(data_dir)
            .args([
                "-A",
                "trust",
                "-N",
                "-E",
                "UTF8",
                "--locale=C",
                "-U",
                "postgres",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::Cluster(format!("cannot run {}/initdb: {e}", self.bin_dir.display()))
            })?;
        started(initdb.id());
        let out = initdb
            .wait_with_output()
            .map_err(|e| Error::Cluster(format!("initdb: {e}")))?;
        started(0);
        if !out.status.success() {
            return Err(Error::Cluster(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }

    /// The server's log, created empty and writable by the user the server runs as.
    pub fn log_file(&self, path: &Path) -> Result<fs::File> {
        let log = fs::File::create(path).map_err(|e| {
            Error::Cluster(format!(
                "cannot create the server log {}: {e}",
                path.display()
            ))
        })?;
        if let Some(u) = self.user {
            let _ = nix::unistd::chown(path, Some(u.uid), Some(u.gid));
        }
        Ok(log)
    }

    /// The server's command: listening on a Unix socket in `socket_dir` only (unless
    /// `settings` set `listen_addresses`), with the settings of a scratch server, then
    /// `settings` (`port` among them is taken by the caller as `port`).
    pub fn postgres(
        &self,
        data_dir: &Path,
        socket_dir: &Path,
        port: u16,
        settings: &[(String, String)],
    ) -> Command {
        let mut server = self.command("postgres");
        server
            .arg("-D")
            .arg(data_dir)
            .arg("-k")
            .arg(socket_dir)
            .args(["-p", &port.to_string()])
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "synchronous_commit=off", "-c", "max_connections=200"])
            // A desired state loads in one transaction, which locks every object it
            // creates: the default lock table (64 per connection) runs out near 6,000
            // tables. 512 × 200 slots cover some 100,000 objects for ~40 MB.
            .args(["-c", "max_locks_per_transaction=512"]);
        if !settings.iter().any(|(k, _)| k == "listen_addresses") {
            server.args(["-c", "listen_addresses="]);
        }
        for (k, v) in settings.iter().filter(|(k, _)| k != "port") {
            server.arg("-c").arg(format!("{k}={v}"));
        }
        server
    }
}

/// Waits until postmaster.pid says "ready" (PostgreSQL 10 and later write it there); an
/// error with the log's last lines when the server exits first or takes over a minute.
pub(crate) fn wait_ready(data_dir: &Path, log: &Path, child: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if postmaster::status(data_dir).as_deref() == Some("ready") {
            return Ok(());
        }
        let exited = child.try_wait().ok().flatten();
        if exited.is_some() || Instant::now() > deadline {
            let log = fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(10).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(Error::Cluster(format!(
                "the server did not start: {}",
                tail.join("\n")
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
