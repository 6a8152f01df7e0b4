//! The CI recipes (`examples/github/`, `examples/gitlab-ci.yml`, the composite action
//! `action.yml` with `scripts/action.sh`) and the README's commands, held to what they
//! rely on: the workflows pass actionlint; each file has the structure its CI reads; every
//! `profe-migrate …` command line in them parses with the binary's own command line; and
//! the action's step runs plan, drift and apply against a real database.
//!
//! Named under `cli::`: like the command-line tests they do not depend on the server's
//! version, and scripts/test.sh runs them once, not on each version pass.

use crate::shell;
use crate::support::{Env, TestResult, output_text, trial};
use clap::Parser;
use profe_migrate::cli::Cli;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Result<String, String> {
    std::fs::read_to_string(repo().join(rel)).map_err(|e| format!("{rel}: {e}"))
}

fn load(rel: &str) -> Result<(String, Yaml), String> {
    let text = read(rel)?;
    let mut docs = YamlLoader::load_from_str(&text).map_err(|e| format!("{rel}: {e}"))?;
    match docs.len() {
        1 => Ok((text, docs.remove(0))),
        n => Err(format!("{rel}: {n} YAML documents, expected one")),
    }
}

fn workflows() -> Result<Vec<String>, String> {
    let dir = repo().join("examples/github");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .map(|n| format!("examples/github/{n}"))
        .collect();
    files.sort();
    if files.len() < 3 {
        return Err(format!(
            "expected the plan, apply and drift workflows: {files:?}"
        ));
    }
    Ok(files)
}

fn keys(y: &Yaml) -> Vec<String> {
    y.as_hash()
        .map(|h| {
            h.keys()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(y: &Yaml) -> Vec<String> {
    y.as_vec()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Each `PREFIX.A.B…` in `text`: the dotted words after it (`steps.plan.outputs.x` →
/// ["plan", "outputs", "x"] for prefix "steps").
fn references(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let pattern = format!("{prefix}.");
    let mut found = Vec::new();
    for (at, _) in text.match_indices(&pattern) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest: String = text[at + pattern.len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        found.push(rest.split('.').map(String::from).collect());
    }
    found
}

/// What a workflow may use of the action: its inputs and outputs.
struct Action {
    inputs: BTreeSet<String>,
    outputs: BTreeSet<String>,
}

fn check_action() -> Result<Action, String> {
    let (text, doc) = load("action.yml")?;
    let mut problems = Vec::new();
    if doc["runs"]["using"].as_str() != Some("composite") {
        problems.push("runs.using is not composite".to_string());
    }
    let inputs: BTreeSet<String> = keys(&doc["inputs"]).into_iter().collect();
    let outputs: BTreeSet<String> = keys(&doc["outputs"]).into_iter().collect();
    for name in ["command", "database-url", "to", "allow-hazards"] {
        if !inputs.contains(name) {
            problems.push(format!("no input {name}"));
        }
    }
    for name in &inputs {
        if doc["inputs"][name.as_str()]["description"]
            .as_str()
            .is_none()
        {
            problems.push(format!("input {name} has no description"));
        }
    }
    let steps = doc["runs"]["steps"].as_vec().cloned().unwrap_or_default();
    let ids: BTreeSet<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for name in ["exit-code", "plan-markdown-path"] {
        let value = doc["outputs"][name]["value"].as_str().unwrap_or_default();
        let refs = references(value, "steps");
        if !refs
            .iter()
            .any(|r| r.len() == 3 && ids.contains(r[0].as_str()) && r[1] == "outputs")
        {
            problems.push(format!("output {name} is no step's output: {value:?}"));
        }
    }
    for r in references(&text, "inputs") {
        if !inputs.contains(&r[0]) {
            problems.push(format!("inputs.{} is not declared", r[0]));
        }
    }
    let script = read("scripts/action.sh")?;
    for step in &steps {
        if step["run"].as_str().is_some() && step["shell"].as_str().is_none() {
            problems.push(format!("step {:?} has no shell", step["name"]));
        }
    }
    // Every input reaches scripts/action.sh as INPUT_<NAME>, and the script reads it (the
    // first three steps use `install` alone; `working-directory` is the step's own).
    let run = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("run"))
        .ok_or("no step with id run")?;
    let passed: BTreeSet<String> = keys(&run["env"]).into_iter().collect();
    for name in inputs
        .iter()
        .filter(|n| !matches!(n.as_str(), "install" | "working-directory"))
    {
        let var = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        if !passed.contains(&var) || !script.contains(&var) {
            problems.push(format!(
                "input {name} does not reach scripts/action.sh as {var}"
            ));
        }
    }
    if problems.is_empty() {
        Ok(Action { inputs, outputs })
    } else {
        Err(format!("action.yml:\n{}", problems.join("\n")))
    }
}

fn check_workflow(rel: &str, action: &Action) -> Vec<String> {
    let (text, doc) = match load(rel) {
        Ok(x) => x,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    for key in ["name", "on", "permissions", "jobs"] {
        if doc[key].is_badvalue() {
            problems.push(format!("no {key}"));
        }
    }
    // The settings a workflow reads are the ones its header tells to set.
    let header: String = text.lines().take_while(|l| l.starts_with('#')).collect();
    for prefix in ["secrets", "vars"] {
        for r in references(&text, prefix) {
            if !header.contains(&r[0]) {
                problems.push(format!("{prefix}.{} is not explained in the header", r[0]));
            }
        }
    }
    let jobs = doc["jobs"].as_hash().cloned().unwrap_or_default();
    if jobs.is_empty() {
        problems.push("no jobs".into());
    }
    // Step ids, and those of steps that use the action (whose outputs are the action's).
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut local: BTreeSet<String> = BTreeSet::new();
    for (name, job) in &jobs {
        let name = name.as_str().unwrap_or("?");
        if job["runs-on"].as_str().is_none() {
            problems.push(format!("job {name}: no runs-on"));
        }
        let steps = job["steps"].as_vec().cloned().unwrap_or_default();
        if steps.is_empty() {
            problems.push(format!("job {name}: no steps"));
        }
        let mut checked_out = false;
        for (i, step) in steps.iter().enumerate() {
            let uses = step["uses"].as_str();
            if uses.is_some() == step["run"].as_str().is_some() {
                problems.push(format!("job {name} step {i}: needs one of run and uses"));
            }
            ids.extend(step["id"].as_str().map(String::from));
            checked_out |= uses.is_some_and(|u| u.starts_with("actions/checkout@"));
            if uses == Some("./") {
                if !checked_out {
                    problems.push(format!("job {name}: uses ./ before actions/checkout"));
                }
                local.extend(step["id"].as_str().map(String::from));
                for input in keys(&step["with"]) {
                    if !action.inputs.contains(&input) {
                        problems.push(format!("job {name}: the action has no input {input}"));
                    }
                }
            }
        }
    }
    for r in references(&text, "steps") {
        let (id, output) = (&r[0], r.get(2).cloned().unwrap_or_default());
        if !ids.contains(id) {
            problems.push(format!("steps.{id} is no step"));
        } else if local.contains(id) && !action.outputs.contains(&output) {
            problems.push(format!("the action has no output {output}"));
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{rel}: {p}"))
        .collect()
}

const GITLAB_KEYWORDS: [&str; 10] = [
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The structure GitLab reads, and the shell of every job (before_script and script,
/// hidden jobs' included) for the command-line check.
fn check_gitlab() -> Result<Vec<String>, String> {
    let rel = "examples/gitlab-ci.yml";
    let (_, doc) = load(rel)?;
    let stages = strings(&doc["stages"]);
    let mut problems = Vec::new();
    let all = doc.as_hash().cloned().unwrap_or_default();
    let names: BTreeSet<String> = keys(&doc)
        .into_iter()
        .filter(|k| !GITLAB_KEYWORDS.contains(&k.as_str()))
        .collect();
    let mut scripts = Vec::new();
    for (name, job) in &all {
        let Some(name) = name.as_str().filter(|n| names.contains(*n)) else {
            continue;
        };
        for part in ["before_script", "script"] {
            scripts.push(strings(&job[part]).join("\n"));
        }
        for parent in strings(&job["extends"])
            .into_iter()
            .chain(job["extends"].as_str().map(String::from))
        {
            if !names.contains(&parent) {
                problems.push(format!("job {name}: extends unknown {parent}"));
            }
        }
        if name.starts_with('.') {
            continue;
        }
        // A job's script may come from the job it extends.
        let parent = job["extends"].as_str().map(|p| &doc[p]);
        let script = |j: &Yaml| strings(&j["script"]);
        if script(job).is_empty() && parent.is_none_or(|p| script(p).is_empty()) {
            problems.push(format!("job {name}: no script"));
        }
        match job["stage"].as_str() {
            Some(s) if stages.iter().any(|x| x == s) => {}
            other => problems.push(format!("job {name}: stage {other:?} is not in stages")),
        }
        for need in strings(&job["needs"])
            .into_iter()
            .chain(parent.map(|p| strings(&p["needs"])).unwrap_or_default())
        {
            if !names.contains(&need) {
                problems.push(format!("job {name}: needs unknown {need}"));
            }
        }
        if job["rules"]
            .as_vec()
            .is_none_or(|r| r.iter().any(|x| x["if"].as_str().is_none()))
        {
            problems.push(format!("job {name}: rules missing or without if"));
        }
    }
    for job in ["build", "plan", "apply", "drift"] {
        if !names.contains(job) {
            problems.push(format!("no {job} job"));
        }
    }
    if problems.is_empty() {
        Ok(scripts)
    } else {
        Err(format!("{rel}:\n{}", problems.join("\n")))
    }
}

/// Parses `args` with the binary's own command line: an unknown subcommand, flag or value
/// is an error, as it would be in CI.
fn parse(args: &[String]) -> Result<(), String> {
    let argv = std::iter::once("profe-migrate").chain(args.iter().map(String::as_str));
    match Cli::try_parse_from(argv) {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(format!("profe-migrate {}: {}", args.join(" "), e.render())),
    }
}

/// Every command of `texts`, parsed; returns the subcommands seen.
fn parse_all(what: &str, texts: &[String]) -> Result<BTreeSet<String>, String> {
    let commands: Vec<Vec<String>> = texts
        .iter()
        .flat_map(|t| shell::profe_migrate_commands(t))
        .collect();
    let errors: Vec<String> = commands.iter().filter_map(|c| parse(c).err()).collect();
    if !errors.is_empty() {
        return Err(format!("{what}:\n{}", errors.join("\n")));
    }
    Ok(commands
        .iter()
        .filter_map(|c| c.iter().find(|a| !a.starts_with('-')).cloned())
        .collect())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "cli::examples::workflows_pass_actionlint", |_| {
            let files = workflows()?;
            let o = Command::new(repo().join("scripts/actionlint.sh"))
                .args(files.iter().map(|f| repo().join(f)))
                .output()
                .map_err(|e| format!("scripts/actionlint.sh: {e}"))?;
            if o.status.success() {
                Ok(())
            } else {
                Err(output_text(&o))
            }
        }),
        trial(
            env,
            "cli::examples::workflows_and_action_fit_together",
            |_| {
                let action = check_action()?;
                let problems: Vec<String> = workflows()?
                    .iter()
                    .flat_map(|f| check_workflow(f, &action))
                    .collect();
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(problems.join("\n"))
                }
            },
        ),
        trial(env, "cli::examples::command_lines_parse", |_| {
            shell::self_check()?;
            // The check must be able to fail.
            if parse(&["plan".into(), "--no-such-flag".into()]).is_ok() {
                return Err("an unknown flag parsed".into());
            }
            let seen = parse_all("examples/gitlab-ci.yml", &check_gitlab()?)?;
            for want in ["plan", "apply", "drift"] {
                if !seen.contains(want) {
                    return Err(format!("examples/gitlab-ci.yml runs no {want}: {seen:?}"));
                }
            }
            let readme = shell::shell_blocks(&read("README.md")?);
            let seen = parse_all("README.md", &readme)?;
            if seen.len() < 8 {
                return Err(format!("README.md: only {seen:?} were found"));
            }
            Ok(())
        }),
        trial(
            env,
            "cli::examples::action_runs_plan_drift_apply",
            action_runs,
        ),
    ]
}

const MODEL: &str = "CREATE SCHEMA app;\n\
    CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);\n\
    CREATE TABLE app.notes (id bigint PRIMARY KEY, item_id bigint REFERENCES app.items (id), body text);\n";

/// One `scripts/action.sh run` as the action's step runs it: its exit code, its outputs
/// (`name=value` lines) and the Markdown file it names.
struct Run {
    code: i32,
    outputs: Vec<(String, String)>,
    markdown: String,
    log: String,
}

impl Run {
    fn output(&self, name: &str) -> Option<&str> {
        self.outputs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn expect(&self, code: i32, exit_code: &str, markdown: &str) -> TestResult {
        if self.code == code
            && self.output("exit-code") == Some(exit_code)
            && self.markdown.contains(markdown)
        {
            Ok(())
        } else {
            Err(format!(
                "expected exit {code}, exit-code={exit_code} and {markdown:?} in the Markdown; \
                 got exit {}, outputs {:?}\nmarkdown:\n{}\nlog:\n{}",
                self.code, self.outputs, self.markdown, self.log
            ))
        }
    }
}

fn action_step(env: &Env, dir: &Path, inputs: &[(&str, &str)]) -> Result<Run, String> {
    let temp = tempfile::tempdir_in(dir).map_err(|e| e.to_string())?;
    let outputs = temp.path().join("output");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_profe-migrate"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(repo().join("scripts/action.sh"));
    cmd.arg("run")
        .current_dir(dir)
        .env("PATH", path)
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .env_remove("DATABASE_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE");
    for (name, value) in inputs {
        cmd.env(format!("INPUT_{name}"), value);
    }
    let o = cmd
        .output()
        .map_err(|e| format!("scripts/action.sh: {e}"))?;
    let outputs: Vec<(String, String)> = std::fs::read_to_string(&outputs)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let markdown = outputs
        .iter()
        .find(|(k, _)| k == "plan-markdown-path")
        .and_then(|(_, p)| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    Ok(Run {
        code: o.status.code().unwrap_or(-1),
        outputs,
        markdown,
        log: output_text(&o),
    })
}

fn action_runs(env: Arc<Env>) -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let to = dir.path().join("model.sql");
    std::fs::write(&to, MODEL).map_err(|e| e.to_string())?;
    let smaller = dir.path().join("smaller.sql");
    std::fs::write(
        &smaller,
        MODEL.lines().take(2).collect::<Vec<_>>().join("\n"),
    )
    .map_err(|e| e.to_string())?;
    let (to, smaller) = (to.display().to_string(), smaller.display().to_string());
    let db = env.block_on(env.scratch("action"))?;
    let url = env.url(&db.name);
    let step = |inputs: &[(&str, &str)]| action_step(&env, dir.path(), inputs);
    let r = (|| {
        let on = |command: &'static str, to: &str| {
            vec![
                ("COMMAND", command),
                ("DATABASE_URL", url.as_str()),
                ("TO", to),
            ]
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect::<Vec<_>>()
        };
        let run = |inputs: Vec<(&str, String)>, extra: &[(&str, &str)]| {
            let mut all: Vec<(&str, &str)> = inputs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            all.extend_from_slice(extra);
            step(&all)
        };
        run(on("plan", &to), &[])?.expect(0, "0", "## profe-migrate plan")?;
        // Drift is a result, not a failure, unless asked.
        run(on("drift", &to), &[])?.expect(0, "2", "create table app.items")?;
        run(on("drift", &to), &[("FAIL_ON_DRIFT", "true")])?.expect(2, "2", "")?;
        run(on("apply", &to), &[("NO_BACKUP", "true")])?.expect(
            0,
            "0",
            "the database matches the desired state",
        )?;
        run(on("drift", &to), &[])?.expect(0, "0", "")?;
        // Dropping a table deletes data: refused unless the input allows it.
        run(on("apply", &smaller), &[("NO_BACKUP", "true")])?.expect(3, "3", "DELETES_DATA")?;
        run(
            on("apply", &smaller),
            &[("NO_BACKUP", "true"), ("ALLOW_HAZARDS", "DELETES_DATA")],
        )?
        .expect(0, "0", "")?;
        run(on("drift", &smaller), &[])?.expect(0, "0", "")?;
        let r = run(on("rollback", &to), &[])?;
        if r.code != 64 || r.output("exit-code") != Some("64") {
            return Err(format!("an unknown command: {}", r.log));
        }
        Ok(())
    })();
    let _ = env.block_on(db.drop_db());
    r
}
