//! The engine's own bookkeeping in the target database, schema `profe_migrate` (never
//! part of a diff): one row per apply or rollback, with who ran it, the desired state it
//! brought (fingerprint and full SQL), the plan, the hazards allowed, how long it took and
//! how it ended. A row is written before the first step and completed after the last, so
//! a run that died half-way stays visible as `running` — until a later run finds the
//! engine's advisory lock free (no run is alive on the database) and marks it
//! `interrupted`.

use crate::error::{Error, Result};
use serde::Serialize;
use tokio_postgres::Client;

const SCHEMA_SQL: &str = "
CREATE SCHEMA IF NOT EXISTS profe_migrate;
CREATE TABLE IF NOT EXISTS profe_migrate.history (
    version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('apply', 'rollback')),
    service text,
    environment text,
    scope text[] NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    db_user text NOT NULL DEFAULT session_user,
    client text NOT NULL,
    desired_fingerprint text NOT NULL,
    desired_sql text NOT NULL,
    plan jsonb NOT NULL,
    hazards_allowed text[] NOT NULL,
    duration_ms bigint,
    result text NOT NULL CHECK (result IN ('running', 'applied', 'failed', 'interrupted')),
    error text
);
CREATE INDEX IF NOT EXISTS history_service ON profe_migrate.history (service, version);
";

/// Tables made before `interrupted` existed get the wider check (only then: altering the
/// table takes a lock that every run would otherwise wait for).
const UPGRADE_SQL: &str = "
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_constraint
             WHERE conrelid = 'profe_migrate.history'::regclass
               AND conname = 'history_result_check'
               AND pg_catalog.pg_get_constraintdef(oid) NOT LIKE '%interrupted%') THEN
    ALTER TABLE profe_migrate.history DROP CONSTRAINT history_result_check,
      ADD CONSTRAINT history_result_check
      CHECK (result IN ('running', 'applied', 'failed', 'interrupted'));
  END IF;
END
$$;
";

/// Marks every `running` row `interrupted`; only for a session that knows no run is alive
/// on the database (it holds the engine's advisory lock).
const INTERRUPTED_SQL: &str = "
UPDATE profe_migrate.history SET result = 'interrupted',
  error = COALESCE(error, 'the run ended without recording its outcome (its process or its \
connection died); a later run found it at ' ||
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') ||
    '; plan again to see what it left undone')
WHERE result = 'running'
";

/// What is about to be applied.
pub struct NewRun<'a> {
    pub kind: &'a str,
    pub service: Option<&'a str>,
    pub environment: Option<&'a str>,
    pub scope: &'a [String],
    pub desired_fingerprint: &'a str,
    pub desired_sql: &'a str,
    pub plan_json: &'a str,
    pub hazards_allowed: &'a [String],
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub version: i64,
    pub kind: String,
    pub service: Option<String>,
    pub environment: Option<String>,
    pub scope: Vec<String>,
    pub started_at: String,
    pub db_user: String,
    pub client: String,
    pub desired_fingerprint: String,
    pub hazards_allowed: Vec<String>,
    pub steps: i64,
    pub duration_ms: Option<i64>,
    pub result: String,
    pub error: Option<String>,
}

/// Who runs the engine, as far as the machine can tell.
fn client_description() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.name)
        })
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    format!(
        "{user}@{host} (profe-migrate {})",
        env!("CARGO_PKG_VERSION")
    )
}

pub async fn ensure(client: &Client) -> Result<()> {
    client.batch_execute(SCHEMA_SQL).await?;
    client.batch_execute(UPGRADE_SQL).await?;
    Ok(())
}

/// Records the start of a run; returns its version. The caller holds the engine's
/// advisory lock ([`crate::apply::lock`]): rows still `running` are those of dead runs.
pub async fn start(client: &Client, run: &NewRun<'_>) -> Result<i64> {
    ensure(client).await?;
    client.batch_execute(INTERRUPTED_SQL).await?;
    let row = client
        .query_one(
            "INSERT INTO profe_migrate.history (kind, service, environment, scope, client, \
               desired_fingerprint, desired_sql, plan, hazards_allowed, result) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, 'running') RETURNING version",
            &[
                &run.kind,
                &run.service,
                &run.environment,
                &run.scope,
                &client_description(),
                &run.desired_fingerprint,
                &run.desired_sql,
                &run.plan_json,
                &run.hazards_allowed,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// Completes the row of `version`.
pub async fn finish(client: &Client, version: i64, error: Option<&str>) -> Result<()> {
    let result = if error.is_some() { "failed" } else { "applied" };
    client
        .execute(
            "UPDATE profe_migrate.history SET finished_at = clock_timestamp(), \
               duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint, \
               result = $2, error = $3 \
             WHERE version = $1",
            &[&version, &result, &error],
        )
        .await?;
    Ok(())
}

/// Completes the row of `version` with the run's `outcome`, and returns that outcome: a
/// history that cannot be written (the connection the apply lost, say) must not hide what
/// happened to the database. The row then stays `running` until a later run marks it
/// `interrupted`.
pub async fn finish_run(client: &Client, version: i64, outcome: Result<()>) -> Result<()> {
    let message = outcome.as_ref().err().map(|e| e.to_string());
    let Err(h) = finish(client, version, message.as_deref()).await else {
        return outcome;
    };
    match outcome {
        Err(e) => {
            tracing::warn!(
                "the history could not record how version {version} ended ({h}); a later \
                 run will mark it interrupted"
            );
            Err(e)
        }
        Ok(()) => Err(Error::Apply(format!(
            "every step was applied and committed and the database matches the desired \
             state, but the history could not record it ({h}); a later run will mark \
             version {version} interrupted"
        ))),
    }
}

/// When rows are `running` and no run holds the engine's lock on the database, those rows
/// belong to dead runs: they are marked `interrupted`. Returns whether they are (a
/// session that may not write still knows they are). Nothing is done in a session that
/// holds the lock itself: its own run is the one running.
async fn sweep_interrupted(client: &Client) -> Result<bool> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT FROM profe_migrate.history WHERE result = 'running'), \
                    EXISTS (SELECT FROM pg_catalog.pg_locks \
                            WHERE locktype = 'advisory' AND granted \
                              AND pid = pg_catalog.pg_backend_pid() \
                              AND classid::bigint = ($1::bigint >> 32) \
                              AND objid::bigint = ($1::bigint & 4294967295) AND objsubid = 1)",
            &[&crate::apply::LOCK_KEY],
        )
        .await?;
    let (running, held_here): (bool, bool) = (row.get(0), row.get(1));
    if !running || held_here {
        return Ok(false);
    }
    let free: bool = client
        .query_one(
            "SELECT pg_catalog.pg_try_advisory_lock($1)",
            &[&crate::apply::LOCK_KEY],
        )
        .await?
        .get(0);
    if !free {
        return Ok(false);
    }
    let marked = async {
        client.batch_execute(UPGRADE_SQL).await?;
        client.batch_execute(INTERRUPTED_SQL).await
    }
    .await;
    if let Err(e) = marked {
        tracing::warn!(
            "runs recorded as running are dead (no run holds the migration lock), but they \
             cannot be marked interrupted here: {}",
            Error::describe_db(&e)
        );
    }
    crate::apply::unlock(client).await?;
    Ok(true)
}

async fn has_history(client: &Client) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT to_regclass('profe_migrate.history') IS NOT NULL",
            &[],
        )
        .await?
        .get(0))
}

const SELECT: &str = "SELECT version, kind, service, environment, scope, \
    to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), db_user, client, \
    desired_fingerprint, hazards_allowed, jsonb_array_length(plan -> 'steps')::bigint, \
    duration_ms, result, error FROM profe_migrate.history";

fn entry(r: &tokio_postgres::Row) -> Entry {
    Entry {
        version: r.get(0),
        kind: r.get(1),
        service: r.get(2),
        environment: r.get(3),
        scope: r.get(4),
        started_at: r.get(5),
        db_user: r.get(6),
        client: r.get(7),
        desired_fingerprint: r.get(8),
        hazards_allowed: r.get(9),
        steps: r.get::<_, Option<i64>>(10).unwrap_or(0),
        duration_ms: r.get(11),
        result: r.get(12),
        error: r.get(13),
    }
}

/// Every run, oldest first; only `service`'s (runs over the whole scope included) when given.
pub async fn list(client: &Client, service: Option<&str>) -> Result<Vec<Entry>> {
    if !has_history(client).await? {
        return Ok(Vec::new());
    }
    let dead = sweep_interrupted(client).await?;
    let rows = client
        .query(
            &format!(
                "{SELECT} WHERE $1::text IS NULL OR service = $1 OR service IS NULL \
                 ORDER BY version"
            ),
            &[&service],
        )
        .await?;
    let mut entries: Vec<Entry> = rows.iter().map(entry).collect();
    if dead {
        for e in entries.iter_mut().filter(|e| e.result == "running") {
            e.result = "interrupted".into();
        }
    }
    Ok(entries)
}

/// The desired state recorded at `version`: its SQL and fingerprint.
pub async fn desired_at(client: &Client, version: i64) -> Result<(String, String, Vec<String>)> {
    if !has_history(client).await? {
        return Err(Error::NoHistory("this database has no history yet".into()));
    }
    let row = client
        .query_opt(
            "SELECT desired_sql, desired_fingerprint, scope FROM profe_migrate.history \
             WHERE version = $1 AND result = 'applied'",
            &[&version],
        )
        .await?
        .ok_or_else(|| Error::NoHistory(format!("no successfully applied version {version}")))?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// The latest successful run for `service` (or over the whole scope).
pub async fn last_applied(client: &Client, service: Option<&str>) -> Result<Option<Entry>> {
    Ok(list(client, service)
        .await?
        .into_iter()
        .rev()
        .find(|e| e.result == "applied"))
}
