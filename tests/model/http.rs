//! The HTTP service against the model: a real server process on a free port, called
//! through plain HTTP/1.1 over a TCP socket.

use crate::model::{Copy, Template};
use crate::support::{Env, TestResult, trial};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "test-token-0123456789abcdef";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// (status, body) of one request.
fn http(port: u16, path: &str, token: Option<&str>) -> Result<(u16, String), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("not HTTP: {text}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(env: &Env, config: &std::path::Path, url: &str, port: u16) -> Result<Server, String> {
    let child = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["serve", "--port", &port.to_string(), "--config"])
        .arg(config)
        .env("MIGRATION_SERVICE_TOKEN", TOKEN)
        .env("MIGRATION_SERVICE_MASTER_DB_URL", url)
        .env("PROFE_TEST_DB", url)
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http(port, "/health", None).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the server did not answer within 30 s".into())
}

fn json(body: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))
}

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

fn refuses_without_token(_env: &Env) -> TestResult {
    let o = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .args(["serve", "--port", &free_port().to_string()])
        .env_remove("MIGRATION_SERVICE_TOKEN")
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.code() != Some(3) || !err.contains("MIGRATION_SERVICE_TOKEN") {
        return Err(format!("exit {:?}: {err}", o.status.code()));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    let t = template.clone();
    vec![
        trial(
            env,
            "http::endpoints_answer_with_auth_json_errors_and_metrics",
            move |env| endpoints(&env, &t),
        ),
        trial(
            env,
            "http::the_server_refuses_to_start_without_a_token",
            |env| refuses_without_token(&env),
        ),
    ]
}
