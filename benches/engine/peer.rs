//! Side by side with a peer (`--peer`): Supabase's pg-delta (`pgdelta plan --source URL
//! --desired URL`, installed from npm by `scripts/bench.sh --peer`, found through
//! `PGDELTA`) plans the same pair of databases in the same run, on the same server. Each
//! figure is the median of several runs; ours are given with their ratio to pg-delta's.
//!
//! The situations users meet:
//! - cold: no server running and nothing kept (a fresh CI container): our default plan
//!   starts its throwaway shadow server, loads the desired state (for files), copies the
//!   current schema and replays the plan;
//! - iterating: the warm server up, the database unchanged since the last plan, the
//!   desired state changed (a pull request's next commit): for db→db one more column in
//!   the desired database before each run, for files one more table in the file;
//! - unchanged: the warm server up, nothing changed since the last plan (the nightly
//!   drift job's usual case);
//! - `--no-validate`: no replay (server up, for the files' load).
//!
//! The warm runs have a cache directory of their own (`PROFE_MIGRATE_CACHE`), whose
//! server is stopped and folder removed at the end; one untimed run before each warm
//! series starts the server and keeps the current schema's copy, as an earlier plan would.

use profe_migrate::cluster::Cluster;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The median of `runs` timings of `f`, which must succeed.
fn median(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut t: Vec<f64> = (0..runs).map(|_| f()).collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn timed(what: &str, command: &mut Command) -> f64 {
    let start = Instant::now();
    let out = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed().as_secs_f64()
}

pub fn header() {
    println!(
        "| tables | pg-delta db→db | ours db→db cold | db→db iterating | db→db unchanged | db→db --no-validate | files→db cold | files→db iterating | files→db unchanged |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
}

/// One row: `db1` planned towards `db2` (and towards the file `v2`, its source).
pub fn row(cluster: &Cluster, n: usize, (db1, db2): (&str, &str), v2: &Path, runs: usize) {
    let pgdelta = std::env::var("PGDELTA")
        .expect("PGDELTA names the pgdelta executable (scripts/bench.sh --peer installs it)");
    let conn = cluster.connection_string("postgres");
    let field = |k: &str| {
        conn.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k))
            .expect("connection string field")
            .to_string()
    };
    let (host, port) = (field("host="), field("port="));
    let url = |db: &str| format!("postgres://postgres@localhost/{db}?host={host}&port={port}");
    let out = std::env::temp_dir().join(format!("pgdelta-plan-{n}.json"));
    let peer = median(runs, || {
        timed(
            "pgdelta plan",
            Command::new(&pgdelta)
                .args([
                    "plan",
                    "--source",
                    &url(db1),
                    "--desired",
                    &url(db2),
                    "--out",
                ])
                .arg(&out),
        )
    });
    let _ = std::fs::remove_file(&out);
    let folder = v2.parent().expect("bench folder");
    let cache = folder.join("warm-cache");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).expect("cache folder");
    // As root the warm server runs as postgres, which must pass through to its folder.
    let _ = std::fs::set_permissions(&cache, std::os::unix::fs::PermissionsExt::from_mode(0o755));
    let command = |to: &str, warm: bool, validate: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_profe-migrate"));
        c.args(["plan", "--from", &url(db1), "--to", to]);
        match warm {
            true => c
                .env("PROFE_MIGRATE_CACHE", &cache)
                .env_remove("PROFE_MIGRATE_NO_WARM_SERVER"),
            false => c.env("PROFE_MIGRATE_NO_WARM_SERVER", "1"),
        };
        if !validate {
            c.arg("--no-validate");
        }
        c
    };
    let ours = |to: &str, warm: bool, validate: bool, before: &mut dyn FnMut()| {
        median(runs, || {
            before();
            timed("profe-migrate plan", &mut command(to, warm, validate))
        })
    };
    let db2_url = url(db2);
    let v2_text = std::fs::read_to_string(v2).expect("read v2");
    let iterated = folder.join("v2-iterating.sql");
    let iterated_path = iterated.display().to_string();
    let v2 = v2.display().to_string();
    let mut k = 0;
    // One more column in the desired database, or one more table in the file, each time.
    let mut db_changes = || {
        k += 1;
        let sql = folder.join("iterate.sql");
        std::fs::write(
            &sql,
            format!("ALTER TABLE auth.t0 ADD COLUMN iter_{k} int;\n"),
        )
        .expect("write iterate.sql");
        super::psql(cluster, db2, &sql);
    };
    let mut j = 0;
    let mut file_changes = || {
        j += 1;
        std::fs::write(
            &iterated,
            format!("{v2_text}\nCREATE TABLE auth.iter_{j} (id int PRIMARY KEY);\n"),
        )
        .expect("write the iterated file");
    };
    let warm_up = |to: &str| timed("profe-migrate plan (warm-up)", &mut command(to, true, true));
    let cold_db = ours(&db2_url, false, true, &mut || {});
    warm_up(&db2_url);
    let iter_db = ours(&db2_url, true, true, &mut db_changes);
    let same_db = ours(&db2_url, true, true, &mut || {});
    let no_validate = ours(&db2_url, true, false, &mut || {});
    let cold_files = ours(&v2, false, true, &mut || {});
    file_changes();
    warm_up(&iterated_path);
    let iter_files = ours(&iterated_path, true, true, &mut file_changes);
    warm_up(&v2);
    let same_files = ours(&v2, true, true, &mut || {});
    let _ = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["server", "stop"])
        .env("PROFE_MIGRATE_CACHE", &cache)
        .output();
    let _ = std::fs::remove_dir_all(&cache);
    let cells = [
        cold_db,
        iter_db,
        same_db,
        no_validate,
        cold_files,
        iter_files,
        same_files,
    ];
    let cells: Vec<String> = cells
        .iter()
        .map(|t| format!("{t:.2} s ({:.2}×)", t / peer))
        .collect();
    println!("| {n} | {peer:.2} s | {} |", cells.join(" | "));
}
