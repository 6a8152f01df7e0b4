//! Backups of the model through the CLI: backup, restore into a fresh database, retention,
//! a per-service backup, a backup that cannot be written stopping the apply; the default
//! storage named, the source database recorded, the listing, an occupied restore refused.

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

/// Backups that explain themselves, run as a new user would (no configuration): the
/// default storage is named, the manifest records the database (and no password, though
/// the URL holds one), `backup list` is a table with a header and sizes for a person (its
/// JSON exact), and a restore into the database that still holds the schemas is refused,
/// naming them and a fresh database as the way, with nothing changed.
fn backups_explain_themselves(env: &Env, template: &Template) -> TestResult {
    const SECRET: &str = "pw-never-shown-9d41";
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
            .args(args)
            .output()
            .map_err(|e| e.to_string())
    };
    let shown = |o: &std::process::Output| {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        if all.contains(SECRET) {
            Err(format!("the password was printed: {}", describe(o)))
        } else {
            Ok(all)
        }
    };
    with_copy(env, template, |url| {
        // The cluster trusts local connections: the password is only carried along.
        let with_password = format!("{url}&password={SECRET}");
        let o = run(&["backup", "--database-url", &with_password])?;
        shown(&o)?;
        let major = env.cluster.major();
        if profe_migrate::backup::find_tool("pg_dump", major).is_err() {
            return expect_code(&o, 1, "backup without a suitable pg_dump");
        }
        expect_code(&o, 0, "backup with the default storage")?;
        let out = String::from_utf8_lossy(&o.stdout);
        let storage = std::path::absolute(dir.path().join("backups")).map_err(|e| e.to_string())?;
        if !out.contains("no backup storage is configured")
            || !out.contains(&storage.display().to_string())
            || !out.contains("MIGRATION_SERVICE_BACKUP_STORAGE")
        {
            return Err(format!(
                "the default storage is not named: {}",
                describe(&o)
            ));
        }
        let manifest_file = std::fs::read_dir(&storage)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"))
            .ok_or("no manifest in ./backups")?;
        let text = std::fs::read_to_string(&manifest_file).map_err(|e| e.to_string())?;
        if text.contains(SECRET) || text.to_lowercase().contains("password") {
            return Err(format!("the manifest holds a password: {text}"));
        }
        let m: profe_migrate::backup::Manifest =
            serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let source = m.source.clone().ok_or("the manifest has no source")?;
        let db = url
            .split('?')
            .next()
            .and_then(|u| u.rsplit('/').next())
            .unwrap_or_default();
        if source.database != db
            || source.user != "postgres"
            || source.port != 5432
            || source.host != env.socket_dir()
        {
            return Err(format!(
                "source {source:?}, expected {db} on {}",
                env.socket_dir()
            ));
        }

        let o = run(&["backup", "list"])?;
        expect_code(&o, 0, "backup list")?;
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        let lines: Vec<&str> = out.lines().collect();
        let header = lines.first().copied().unwrap_or_default();
        let row = lines.get(1).copied().unwrap_or_default();
        let size = profe_migrate::backup::space::short(m.size);
        if !header.starts_with("id ")
            || !header.contains("size")
            || !row.starts_with(&m.id)
            || !row.contains(&format!("{size}  {source}"))
            || !(size.ends_with(" KiB") || size.ends_with(" MiB"))
            || !out.contains("no backup storage is configured")
        {
            return Err(format!("backup list: {}", describe(&o)));
        }
        let o = run(&["backup", "list", "--format", "json"])?;
        expect_code(&o, 0, "backup list --format json")?;
        let listed: Vec<profe_migrate::backup::Manifest> =
            serde_json::from_slice(&o.stdout).map_err(|e| format!("{e}: {}", describe(&o)))?;
        if listed != [m.clone()] {
            return Err(format!("JSON list {listed:?}, manifest {m:?}"));
        }

        // Restoring into the database it came from, which still holds every schema.
        let accounts = "SELECT count(*) FROM auth.accounts";
        let before = count(env, url, accounts)?;
        let o = run(&["backup", "restore", &m.id, "--database-url", &with_password])?;
        let all = shown(&o)?;
        expect_code(&o, 1, "restore into a database that holds the schemas")?;
        for needle in [
            "already holds the schemas academic, analytics, auth, chat, files, organizations",
            "nothing was changed",
            "fresh database",
            "createdb",
            "no backup storage is configured",
        ] {
            if !all.contains(needle) {
                return Err(format!("the refusal lacks {needle:?}: {}", describe(&o)));
            }
        }
        if count(env, url, accounts)? != before {
            return Err("the refused restore changed rows".into());
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
    vec![
        with_template(
            env,
            template,
            "operations::backup_restore_retention_and_failed_backup",
            backups,
        ),
        with_template(
            env,
            template,
            "operations::backups_name_their_storage_and_source_and_refuse_an_occupied_restore",
            backups_explain_themselves,
        ),
    ]
}
