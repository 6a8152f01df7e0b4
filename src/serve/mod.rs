//! `serve`: the migration service over HTTP (axum): health, metrics, status, plans, runs
//! as background jobs, backups, and its OpenAPI document. Every endpoint but `/health`
//! and `/metrics` wants
//! `Authorization: Bearer <MIGRATION_SERVICE_TOKEN>`, compared in constant time. Without a
//! token the server refuses to start, unless told to listen on loopback without auth.

mod alerts;
mod backups;
mod jobs;
mod metrics;
mod openapi;

use crate::cluster::Cluster;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::pipeline::{Engine, Source};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;

pub const DEFAULT_PORT: u16 = 3009;

/// How the service was asked to run.
pub struct Options {
    pub port: u16,
    /// `MIGRATION_SERVICE_TOKEN`.
    pub token: Option<String>,
    /// Listen on 127.0.0.1 without a token (development only).
    pub insecure_loopback: bool,
    /// `MIGRATION_SERVICE_MASTER_DB_URL`: the database when no environment is named.
    pub master_url: Option<String>,
    pub config: Option<Config>,
    /// The desired state (the configuration's, else `schema/` and `policies/`).
    pub desired: Source,
    pub dev_url: Option<String>,
    /// Back up the schemas in scope before each run (off with `--no-backup`).
    pub backups: bool,
}

struct AppState {
    token: Option<String>,
    master_url: Option<String>,
    config: Option<Config>,
    desired: Source,
    dev_url: Option<String>,
    /// The shadow PostgreSQL, started once and shared by every request.
    cluster: tokio::sync::OnceCell<Arc<Cluster>>,
    backups: bool,
    jobs: std::sync::Mutex<BTreeMap<String, jobs::Job>>,
    counters: std::sync::Mutex<alerts::Counters>,
    /// Drift per service, recomputed at most once a minute (it loads the desired state).
    drift: tokio::sync::Mutex<Option<(std::time::Instant, BTreeMap<String, bool>)>>,
}

/// An error as JSON: a stable code and a message that never carries a connection string.
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// The job a conflict is with.
    job_id: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            job_id: None,
        }
    }

    fn with_job(mut self, id: &str) -> ApiError {
        self.job_id = Some(id.to_string());
        self
    }
}

/// A body or query that does not parse: 400, as JSON like every other error.
fn bad_body(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string())
}

/// A JSON object body as `T`. serde would also read a struct from an array of its fields
/// in order; the API takes objects only.
fn object_body<T: serde::de::DeserializeOwned>(
    body: std::result::Result<
        axum::Json<serde_json::Value>,
        axum::extract::rejection::JsonRejection,
    >,
) -> std::result::Result<T, ApiError> {
    let value = body
        .map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(e.status(), "too_large", "the body is larger than 64 KiB")
            } else {
                bad_body(e)
            }
        })?
        .0;
    if !value.is_object() {
        return Err(bad_body("the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(bad_body)
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let (status, code) = match &e {
            Error::Config(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::Refused(_) => (StatusCode::CONFLICT, "refused"),
            Error::Connect { .. } => (StatusCode::SERVICE_UNAVAILABLE, "database_unreachable"),
            Error::Apply(_) => (StatusCode::INTERNAL_SERVER_ERROR, "apply_failed"),
            Error::NotConverged(_) => (StatusCode::INTERNAL_SERVER_ERROR, "not_converged"),
            Error::NotValid(_) => (StatusCode::INTERNAL_SERVER_ERROR, "plan_invalid"),
            Error::Backup(_) => (StatusCode::INTERNAL_SERVER_ERROR, "backup_failed"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "engine_error"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::warn!(code = self.code, "{}", self.message);
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(id) = &self.job_id {
            error["job_id"] = json!(id);
        }
        (self.status, axum::Json(json!({ "error": error }))).into_response()
    }
}

type ApiResult = std::result::Result<Response, ApiError>;

/// Constant-time comparison: the time taken does not tell how much of a guess was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= (a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0)) as usize;
    }
    diff == 0
}

async fn require_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.token {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same(given.as_bytes(), token.as_bytes()) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid `Authorization: Bearer <token>` header is required",
            )
            .into_response();
        }
    }
    next.run(request).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    service: Option<String>,
    environment: Option<String>,
}

impl AppState {
    async fn engine(&self) -> std::result::Result<Engine, ApiError> {
        let mut engine = match &self.dev_url {
            Some(url) => Engine::new(Some(url.clone())),
            None => {
                let cluster = self
                    .cluster
                    .get_or_try_init(|| async {
                        tokio::task::spawn_blocking(Cluster::start)
                            .await
                            .map_err(|e| Error::Cluster(e.to_string()))?
                            .map(Arc::new)
                    })
                    .await?;
                Engine::with_cluster(cluster.clone())
            }
        };
        // The configuration's `[desired] exclude`, as the command line takes it.
        if let Some(config) = &self.config {
            engine.exclude = crate::catalog::Exclusions::parse(&config.desired.exclude)?;
        }
        Ok(engine)
    }

    fn config(&self) -> std::result::Result<&Config, ApiError> {
        self.config.as_ref().ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "no_configuration",
                "services and environments need a profe-migrate.toml",
            )
        })
    }

    /// The database of `service` when the configuration gives it one of its own in
    /// `environment`, else the environment's, else the master database.
    fn database_url(
        &self,
        environment: Option<&str>,
        service: Option<&str>,
    ) -> std::result::Result<String, ApiError> {
        if let (Some(c), Some(name)) = (&self.config, service)
            && c.services.contains_key(name)
            && let Some(url) = c.service_database(name, environment)?
        {
            return Ok(url);
        }
        match environment {
            Some(name) => {
                let env = self
                    .config
                    .as_ref()
                    .and_then(|c| c.environments.get(name))
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::NOT_FOUND,
                            "unknown_environment",
                            format!("unknown environment {name:?}"),
                        )
                    })?;
                Ok(env.database_url(name)?)
            }
            None => self.master_url.clone().ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "no_database",
                    "no environment given and MIGRATION_SERVICE_MASTER_DB_URL is not set",
                )
            }),
        }
    }

    fn service_scope(
        &self,
        service: Option<&str>,
    ) -> std::result::Result<Option<BTreeSet<String>>, ApiError> {
        match service {
            None => Ok(None),
            Some(name) => {
                let s = self
                    .config
                    .as_ref()
                    .and_then(|c| c.services.get(name))
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::NOT_FOUND,
                            "unknown_service",
                            format!("unknown service {name:?}"),
                        )
                    })?;
                Ok(Some(s.schemas.iter().cloned().collect()))
            }
        }
    }

    /// The services with databases of their own in `environment` (name, URL, schemas).
    fn separate(
        &self,
        environment: Option<&str>,
    ) -> std::result::Result<Vec<(String, String, BTreeSet<String>)>, ApiError> {
        match &self.config {
            Some(c) => Ok(c.separate_databases(environment)?),
            None => Ok(Vec::new()),
        }
    }

    /// An engine for `service` in `environment`: its scope, or for the shared database
    /// (no service), every schema but those of services with databases of their own.
    async fn engine_for(
        &self,
        environment: Option<&str>,
        service: Option<&str>,
    ) -> std::result::Result<Engine, ApiError> {
        let scope = self.service_scope(service)?;
        let mut engine = self.engine().await?;
        if scope.is_none() {
            engine.exclude_schemas = self
                .separate(environment)?
                .into_iter()
                .flat_map(|(_, _, schemas)| schemas)
                .collect();
        }
        engine.service_scope = scope;
        Ok(engine)
    }

    fn services(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.config
            .as_ref()
            .map(|c| {
                c.services
                    .iter()
                    .map(|(n, s)| (n.clone(), s.schemas.iter().cloned().collect()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let reachable = match &state.master_url {
        Some(url) => match crate::db::parse(url) {
            Ok(t) => match crate::db::connect(&t).await {
                Ok(c) => c.simple_query("SELECT 1").await.is_ok(),
                Err(_) => false,
            },
            Err(_) => false,
        },
        None => true,
    };
    let status = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(json!({
            "status": if reachable { "ok" } else { "degraded" },
            "database": if state.master_url.is_none() { "not configured" }
                        else if reachable { "reachable" } else { "unreachable" },
        })),
    )
        .into_response()
}

async fn status(
    State(state): State<Arc<AppState>>,
    q: std::result::Result<Query<Target>, QueryRejection>,
) -> ApiResult {
    let q = q.map_err(bad_body)?.0;
    let env = q.environment.as_deref();
    let url = state.database_url(env, q.service.as_deref())?;
    let mut engine = state.engine_for(env, q.service.as_deref()).await?;
    let st = match &q.service {
        Some(s) => {
            let scope = state.service_scope(Some(s))?.unwrap_or_default();
            let services = BTreeMap::from([(s.clone(), scope)]);
            engine.status(&url, &state.desired, &services).await?
        }
        None => {
            let separate = state.separate(env)?;
            let mut services = state.services();
            services.retain(|name, _| !separate.iter().any(|(s, _, _)| s == name));
            engine
                .status_with_separate(&url, &state.desired, &services, &separate)
                .await?
        }
    };
    Ok(axum::Json(st).into_response())
}

async fn plan(
    State(state): State<Arc<AppState>>,
    q: std::result::Result<Query<Target>, QueryRejection>,
) -> ApiResult {
    let q = q.map_err(bad_body)?.0;
    let (env, service) = (q.environment.as_deref(), q.service.as_deref());
    let url = state.database_url(env, service)?;
    let mut engine = state.engine_for(env, service).await?;
    let plan = engine
        .plan(&Source::Database(url), &state.desired, &[])
        .await?;
    let body: serde_json::Value =
        serde_json::from_str(&crate::plan::render::json(&plan)).expect("plan JSON");
    Ok(axum::Json(body).into_response())
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    let text = metrics::render(&state).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/migrations/status", get(status))
        .route("/api/migrations/plan", get(plan))
        .route("/api/migrations/run", post(jobs::run))
        .route("/api/jobs/{id}", get(jobs::job))
        .route("/api/backup/create", post(backups::create))
        .route("/api/backups", get(backups::list))
        .route("/api/openapi.json", get(openapi::document))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .merge(api)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

/// Runs the service until SIGINT or SIGTERM.
pub async fn serve(opts: Options) -> Result<()> {
    let ip = match (&opts.token, opts.insecure_loopback) {
        (Some(t), _) if t.len() >= 16 => [0, 0, 0, 0],
        (Some(_), _) => {
            // A setting to fix before starting, as a wrong flag is (exit 64).
            return Err(Error::Usage(
                "MIGRATION_SERVICE_TOKEN is too short (16 characters at least)".into(),
            ));
        }
        (None, true) => [127, 0, 0, 1],
        (None, false) => {
            return Err(Error::Usage(
                "no MIGRATION_SERVICE_TOKEN: set one, or pass --insecure-loopback to listen on \
                 127.0.0.1 without authentication"
                    .into(),
            ));
        }
    };
    let addr = SocketAddr::from((ip, opts.port));
    let state = Arc::new(AppState {
        token: opts.token,
        master_url: opts.master_url,
        config: opts.config,
        desired: opts.desired,
        dev_url: opts.dev_url,
        cluster: tokio::sync::OnceCell::new(),
        backups: opts.backups,
        jobs: Default::default(),
        counters: Default::default(),
        drift: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Listen {
            addr: addr.to_string(),
            source,
        })?;
    tokio::spawn(metrics::watch_backup_space(state.clone()));
    tracing::info!("profe-migrate serving on {addr}");
    eprintln!("listening on {addr}");
    axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown(state))
        .await
        .map_err(Error::Serve)
}

/// Waits for SIGINT or SIGTERM, then for the running applies to end.
async fn shutdown(state: Arc<AppState>) {
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
    while jobs::running(&state) > 0 {
        tracing::info!("waiting for the running migration before stopping");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_comparison() {
        assert!(super::same(b"abcdef", b"abcdef"));
        assert!(!super::same(b"abcdef", b"abcdeg"));
        assert!(!super::same(b"abc", b"abcdef"));
        assert!(!super::same(b"", b"x"));
    }
}
