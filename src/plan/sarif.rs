//! The plan's hazards as SARIF 2.1.0 (the format code-scanning tools read), one result
//! per hazard of each step, placed at the line of the desired-state files that the step
//! serves: a pull request that adds a hazard gets an annotation on the line that causes
//! it. A hazard `apply` would refuse is an `error`; one it is allowed is a `warning`.
//! Desired-state files that cannot be read (a syntax error, a statement that fails to
//! load) are reported the same way, as one `error` at their line.

use super::{Hazard, Plan, Step};
use serde_json::{Value, json};
use std::path::Path;

/// The JSON schema of SARIF 2.1.0 (OASIS, with its errata).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Rules for the desired state itself, besides one per hazard.
pub const SYNTAX_ERROR: &str = "SYNTAX_ERROR";
pub const LOAD_FAILED: &str = "LOAD_FAILED";

/// How to write the results.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// The hazards `apply` would allow (`--allow-hazards`, the environment's): their
    /// results are warnings, the others errors.
    pub allowed: &'a [Hazard],
    /// The directory file URIs are relative to (the current directory: in CI, the
    /// repository's root). A file outside it is written as an absolute `file://` URI.
    pub root: Option<&'a Path>,
    /// A desired-state file for the results of steps the files place nowhere (the drop
    /// of a schema they no longer hold): code scanning refuses a result without a file.
    pub fallback: Option<&'a str>,
}

/// One failure of the desired state at a place in its files.
#[derive(Debug, Clone)]
pub struct Refusal<'a> {
    pub rule: &'static str,
    pub path: &'a Path,
    pub line: usize,
    pub column: usize,
    pub message: &'a str,
}

/// The plan's hazards as a SARIF log.
pub fn render(plan: &Plan, options: &Options) -> String {
    let mut results = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        for h in &step.hazards {
            results.push(result(i + 1, step, *h, options));
        }
    }
    log(results)
}

/// A SARIF log of one failure of the desired state.
pub fn refusal(r: &Refusal, root: Option<&Path>) -> String {
    let region = json!({"startLine": r.line.max(1), "startColumn": r.column.max(1)});
    log(vec![json!({
        "ruleId": r.rule,
        "ruleIndex": rule_index(r.rule),
        "level": "error",
        "message": {"text": r.message},
        "locations": [location(&uri(&r.path.display().to_string(), root), region)],
    })])
}

fn result(number: usize, step: &Step, h: Hazard, options: &Options) -> Value {
    let refused = !options.allowed.contains(&h);
    let why = step.hazard_reasons.get(&h).map_or("", String::as_str);
    let mut text = format!(
        "{}{}{why} (step {number}: {} {})",
        h.name(),
        if why.is_empty() { "" } else { ": " },
        step.action,
        step.object
    );
    if refused {
        text.push_str("; apply refuses it unless --allow-hazards allows it");
    }
    let place = match &step.source {
        Some(s) => Some((s.file.as_str(), s.line)),
        None => {
            text.push_str("; the desired state does not hold what it changes");
            options.fallback.map(|f| (f, 1))
        }
    };
    let mut out = json!({
        "ruleId": h.name(),
        "ruleIndex": rule_index(h.name()),
        "level": if refused { "error" } else { "warning" },
        "message": {"text": text},
        "properties": {
            "step": number,
            "action": step.action.as_str(),
            "object": step.object,
        },
    });
    if let Some((file, line)) = place {
        out["locations"] = json!([location(
            &uri(file, options.root),
            json!({"startLine": line})
        )]);
    }
    out
}

fn location(uri: &str, region: Value) -> Value {
    json!({"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}})
}

/// The rules, in a fixed order: each hazard, then the desired state's own failures.
fn rules() -> Vec<Value> {
    let mut rules: Vec<Value> = Hazard::ALL
        .iter()
        .map(|h| {
            let doc = h.doc();
            json!({
                "id": h.name(),
                "shortDescription": {"text": doc.meaning},
                "fullDescription": {"text": doc.meaning},
                "help": {"text": format!("Safer: {}", doc.safer)},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    for (id, text) in [
        (SYNTAX_ERROR, "A desired-state file does not parse."),
        (
            LOAD_FAILED,
            "A statement of the desired state fails when it is loaded into the shadow database.",
        ),
    ] {
        rules.push(json!({
            "id": id,
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": "error"},
        }));
    }
    rules
}

fn rule_index(id: &str) -> usize {
    Hazard::ALL
        .iter()
        .position(|h| h.name() == id)
        .unwrap_or_else(|| Hazard::ALL.len() + usize::from(id == LOAD_FAILED))
}

fn log(results: Vec<Value>) -> String {
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "profe-migrate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("SARIF serializes") + "\n"
}

/// A file's URI: relative to `root` when it is inside it (separators `/`), else an
/// absolute `file://` URI; characters a URI cannot hold are percent-encoded.
fn uri(file: &str, root: Option<&Path>) -> String {
    let path = Path::new(file);
    let relative = match root {
        Some(root) if path.is_absolute() => path.strip_prefix(root).ok(),
        _ if path.is_relative() => Some(path),
        _ => None,
    };
    match relative {
        Some(p) => {
            let parts: Vec<String> = p
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| encode(&c.as_os_str().to_string_lossy()))
                .collect();
            parts.join("/")
        }
        None => format!("file://{}", encode(file)),
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_root_and_encoded() {
        let root = Path::new("/work/repo");
        assert_eq!(uri("schema/app.sql", Some(root)), "schema/app.sql");
        assert_eq!(uri("./schema/a b.sql", None), "schema/a%20b.sql");
        assert_eq!(
            uri("/work/repo/schema/app.sql", Some(root)),
            "schema/app.sql"
        );
        assert_eq!(
            uri("/elsewhere/é.sql", Some(root)),
            "file:///elsewhere/%C3%A9.sql"
        );
    }

    /// A plan that drops `app.t.gone`, its step placed at `schema/app.sql:3` or not.
    fn dropped_column(placed: bool) -> Plan {
        use crate::catalog::testing::{col, db, table};
        let t = |cols| db().with_schema("app").with_table(table("app.t", cols));
        let mut plan = crate::plan::tests::plan(
            &t(vec![col("id", "int"), col("gone", "text")]),
            &t(vec![col("id", "int")]),
        );
        if placed {
            plan.steps[0].source = Some(crate::plan::SourceLocation {
                file: "schema/app.sql".into(),
                line: 3,
            });
        }
        plan
    }

    fn results(plan: &Plan, options: &Options) -> Vec<Value> {
        let log: Value = serde_json::from_str(&render(plan, options)).unwrap();
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA);
        log["runs"][0]["results"].as_array().unwrap().clone()
    }

    #[test]
    fn a_hazard_is_an_error_at_its_line_unless_allowed() {
        let plan = dropped_column(true);
        let r = &results(&plan, &Options::default())[0];
        assert_eq!(r["ruleId"], "DELETES_DATA");
        assert_eq!(r["level"], "error");
        let place = &r["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "schema/app.sql");
        assert_eq!(place["region"]["startLine"], 3);
        let allowed = Options {
            allowed: &[Hazard::DeletesData],
            ..Options::default()
        };
        assert_eq!(results(&plan, &allowed)[0]["level"], "warning");
    }

    #[test]
    fn a_hazard_the_files_place_nowhere_goes_to_the_fallback_file() {
        let plan = dropped_column(false);
        let r = &results(&plan, &Options::default())[0];
        assert!(r.get("locations").is_none(), "no file, no location: {r:#}");
        let options = Options {
            fallback: Some("schema/a.sql"),
            ..Options::default()
        };
        let r = &results(&plan, &options)[0];
        let place = &r["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "schema/a.sql");
        assert_eq!(place["region"]["startLine"], 1);
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("does not hold")
        );
    }

    #[test]
    fn a_syntax_error_is_one_error_at_its_place() {
        let r = Refusal {
            rule: SYNTAX_ERROR,
            path: Path::new("schema/app.sql"),
            line: 4,
            column: 7,
            message: "syntax error at or near \"TABL\"",
        };
        let log: Value = serde_json::from_str(&refusal(&r, None)).unwrap();
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], SYNTAX_ERROR);
        assert_eq!(result["level"], "error");
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&json!(4), &json!(7))
        );
    }

    #[test]
    fn rule_indexes_point_at_their_rules() {
        let rules = rules();
        for id in Hazard::ALL
            .iter()
            .map(|h| h.name())
            .chain([SYNTAX_ERROR, LOAD_FAILED])
        {
            assert_eq!(rules[rule_index(id)]["id"], id);
        }
    }
}
