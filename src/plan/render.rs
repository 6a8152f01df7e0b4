//! What people and scripts see: a psql script, JSON, or a Markdown pull-request comment.

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
    if plan.steps.is_empty() {
        let mut out = String::from("-- no changes\n");
        for n in &plan.notes {
            let _ = writeln!(out, "-- note: {n}");
        }
        return out;
    }
    let mut out = String::new();
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
    }
    if in_tx {
        out.push_str("\nCOMMIT;\n");
    }
    out
}

pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("plan serializes") + "\n"
}

pub fn markdown(plan: &Plan) -> String {
    let mut out = String::from("## profe-migrate plan\n\n");
    if plan.steps.is_empty() {
        out.push_str("No changes.\n");
        if !plan.notes.is_empty() {
            out.push_str("\n**Notes:**\n\n");
            for n in &plan.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        return out;
    }
    let s = &plan.summary;
    let mut kinds: Vec<&String> = s
        .created
        .keys()
        .chain(s.altered.keys())
        .chain(s.dropped.keys())
        .collect();
    kinds.sort();
    kinds.dedup();
    out.push_str("| kind | added | changed | dropped |\n| --- | ---: | ---: | ---: |\n");
    for k in kinds {
        let n = |m: &std::collections::BTreeMap<String, usize>| m.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {k} | {} | {} | {} |",
            n(&s.created),
            n(&s.altered),
            n(&s.dropped)
        );
    }
    out.push('\n');
    if s.hazards.is_empty() {
        out.push_str("**Hazards:** none\n");
    } else {
        out.push_str("**Hazards:**\n\n");
        for (h, n) in &s.hazards {
            let _ = write!(out, "- `{h}`: {n} step(s)");
            if let Some(doc) = super::Hazard::parse(h).map(|h| h.doc()) {
                let _ = write!(out, " — {} *Safer:* {}", doc.meaning, doc.safer);
            }
            out.push('\n');
        }
        out.push_str("\n<details><summary>Hazardous steps</summary>\n\n");
        for (i, step) in plan.steps.iter().enumerate() {
            for line in step.hazard_lines() {
                let _ = writeln!(
                    out,
                    "- step {} ({} {}): `{line}`",
                    i + 1,
                    step.action,
                    step.object
                );
            }
        }
        out.push_str("\n</details>\n");
    }
    if !plan.access.is_empty() {
        out.push_str("\n**Access changes:**\n\n| role | table | SELECT | INSERT | UPDATE | DELETE |\n| --- | --- | --- | --- | --- | --- |\n");
        for a in &plan.access {
            let cell = |b: super::access::Level, x: super::access::Level| {
                if b == x {
                    b.label().to_string()
                } else {
                    format!("{} → **{}**", b.label(), x.label())
                }
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                a.role,
                a.table,
                cell(a.before.select, a.after.select),
                cell(a.before.insert, a.after.insert),
                cell(a.before.update, a.after.update),
                cell(a.before.delete, a.after.delete)
            );
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\n**Notes:**\n\n");
        for n in &plan.notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    let failing: Vec<(usize, &super::Step)> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.failing_rows.is_some_and(|n| n > 0))
        .collect();
    if !failing.is_empty() {
        out.push_str("\n**Data checks: these steps will fail on existing rows:**\n\n");
        for (i, s) in failing {
            let _ = writeln!(
                out,
                "- step {} ({} {}): {} row(s)",
                i + 1,
                s.action,
                s.object,
                s.failing_rows.unwrap_or(0)
            );
        }
    }
    for d in &plan.body_diffs {
        let _ = write!(
            out,
            "\n<details><summary>{} (body)</summary>\n\n```diff\n{}```\n\n</details>\n",
            d.object, d.diff
        );
    }
    let _ = write!(
        out,
        "\n<details><summary>SQL ({} steps)</summary>\n\n```sql\n{}```\n\n</details>\n",
        plan.steps.len(),
        sql(plan)
    );
    out
}
