//! The plan as a pull-request comment: a summary first (steps per action, objects per
//! kind, hazards, access), then the details in collapsed sections, the whole within the
//! size GitHub accepts. A plan too long for it is cut between pieces, never inside one:
//! every collapsed section and code fence that is opened is closed, and a note at the end
//! says how many steps' SQL were left out and where the full plan is.

use super::{Action, Hazard, Plan, render};
use std::collections::BTreeMap;
use std::fmt::Write;

/// GitHub refuses a comment (or an issue or pull request body) longer than 65,536
/// characters. The length is measured here in bytes of UTF-8, never fewer than the
/// characters or UTF-16 units GitHub may count, so a text within it fits either way.
pub const COMMENT_LIMIT: usize = 65_536;

/// How to write the comment.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The most bytes the comment may have.
    pub limit: usize,
    /// Where the full plan was written (`plan --full-plan FILE`): the note of a comment
    /// that had to be cut names it.
    pub full_plan: Option<&'a str>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            limit: COMMENT_LIMIT,
            full_plan: None,
        }
    }
}

/// The comment for `plan`.
pub fn render(plan: &Plan, options: &Options) -> String {
    fit(&compose(plan), plan.steps.len(), options)
}

/// One piece of the comment, kept whole or left out whole.
enum Part {
    /// Text at the top level, or inside the block opened last; `step` when it is the SQL
    /// of one step.
    Text {
        text: String,
        step: bool,
    },
    /// Opens a collapsed section (and its code fence, if any), which `close` ends; `more`
    /// comes before `close` when the section is cut, to say so where it happens.
    Open {
        text: String,
        close: String,
        more: &'static str,
    },
    Close,
}

/// The pieces in order, each with the name of its section (named by the note when some
/// of it is left out).
#[derive(Default)]
struct Doc {
    parts: Vec<(Part, &'static str)>,
    section: &'static str,
}

impl Doc {
    fn section(&mut self, name: &'static str) {
        self.section = name;
    }

    fn text(&mut self, text: String) {
        self.parts
            .push((Part::Text { text, step: false }, self.section));
    }

    fn step(&mut self, text: String) {
        self.parts
            .push((Part::Text { text, step: true }, self.section));
    }

    fn open(&mut self, text: String, close: String, more: &'static str) {
        self.parts
            .push((Part::Open { text, close, more }, self.section));
    }

    fn close(&mut self) {
        self.parts.push((Part::Close, self.section));
    }

    /// Everything, as written when nothing has to be cut.
    fn whole(&self) -> String {
        let mut out = String::new();
        let mut close = "";
        for (part, _) in &self.parts {
            match part {
                Part::Text { text, .. } => out.push_str(text),
                Part::Open { text, close: c, .. } => {
                    out.push_str(text);
                    close = c;
                }
                Part::Close => out.push_str(close),
            }
        }
        out
    }

    /// The length of a section as [`Doc::whole`] writes it, plus what would say it was
    /// cut (kept free while it is written, in case it has to be).
    fn size_of(&self, section: &str) -> usize {
        let mut size = 0;
        let mut close = 0;
        for (part, s) in &self.parts {
            let len = match part {
                Part::Text { text, .. } => text.len(),
                Part::Open {
                    text,
                    close: c,
                    more,
                } => {
                    close = c.len();
                    text.len() + more.len()
                }
                Part::Close => close,
            };
            if *s == section {
                size += len;
            }
        }
        size
    }

    fn sections(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for (_, s) in &self.parts {
            if !names.contains(s) {
                names.push(s);
            }
        }
        names
    }
}

fn compose(plan: &Plan) -> Doc {
    let mut doc = Doc::default();
    doc.section("summary");
    let mut head = String::from("## profe-migrate plan\n\n");
    if plan.steps.is_empty() {
        head.push_str("No changes.\n");
        doc.text(head);
        notes(&mut doc, plan);
        return doc;
    }
    summary(&mut head, plan);
    doc.text(head);
    failing(&mut doc, plan);
    notes(&mut doc, plan);
    hazardous(&mut doc, plan);
    access(&mut doc, plan);
    bodies(&mut doc, plan);
    sql(&mut doc, plan);
    doc
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Steps per action, objects per kind, hazards and access, in a few lines.
fn summary(out: &mut String, plan: &Plan) {
    let mut actions: BTreeMap<Action, usize> = BTreeMap::new();
    for s in &plan.steps {
        *actions.entry(s.action).or_default() += 1;
    }
    let per_action: Vec<String> = actions.iter().map(|(a, n)| format!("{n} {a}")).collect();
    let _ = writeln!(
        out,
        "**{}:** {}\n",
        plural(plan.steps.len(), "step", "steps"),
        per_action.join(", ")
    );
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
        let n = |m: &BTreeMap<String, usize>| m.get(k).copied().unwrap_or(0);
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
            if let Some(doc) = Hazard::parse(h).map(|h| h.doc()) {
                let _ = write!(out, " — {} *Safer:* {}", doc.meaning, doc.safer);
            }
            out.push('\n');
        }
    }
    let count = |f: &dyn Fn(&super::Step) -> bool| plan.steps.iter().filter(|s| f(s)).count();
    let mut access: Vec<String> = [
        (count(&|s| s.action == Action::Grant), "grant", "grants"),
        (count(&|s| s.action == Action::Revoke), "revoke", "revokes"),
        (
            count(&|s| s.kind() == "policy"),
            "policy step",
            "policy steps",
        ),
        (count(&|s| s.kind() == "role"), "role step", "role steps"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    if !plan.access.is_empty() {
        access.push(format!(
            "{} whose access changes (below)",
            plural(plan.access.len(), "role and table", "roles and tables")
        ));
    }
    if access.is_empty() {
        out.push_str("\n**Access changes:** none\n");
    } else {
        let _ = writeln!(out, "\n**Access changes:** {}", access.join(", "));
    }
}

/// Steps whose probes found rows they would fail on.
fn failing(doc: &mut Doc, plan: &Plan) {
    doc.section("data checks");
    let mut first = true;
    for (i, s) in plan.steps.iter().enumerate() {
        let found = match (s.failing_rows.filter(|n| *n > 0), &s.probe_failure) {
            (Some(n), _) => format!("{n} row(s)"),
            (None, Some(error)) => error.lines().next().unwrap_or_default().to_string(),
            (None, None) => continue,
        };
        if std::mem::take(&mut first) {
            doc.text("\n**Data checks: these steps will fail on existing rows:**\n\n".into());
        }
        doc.text(format!(
            "- step {} ({} {}): {found}\n",
            i + 1,
            s.action,
            s.object
        ));
    }
}

fn notes(doc: &mut Doc, plan: &Plan) {
    doc.section("notes");
    if plan.notes.is_empty() {
        return;
    }
    doc.text("\n**Notes:**\n\n".into());
    for n in &plan.notes {
        doc.text(format!("- {n}\n"));
    }
}

fn hazardous(doc: &mut Doc, plan: &Plan) {
    doc.section("hazardous steps");
    let lines: Vec<String> = plan
        .steps
        .iter()
        .enumerate()
        .flat_map(|(i, step)| {
            step.hazard_lines().into_iter().map(move |line| {
                format!(
                    "- step {} ({} {}): `{line}`\n",
                    i + 1,
                    step.action,
                    step.object
                )
            })
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    doc.open(
        format!(
            "\n<details><summary>Hazardous steps ({})</summary>\n\n",
            lines.len()
        ),
        "\n</details>\n".into(),
        "- … the rest is left out (see the note below)\n",
    );
    for line in lines {
        doc.text(line);
    }
    doc.close();
}

fn access(doc: &mut Doc, plan: &Plan) {
    doc.section("access changes");
    if plan.access.is_empty() {
        return;
    }
    doc.open(
        format!(
            "\n<details><summary>Access changes per role and table ({})</summary>\n\n\
             | role | table | SELECT | INSERT | UPDATE | DELETE |\n\
             | --- | --- | --- | --- | --- | --- |\n",
            plan.access.len()
        ),
        "\n</details>\n".into(),
        "\n*… the rest is left out (see the note below)*\n",
    );
    for a in &plan.access {
        let cell = |b: super::access::Level, x: super::access::Level| {
            if b == x {
                b.label().to_string()
            } else {
                format!("{} → **{}**", b.label(), x.label())
            }
        };
        doc.text(format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            a.role,
            a.table,
            cell(a.before.select, a.after.select),
            cell(a.before.insert, a.after.insert),
            cell(a.before.update, a.after.update),
            cell(a.before.delete, a.after.delete)
        ));
    }
    doc.close();
}

/// Each changed body as a unified diff, collapsed: whole or not at all.
fn bodies(doc: &mut Doc, plan: &Plan) {
    doc.section("function and view bodies");
    for d in &plan.body_diffs {
        let fence = fence([d.diff.as_str()]);
        let newline = if d.diff.ends_with('\n') { "" } else { "\n" };
        doc.text(format!(
            "\n<details><summary>{} (body)</summary>\n\n{fence}diff\n{}{newline}{fence}\n\n</details>\n",
            d.object, d.diff
        ));
    }
}

/// The psql script, collapsed, in pieces that can be cut between steps.
fn sql(doc: &mut Doc, plan: &Plan) {
    doc.section("SQL");
    let script = render::script(plan);
    let fence = fence(
        std::iter::once(script.head.as_str())
            .chain(script.steps.iter().map(String::as_str))
            .chain(std::iter::once(script.tail.as_str())),
    );
    doc.open(
        format!(
            "\n<details><summary>SQL ({})</summary>\n\n{fence}sql\n",
            plural(plan.steps.len(), "step", "steps")
        ),
        format!("{fence}\n\n</details>\n"),
        "\n-- … the rest of the script is left out (see the note below)\n",
    );
    doc.text(script.head);
    for step in script.steps {
        doc.step(step);
    }
    if !script.tail.is_empty() {
        doc.text(script.tail);
    }
    doc.close();
}

/// A code fence longer than any run of backticks that starts a line of `texts` (a
/// function body may hold one), so that nothing inside can end it early.
fn fence<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let longest = texts
        .into_iter()
        .flat_map(str::lines)
        .map(|l| {
            l.trim_start_matches(' ')
                .chars()
                .take_while(|c| *c == '`')
                .count()
        })
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `n` with a comma between thousands, as the note writes the limit.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a comment that was cut says at its end.
fn note(left_out: usize, steps: usize, cut: &[&str], full_plan: Option<&str>) -> String {
    let mut out = format!(
        "\n---\n\n**Cut to fit GitHub's limit of {} characters:** ",
        thousands(COMMENT_LIMIT)
    );
    if left_out > 0 {
        let _ = write!(out, "the SQL of {left_out} of {steps} steps is left out");
    } else {
        out.push_str("the SQL of every step is shown");
    }
    let others: Vec<&str> = cut.iter().copied().filter(|s| *s != "SQL").collect();
    if !others.is_empty() {
        let _ = write!(out, "; shortened: {}", others.join(", "));
    }
    match full_plan {
        Some(path) => {
            let _ = writeln!(out, ". The full plan: `{path}`.");
        }
        None => out.push_str(
            ". The full plan: `profe-migrate plan --format sql` (the script) or \
             `--format json` (the JSON plan), kept beside this comment as a build artifact.\n",
        ),
    }
    out
}

/// The comment within `options.limit`. Each section gets a share of the room: those
/// smaller than an equal share keep all they need, the others split what is left
/// equally (so that a long access table does not leave the SQL out altogether), and room
/// a section leaves unused passes on to the next. Within its share a section keeps its
/// pieces in order while they fit; once one does not, the rest of the section is left
/// out (a collapsed section that was opened is closed). The note is counted in from the
/// start.
fn fit(doc: &Doc, steps: usize, options: &Options) -> String {
    let whole = doc.whole();
    if whole.len() <= options.limit {
        return whole;
    }
    let names = doc.sections();
    // The longest note this comment could get: every section cut, every step left out.
    let reserve = note(steps, steps, &names, options.full_plan).len();
    let budget = options.limit.saturating_sub(reserve);
    let sizes: Vec<usize> = names.iter().map(|n| doc.size_of(n)).collect();
    let share = equal_share(&sizes, budget);
    // How far the output may reach by the end of each section.
    let mut reach = Vec::with_capacity(sizes.len());
    let mut total = 0;
    for size in &sizes {
        total += (*size).min(share);
        reach.push(total);
    }
    let mut out = String::new();
    // How the block open in `out` ends (what says it was cut, and its close), whether
    // it was cut, and whether the block being read was left out.
    let mut close: Option<(&str, &str)> = None;
    let mut cut_inside = false;
    let mut skipped_block = false;
    let mut cut: Vec<&'static str> = Vec::new();
    let mut left_out = 0;
    for (i, (part, section)) in doc.parts.iter().enumerate() {
        let at = names.iter().position(|n| n == section).unwrap_or(0);
        let ending = close.map_or(0, |(more, c)| more.len() + c.len());
        let room = reach[at].saturating_sub(out.len() + ending);
        let fits = |len: usize| !cut.contains(section) && len <= room;
        match part {
            Part::Open {
                text,
                close: c,
                more,
            } => {
                let first = match doc.parts.get(i + 1) {
                    Some((Part::Text { text, .. }, _)) => text.len(),
                    _ => 0,
                };
                if fits(text.len() + first + more.len() + c.len()) {
                    out.push_str(text);
                    close = Some((more, c));
                } else {
                    skipped_block = true;
                    if !cut.contains(section) {
                        cut.push(section);
                    }
                }
            }
            Part::Close => {
                if let Some((more, c)) = close.take() {
                    if std::mem::take(&mut cut_inside) {
                        out.push_str(more);
                    }
                    out.push_str(c);
                }
                skipped_block = false;
            }
            Part::Text { text, step } => {
                if !skipped_block && fits(text.len()) {
                    out.push_str(text);
                } else {
                    cut_inside |= close.is_some();
                    if !cut.contains(section) {
                        cut.push(section);
                    }
                    left_out += usize::from(*step);
                }
            }
        }
    }
    out.push_str(&note(left_out, steps, &cut, options.full_plan));
    out
}

/// The largest share such that the sizes, each capped at it, add up to at most `budget`
/// (`usize::MAX` when everything fits).
fn equal_share(sizes: &[usize], budget: usize) -> usize {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let mut left = budget;
    for (i, size) in sorted.iter().enumerate() {
        let others = sorted.len() - i;
        if size * others > left {
            return left / others;
        }
        left -= size;
    }
    usize::MAX
}
