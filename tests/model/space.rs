//! Disk space for backups: a backup (and the apply it precedes) refused before pg_dump
//! when the dump would not leave the configured reserve free, the environment variable
//! overriding the configuration; and the service's free-space gauge and alert.

use crate::client::{TOKEN, Webhook, free_port, http, request, start_with};
use crate::model::{Copy, Template, describe, expect_code, with_template};
use crate::operations::{Setup, count, exec, with_copy};
use crate::support::{Env, TestResult};
use std::io::Write;
use std::sync::Arc;

/// 1,000,000 TiB: more than any disk here.
const HUGE: &str = "1000000TiB";
const HUGE_BYTES: &str = "1099511627776000000";

fn refused_for_space(env: &Env, template: &Template) -> TestResult {
    let setup = Setup::new(None);
    // [backup] is the configuration's last table: the line lands in it.
    std::fs::OpenOptions::new()
        .append(true)
        .open(setup.config())
        .and_then(|mut f| writeln!(f, "min_free_space = \"{HUGE}\""))
        .map_err(|e| e.to_string())?;
    let major = env.cluster.major();
    with_copy(env, template, |url| {
        let o = setup.run(env, url, &["backup", "--environment", "test"]);
        expect_code(&o, 1, "a backup that would not leave the reserve free")?;
        let err = String::from_utf8_lossy(&o.stderr);
        for needle in ["not enough disk space", "needs", "are free", HUGE_BYTES] {
            if !err.contains(needle) {
                return Err(format!("the refusal lacks {needle:?}: {}", describe(&o)));
            }
        }
        if setup.backups().exists() {
            return Err("a refused backup left its storage directory behind".into());
        }
        // The apply it would precede stops before any change.
        exec(env, url, "DROP INDEX academic.courses_teacher")?;
        let o = setup.run(env, url, &["apply", "--environment", "test", "--yes"]);
        expect_code(&o, 1, "apply with a backup that does not fit")?;
        let index = "SELECT count(*) FROM pg_indexes WHERE indexname = 'courses_teacher'";
        if !String::from_utf8_lossy(&o.stderr).contains("not enough disk space")
            || count(env, url, index)? != 0
            || setup.backups().exists()
        {
            return Err(describe(&o));
        }
        // The environment variable overrides the configuration.
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(setup.dir.path())
            .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
            .env("MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES", "0")
            .env("PROFE_TEST_DB", url)
            .arg("--config")
            .arg(setup.config())
            .args(["backup", "--environment", "test"])
            .output()
            .map_err(|e| e.to_string())?;
        if profe_migrate::backup::find_tool("pg_dump", major).is_err() {
            // No pg_dump for this server: past the space check, refused for that.
            expect_code(&o, 1, "backup without a suitable pg_dump")?;
            return if String::from_utf8_lossy(&o.stderr).contains("no pg_dump for PostgreSQL") {
                Ok(())
            } else {
                Err(describe(&o))
            };
        }
        expect_code(&o, 0, "backup with the reserve lifted by the environment")
    })
}

/// The value of metric line `name ` in `text`.
fn gauge(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

fn metrics_and_alert(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_space"))?;
    let url = env.url(&copy.name);
    let setup = crate::operations::config_dir();
    let config = setup.path().join("profe-migrate.toml");
    let result = (|| {
        // Without a reserve: the gauge, a zero reserve, no alert.
        {
            let port = free_port();
            let _server = start_with(env, &config, &url, port, &[])?;
            let (_, metrics) = http(port, "/metrics", None)?;
            let free = gauge(&metrics, "profe_migrate_backup_free_bytes");
            if free.is_none_or(|f| f == 0)
                || gauge(&metrics, "profe_migrate_backup_min_free_bytes") != Some(0)
                || metrics.contains("backup_disk_space")
            {
                return Err(format!("metrics without a reserve:\n{metrics}"));
            }
        }
        // Below the reserve: alerted on the webhook at once, counted, and backups refused.
        let webhook = Webhook::start()?;
        let port = free_port();
        let _server = start_with(
            env,
            &config,
            &url,
            port,
            &[
                ("MIGRATION_SERVICE_ALERT_WEBHOOK", webhook.url.clone()),
                ("MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES", HUGE_BYTES.into()),
            ],
        )?;
        if !webhook.got("\"backup_disk_space\"") {
            return Err("the low disk space was not posted to the webhook".into());
        }
        let (status, body) = request(
            port,
            "POST",
            "/api/backup/create",
            Some(TOKEN),
            Some("{\"service\": \"auth-service\"}"),
        )?;
        if status != 500
            || !body.contains("backup_failed")
            || !body.contains("not enough disk space")
        {
            return Err(format!("backup below the reserve: {status} {body}"));
        }
        if setup.path().join("http-backups").exists() {
            return Err("the refused backup left its storage directory behind".into());
        }
        let (_, metrics) = http(port, "/metrics", None)?;
        for needle in [
            format!("profe_migrate_backup_min_free_bytes {HUGE_BYTES}"),
            "profe_migrate_alerts_total{kind=\"backup_disk_space\"} 1".to_string(),
            "profe_migrate_backups_total{service=\"auth-service\",result=\"failed\"} 1".to_string(),
        ] {
            if !metrics.contains(&needle) {
                return Err(format!("metrics lack {needle}:\n{metrics}"));
            }
        }
        if gauge(&metrics, "profe_migrate_backup_free_bytes").is_none_or(|f| f == 0) {
            return Err(format!("no free-space gauge:\n{metrics}"));
        }
        Ok(())
    })();
    env.block_on(copy.drop_db(env));
    result
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![
        with_template(
            env,
            template,
            "operations::a_backup_that_does_not_fit_is_refused_before_dumping",
            refused_for_space,
        ),
        with_template(
            env,
            template,
            "http::metrics_report_backup_free_space_and_alert_below_the_reserve",
            metrics_and_alert,
        ),
    ]
}
