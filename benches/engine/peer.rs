//! Side by side with a peer (`--peer`): Supabase's pg-delta (`pgdelta plan --source URL
//! --desired URL`, installed from npm by `scripts/bench.sh --peer`, found through
//! `PGDELTA`) plans the same pair of databases in the same run, on the same server. Each
//! figure is the median of several runs; ours are given with their ratio to pg-delta's.
//!
//! The situations users meet, as far as the engine has them today:
//! - cold: no server running (a fresh CI container): our default plan starts its
//!   throwaway shadow server, loads the desired state (for files), copies the current
//!   schema and replays the plan;
//! - server up: the same with the shadow server already running (`--dev-url` to it);
//! - `--no-validate`: no replay (server up, for the files' load).

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
        "| tables | pg-delta db→db | ours db→db cold | ours db→db, server up | ours db→db --no-validate | ours files→db cold | ours files→db, server up |"
    );
    println!("|---|---|---|---|---|---|---|");
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
    let ours = |to: &str, shadow: Option<&str>, validate: bool| {
        median(runs, || {
            let mut c = Command::new(env!("CARGO_BIN_EXE_profe-migrate"));
            c.args(["plan", "--from", &url(db1), "--to", to]);
            // A warm server would make later runs something else than cold.
            c.env("PROFE_MIGRATE_NO_WARM_SERVER", "1");
            if let Some(s) = shadow {
                c.args(["--dev-url", s]);
            }
            if !validate {
                c.arg("--no-validate");
            }
            timed("profe-migrate plan", &mut c)
        })
    };
    let up = url("postgres");
    let v2 = v2.display().to_string();
    let cells = [
        ours(&url(db2), None, true),
        ours(&url(db2), Some(&up), true),
        ours(&url(db2), Some(&up), false),
        ours(&v2, None, true),
        ours(&v2, Some(&up), true),
    ];
    let cells: Vec<String> = cells
        .iter()
        .map(|t| format!("{t:.2} s ({:.2}×)", t / peer))
        .collect();
    println!("| {n} | {peer:.2} s | {} |", cells.join(" | "));
}
