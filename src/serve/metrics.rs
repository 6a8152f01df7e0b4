//! `/metrics` in the Prometheus text format, read from the database itself (the history
//! table, sizes, connections), so that every replica of the service reports the same.

use super::AppState;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// Drift per service, at most a minute old; raises a drift alert when a service starts
/// to drift.
async fn drift(state: &AppState, url: &str) -> Option<BTreeMap<String, bool>> {
    let mut cache = state.drift.lock().await;
    if let Some((at, map)) = &*cache
        && at.elapsed() < Duration::from_secs(60)
    {
        return Some(map.clone());
    }
    // Services with databases of their own are read there.
    let mut engine = state.engine_for(None, None).await.ok()?;
    let separate = state.separate(None).ok()?;
    let mut services = state.services();
    services.retain(|name, _| !separate.iter().any(|(s, _, _)| s == name));
    let status = engine
        .status_with_separate(url, &state.desired, &services, &separate)
        .await
        .ok()?;
    let map: BTreeMap<String, bool> = status
        .services
        .iter()
        .map(|s| (s.service.clone(), s.drift))
        .collect();
    let onset: Vec<String> = {
        let mut counters = state.counters.lock().expect("counters");
        map.iter()
            .filter(|(service, drifted)| {
                let was = counters.drifted.insert((*service).clone(), **drifted);
                **drifted && !was.unwrap_or(false)
            })
            .map(|(s, _)| s.clone())
            .collect()
    };
    for service in onset {
        super::alerts::raise(
            &state.counters,
            "drift",
            format!("{service}: the database differs from the desired state"),
        );
    }
    *cache = Some((Instant::now(), map.clone()));
    Some(map)
}

/// Free bytes where backups are written (the storage directory, or the local temporary
/// directory that dumps go through before an upload) and the reserve that must stay free;
/// raises a `backup_disk_space` alert when the free space falls below the reserve (once
/// per onset, like drift).
pub(super) fn backup_space(state: &AppState) -> Option<(u64, u64)> {
    let settings = crate::config::backup_settings(state.config.as_ref()).ok()?;
    let dir = crate::backup::Location::parse(&settings.storage)
        .ok()?
        .staging_dir();
    let free = crate::backup::space::free_bytes(&dir).ok()?;
    let reserve = settings.min_free;
    let low = reserve > 0 && free < reserve;
    let was = std::mem::replace(&mut state.counters.lock().expect("counters").low_disk, low);
    if low && !was {
        super::alerts::raise(
            &state.counters,
            "backup_disk_space",
            format!(
                "{}: {} free where backups are written, below the {} that must stay free",
                dir.display(),
                crate::backup::space::human(free),
                crate::backup::space::human(reserve)
            ),
        );
    }
    Some((free, reserve))
}

/// Looks at the backup space every minute, so that a filling disk alerts even when no
/// one scrapes `/metrics`.
pub(super) async fn watch_backup_space(state: std::sync::Arc<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        backup_space(&state);
    }
}

const BUCKETS_MS: [i64; 8] = [100, 500, 1_000, 5_000, 10_000, 60_000, 300_000, 1_800_000];

pub(super) async fn render(state: &AppState) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# HELP profe_migrate_up The service is running.");
    let _ = writeln!(out, "# TYPE profe_migrate_up gauge");
    let _ = writeln!(out, "profe_migrate_up 1");
    if let Some((free, reserve)) = backup_space(state) {
        let _ = writeln!(
            out,
            "# HELP profe_migrate_backup_free_bytes Free bytes where backup dumps are written."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_backup_free_bytes gauge");
        let _ = writeln!(out, "profe_migrate_backup_free_bytes {free}");
        let _ = writeln!(
            out,
            "# HELP profe_migrate_backup_min_free_bytes Bytes that must stay free there (0: no reserve)."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_backup_min_free_bytes gauge");
        let _ = writeln!(out, "profe_migrate_backup_min_free_bytes {reserve}");
    }
    let Some(url) = &state.master_url else {
        return out;
    };
    let client = match crate::db::parse(url) {
        Ok(t) => crate::db::connect(&t).await.ok(),
        Err(_) => None,
    };
    let Some(client) = client else {
        let _ = writeln!(out, "# TYPE profe_migrate_database_up gauge");
        let _ = writeln!(out, "profe_migrate_database_up 0");
        return out;
    };
    let _ = writeln!(out, "# TYPE profe_migrate_database_up gauge");
    let _ = writeln!(out, "profe_migrate_database_up 1");
    if let Ok(row) = client
        .query_one(
            "SELECT pg_database_size(current_database()), \
                    (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()), \
                    current_setting('max_connections')::bigint",
            &[],
        )
        .await
    {
        let (active, max): (i64, i64) = (row.get(1), row.get(2));
        if active * 10 > max * 8 {
            super::alerts::raise(
                &state.counters,
                "connections",
                format!("{active} of {max} connections in use"),
            );
        }
        let _ = writeln!(
            out,
            "# HELP profe_migrate_database_size_bytes Size of the database."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_database_size_bytes gauge");
        let _ = writeln!(
            out,
            "profe_migrate_database_size_bytes {}",
            row.get::<_, i64>(0)
        );
        let _ = writeln!(
            out,
            "# HELP profe_migrate_active_connections Sessions on the database."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_active_connections gauge");
        let _ = writeln!(
            out,
            "profe_migrate_active_connections {}",
            row.get::<_, i64>(1)
        );
    }
    if let Some(map) = drift(state, url).await {
        let _ = writeln!(
            out,
            "# HELP profe_migrate_drift 1 when the service's schemas differ from the desired state."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_drift gauge");
        for (service, drifted) in map {
            let _ = writeln!(
                out,
                "profe_migrate_drift{{service=\"{service}\"}} {}",
                u8::from(drifted)
            );
        }
    }
    {
        let counters = state.counters.lock().expect("counters");
        let _ = writeln!(
            out,
            "# HELP profe_migrate_backups_total Backups by service and result."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_backups_total counter");
        for ((service, result), n) in &counters.backups {
            let _ = writeln!(
                out,
                "profe_migrate_backups_total{{service=\"{service}\",result=\"{result}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP profe_migrate_alerts_total Alerts raised, by kind."
        );
        let _ = writeln!(out, "# TYPE profe_migrate_alerts_total counter");
        for (kind, n) in &counters.alerts {
            let _ = writeln!(out, "profe_migrate_alerts_total{{kind=\"{kind}\"}} {n}");
        }
    }
    let entries = crate::history::list(&client, None)
        .await
        .unwrap_or_default();
    let mut counts: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for e in &entries {
        let service = e.service.clone().unwrap_or_else(|| "all".into());
        *counts.entry((service, e.result.clone())).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "# HELP profe_migrate_migrations_total Applies and rollbacks recorded, by service and result (applied, failed, running, interrupted: a run that died before recording its end)."
    );
    let _ = writeln!(out, "# TYPE profe_migrate_migrations_total counter");
    for ((service, result), n) in &counts {
        let _ = writeln!(
            out,
            "profe_migrate_migrations_total{{service=\"{service}\",result=\"{result}\"}} {n}"
        );
    }
    let durations: Vec<i64> = entries.iter().filter_map(|e| e.duration_ms).collect();
    let _ = writeln!(
        out,
        "# HELP profe_migrate_migration_duration_seconds How long applies took."
    );
    let _ = writeln!(
        out,
        "# TYPE profe_migrate_migration_duration_seconds histogram"
    );
    for b in BUCKETS_MS {
        let n = durations.iter().filter(|d| **d <= b).count();
        let _ = writeln!(
            out,
            "profe_migrate_migration_duration_seconds_bucket{{le=\"{}\"}} {n}",
            b as f64 / 1000.0
        );
    }
    let _ = writeln!(
        out,
        "profe_migrate_migration_duration_seconds_bucket{{le=\"+Inf\"}} {}",
        durations.len()
    );
    let _ = writeln!(
        out,
        "profe_migrate_migration_duration_seconds_sum {}",
        durations.iter().sum::<i64>() as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "profe_migrate_migration_duration_seconds_count {}",
        durations.len()
    );
    out
}
