//! `POST /api/backup/create` and `GET /api/backups`.

use super::{ApiError, ApiResult, AppState, object_body};
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackupRequest {
    service: Option<String>,
    environment: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

pub(super) async fn create(
    State(state): State<Arc<AppState>>,
    body: Result<axum::Json<serde_json::Value>, JsonRejection>,
) -> ApiResult {
    let req: BackupRequest = object_body(body)?;
    let url = state.database_url(req.environment.as_deref(), req.service.as_deref())?;
    let schemas: Vec<String> = state
        .service_scope(req.service.as_deref())?
        .map(|s| s.into_iter().collect())
        .unwrap_or_default();
    let client = crate::db::connect(&crate::db::parse(&url)?).await?;
    let settings = crate::config::backup_settings(state.config.as_ref())?;
    let service = req.service.as_deref().unwrap_or("all");
    let made = crate::backup::create(
        &client,
        &crate::backup::Request {
            url: &url,
            storage: &settings.storage,
            service,
            description: req.description.as_deref().unwrap_or("on demand (HTTP)"),
            schemas: &schemas,
            retention: settings.retention,
            min_free: settings.min_free,
        },
    )
    .await;
    state
        .counters
        .lock()
        .expect("counters")
        .backup(service, made.is_ok());
    let manifest = made.inspect_err(|e| {
        super::alerts::raise(&state.counters, "backup_failed", format!("{service}: {e}"))
    })?;
    Ok((StatusCode::CREATED, axum::Json(manifest)).into_response())
}

pub(super) async fn list(State(state): State<Arc<AppState>>) -> ApiResult {
    let storage = crate::config::backup_settings(state.config.as_ref())?.storage;
    let all = crate::backup::list(&storage)
        .await
        .map_err(ApiError::from)?;
    Ok(axum::Json(all).into_response())
}
