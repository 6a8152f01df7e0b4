//! Backups of the model through the CLI: backup, restore into a fresh database, retention,
//! a per-service backup, and a backup that cannot be written stopping the apply.

use crate::model::{Copy, Template, describe, expect_code, with_template};
use crate::operations::{Setup, count, exec, with_copy};
use crate::support::{Env, TestResult};
use std::process::Command;
use std::sync::Arc;

fn backups(env: &Env, template: &Template) -> TestResult {
    let setup = Setup::new(None);
    let major = env.cluster.major();
    with_copy(env, template, |url| {
        let o = setup.run(
            env,
            url,
            &["backup", "--environment", "test", "--description", "first"],
        );
        if profe_migrate::backup::find_tool("pg_dump", major).is_err() {
            // No pg_dump that can read this server: the refusal must say so.
            expect_code(&o, 1, "backup without a suitable pg_dump")?;
            return if String::from_utf8_lossy(&o.stderr)
                .contains(&format!("no pg_dump for PostgreSQL {major}"))
            {
                Ok(())
            } else {
                Err(describe(&o))
            };
        }
        expect_code(&o, 0, "backup")?;
        let listed = env
            .block_on(profe_migrate::backup::list(&setup.backups()))
            .map_err(|e| e.to_string())?;
        let first = listed.first().cloned().ok_or("no manifest")?;
        if first.size == 0 || first.sha256.len() != 64 || first.schema_fingerprint.len() != 64 {
            return Err(format!("manifest: {first:?}"));
        }
        // Restore into a fresh database: same schema (no plan to the model) and rows.
        let restored = env.block_on(Copy::new(env, None, "model_restored"))?;
        let rurl = env.url(&restored.name);
        let result = (|| {
            let o = setup.run(
                env,
                url,
                &["backup", "restore", &first.id, "--database-url", &rurl],
            );
            expect_code(&o, 0, "restore")?;
            restored_like(env, &setup, url, &rurl)
        })();
        env.block_on(restored.drop_db(env));
        result?;
        // Retention: two kept per service.
        for d in ["second", "third"] {
            let o = setup.run(
                env,
                url,
                &["backup", "--environment", "test", "--description", d],
            );
            expect_code(&o, 0, "backup")?;
        }
        let o = setup.run(
            env,
            url,
            &[
                "backup",
                "--environment",
                "test",
                "--service",
                "academic-service",
            ],
        );
        expect_code(&o, 0, "backup --service")?;
        let listed = env
            .block_on(profe_migrate::backup::list(&setup.backups()))
            .map_err(|e| e.to_string())?;
        let all: Vec<&str> = listed
            .iter()
            .filter(|m| m.service == "all")
            .map(|m| m.description.as_str())
            .collect();
        if all != ["second", "third"] || setup.backups().join(&first.file).exists() {
            return Err(format!("retention kept {all:?}"));
        }
        if !listed
            .iter()
            .any(|m| m.service == "academic-service" && m.schemas == ["academic"])
        {
            return Err(format!("no academic-service backup: {listed:?}"));
        }
        // A backup that cannot be written stops the apply before any change.
        exec(env, url, "DROP INDEX academic.courses_teacher")?;
        let blocked = setup.dir.path().join("not-a-dir");
        std::fs::write(&blocked, "").map_err(|e| e.to_string())?;
        let o = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(setup.dir.path())
            .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
            .env("PROFE_TEST_DB", url)
            .env("MIGRATION_SERVICE_BACKUP_STORAGE", &blocked)
            .arg("--config")
            .arg(setup.config())
            .args(["apply", "--environment", "test", "--yes"])
            .output()
            .map_err(|e| e.to_string())?;
        expect_code(&o, 1, "apply with a failing backup")?;
        if !String::from_utf8_lossy(&o.stderr).contains("backup before applying failed")
            || count(
                env,
                url,
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'courses_teacher'",
            )? != 0
        {
            return Err(describe(&o));
        }
        Ok(())
    })
}

/// The database at `restored` has the desired schema and the rows of `original`.
pub(crate) fn restored_like(
    env: &Env,
    setup: &Setup,
    original: &str,
    restored: &str,
) -> TestResult {
    let o = setup.run(env, restored, &["plan", "--from", restored]);
    expect_code(&o, 0, "plan from the restored database")?;
    if o.stdout != b"-- no changes\n" {
        return Err(format!("the restored schema differs: {}", describe(&o)));
    }
    for t in [
        "auth.accounts",
        "academic.assessment_results",
        "plans.plan_activities",
    ] {
        let q = format!("SELECT count(*) FROM {t}");
        if count(env, original, &q)? != count(env, restored, &q)? {
            return Err(format!("{t}: rows differ after restore"));
        }
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![with_template(
        env,
        template,
        "operations::backup_restore_retention_and_failed_backup",
        backups,
    )]
}
