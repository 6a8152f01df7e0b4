//! Scope that tells: what the database holds outside the schemas in scope is named in the
//! plan's notes and in drift, with how to manage it; an extension's objects and an empty
//! `public` are not. `--exclude` leaves what it matches out of both sides, through
//! validation and apply.

use crate::support::{Desired, Env, bin, output_text, trial};
use profe_migrate::pipeline::{Engine, Source};
use std::sync::Arc;

const DATABASE: &str = "CREATE SCHEMA app; CREATE TABLE app.t (a integer);
    CREATE SCHEMA legacy; CREATE TABLE legacy.old (a integer);
    CREATE FUNCTION legacy.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    CREATE SCHEMA spare;";

const FILES: &str = "CREATE SCHEMA app; CREATE TABLE app.t (a integer);";

async fn outside_noted(env: &Env) -> Result<(), String> {
    let db = env.scratch("scope").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(DATABASE).await.map_err(|e| e.to_string())?;
        let desired = Desired::new(FILES)?;
        let from = Source::Database(env.url(&db.name));
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let plan = engine
            .plan(&from, &desired.source, &[])
            .await
            .map_err(|e| e.to_string())?;
        let want = [
            "legacy: 2 objects not managed — add `--schema legacy` to manage them",
            "spare: an empty schema, not managed — add `--schema spare` to manage it",
        ];
        if plan.notes != want {
            return Err(format!("notes: {:?}", plan.notes));
        }
        let text = profe_migrate::plan::render::sql(&plan);
        if !text.contains("-- note: legacy: 2 objects not managed") {
            return Err(format!(
                "the empty plan's SQL does not carry the notes:\n{text}"
            ));
        }
        // Brought into scope, a schema is no longer noted (and its objects are planned).
        let plan = engine
            .plan(&from, &desired.source, &["spare".to_string()])
            .await
            .map_err(|e| e.to_string())?;
        if plan.notes.iter().any(|n| n.starts_with("spare")) || plan.notes.len() != 1 {
            return Err(format!("with --schema spare: {:?}", plan.notes));
        }
        let url = env.url(&db.name);
        let report = engine
            .drift(&url, &desired.source, &[], None, false)
            .await
            .map_err(|e| e.to_string())?;
        if !report
            .headline()
            .contains("note: legacy: 2 objects not managed")
        {
            return Err(format!("drift does not say it:\n{}", report.headline()));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

const WITH_AUDIT: &str = "CREATE SCHEMA app; CREATE TABLE app.t (a integer);
    CREATE TABLE app.audit_log (id integer PRIMARY KEY, at timestamptz);
    CREATE INDEX by_time ON app.audit_log (at);
    COMMENT ON TABLE app.audit_log IS 'written by a trigger elsewhere';
    CREATE SCHEMA legacy; CREATE TABLE legacy.old (a integer);";

async fn excluded(env: &Env) -> Result<(), String> {
    use profe_migrate::catalog::Exclusions;
    use profe_migrate::plan::Hazard;
    let db = env.scratch("exclude").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(WITH_AUDIT).await.map_err(|e| e.to_string())?;
        let desired = Desired::new("CREATE SCHEMA app; CREATE TABLE app.t (a integer, b text);")?;
        let from = Source::Database(env.url(&db.name));
        let mut engine = Engine::with_cluster(env.cluster.clone());
        // Without the patterns the table would go (it is in a managed schema).
        let all = engine
            .plan(&from, &desired.source, &[])
            .await
            .map_err(|e| e.to_string())?;
        if !profe_migrate::plan::render::sql(&all).contains("DROP TABLE app.audit_log") {
            return Err("without --exclude the plan should drop app.audit_log".into());
        }
        engine.exclude = Exclusions::parse(&["app.audit_*".into(), "leg*".into()])
            .map_err(|e| e.to_string())?;
        let plan = engine
            .plan(&from, &desired.source, &[])
            .await
            .map_err(|e| e.to_string())?;
        let sql = profe_migrate::plan::render::sql(&plan);
        if plan.steps.len() != 1 || !sql.contains("ADD COLUMN b text") || !plan.notes.is_empty() {
            return Err(format!("with --exclude:\n{sql}\nnotes: {:?}", plan.notes));
        }
        profe_migrate::pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true)
            .await
            .map_err(|e| format!("apply: {e}"))?;
        let left: i64 = c
            .query_one("SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('audit_log', 'by_time')", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if left != 2 {
            return Err(format!("the excluded table or its index is gone ({left} of 2 left)"));
        }
        let again = engine
            .plan(&from, &desired.source, &[])
            .await
            .map_err(|e| e.to_string())?;
        if !again.is_empty() {
            return Err(format!("re-plan: {}", profe_migrate::plan::render::sql(&again)));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// A pattern that is no glob is a usage error (exit 64) before anything runs.
fn bad_pattern() -> Result<(), String> {
    let out = bin()
        .args([
            "plan",
            "--from",
            "empty",
            "--to",
            "empty",
            "--exclude",
            "app.[",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let text = output_text(&out);
    if out.status.code() != Some(64) || !text.contains("--exclude \"app.[\"") {
        return Err(format!("expected exit 64 naming the pattern:\n{text}"));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "scope::objects_outside_the_scope_are_noted", |env| {
            env.block_on(outside_noted(&env))
        }),
        trial(env, "scope::excluded_objects_are_left_alone", |env| {
            env.block_on(excluded(&env))
        }),
        trial(env, "scope::a_bad_exclude_pattern_is_a_usage_error", |_| {
            bad_pattern()
        }),
    ]
}
