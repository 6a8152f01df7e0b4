//! Progress on stderr (`src/progress.rs`): shown on a terminal once a run has taken a
//! second (stage, count, elapsed), never when stderr is piped, and never mixed into the
//! run's output. The terminal is a pseudo-terminal made by util-linux's `script`.

use crate::cli::{expect, run, text, write};
use crate::support::{Env, TestResult, bin, trial};
use std::process::Command;
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "cli::progress_shows_on_a_terminal_only",
        terminal_only,
    )]
}

/// Loading 1,000 tables takes seconds: long enough to show, with its count.
const STAGE: &str = "loading the desired state: ";

fn terminal_only(_: Arc<Env>) -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut sql = String::from("CREATE SCHEMA big;\n");
    for i in 0..1000 {
        sql.push_str(&format!(
            "CREATE TABLE big.t{i} (id int PRIMARY KEY, v text);\n"
        ));
    }
    let files = write(dir.path(), "big.sql", &sql);
    let out = dir.path().join("plan.sql");
    let exe = bin().get_program().to_owned();
    let line = format!(
        "'{}' plan --no-warm-server --from empty --to '{}' > '{}'",
        exe.to_string_lossy(),
        files.display(),
        out.display()
    );
    // -e: script exits with the command's status; -q: no banner; -c: the command.
    let o = run(Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("PROFE_MIGRATE_LOG"));
    expect(&o, 0).map_err(|e| format!("script (util-linux) is needed: {e}"))?;
    let terminal = String::from_utf8_lossy(&o.stdout);
    if !terminal.contains(STAGE) {
        return Err(format!("no progress on the terminal:\n{terminal}"));
    }
    let plan = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    if !plan.contains("CREATE TABLE big.t999") || plan.contains(STAGE) || plan.contains('\r') {
        return Err(format!("the plan is not clean:\n{plan}"));
    }
    // Piped: nothing.
    let piped = run(bin()
        .args(["plan", "--no-warm-server", "--from", "empty", "--to"])
        .arg(&files));
    expect(&piped, 0)?;
    if String::from_utf8_lossy(&piped.stderr).contains(STAGE) {
        return Err(format!("progress on a piped stderr:\n{}", text(&piped)));
    }
    Ok(())
}
