//! A service in a database of its own beside the shared one (as the platform runs auth,
//! plans and chat): plan, apply, drift, status, history, backup and the HTTP API each
//! follow the service to its database, and one apply over both reports each result, a
//! failure in one leaving the other's intact.

use crate::client::{TOKEN, free_port, http, json as parse_json, request, start_with};
use crate::model::{Copy, describe, expect_code};
use crate::operations::{count, exec};
use crate::support::{Env, TestResult, trial};
use std::process::{Command, Output};
use std::sync::Arc;

const APP: &str = "CREATE SCHEMA app;\n\
    CREATE TABLE app.users (id bigint PRIMARY KEY, name text NOT NULL);\n";
const CHAT: &str = "CREATE SCHEMA chat;\n\
    CREATE TABLE chat.messages (id bigint PRIMARY KEY, body text NOT NULL, sent_at timestamptz);\n";

const CONFIG: &str = r#"[desired]
paths = ["schema"]

[services.app-service]
schemas = ["app"]

[services.chat-service]
schemas = ["chat"]
databases = { production = "CHAT_DATABASE_URL" }

[environments.production]
database_url_env = "SHARED_DATABASE_URL"

[backup]
storage = "backups"
"#;

struct Project {
    dir: tempfile::TempDir,
    shared: String,
    chat: String,
}

impl Project {
    fn new(shared: String, chat: String) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let schema = dir.path().join("schema");
        std::fs::create_dir_all(&schema).unwrap();
        std::fs::write(schema.join("app.sql"), APP).unwrap();
        std::fs::write(schema.join("chat.sql"), CHAT).unwrap();
        std::fs::write(dir.path().join("profe-migrate.toml"), CONFIG).unwrap();
        Project { dir, shared, chat }
    }

    fn config(&self) -> std::path::PathBuf {
        self.dir.path().join("profe-migrate.toml")
    }

    fn run_with(&self, env: &Env, shared: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
            .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
            .env("SHARED_DATABASE_URL", shared)
            .env("CHAT_DATABASE_URL", &self.chat)
            .args(["--environment", "production"])
            .args(args)
            .output()
            .expect("run profe-migrate")
    }

    fn run(&self, env: &Env, args: &[&str]) -> Output {
        self.run_with(env, &self.shared, args)
    }
}

fn tables(env: &Env, url: &str, schema: &str) -> Result<i64, String> {
    count(
        env,
        url,
        &format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'"),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scenario(env: &Env, p: &Project, shared_name: &str, chat_name: &str) -> TestResult {
    // plan follows the service to its database, and the shared plan leaves its schema out.
    let o = p.run(
        env,
        &["plan", "--service", "chat-service", "--format", "json"],
    );
    expect_code(&o, 0, "plan of the chat service")?;
    let text = stdout(&o);
    if !text.contains("chat.messages") || text.contains("app.users") {
        return Err(format!("the chat plan is not the chat schema's: {text}"));
    }
    let o = p.run(env, &["plan", "--format", "json"]);
    expect_code(&o, 0, "plan of the shared database")?;
    if !stdout(&o).contains("app.users") || stdout(&o).contains("chat.messages") {
        return Err(format!(
            "the shared plan holds the wrong schemas: {}",
            describe(&o)
        ));
    }

    // One apply: each database gets its own schemas, and each result is reported.
    let o = p.run(env, &["apply", "--yes"]);
    expect_code(&o, 0, "apply over both databases")?;
    let out = stdout(&o);
    for needle in [
        "== shared database ==",
        "== chat-service ==",
        "shared database: ok",
        "chat-service: ok",
    ] {
        if !out.contains(needle) {
            return Err(format!(
                "the apply report lacks {needle:?}: {}",
                describe(&o)
            ));
        }
    }
    if tables(env, &p.shared, "app")? != 1
        || tables(env, &p.shared, "chat")? != 0
        || tables(env, &p.chat, "chat")? != 1
        || tables(env, &p.chat, "app")? != 0
    {
        return Err("the schemas did not land in their own databases".into());
    }
    expect_code(&p.run(env, &["drift"]), 0, "drift right after the apply")?;

    // A change by hand in the chat database is drift there, and only there.
    exec(
        env,
        &p.chat,
        "ALTER TABLE chat.messages DROP COLUMN sent_at",
    )?;
    let o = p.run(env, &["drift"]);
    expect_code(&o, 2, "drift with the chat database changed by hand")?;
    if !stdout(&o).contains("chat-service: differs") || !stdout(&o).contains("shared database: ok")
    {
        return Err(format!("drift does not say where: {}", describe(&o)));
    }
    expect_code(
        &p.run(env, &["drift", "--service", "app-service"]),
        0,
        "the app service is in sync",
    )?;
    expect_code(
        &p.run(env, &["drift", "--service", "chat-service"]),
        2,
        "the chat service drifts",
    )?;

    // status reads each service where it lives; history is the service database's.
    let o = p.run(env, &["status", "--format", "json"]);
    expect_code(&o, 0, "status")?;
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
    let service = |name: &str| {
        st["services"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["service"] == name))
            .cloned()
            .unwrap_or_default()
    };
    let (app, chat) = (service("app-service"), service("chat-service"));
    if app["database"] != shared_name
        || chat["database"] != chat_name
        || app["drift"] != false
        || chat["drift"] != true
        || chat["last_result"] != "applied"
    {
        return Err(format!("status: {st}"));
    }
    let o = p.run(env, &["history", "--service", "chat-service"]);
    expect_code(&o, 0, "history of the chat service")?;
    if !stdout(&o).contains("apply")
        || count(env, &p.chat, "SELECT count(*) FROM profe_migrate.history")? != 1
    {
        return Err(format!(
            "the chat database has not its own history: {}",
            describe(&o)
        ));
    }

    // A backup of the service is its own database's.
    let o = p.run(env, &["backup", "--service", "chat-service"]);
    if o.status.code() == Some(0) {
        let o = p.run(env, &["backup", "list"]);
        if !stdout(&o).contains("chat-service") {
            return Err(format!("backup list: {}", describe(&o)));
        }
    } else if !String::from_utf8_lossy(&o.stderr).contains("pg_dump") {
        // Only a missing pg_dump for this server's major may stop it (see backups.rs).
        return Err(format!("backup of the chat service: {}", describe(&o)));
    }

    // The HTTP API follows the service too.
    let port = free_port();
    let server = start_with(
        env,
        &p.config(),
        &p.shared,
        port,
        &[
            ("SHARED_DATABASE_URL", p.shared.clone()),
            ("CHAT_DATABASE_URL", p.chat.clone()),
        ],
    )?;
    let (code, body) = http(
        port,
        "/api/migrations/status?environment=production",
        Some(TOKEN),
    )?;
    let st = parse_json(&body)?;
    let found = st["services"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["service"] == "chat-service"))
        .cloned()
        .unwrap_or_default();
    if code != 200 || found["database"] != chat_name || found["drift"] != true {
        return Err(format!("GET /api/migrations/status: {code} {body}"));
    }
    let (code, body) = http(
        port,
        "/api/migrations/plan?environment=production&service=chat-service",
        Some(TOKEN),
    )?;
    if code != 200 || !body.contains("sent_at") || body.contains("app.users") {
        return Err(format!(
            "GET /api/migrations/plan for the chat service: {code} {body}"
        ));
    }
    let (code, body) = request(
        port,
        "POST",
        "/api/migrations/run",
        Some(TOKEN),
        Some(r#"{"service": "app-service", "environment": "production", "dry_run": true}"#),
    )?;
    if code != 200 || !body.contains("\"steps\":[]") {
        return Err(format!("dry run for the app service: {code} {body}"));
    }
    drop(server);

    // One apply where the shared database fails: the chat database is still migrated,
    // and both results are reported.
    let missing = p.shared.replace(shared_name, "no_such_database");
    let o = p.run_with(env, &missing, &["apply", "--yes", "--no-backup"]);
    expect_code(&o, 1, "apply with the shared database unreachable")?;
    let out = stdout(&o);
    if !out.contains("shared database: failed") || !out.contains("chat-service: ok") {
        return Err(format!("the apply report: {}", describe(&o)));
    }
    let column = "SELECT count(*) FROM information_schema.columns \
                  WHERE table_schema = 'chat' AND column_name = 'sent_at'";
    if count(env, &p.chat, column)? != 1 {
        return Err("the chat database was not migrated beside the failure".into());
    }
    expect_code(&p.run(env, &["drift"]), 0, "drift after the partial apply")?;

    // Several --service for a command that handles one is a usage error.
    let o = p.run(
        env,
        &[
            "history",
            "--service",
            "app-service",
            "--service",
            "chat-service",
        ],
    );
    expect_code(&o, 64, "history with two services")
}

fn two_databases(env: &Env) -> TestResult {
    let shared = env.block_on(Copy::new(env, None, "shared"))?;
    let chat = env.block_on(Copy::new(env, None, "chatdb"))?;
    let project = Project::new(env.url(&shared.name), env.url(&chat.name));
    let result = scenario(env, &project, &shared.name, &chat.name);
    env.block_on(shared.drop_db(env));
    env.block_on(chat.drop_db(env));
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "databases::a_service_in_its_own_database_plan_apply_drift_status_history_http",
        |env| two_databases(&env),
    )]
}
