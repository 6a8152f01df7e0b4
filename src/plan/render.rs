//! What people and scripts see: a psql script, JSON, or a Markdown pull-request comment
//! (written by `markdown.rs`).

use super::Plan;
use std::fmt::Write;

fn duration(ms: u64) -> String {
    if ms.is_multiple_of(60_000) {
        format!("{}min", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// The settings every plan script sets before its first step: those the engine's own
/// sessions pin ([`crate::db::SESSION_SETTINGS`]), from the same list.
pub const SCRIPT_SETTINGS: &str = crate::db::RENDERED_FOR;

/// A script that `psql -v ON_ERROR_STOP=1 -f` runs as it is: transactional steps grouped
/// in transactions, the others alone between them, timeouts set before each step.
pub fn sql(plan: &Plan) -> String {
    let script = script(plan);
    let mut out = script.head;
    for step in &script.steps {
        out.push_str(step);
    }
    out.push_str(&script.tail);
    out
}

/// The psql script in pieces, which a comment that must stay short can cut between:
/// joined in order they are [`sql`].
pub(crate) struct Script {
    /// The header and the settings (or `-- no changes`).
    pub head: String,
    /// Each step, with the `BEGIN` or `COMMIT` that comes before it.
    pub steps: Vec<String>,
    /// The last `COMMIT`, if any.
    pub tail: String,
}

pub(crate) fn script(plan: &Plan) -> Script {
    let mut out = String::new();
    if plan.steps.is_empty() {
        out.push_str("-- no changes\n");
        for n in &plan.notes {
            let _ = writeln!(out, "-- note: {n}");
        }
        return Script {
            head: out,
            steps: Vec::new(),
            tail: String::new(),
        };
    }
    let _ = writeln!(out, "-- profe-migrate plan: {} steps", plan.steps.len());
    let _ = writeln!(out, "-- source fingerprint: {}", plan.source_fingerprint);
    let _ = writeln!(out, "-- scope: {}", plan.scope.join(", "));
    for n in &plan.notes {
        let _ = writeln!(out, "-- note: {n}");
    }
    // The steps were rendered for these settings (literals, names qualified for an empty
    // search_path); a database or role may default to others, so the script sets them as
    // the engine's own sessions do.
    out.push('\n');
    out.push_str(SCRIPT_SETTINGS);
    let head = std::mem::take(&mut out);
    let mut steps = Vec::with_capacity(plan.steps.len());
    let mut in_tx = false;
    let mut timeouts: Option<(u64, u64)> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        if step.transactional && !in_tx {
            out.push_str("\nBEGIN;\n");
            in_tx = true;
            timeouts = None;
        } else if !step.transactional && in_tx {
            out.push_str("\nCOMMIT;\n");
            in_tx = false;
            timeouts = None;
        }
        let _ = write!(out, "\n-- step {}: {} {}", i + 1, step.action, step.object);
        if !step.hazards.is_empty() {
            let names: Vec<&str> = step.hazards.iter().map(|h| h.name()).collect();
            let _ = write!(out, " [hazards: {}]", names.join(", "));
        }
        if !step.transactional {
            out.push_str(" (outside a transaction)");
        }
        out.push('\n');
        match step.failing_rows {
            Some(0) => out.push_str("-- probe: no existing row makes this step fail\n"),
            Some(n) => {
                let _ = writeln!(out, "-- probe: {n} existing row(s) make this step fail");
            }
            None => {}
        }
        if let Some(error) = &step.probe_failure {
            let first = error.lines().next().unwrap_or_default();
            let _ = writeln!(
                out,
                "-- probe: an existing row makes this step fail: {first}"
            );
        }
        if let Some(undo) = &step.on_failure {
            let _ = writeln!(
                out,
                "-- if it fails and leaves the invalid index {} behind (one it created): {}",
                undo.drop_index,
                undo.sql()
            );
        }
        let wanted = (step.lock_timeout_ms, step.statement_timeout_ms);
        if timeouts != Some(wanted) {
            let local = if step.transactional { "LOCAL " } else { "" };
            let _ = writeln!(
                out,
                "SET {local}lock_timeout = '{}';\nSET {local}statement_timeout = '{}';",
                duration(wanted.0),
                duration(wanted.1)
            );
            timeouts = Some(wanted);
        }
        out.push_str(&step.sql);
        out.push('\n');
        steps.push(std::mem::take(&mut out));
    }
    let tail = if in_tx { "\nCOMMIT;\n" } else { "" };
    Script {
        head,
        steps,
        tail: tail.to_string(),
    }
}

pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("plan serializes") + "\n"
}

/// The Markdown pull-request comment, within GitHub's limit
/// ([`super::markdown::COMMENT_LIMIT`]).
pub fn markdown(plan: &Plan) -> String {
    super::markdown::render(plan, &super::markdown::Options::default())
}
