//! `POST /api/migrations/run` and `GET /api/jobs/{id}`: a run plans and (unless a dry run)
//! applies one service's schemas with backup, lock, verification and history, as the CLI
//! does. Applies run as background jobs (202 with the job's id); a second run against the
//! same database while one is going gets 409 with the id of the job holding it.

use super::{ApiError, ApiResult, AppState, object_body};
use crate::pipeline::{self, Source};
use crate::plan::Hazard;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RunRequest {
    service: Option<String>,
    environment: Option<String>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_hazards: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Job {
    id: String,
    service: Option<String>,
    environment: Option<String>,
    /// `running`, `succeeded` or `failed`.
    pub(super) state: String,
    steps: Option<usize>,
    error: Option<serde_json::Value>,
    /// The database the job runs on (not shown: it may carry a password).
    #[serde(skip)]
    database: String,
}

fn error_body(code: &str, message: &str) -> serde_json::Value {
    json!({"code": code, "message": message})
}

pub(super) async fn run(
    State(state): State<Arc<AppState>>,
    body: Result<axum::Json<serde_json::Value>, JsonRejection>,
) -> ApiResult {
    let req: RunRequest = object_body(body)?;
    let (env, service) = (req.environment.as_deref(), req.service.as_deref());
    let url = state.database_url(env, service)?;
    let mut engine = state.engine_for(env, service).await?;
    let mut allowed = Vec::new();
    for name in &req.allow_hazards {
        if name == "all" {
            allowed.extend_from_slice(Hazard::ALL);
        } else {
            allowed.push(Hazard::parse(name).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("unknown hazard {name:?}"),
                )
            })?);
        }
    }
    if let Some(name) = &req.environment {
        let env = state.config()?.environment(name)?;
        allowed.extend(env.hazards());
    }
    if req.dry_run {
        let plan = engine
            .plan(&Source::Database(url), &state.desired, &[])
            .await?;
        let body: serde_json::Value =
            serde_json::from_str(&crate::plan::render::json(&plan)).expect("plan JSON");
        return Ok(axum::Json(json!({"dry_run": true, "plan": body})).into_response());
    }
    // One run per database: this process's jobs, then any other holder of the lock.
    let probe = crate::db::connect(&crate::db::parse(&url)?).await?;
    let free: bool = probe
        .query_one(
            "SELECT pg_catalog.pg_try_advisory_lock($1)",
            &[&crate::apply::LOCK_KEY],
        )
        .await
        .map_err(crate::Error::from)?
        .get(0);
    if free {
        let _ = crate::apply::unlock(&probe).await;
    }
    drop(probe);
    let id = {
        let mut jobs = state.jobs.lock().expect("jobs");
        if let Some(busy) = jobs
            .values()
            .find(|j| j.state == "running" && j.database == url)
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("job {} is running on this database", busy.id),
            )
            .with_job(&busy.id));
        }
        if !free {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "another profe-migrate run holds the migration lock on this database",
            ));
        }
        let id = format!("job-{}", jobs.len() + 1);
        jobs.insert(
            id.clone(),
            Job {
                id: id.clone(),
                service: req.service.clone(),
                environment: req.environment.clone(),
                state: "running".into(),
                steps: None,
                error: None,
                database: url.clone(),
            },
        );
        id
    };
    let task_state = state.clone();
    let job_id = id.clone();
    tokio::spawn(async move {
        let outcome = apply(&task_state, &mut engine, &url, &req, &allowed).await;
        let service = req.service.clone().unwrap_or_else(|| "all".into());
        match &outcome {
            Ok((_, Some(_))) => task_state
                .counters
                .lock()
                .expect("counters")
                .backup(&service, true),
            Err(e) if e.code == "backup_failed" => {
                task_state
                    .counters
                    .lock()
                    .expect("counters")
                    .backup(&service, false);
                super::alerts::raise(
                    &task_state.counters,
                    "backup_failed",
                    format!("{service}: {}", e.message),
                );
            }
            Err(e) => super::alerts::raise(
                &task_state.counters,
                "migration_failed",
                format!("{service}: {}", e.message),
            ),
            Ok(_) => {}
        }
        let mut jobs = task_state.jobs.lock().expect("jobs");
        if let Some(job) = jobs.get_mut(&job_id) {
            match outcome {
                Ok((steps, _)) => {
                    job.state = "succeeded".into();
                    job.steps = Some(steps);
                }
                Err(e) => {
                    job.state = "failed".into();
                    job.error = Some(error_body(e.code, &e.message));
                }
            }
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"job_id": id, "status_url": format!("/api/jobs/{id}")})),
    )
        .into_response())
}

async fn apply(
    state: &AppState,
    engine: &mut crate::pipeline::Engine,
    url: &str,
    req: &RunRequest,
    allowed: &[Hazard],
) -> Result<(usize, Option<crate::backup::Manifest>), ApiError> {
    let mut plan = engine
        .plan(&Source::Database(url.to_string()), &state.desired, &[])
        .await?;
    let env = match &req.environment {
        Some(name) => Some(state.config()?.environment(name)?),
        None => None,
    };
    let (lock, statement, long) = crate::config::timeouts([None; 3], env);
    plan.set_timeouts(lock, statement, long);
    let client = crate::db::connect(&crate::db::parse(url)?).await?;
    let settings = crate::config::backup_settings(state.config.as_ref())?;
    let description = "before apply (HTTP)".to_string();
    let request = crate::backup::Request {
        url,
        storage: &settings.storage,
        service: req.service.as_deref().unwrap_or("all"),
        description: &description,
        schemas: &plan.scope,
        retention: settings.retention,
        min_free: settings.min_free,
    };
    let record = pipeline::Record {
        kind: "apply",
        service: req.service.as_deref(),
        environment: req.environment.as_deref(),
    };
    let backup = (!plan.is_empty() && state.backups).then_some(&request);
    match pipeline::apply_recorded(&client, &plan, allowed, Some(record), backup, |_| true).await? {
        pipeline::Applied::NothingToDo => Ok((0, None)),
        pipeline::Applied::Applied { steps, backup } => Ok((steps, backup.map(|b| *b))),
    }
}

pub(super) async fn job(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let jobs = state.jobs.lock().expect("jobs");
    match jobs.get(&id) {
        Some(job) => Ok(axum::Json(job.clone()).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_job",
            format!("no job {id:?}"),
        )),
    }
}

/// Whether a job is still running (graceful shutdown waits for them).
pub(super) fn running(state: &AppState) -> usize {
    state
        .jobs
        .lock()
        .expect("jobs")
        .values()
        .filter(|j| j.state == "running")
        .count()
}
