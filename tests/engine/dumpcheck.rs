//! The independent pg_dump check of a validated plan: what the engine's catalog does not
//! read (here a column's `n_distinct`, which the engine does not manage) is an error in
//! either direction, never an empty plan; the same attribute on both sides, or kept while
//! the plan changes its table, is no error; `--no-validate` skips the check.

use crate::support::{Desired, Env, trial};
use profe_migrate::pipeline::{Engine, Source};
use std::sync::Arc;

const TABLE: &str = "CREATE SCHEMA stats; CREATE TABLE stats.t (a integer);";
const UNREAD: &str = "ALTER TABLE stats.t ALTER COLUMN a SET (n_distinct = 100);";

/// Plans a database built from `from` to files holding `to`.
async fn plan(
    env: &Env,
    from: &str,
    to: &str,
    validate: bool,
) -> Result<Result<usize, String>, String> {
    let db = env.scratch("dumpcheck").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(from).await.map_err(|e| e.to_string())?;
        let desired = Desired::new(to)?;
        let mut engine = Engine::with_cluster(env.cluster.clone());
        engine.validate = validate;
        let planned = engine
            .plan(&Source::Database(env.url(&db.name)), &desired.source, &[])
            .await;
        Ok(planned.map(|p| p.steps.len()).map_err(|e| e.to_string()))
    }
    .await;
    let _ = db.drop_db().await;
    result
}

fn expect_gap(got: Result<usize, String>, what: &str) -> Result<(), String> {
    let msg = match got {
        Ok(n) => return Err(format!("a plan of {n} steps was output; expected a gap")),
        Err(m) => m,
    };
    for needle in [
        "pg_dump shows differences",
        "TABLE t (schema stats)",
        "n_distinct",
        what,
    ] {
        if !msg.contains(needle) {
            return Err(format!("the error does not say {needle:?}:\n{msg}"));
        }
    }
    Ok(())
}

async fn in_files_only(env: &Env) -> Result<(), String> {
    let got = plan(env, TABLE, &format!("{TABLE}\n{UNREAD}"), true).await?;
    expect_gap(got, "the plan would not reach it")
}

async fn in_database_only(env: &Env) -> Result<(), String> {
    let got = plan(env, &format!("{TABLE}\n{UNREAD}"), TABLE, true).await?;
    expect_gap(got, "the database holds what the engine does not read")
}

async fn on_both_sides(env: &Env) -> Result<(), String> {
    let both = format!("{TABLE}\n{UNREAD}");
    match plan(env, &both, &both, true).await? {
        Ok(0) => {}
        other => return Err(format!("expected an empty plan, got {other:?}")),
    }
    // The plan adds a column to the table whose unread setting both sides share.
    let to = format!("{TABLE}\nALTER TABLE stats.t ADD COLUMN b text;\n{UNREAD}");
    match plan(env, &both, &to, true).await? {
        Ok(1) => Ok(()),
        other => Err(format!("expected a one-step plan, got {other:?}")),
    }
}

async fn skipped_without_validation(env: &Env) -> Result<(), String> {
    match plan(env, TABLE, &format!("{TABLE}\n{UNREAD}"), false).await? {
        Ok(0) => Ok(()),
        other => Err(format!(
            "--no-validate: expected the (empty) plan, got {other:?}"
        )),
    }
}

/// `drift --exhaustive`: the engine sees no difference, pg_dump does.
async fn drift_exhaustive(env: &Env) -> Result<(), String> {
    use profe_migrate::pipeline::DriftStatus;
    let db = env.scratch("dumpdrift").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(&format!("{TABLE}\n{UNREAD}"))
            .await
            .map_err(|e| e.to_string())?;
        let desired = Desired::new(TABLE)?;
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let url = env.url(&db.name);
        let plain = engine
            .drift(&url, &desired.source, &[], None, false)
            .await
            .map_err(|e| e.to_string())?;
        if plain.status != DriftStatus::InSync {
            return Err(format!("without --exhaustive: {:?}", plain.status));
        }
        let report = engine
            .drift(&url, &desired.source, &[], None, true)
            .await
            .map_err(|e| e.to_string())?;
        let text = report.not_managed.concat();
        if report.status != DriftStatus::NotManaged || !text.contains("n_distinct") {
            return Err(format!("--exhaustive: {:?}\n{text}", report.status));
        }
        if !report.json().contains("\"drift\": \"not_managed\"") {
            return Err(format!(
                "the JSON does not say not_managed:\n{}",
                report.json()
            ));
        }
        // The same unread setting in the files: in sync.
        let same = Desired::new(&format!("{TABLE}\n{UNREAD}"))?;
        let report = engine
            .drift(&url, &same.source, &[], None, true)
            .await
            .map_err(|e| e.to_string())?;
        match report.status {
            DriftStatus::InSync => Ok(()),
            other => Err(format!(
                "both sides alike: {other:?}\n{}",
                report.not_managed.concat()
            )),
        }
    }
    .await;
    let _ = db.drop_db().await;
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    // The engine looks for pg_dump as backups do; a server without one (the npm builds of
    // PostgreSQL 18 here) skips the check with a warning, and these cases with it.
    let no_pg_dump = profe_migrate::backup::find_tool("pg_dump", env.cluster.major()).is_err();
    vec![
        trial(
            env,
            "dumpcheck::unread_attribute_in_the_files_is_an_error",
            |env| env.block_on(in_files_only(&env)),
        ),
        trial(
            env,
            "dumpcheck::unread_attribute_in_the_database_is_an_error",
            |env| env.block_on(in_database_only(&env)),
        ),
        trial(
            env,
            "dumpcheck::unread_attribute_on_both_sides_is_no_error",
            |env| env.block_on(on_both_sides(&env)),
        ),
        trial(env, "dumpcheck::no_validate_skips_the_check", |env| {
            env.block_on(skipped_without_validation(&env))
        }),
        trial(
            env,
            "dumpcheck::drift_exhaustive_reports_what_only_pg_dump_sees",
            |env| env.block_on(drift_exhaustive(&env)),
        ),
    ]
    .into_iter()
    .map(|t| t.with_ignored_flag(no_pg_dump))
    .collect()
}
