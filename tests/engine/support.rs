use profe_migrate::cluster::Cluster;
use profe_migrate::db::{self, ScratchDb};
use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use tokio_postgres::Client;

pub struct Env {
    pub cluster: Arc<Cluster>,
    pub admin: db::Target,
    /// A pg_dump at least as new as the server, if the machine has one.
    pub pg_dump: Option<PathBuf>,
}

pub type TestResult = Result<(), String>;

fn pg_dump_for(major: u32, bin_dir: &std::path::Path) -> Option<PathBuf> {
    let mut candidates = vec![bin_dir.join("pg_dump")];
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("pg_dump"));
    }
    candidates.push(PathBuf::from("pg_dump"));
    candidates.into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| {
                let text = String::from_utf8_lossy(&o.stdout).to_string();
                let version = text
                    .split_whitespace()
                    .last()?
                    .split('.')
                    .next()?
                    .to_string();
                version.parse::<u32>().ok()
            })
            .is_some_and(|v| v >= major)
    })
}

/// Puts the throwaway clusters of this run (the test cluster, and those the command line
/// starts as child processes) and the tests' temporary files in memory when the machine
/// has room: `TMPDIR=/dev/shm` when the user set no `TMPDIR` and /dev/shm is a writable
/// tmpfs with 4 GiB free ([`profe_migrate::cluster::supervisor::memory_dir`], where the
/// engine puts its own clusters then). Creating and dropping the hundreds of files of each
/// scratch database was a third of the fixtures' time on ext4 (the kernel's inode
/// allocation). `PROFE_TEST_TMPDIR=disk` keeps all of them in the system's temporary
/// directory.
///
/// # Safety
/// Sets an environment variable: call it first thing in `main`, before any thread starts.
pub unsafe fn prefer_memory_tmpdir() {
    if std::env::var_os("TMPDIR").is_some() {
        return;
    }
    // Named even when it is the default: unset, the engine's own clusters would go to
    // memory.
    let dir = match std::env::var("PROFE_TEST_TMPDIR").is_ok_and(|v| v == "disk") {
        true => Some(std::env::temp_dir()),
        false => profe_migrate::cluster::supervisor::memory_dir(),
    };
    if let Some(dir) = dir {
        // SAFETY: the caller's contract, no other thread yet.
        unsafe { std::env::set_var("TMPDIR", dir) };
    }
}

/// Starts the binary's one cluster (the process exits when it cannot) and says which.
pub fn start() -> Arc<Env> {
    let cluster = match Cluster::start() {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("cannot start the test cluster: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "test cluster: PostgreSQL {} from {}",
        cluster.major(),
        cluster.bin_dir().display()
    );
    Arc::new(Env::new(cluster))
}

impl Env {
    pub fn new(cluster: Arc<Cluster>) -> Env {
        let admin = db::parse(&cluster.connection_string("postgres")).expect("admin config");
        let pg_dump = pg_dump_for(cluster.major(), cluster.bin_dir());
        Env {
            cluster,
            admin,
            pg_dump,
        }
    }

    /// Runs a future on a runtime of its own (each trial runs on its own thread).
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    pub async fn scratch(&self, prefix: &str) -> Result<ScratchDb, String> {
        db::create_scratch_with(&self.admin, prefix, true)
            .await
            .map_err(|e| e.to_string())
    }

    /// A `postgres://` URL for a database of the test cluster.
    pub fn url(&self, dbname: &str) -> String {
        let sock = self
            .cluster
            .connection_string(dbname)
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("host=").map(String::from))
            .expect("socket dir");
        format!("postgres:///{dbname}?host={sock}&port=5432&user=postgres")
    }

    pub fn socket_dir(&self) -> String {
        self.url("x")
            .split("host=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .unwrap_or_default()
            .to_string()
    }

    pub async fn connect(&self, scratch: &ScratchDb) -> Result<Client, String> {
        db::connect(&scratch.target)
            .await
            .map_err(|e| e.to_string())
    }

    /// `pg_dump --schema-only` of the given schemas, without the lines that differ between
    /// two databases of identical schema.
    pub fn dump(&self, dbname: &str, schemas: &[String]) -> Option<Result<String, String>> {
        let pg_dump = self.pg_dump.as_ref()?;
        let mut cmd = Command::new(pg_dump);
        cmd.args([
            "--schema-only",
            "--no-owner",
            "-h",
            &self.socket_dir(),
            "-p",
            "5432",
        ])
        .args(["-U", "postgres"]);
        for s in schemas {
            // -n takes a pattern: quoted, the name matches literally.
            cmd.arg("-n").arg(format!("\"{}\"", s.replace('"', "\"\"")));
        }
        cmd.arg(dbname);
        Some(match cmd.output() {
            Ok(o) if o.status.success() => Ok(sort_grant_runs(
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter(|l| {
                        !l.starts_with("\\restrict")
                            && !l.starts_with("\\unrestrict")
                            && !l.starts_with("-- Dumped ")
                    })
                    .collect(),
            )
            .into_iter()
            .map(sort_storage_parameters)
            .collect::<Vec<_>>()
            .join("\n")),
            Ok(o) => Err(format!(
                "pg_dump failed: {}",
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => Err(format!("cannot run pg_dump: {e}")),
        })
    }
}

/// Runs SQL written for psql (unqualified names resolved through the database's default
/// `search_path`) on a session of the engine, which pins an empty one; then pins it again.
pub async fn run_user_sql(client: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("SET search_path TO DEFAULT").await?;
    let result = client.batch_execute(sql).await;
    client.batch_execute(db::SESSION_SETTINGS).await?;
    result
}

/// The command-line binary, without the environment variables that would name a
/// database for it (each test says which).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_profe-migrate"));
    c.env_remove("DATABASE_URL")
        .env_remove("PROFE_MIGRATE_DEV_URL");
    c
}

/// A finished command's exit code and output, for failure messages.
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A readable line diff of two texts.
pub fn text_diff(a: &str, b: &str) -> String {
    similar::TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(3)
        .header("actual", "expected")
        .to_string()
}

pub fn trial(
    env: &Arc<Env>,
    name: &str,
    f: impl FnOnce(Arc<Env>) -> TestResult + Send + 'static,
) -> libtest_mimic::Trial {
    let env = env.clone();
    libtest_mimic::Trial::test(name, move || f(env).map_err(Into::into))
}

/// pg_dump writes an ACL's entries in the order they were granted; the engine grants in
/// name order. Runs of GRANT/REVOKE lines are compared as sets.
fn sort_grant_runs(lines: Vec<&str>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    let mut run: Vec<&str> = Vec::new();
    for l in lines {
        if l.starts_with("GRANT ") || l.starts_with("REVOKE ") {
            run.push(l);
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(l);
    }
    run.sort();
    out.append(&mut run);
    out
}

/// A table's storage parameters are a set: PostgreSQL keeps them in the order they were
/// set, which ALTER TABLE … SET cannot reproduce. `WITH (…);` lines are compared sorted.
fn sort_storage_parameters(line: &str) -> String {
    match line
        .strip_prefix("WITH (")
        .and_then(|rest| rest.strip_suffix(");"))
    {
        Some(list) => {
            let mut options: Vec<&str> = list.split(", ").collect();
            options.sort();
            format!("WITH ({});", options.join(", "))
        }
        None => line.to_string(),
    }
}

/// A desired state written to a temporary file, kept while the value lives.
pub struct Desired {
    _dir: tempfile::TempDir,
    pub source: profe_migrate::pipeline::Source,
}

impl Desired {
    pub fn new(sql: &str) -> Result<Desired, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("desired.sql");
        std::fs::write(&path, sql).map_err(|e| e.to_string())?;
        Ok(Desired {
            _dir: dir,
            source: profe_migrate::pipeline::Source::Files(vec![path]),
        })
    }
}

/// Plans the scratch database `db` → `desired` on the test cluster.
pub async fn plan_db(
    env: &Env,
    db: &ScratchDb,
    desired: &Desired,
) -> Result<profe_migrate::plan::Plan, String> {
    profe_migrate::pipeline::Engine::with_cluster(env.cluster.clone())
        .plan(
            &profe_migrate::pipeline::Source::Database(env.url(&db.name)),
            &desired.source,
            &[],
        )
        .await
        .map_err(|e| e.to_string())
}
