//! Operations on the model through the CLI and a `profe-migrate.toml`: configuration
//! errors, per-service scope, history of applies (failed ones too), drift in its three
//! situations (with the audit trigger naming who), rollback, backups and retention.

use crate::model::{Copy, Template, describe, expect_code, repo, with_template};
use crate::support::{Env, TestResult, trial};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use tokio_postgres::Client;

const SERVICES: [(&str, &str); 8] = [
    ("auth-service", "auth"),
    ("users-service", "users"),
    ("organizations-service", "organizations"),
    ("academic-service", "academic"),
    ("plans-service", "plans"),
    ("chat-service", "chat"),
    ("analytics-service", "analytics"),
    ("files-service", "files"),
];

/// A directory holding a configuration for the model (services, one environment whose
/// URL is in PROFE_TEST_DB, backups kept two per service) and, when asked, a changed
/// copy of the desired state.
pub(crate) struct Setup {
    pub(crate) dir: tempfile::TempDir,
}

impl Setup {
    pub(crate) fn new(extra_desired: Option<&str>) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut paths = vec![
            repo().join("schema").display().to_string(),
            repo().join("policies").display().to_string(),
        ];
        if let Some(sql) = extra_desired {
            let extra = dir.path().join("extra");
            std::fs::create_dir_all(&extra).unwrap();
            std::fs::write(extra.join("change.sql"), sql).unwrap();
            paths.push(extra.display().to_string());
        }
        let mut toml = format!(
            "[desired]\npaths = {paths:?}\nseeds = {:?}\n\n",
            repo().join("seeds").display().to_string()
        );
        for (service, schema) in SERVICES {
            toml.push_str(&format!(
                "[services.{service}]\nschemas = [\"{schema}\"]\n\n"
            ));
        }
        toml.push_str(
            "[environments.test]\ndatabase_url_env = \"PROFE_TEST_DB\"\n\
             allow_hazards = [\"INDEX_BUILD\", \"NON_TRANSACTIONAL\"]\nlock_timeout = \"2s\"\n\n\
             [backup]\nstorage = \"backups\"\nretention = 2\n",
        );
        std::fs::write(dir.path().join("profe-migrate.toml"), toml).unwrap();
        Setup { dir }
    }

    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("profe-migrate.toml")
    }

    pub(crate) fn backups(&self) -> PathBuf {
        self.dir.path().join("backups")
    }

    /// The CLI with this configuration and `url` as the test environment's database.
    pub(crate) fn run(&self, env: &Env, url: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
            .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
            .env("PROFE_TEST_DB", url)
            .arg("--config")
            .arg(self.config())
            .args(args)
            .output()
            .expect("run profe-migrate")
    }
}

/// A directory with the model's configuration (for other test modules).
pub fn config_dir() -> tempfile::TempDir {
    Setup::new(None).dir
}

pub(crate) fn json(o: &Output) -> Result<serde_json::Value, String> {
    serde_json::from_slice(&o.stdout).map_err(|e| format!("not JSON ({e}): {}", describe(o)))
}

async fn connect(url: &str) -> Result<Client, String> {
    let target = profe_migrate::db::parse(url).map_err(|e| e.to_string())?;
    profe_migrate::db::connect(&target)
        .await
        .map_err(|e| e.to_string())
}

/// A connection lives on the runtime that made it: each query connects afresh.
/// Runs SQL as a person with psql would: a session that is not the engine's (the DDL
/// audit records it) with the database's own search_path.
pub(crate) fn exec(env: &Env, url: &str, sql: &str) -> TestResult {
    env.block_on(async {
        let client = connect(url).await?;
        client
            .batch_execute("RESET profe_migrate.engine; SET search_path TO DEFAULT")
            .await
            .map_err(|e| profe_migrate::Error::describe_db(&e))?;
        client
            .batch_execute(sql)
            .await
            .map_err(|e| profe_migrate::Error::describe_db(&e))
    })
}

pub(crate) fn count(env: &Env, url: &str, sql: &str) -> Result<i64, String> {
    env.block_on(async {
        Ok(connect(url)
            .await?
            .query_one(sql, &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0))
    })
}

/// Runs `test` with the URL of a fresh copy of the template.
pub(crate) fn with_copy<F>(env: &Env, template: &Template, test: F) -> TestResult
where
    F: FnOnce(&str) -> TestResult,
{
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_ops"))?;
    let result = test(&env.url(&copy.name));
    env.block_on(copy.drop_db(env));
    result
}

fn configuration_errors(env: &Env) -> TestResult {
    let setup = Setup::new(None);
    let url = env.url("postgres");
    let o = setup.run(
        env,
        &url,
        &["plan", "--service", "billing-service", "--from", "empty"],
    );
    expect_code(&o, 1, "unknown service")?;
    if !String::from_utf8_lossy(&o.stderr).contains("unknown service \"billing-service\"") {
        return Err(format!("unclear error: {}", describe(&o)));
    }
    let bad = setup.dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[environments.prod]\ndatabase_url_env = \"PROD_DB\"\n\
         database_url = \"postgres://app:secret@db/profe\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["--config"])
        .arg(&bad)
        .args(["plan", "--from", "empty"])
        .output()
        .unwrap();
    expect_code(&o, 1, "a URL in the configuration")?;
    let err = String::from_utf8_lossy(&o.stderr);
    if !err.contains("database_url_env") || err.contains("secret") {
        return Err(format!("unclear or leaking error: {err}"));
    }
    let o = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .current_dir(setup.dir.path().join(".."))
        .args(["plan", "--environment", "prod", "--from", "empty"])
        .output()
        .unwrap();
    expect_code(&o, 1, "--environment without a configuration")?;
    Ok(())
}

fn service_scope(env: &Env, template: &Template) -> TestResult {
    let setup = Setup::new(None);
    with_copy(env, template, |url| {
        exec(
            env,
            url,
            "DROP INDEX auth.password_resets_account; DROP INDEX academic.courses_teacher",
        )?;
        let o = setup.run(
            env,
            url,
            &[
                "plan",
                "--service",
                "auth-service",
                "--environment",
                "test",
                "--format",
                "json",
            ],
        );
        expect_code(&o, 0, "plan --service")?;
        let plan = json(&o)?;
        if plan["scope"] != serde_json::json!(["auth"]) {
            return Err(format!("scope: {}", plan["scope"]));
        }
        let steps = plan["steps"].as_array().cloned().unwrap_or_default();
        if steps.is_empty()
            || steps
                .iter()
                .any(|s| !s["object"].as_str().unwrap_or("").contains(" auth."))
        {
            return Err(format!("steps outside auth: {}", plan["steps"]));
        }
        let o = setup.run(
            env,
            url,
            &[
                "apply",
                "--service",
                "auth-service",
                "--environment",
                "test",
                "--yes",
                "--no-backup",
            ],
        );
        expect_code(&o, 0, "apply --service")?;
        let indexes = |name: &str| {
            count(
                env,
                url,
                &format!("SELECT count(*) FROM pg_indexes WHERE indexname = '{name}'"),
            )
        };
        if indexes("password_resets_account")? != 1 || indexes("courses_teacher")? != 0 {
            return Err("apply --service auth-service did not keep to auth".into());
        }
        let o = setup.run(
            env,
            url,
            &["history", "--environment", "test", "--format", "json"],
        );
        let h = json(&o)?;
        let last = h
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .unwrap_or_default();
        if last["service"] != "auth-service"
            || last["result"] != "applied"
            || last["environment"] != "test"
        {
            return Err(format!("history: {last}"));
        }
        Ok(())
    })
}

fn history(env: &Env, template: &Template) -> TestResult {
    // Some seeded profiles have no birth date: this desired state cannot be applied.
    let setup = Setup::new(Some(
        "ALTER TABLE users.profiles ALTER COLUMN birth_date SET NOT NULL;\n",
    ));
    with_copy(env, template, |url| {
        let o = setup.run(
            env,
            url,
            &[
                "apply",
                "--environment",
                "test",
                "--allow-hazards",
                "all",
                "--yes",
                "--no-backup",
            ],
        );
        if o.status.code() != Some(1) {
            // The NOT NULL could be refused while loading as well: the history must then
            // stay as it was, which the checks below still tell.
            return Err(format!("an apply that cannot succeed: {}", describe(&o)));
        }
        let o = setup.run(
            env,
            url,
            &["history", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 0, "history")?;
        let h = json(&o)?;
        let entries = h.as_array().cloned().unwrap_or_default();
        let (first, last) = (entries.first().cloned(), entries.last().cloned());
        let (first, last) = (first.unwrap_or_default(), last.unwrap_or_default());
        if entries.len() != 2
            || first["result"] != "applied"
            || first["kind"] != "apply"
            || last["result"] != "failed"
            || !last["error"].as_str().unwrap_or("").contains("birth_date")
            || last["db_user"] != "postgres"
            || last["client"].as_str().unwrap_or("").is_empty()
            || last["steps"].as_i64().unwrap_or(0) < 1
            || last["duration_ms"].is_null()
            || last["desired_fingerprint"].as_str().unwrap_or("").len() != 64
        {
            return Err(format!("history: {h:#}"));
        }
        let text = setup.run(env, url, &["history", "--environment", "test"]);
        if !String::from_utf8_lossy(&text.stdout).contains("failed") {
            return Err(format!("text history: {}", describe(&text)));
        }
        Ok(())
    })
}

fn drift(env: &Env, template: &Template) -> TestResult {
    let same = Setup::new(None);
    let ahead = Setup::new(Some(
        "CREATE TABLE analytics.reports (id int PRIMARY KEY, body text);\n",
    ));
    with_copy(env, template, |url| {
        let o = same.run(
            env,
            url,
            &["drift", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 0, "drift in sync")?;
        if json(&o)?["drift"] != "in_sync" {
            return Err(describe(&o));
        }
        let o = ahead.run(
            env,
            url,
            &["drift", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 2, "drift, repository ahead")?;
        if json(&o)?["drift"] != "repository_ahead" {
            return Err(describe(&o));
        }
        let o = same.run(env, url, &["audit", "install", "--environment", "test"]);
        expect_code(&o, 0, "audit install")?;
        exec(
            env,
            &format!("{url}&application_name=psql"),
            "CREATE INDEX lessons_title ON academic.lessons (title)",
        )?;
        let o = same.run(
            env,
            url,
            &["drift", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 2, "drift, changed by hand")?;
        let report = json(&o)?;
        let audit = report["audit"].as_array().cloned().unwrap_or_default();
        if report["drift"] != "changed_by_hand"
            || !report["changed_by_hand"]
                .to_string()
                .contains("index academic.lessons_title")
            || !audit.iter().any(|a| {
                a["db_user"] == "postgres"
                    && a["application"] == "psql"
                    && a["command_tag"] == "CREATE INDEX"
            })
        {
            return Err(format!("drift report: {report:#}"));
        }
        let o = same.run(env, url, &["drift", "--environment", "test"]);
        let text = String::from_utf8_lossy(&o.stdout);
        if !text.contains("changed in the database by hand") || !text.contains("postgres (psql)") {
            return Err(describe(&o));
        }
        Ok(())
    })
}

fn rollback(env: &Env, template: &Template) -> TestResult {
    let v2 = Setup::new(Some(
        "CREATE TABLE analytics.reports (id int PRIMARY KEY, body text);\n\
         CREATE INDEX lessons_title ON academic.lessons (title);\n",
    ));
    let v1 = Setup::new(None);
    with_copy(env, template, |url| {
        let accounts = count(env, url, "SELECT count(*) FROM auth.accounts")?;
        let o = v2.run(
            env,
            url,
            &["apply", "--environment", "test", "--yes", "--no-backup"],
        );
        expect_code(&o, 0, "apply v2")?;
        exec(
            env,
            url,
            "INSERT INTO analytics.reports VALUES (1, 'kept?')",
        )?;
        // Going back drops the new table and its row: refused unless allowed.
        let o = v1.run(
            env,
            url,
            &["rollback", "--environment", "test", "--yes", "--no-backup"],
        );
        expect_code(&o, 3, "rollback without DELETES_DATA")?;
        let o = v1.run(
            env,
            url,
            &[
                "rollback",
                "--environment",
                "test",
                "--allow-hazards",
                "DELETES_DATA,INDEX_DROPPED",
                "--yes",
                "--no-backup",
            ],
        );
        expect_code(&o, 0, "rollback")?;
        let o = v1.run(
            env,
            url,
            &["drift", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 0, "drift after rollback")?;
        if count(env, url, "SELECT count(*) FROM auth.accounts")? != accounts {
            return Err("the rollback lost rows".into());
        }
        let o = v1.run(
            env,
            url,
            &["history", "--environment", "test", "--format", "json"],
        );
        let h = json(&o)?;
        let kinds: Vec<String> = h
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["kind"].as_str().unwrap_or(""),
                    e["result"].as_str().unwrap_or("")
                )
            })
            .collect();
        if kinds != ["apply:applied", "apply:applied", "rollback:applied"] {
            return Err(format!("history after rollback: {kinds:?}"));
        }
        Ok(())
    })
}

fn status(env: &Env, template: &Template) -> TestResult {
    let setup = Setup::new(None);
    with_copy(env, template, |url| {
        exec(env, url, "DROP INDEX academic.courses_teacher")?;
        let o = setup.run(
            env,
            url,
            &["status", "--environment", "test", "--format", "json"],
        );
        expect_code(&o, 0, "status")?;
        let st = json(&o)?;
        let services = st["services"].as_array().cloned().unwrap_or_default();
        if services.len() != 8
            || st["size_bytes"].as_i64().unwrap_or(0) <= 0
            || st["active_connections"].as_i64().unwrap_or(0) < 1
        {
            return Err(format!("status: {st:#}"));
        }
        for s in &services {
            let academic = s["service"] == "academic-service";
            if s["drift"] != academic
                || s["last_version"] != 1
                || s["last_result"] != "applied"
                || (academic && s["size_bytes"].as_i64().unwrap_or(0) <= 0)
            {
                return Err(format!("service status: {s}"));
            }
        }
        let o = setup.run(env, url, &["status", "--environment", "test"]);
        if !String::from_utf8_lossy(&o.stdout).contains("academic-service") {
            return Err(describe(&o));
        }
        Ok(())
    })
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "operations::configuration_errors_are_clear", |env| {
            configuration_errors(&env)
        }),
        with_template(
            env,
            template,
            "operations::a_service_plan_touches_only_its_schemas",
            service_scope,
        ),
        with_template(
            env,
            template,
            "operations::history_records_applied_and_failed_runs",
            history,
        ),
        with_template(
            env,
            template,
            "operations::drift_tells_in_sync_repository_ahead_and_changed_by_hand",
            drift,
        ),
        with_template(
            env,
            template,
            "operations::rollback_returns_to_the_earlier_version_keeping_data",
            rollback,
        ),
        with_template(
            env,
            template,
            "operations::status_reports_versions_drift_and_sizes_per_service",
            status,
        ),
    ]
}
