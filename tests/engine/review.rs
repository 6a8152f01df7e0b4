//! The outputs made for review in CI: the Markdown pull-request comment (which must fit
//! GitHub's limit) and SARIF for code-scanning annotations.

use crate::support::{Env, TestResult, bin, output_text, trial};
use std::path::Path;
use std::sync::Arc;

/// The repository itself: its `schema/` and `policies/` are the Profe model.
fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether every code fence and `<details>` block that opens also closes, in order.
fn balanced(md: &str) -> TestResult {
    let mut fence: Option<usize> = None;
    let mut depth = 0i64;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(open) if ticks >= open && line.trim_end().len() == ticks => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                depth += line.matches("<details>").count() as i64;
                depth -= line.matches("</details>").count() as i64;
                if depth < 0 {
                    return Err(format!("</details> closes nothing: {line}"));
                }
            }
        }
    }
    if fence.is_some() || depth != 0 {
        return Err(format!(
            "unbalanced: fence open {}, depth {depth}",
            fence.is_some()
        ));
    }
    Ok(())
}

/// The Profe model planned from empty gives a comment GitHub accepts: within 65,536
/// characters, well formed, and either whole or saying how much of the SQL it left out
/// and where the full plan was written.
fn profe_model_comment_fits(env: &Env) -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let full = dir.path().join("plan.sql");
    let o = bin()
        .current_dir(repository())
        .args(["plan", "--from", "empty", "--format", "markdown"])
        .args(["--dev-url", &env.url("postgres"), "--full-plan"])
        .arg(&full)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(output_text(&o));
    }
    let md = String::from_utf8(o.stdout).map_err(|e| e.to_string())?;
    if md.len() > profe_migrate::plan::markdown::COMMENT_LIMIT {
        return Err(format!("{} bytes", md.len()));
    }
    balanced(&md)?;
    let script = std::fs::read_to_string(&full).map_err(|e| e.to_string())?;
    let total = script.matches("\n-- step ").count();
    if !md.starts_with(&format!("## profe-migrate plan\n\n**{total} steps:** ")) {
        return Err(format!("no summary of {total} steps first:\n{md}"));
    }
    for part in [
        "| table | 25 | ",
        "**Access changes:** ",
        "<details><summary>SQL (",
    ] {
        if !md.contains(part) {
            return Err(format!("no {part:?}:\n{md}"));
        }
    }
    let shown = md.matches("\n-- step ").count();
    let note = format!(
        "the SQL of {} of {total} steps is left out. The full plan: `{}`.",
        total - shown,
        full.display()
    );
    if shown < total && !md.contains(&note) {
        return Err(format!(
            "{shown} of {total} steps shown, no note {note:?}:\n{md}"
        ));
    }
    Ok(())
}

/// The live side of the SARIF test: a column and a table the desired state drops, a
/// column whose type it changes, and a schema it no longer holds.
const LIVE: &str = "\
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, gone text, n int);
CREATE TABLE app.old (id int);
CREATE SCHEMA legacy;
CREATE TABLE legacy.x (id int);
";

/// The desired state, as the files of a repository: `app.t` at line 3, `n` at line 5.
const DESIRED: &str = "\
CREATE SCHEMA app;

CREATE TABLE app.t (
    id int PRIMARY KEY,
    n text
);
";

fn run_in(dir: &Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let o = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(output_text(&o));
    }
    serde_json::from_slice(&o.stdout).map_err(|e| format!("{e}: {}", output_text(&o)))
}

/// Each hazard of the plan is a SARIF result at the desired-state line that causes it,
/// an error unless allowed; the JSON plan carries the same places.
fn sarif_points_at_the_desired_state(env: &Env, url: &str) -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("schema")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("schema/app.sql"), DESIRED).map_err(|e| e.to_string())?;
    let dev = env.url("postgres");
    let common = [
        "--from",
        url,
        "--to",
        "schema",
        "--schema",
        "legacy",
        "--dev-url",
        &dev,
    ];
    let mut args = vec![
        "plan",
        "--format",
        "sarif",
        "--allow-hazards",
        "TABLE_REWRITE",
    ];
    args.extend(common);
    let log = run_in(dir.path(), &args)?;
    if log["version"] != "2.1.0"
        || !log["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-schema-2.1.0"))
    {
        return Err(format!("not a SARIF 2.1.0 log: {log:#}"));
    }
    let run = &log["runs"][0];
    if run["tool"]["driver"]["name"] != "profe-migrate" {
        return Err(format!("no driver: {run:#}"));
    }
    let results = run["results"].as_array().ok_or("no results")?;
    // (rule, level, object, uri, line, says it is not in the files)
    let want = [
        (
            "DELETES_DATA",
            "error",
            "column app.t.gone",
            "schema/app.sql",
            3,
            false,
        ),
        (
            "TABLE_REWRITE",
            "warning",
            "column app.t.n",
            "schema/app.sql",
            5,
            false,
        ),
        (
            "DELETES_DATA",
            "error",
            "table app.old",
            "schema/app.sql",
            1,
            false,
        ),
        (
            "DELETES_DATA",
            "error",
            "table legacy.x",
            "schema/app.sql",
            1,
            true,
        ),
    ];
    for (rule, level, object, uri, line, unplaced) in want {
        let found = results
            .iter()
            .find(|r| r["ruleId"] == rule && r["properties"]["object"] == object);
        let Some(r) = found else {
            return Err(format!("no {rule} result for {object}: {results:#?}"));
        };
        let place = &r["locations"][0]["physicalLocation"];
        let text = r["message"]["text"].as_str().unwrap_or("");
        if r["level"] != level
            || place["artifactLocation"]["uri"] != uri
            || place["region"]["startLine"] != line
            || text.contains("does not hold") != unplaced
        {
            return Err(format!(
                "{rule} on {object}: expected {level} at {uri}:{line}, got {r:#}"
            ));
        }
        let index = r["ruleIndex"].as_u64().ok_or("no ruleIndex")? as usize;
        if run["tool"]["driver"]["rules"][index]["id"] != rule {
            return Err(format!("ruleIndex {index} is not {rule}"));
        }
    }
    let mut args = vec!["plan", "--format", "json"];
    args.extend(common);
    let plan = run_in(dir.path(), &args)?;
    let steps = plan["steps"].as_array().ok_or("no steps")?;
    let source = |object: &str| {
        steps
            .iter()
            .find(|s| s["object"] == object)
            .map(|s| s["source"].clone())
    };
    let at = |line: u64| Some(serde_json::json!({"file": "schema/app.sql", "line": line}));
    if source("column app.t.gone") != at(3)
        || source("column app.t.n") != at(5)
        || source("table app.old") != at(1)
        || source("table legacy.x") != Some(serde_json::Value::Null)
    {
        return Err(format!("the JSON plan's sources differ: {steps:#?}"));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "review::profe_model_comment_fits", |env| {
            profe_model_comment_fits(&env)
        }),
        trial(env, "review::sarif_points_at_the_desired_state", |env| {
            let db = env.block_on(env.scratch("review"))?;
            let url = env.url(&db.name);
            let r = env.block_on(async {
                let c = env.connect(&db).await?;
                c.batch_execute(LIVE).await.map_err(|e| e.to_string())
            });
            let r = r.and_then(|()| sarif_points_at_the_desired_state(&env, &url));
            let _ = env.block_on(db.drop_db());
            r
        }),
    ]
}
