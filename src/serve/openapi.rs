//! `GET /api/openapi.json`: the service described in OpenAPI 3.0. Tests check responses
//! against it, so that it stays exact.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn target_params() -> Value {
    json!([
        {"name": "service", "in": "query", "required": false, "schema": {"type": "string"}},
        {"name": "environment", "in": "query", "required": false, "schema": {"type": "string"}}
    ])
}

/// The names `allow_hazards` takes: the hazards, or `all`.
fn hazard_names() -> Value {
    let mut names: Vec<&str> = crate::plan::Hazard::ALL.iter().map(|h| h.name()).collect();
    names.push("all");
    json!(names)
}

pub fn spec() -> Value {
    let secured = json!([{"bearer": []}]);
    json!({
        "openapi": "3.0.3",
        "info": {"title": "profe-migrate", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The Profe platform's migration service"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "job_id": {"type": "string"}}}}},
                "Plan": {"type": "object", "required": ["source_fingerprint", "steps", "summary", "scope"],
                         "properties": {"source_fingerprint": {"type": "string"},
                                        "scope": {"type": "array", "items": {"type": "string"}},
                                        "steps": {"type": "array", "items": {"type": "object"}},
                                        "summary": {"type": "object"}}},
                "Status": {"type": "object", "required": ["database", "size_bytes", "active_connections", "services"],
                           "properties": {"database": {"type": "string"}, "server_version": {"type": "string"},
                                          "size_bytes": {"type": "integer"}, "active_connections": {"type": "integer"},
                                          "max_connections": {"type": "integer"},
                                          "services": {"type": "array", "items": {"type": "object", "required": ["service", "drift"],
                                              "properties": {"service": {"type": "string"}, "drift": {"type": "boolean"},
                                                             "last_version": {"type": "integer", "nullable": true},
                                                             "last_result": {"type": "string", "nullable": true}}}}}},
                "RunRequest": {"type": "object", "additionalProperties": false, "properties": {
                    "service": {"type": "string"}, "environment": {"type": "string"},
                    "dry_run": {"type": "boolean", "default": false},
                    "allow_hazards": {"type": "array", "items": {"type": "string", "enum": hazard_names()}}}},
                "Accepted": {"type": "object", "required": ["job_id", "status_url"], "properties": {
                    "job_id": {"type": "string"}, "status_url": {"type": "string"}}},
                "Job": {"type": "object", "required": ["id", "state"], "properties": {
                    "id": {"type": "string"}, "service": {"type": "string", "nullable": true},
                    "environment": {"type": "string", "nullable": true},
                    "state": {"type": "string", "enum": ["running", "succeeded", "failed"]},
                    "steps": {"type": "integer", "nullable": true},
                    "error": {"type": "object", "nullable": true}}},
                "BackupRequest": {"type": "object", "additionalProperties": false, "properties": {
                    "service": {"type": "string"}, "environment": {"type": "string"},
                    "description": {"type": "string"}}},
                "Backup": {"type": "object", "required": ["id", "created_at", "service", "size", "sha256"], "properties": {
                    "id": {"type": "string"}, "created_at": {"type": "string"}, "service": {"type": "string"},
                    "description": {"type": "string"}, "file": {"type": "string"}, "size": {"type": "integer"},
                    "sha256": {"type": "string"}, "schema_fingerprint": {"type": "string"},
                    "server_version": {"type": "integer"}, "schemas": {"type": "array", "items": {"type": "string"}},
                    "source": {"type": "object", "description": "the database dumped (never a password)",
                        "required": ["host", "port", "database", "user"], "properties": {
                        "host": {"type": "string"}, "port": {"type": "integer"},
                        "database": {"type": "string"}, "user": {"type": "string"}}}}}
            }
        },
        "paths": {
            "/health": {"get": {"summary": "Process up, database reachable", "responses": {
                "200": ok_json("healthy", json!({"type": "object", "required": ["status", "database"]})),
                "503": ok_json("database unreachable", json!({"type": "object", "required": ["status", "database"]}))}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {
                "200": {"description": "text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/api/migrations/status": {"get": {"summary": "Per service: last version, result, drift",
                "security": secured, "parameters": target_params(), "responses": {
                "200": ok_json("status", json!({"$ref": "#/components/schemas/Status"})),
                "400": error_response("bad query"), "401": error_response("no or wrong token"),
                "404": error_response("unknown service or environment"),
                "500": error_response("engine error")}}},
            "/api/migrations/plan": {"get": {"summary": "The plan, without applying it",
                "security": secured, "parameters": target_params(), "responses": {
                "200": ok_json("plan", json!({"$ref": "#/components/schemas/Plan"})),
                "400": error_response("bad query"), "401": error_response("no or wrong token"),
                "404": error_response("unknown service or environment"),
                "500": error_response("engine error")}}},
            "/api/migrations/run": {"post": {"summary": "Plan and apply (a job), or a dry run",
                "security": secured,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunRequest"}}}},
                "responses": {
                "200": ok_json("dry run", json!({"type": "object", "required": ["dry_run", "plan"]})),
                "202": ok_json("job started", json!({"$ref": "#/components/schemas/Accepted"})),
                "400": error_response("bad body"), "401": error_response("no or wrong token"),
                "404": error_response("unknown service or environment"),
                "409": error_response("another run holds this database"),
                "413": error_response("body over 64 KiB"),
                "500": error_response("engine error")}}},
            "/api/jobs/{id}": {"get": {"summary": "A run's progress", "security": secured,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok_json("job", json!({"$ref": "#/components/schemas/Job"})),
                              "401": error_response("no or wrong token"), "404": error_response("unknown job")}}},
            "/api/backup/create": {"post": {"summary": "Back up a service's schemas (or all)", "security": secured,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackupRequest"}}}},
                "responses": {"201": ok_json("backup", json!({"$ref": "#/components/schemas/Backup"})),
                              "400": error_response("bad body"), "401": error_response("no or wrong token"),
                              "413": error_response("body over 64 KiB"),
                              "404": error_response("unknown service or environment"),
                              "500": error_response("backup failed")}}},
            "/api/backups": {"get": {"summary": "Backups, oldest first", "security": secured, "responses": {
                "200": ok_json("backups", json!({"type": "array", "items": {"$ref": "#/components/schemas/Backup"}})),
                "401": error_response("no or wrong token"), "500": error_response("storage error")}}},
            "/api/openapi.json": {"get": {"summary": "This document", "security": secured, "responses": {
                "200": ok_json("OpenAPI 3.0", json!({"type": "object"})),
                "401": error_response("no or wrong token")}}}
        }
    })
}

pub(super) async fn document() -> Response {
    axum::Json(spec()).into_response()
}
