//! The HTTP service against the model: a real server process on a free port, called
//! through plain HTTP/1.1 over a TCP socket.

use crate::client::{
    LockHolder, TOKEN, Webhook, free_port, http, json, request, start, start_with,
};
use crate::model::{Copy, Template, with_template};
use crate::operations::exec;
use crate::support::{Env, TestResult, trial};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn endpoints(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_http"))?;
    let url = env.url(&copy.name);
    let setup = crate::operations::config_dir();
    let result = (|| {
        let port = free_port();
        let _server = start(env, &setup.path().join("profe-migrate.toml"), &url, port)?;
        let expect = |path: &str, token: Option<&str>, code: u16| -> Result<String, String> {
            let (status, body) = http(port, path, token)?;
            if status == code {
                Ok(body)
            } else {
                Err(format!("GET {path}: {status}, expected {code}: {body}"))
            }
        };
        let health = json(&expect("/health", None, 200)?)?;
        if health["database"] != "reachable" {
            return Err(format!("health: {health}"));
        }
        let err = json(&expect("/api/migrations/status", None, 401)?)?;
        if err["error"]["code"] != "unauthorized" {
            return Err(format!("401 body: {err}"));
        }
        expect(
            "/api/migrations/status",
            Some("test-token-0123456789abcdeX"),
            401,
        )?;
        let st = json(&expect("/api/migrations/status", Some(TOKEN), 200)?)?;
        if st["services"].as_array().map(Vec::len) != Some(8) {
            return Err(format!("status: {st}"));
        }
        let plan = json(&expect(
            "/api/migrations/plan?service=auth-service",
            Some(TOKEN),
            200,
        )?)?;
        if plan["scope"] != serde_json::json!(["auth"]) || plan["steps"] != serde_json::json!([]) {
            return Err(format!("plan: {plan}"));
        }
        let err = json(&expect(
            "/api/migrations/plan?service=billing-service",
            Some(TOKEN),
            404,
        )?)?;
        if err["error"]["code"] != "unknown_service" {
            return Err(format!("unknown service: {err}"));
        }
        expect("/api/migrations/plan?environment=nowhere", Some(TOKEN), 404)?;
        expect("/api/migrations/plan?bogus=1", Some(TOKEN), 400)?;
        let err = json(&expect("/api/nothing-here", Some(TOKEN), 404)?)?;
        if err["error"]["code"] != "not_found" {
            return Err(format!("404 body: {err}"));
        }
        let metrics = expect("/metrics", None, 200)?;
        for needle in [
            "profe_migrate_database_size_bytes ",
            "profe_migrate_active_connections ",
            "profe_migrate_migrations_total{service=\"all\",result=\"applied\"} 1",
            "profe_migrate_migration_duration_seconds_count 1",
        ] {
            if !metrics.contains(needle) {
                return Err(format!("metrics lack {needle}:\n{metrics}"));
            }
        }
        Ok(())
    })();
    env.block_on(copy.drop_db(env));
    result
}

/// Runs, jobs, conflicts, bad bodies, backups; every response checked against the
/// OpenAPI document's declared statuses.
fn runs(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_runs"))?;
    let url = env.url(&copy.name);
    let setup = crate::operations::config_dir();
    let result = (|| {
        let port = free_port();
        let webhook = Webhook::start()?;
        let _server = start_with(
            env,
            &setup.path().join("profe-migrate.toml"),
            &url,
            port,
            &[("MIGRATION_SERVICE_ALERT_WEBHOOK", webhook.url.clone())],
        )?;
        let seen = std::cell::RefCell::new(Vec::<(String, String, u16)>::new());
        let call = |method: &str,
                    path: &str,
                    body: Option<&str>,
                    code: u16|
         -> Result<serde_json::Value, String> {
            let (status, text) = request(port, method, path, Some(TOKEN), body)?;
            let template_path = if path.starts_with("/api/jobs/") {
                "/api/jobs/{id}"
            } else {
                path.split('?').next().unwrap_or(path)
            };
            seen.borrow_mut()
                .push((template_path.to_string(), method.to_lowercase(), status));
            if status != code {
                return Err(format!(
                    "{method} {path}: {status}, expected {code}: {text}"
                ));
            }
            json(&text)
        };
        let dry = call(
            "POST",
            "/api/migrations/run",
            Some(r#"{"service": "auth-service", "dry_run": true}"#),
            200,
        )?;
        if dry["plan"]["steps"] != serde_json::json!([]) {
            return Err(format!("dry run: {dry}"));
        }
        for (body, what) in [
            (
                r#"{"service": "auth-service", "bogus": 1}"#,
                "unknown field",
            ),
            (r#"{"service": "auth-service", "#, "broken JSON"),
            (
                r#"{"service": "auth-service", "allow_hazards": ["NOPE"]}"#,
                "unknown hazard",
            ),
            // Found by schemathesis: serde reads a struct from an array of its fields, and
            // "all" must not excuse an unknown name beside it.
            (r#"[null, null, false, []]"#, "an array"),
            (
                r#"{"allow_hazards": ["__not_in_enum__", "all"]}"#,
                "unknown hazard beside all",
            ),
        ] {
            let err = call("POST", "/api/migrations/run", Some(body), 400)
                .map_err(|e| format!("{what}: {e}"))?;
            if err["error"]["code"] != "bad_request" {
                return Err(format!("{what}: {err}"));
            }
        }
        let big = format!(
            r#"{{"service": "auth-service", "pad": "{}"}}"#,
            "x".repeat(70_000)
        );
        let err = call("POST", "/api/migrations/run", Some(&big), 413)?;
        if err["error"]["code"] != "too_large" {
            return Err(format!("413 body: {err}"));
        }
        call(
            "POST",
            "/api/migrations/run",
            Some(r#"{"service": "billing-service"}"#),
            404,
        )?;
        // A run that works: an index dropped by hand comes back.
        exec(env, &url, "DROP INDEX academic.courses_teacher")?;
        let accepted = call(
            "POST",
            "/api/migrations/run",
            Some(
                r#"{"service": "academic-service", "allow_hazards": ["INDEX_BUILD", "NON_TRANSACTIONAL"]}"#,
            ),
            202,
        )?;
        let id = accepted["job_id"].as_str().ok_or("no job id")?.to_string();
        let wait = |id: &str| -> Result<serde_json::Value, String> {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let job = call("GET", &format!("/api/jobs/{id}"), None, 200)?;
                if job["state"] != "running" || Instant::now() > deadline {
                    return Ok(job);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        };
        let job = wait(&id)?;
        if job["state"] != "succeeded" || job["steps"].as_u64().unwrap_or(0) < 1 {
            return Err(format!("job: {job}"));
        }
        // Another session holds the migration lock: 409.
        {
            let _held = LockHolder::take(&url)?;
            exec(env, &url, "DROP INDEX academic.courses_teacher")?;
            let err = call(
                "POST",
                "/api/migrations/run",
                Some(r#"{"service": "academic-service", "allow_hazards": ["all"]}"#),
                409,
            )?;
            if err["error"]["code"] != "conflict" {
                return Err(format!("409 body: {err}"));
            }
        }
        // A run that fails half-way: a CHECK the data breaks is added NOT VALID, then
        // its validation fails; the job says so and the history records it.
        exec(
            env,
            &url,
            "ALTER TABLE academic.assessment_results DROP CONSTRAINT assessment_results_score_check; \
             UPDATE academic.assessment_results SET score = 150 WHERE id = '00000000-0000-4000-8000-000000000603'",
        )?;
        let accepted = call(
            "POST",
            "/api/migrations/run",
            Some(r#"{"service": "academic-service", "allow_hazards": ["all"]}"#),
            202,
        )?;
        let id = accepted["job_id"].as_str().ok_or("no job id")?.to_string();
        let job = wait(&id)?;
        if job["state"] != "failed" || job["error"]["code"] != "apply_failed" {
            return Err(format!("failing job: {job}"));
        }
        call("GET", "/api/jobs/job-999", None, 404)?;
        if !webhook.got("migration_failed") {
            return Err("the failed migration was not posted to the webhook".into());
        }
        // The half-done run left academic drifted: metrics say so, and alert once.
        let (_, metrics) = http(port, "/metrics", None)?;
        for needle in [
            "profe_migrate_alerts_total{kind=\"migration_failed\"} 1",
            "profe_migrate_drift{service=\"academic-service\"} 1",
            "profe_migrate_drift{service=\"auth-service\"} 0",
            "profe_migrate_migrations_total{service=\"academic-service\",result=\"failed\"} 1",
        ] {
            if !metrics.contains(needle) {
                return Err(format!("metrics lack {needle}:\n{metrics}"));
            }
        }
        if !webhook.got("\"drift\"") {
            return Err("the drift was not posted to the webhook".into());
        }
        // Backups: created when a pg_dump can read this server, else a clear 500.
        let backup = request(
            port,
            "POST",
            "/api/backup/create",
            Some(TOKEN),
            Some(r#"{"service": "academic-service", "description": "from a test"}"#),
        )?;
        seen.borrow_mut()
            .push(("/api/backup/create".into(), "post".into(), backup.0));
        let (_, metrics) = http(port, "/metrics", None)?;
        let result = if backup.0 == 201 { "created" } else { "failed" };
        let needle = format!(
            "profe_migrate_backups_total{{service=\"academic-service\",result=\"{result}\"}} 1"
        );
        if !metrics.contains(&needle) {
            return Err(format!("metrics lack {needle}:\n{metrics}"));
        }
        match backup.0 {
            201 => {
                let listed = call("GET", "/api/backups", None, 200)?;
                if listed.as_array().map(Vec::len) != Some(1) {
                    return Err(format!("backups: {listed}"));
                }
            }
            500 if json(&backup.1)?["error"]["code"] == "backup_failed" => {}
            other => return Err(format!("backup: {other} {}", backup.1)),
        }
        // The document declares every status seen.
        let spec = call("GET", "/api/openapi.json", None, 200)?;
        for (path, method, status) in seen.borrow().iter() {
            if spec["paths"][path][method]["responses"][status.to_string()].is_null() {
                return Err(format!(
                    "the OpenAPI document lacks {method} {path} → {status}"
                ));
            }
        }
        Ok(())
    })();
    env.block_on(copy.drop_db(env));
    result
}

/// SIGTERM while a run is going: the server finishes the apply before it exits.
fn graceful_stop(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_stop"))?;
    let url = env.url(&copy.name);
    let setup = crate::operations::config_dir();
    let result = (|| {
        exec(
            env,
            &url,
            "DROP INDEX academic.courses_teacher; DROP INDEX academic.courses_subject",
        )?;
        let port = free_port();
        let mut server = start(env, &setup.path().join("profe-migrate.toml"), &url, port)?;
        let (status, body) = request(
            port,
            "POST",
            "/api/migrations/run",
            Some(TOKEN),
            Some(r#"{"service": "academic-service", "allow_hazards": ["all"]}"#),
        )?;
        if status != 202 {
            return Err(format!("run: {status} {body}"));
        }
        let pid = nix::unistd::Pid::from_raw(server.0.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if server.0.try_wait().map_err(|e| e.to_string())?.is_some() {
                break;
            }
            if Instant::now() > deadline {
                return Err("the server did not stop within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let state: (i64, String) = env.block_on(async {
            let t = profe_migrate::db::parse(&url).map_err(|e| e.to_string())?;
            let c = profe_migrate::db::connect(&t)
                .await
                .map_err(|e| e.to_string())?;
            let r = c
                .query_one(
                    "SELECT (SELECT count(*) FROM pg_indexes WHERE indexname IN \
                       ('courses_teacher', 'courses_subject')), \
                     (SELECT result FROM profe_migrate.history ORDER BY version DESC LIMIT 1)",
                    &[],
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((r.get(0), r.get(1)))
        })?;
        if state != (2, "applied".to_string()) {
            return Err(format!(
                "after the stop: {state:?} (indexes back, last result)"
            ));
        }
        Ok(())
    })();
    env.block_on(copy.drop_db(env));
    result
}

/// A password in the database URL appears in no response and no log line, even when the
/// database cannot be reached.
fn no_password_leaks(_env: &Env) -> TestResult {
    let port = free_port();
    let secret = "s3cret-Pa55word";
    let url = format!("postgres://migrator:{secret}@127.0.0.1:1/profe");
    let log = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["serve", "--no-backup", "--port", &port.to_string()])
        .env("MIGRATION_SERVICE_TOKEN", TOKEN)
        .env("MIGRATION_SERVICE_MASTER_DB_URL", &url)
        .env("MIGRATION_SERVICE_LOG_LEVEL", "debug")
        .env_remove("PROFE_MIGRATE_LOG")
        // A file, not a pipe: nobody reads a pipe while the server runs.
        .stdout(Stdio::from(log.reopen().map_err(|e| e.to_string())?))
        .stderr(Stdio::from(log.reopen().map_err(|e| e.to_string())?))
        .spawn()
        .map_err(|e| e.to_string())?;
    let result = (|| {
        let deadline = Instant::now() + Duration::from_secs(30);
        let health = loop {
            if let Ok(r) = http(port, "/health", None) {
                break r;
            }
            if Instant::now() > deadline {
                return Err("the server did not answer".to_string());
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut bodies = vec![health.1.clone()];
        if health.0 != 503 {
            return Err(format!("health with an unreachable database: {health:?}"));
        }
        for path in ["/api/migrations/status", "/api/migrations/plan", "/metrics"] {
            bodies.push(http(port, path, Some(TOKEN))?.1);
        }
        let run = request(
            port,
            "POST",
            "/api/migrations/run",
            Some(TOKEN),
            Some(r#"{"dry_run": true}"#),
        )?;
        bodies.push(run.1);
        if let Some(b) = bodies.iter().find(|b| b.contains(secret)) {
            return Err(format!("a response shows the password: {b}"));
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(log.path()).map_err(|e| e.to_string())?;
    result?;
    if !logs.contains("listening on") {
        return Err(format!("no log was captured: {logs}"));
    }
    if logs.contains(secret) {
        return Err(format!("the logs show the password:\n{logs}"));
    }
    Ok(())
}

fn refuses_without_token(_env: &Env) -> TestResult {
    let o = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["serve", "--port", &free_port().to_string()])
        .env_remove("MIGRATION_SERVICE_TOKEN")
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.code() != Some(64) || !err.contains("MIGRATION_SERVICE_TOKEN") {
        return Err(format!("exit {:?}: {err}", o.status.code()));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![
        with_template(
            env,
            template,
            "http::endpoints_answer_with_auth_json_errors_and_metrics",
            endpoints,
        ),
        with_template(
            env,
            template,
            "http::runs_jobs_conflicts_failures_backups_and_openapi",
            runs,
        ),
        with_template(
            env,
            template,
            "http::stopping_waits_for_a_running_apply",
            graceful_stop,
        ),
        trial(
            env,
            "http::no_response_or_log_shows_the_database_password",
            |env| no_password_leaks(&env),
        ),
        trial(
            env,
            "http::the_server_refuses_to_start_without_a_token",
            |env| refuses_without_token(&env),
        ),
    ]
}
