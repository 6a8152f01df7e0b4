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

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(env, "review::profe_model_comment_fits", |env| {
        profe_model_comment_fits(&env)
    })]
}
