//! One unreadable or foreign file in the backup storage is skipped with a warning naming
//! it: backups, listings, retention and the backup an apply takes first go on.

use super::{bin, describe};
use crate::support::{Desired, Env, TestResult, trial};
use profe_migrate::backup::{self, Manifest};
use profe_migrate::pipeline::{self, Applied, Engine, Source};
use profe_migrate::plan::Hazard;
use std::path::Path;
use std::sync::Arc;

fn s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Files that are not backups of ours, in `dir`: not JSON, someone else's JSON, a
/// directory, a manifest naming a file outside the storage.
fn foreign(dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir.join("folder.json")).map_err(s)?;
    std::fs::write(dir.join("notes.json"), "not json at all").map_err(s)?;
    std::fs::write(
        dir.join("other-tool.json"),
        r#"{"name": "x", "version": 3}"#,
    )
    .map_err(s)?;
    std::fs::write(
        dir.join("evil.json"),
        r#"{"id": "evil", "created_at": "2020-01-01T00:00:00Z", "service": "all",
            "description": "", "file": "../../etc/passwd", "size": 1, "sha256": "",
            "schema_fingerprint": "", "server_version": 150000, "schemas": []}"#,
    )
    .map_err(s)?;
    Ok(
        ["folder.json", "notes.json", "other-tool.json", "evil.json"]
            .map(String::from)
            .to_vec(),
    )
}

fn ids(list: &[Manifest]) -> Vec<&str> {
    list.iter().map(|m| m.id.as_str()).collect()
}

fn foreign_files_are_skipped(env: &Env) -> TestResult {
    let storage = tempfile::tempdir().map_err(s)?;
    let names = foreign(storage.path())?;
    // Listing needs no server: the bad files alone must not make it fail.
    let listed = env.block_on(backup::list(storage.path())).map_err(s)?;
    if !listed.is_empty() {
        return Err(format!("listed {:?}", ids(&listed)));
    }
    let o = bin()
        .env("MIGRATION_SERVICE_BACKUP_STORAGE", storage.path())
        .current_dir(storage.path())
        .args(["backup", "list"])
        .output()
        .map_err(s)?;
    let err = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() || !names.iter().all(|n| err.contains(n.as_str())) {
        return Err(format!("backup list: {}", describe(&o)));
    }
    if backup::find_tool("pg_dump", env.cluster.major()).is_err() {
        eprintln!("no pg_dump for this server: the backups themselves are not tested");
        return Ok(());
    }
    env.block_on(async {
        let db = env.scratch("bkforeign").await?;
        let url = env.url(&db.name);
        let result = async {
            let c = env.connect(&db).await?;
            c.batch_execute("CREATE TABLE public.t (id int)")
                .await
                .map_err(s)?;
            let schemas = ["public".to_string()];
            let req = backup::Request {
                url: &url,
                storage: storage.path(),
                service: "all",
                description: "test",
                schemas: &schemas,
                retention: 1,
                min_free: 0,
            };
            let first = backup::create(&c, &req).await.map_err(s)?;
            // A copy of a real manifest under another name is not acted on either.
            std::fs::copy(
                storage.path().join(format!("{}.json", first.id)),
                storage.path().join("copy.json"),
            )
            .map_err(s)?;
            let second = backup::create(&c, &req).await.map_err(s)?;
            let listed = backup::list(storage.path()).await.map_err(s)?;
            if ids(&listed) != [second.id.as_str()] {
                return Err(format!(
                    "retention 1 after two backups kept {:?}",
                    ids(&listed)
                ));
            }
            // An apply backs up first: the storage's bad files do not stop it.
            let desired = Desired::new("CREATE TABLE public.t (id int, x int);")?;
            let plan = Engine::with_cluster(env.cluster.clone())
                .plan(&Source::Database(url.clone()), &desired.source, &[])
                .await
                .map_err(s)?;
            let applied =
                pipeline::apply_recorded(&c, &plan, Hazard::ALL, None, Some(&req), |_| true)
                    .await
                    .map_err(s)?;
            if !matches!(
                applied,
                Applied::Applied {
                    backup: Some(_),
                    ..
                }
            ) {
                return Err(format!("apply: {applied:?}"));
            }
            Ok(())
        }
        .await;
        let _ = db.drop_db().await;
        result
    })?;
    for n in names.iter().chain([&"copy.json".to_string()]) {
        if !storage.path().join(n).exists() {
            return Err(format!("{n}, not a backup of ours, was removed"));
        }
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "crashes::foreign_files_in_the_backup_storage_are_skipped",
        |env| foreign_files_are_skipped(&env),
    )]
}
