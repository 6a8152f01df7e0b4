//! The keeper: a detached process (`profe-migrate server keep FOLDER`) that stops the
//! warm server once it has been idle for the idle period, then exits. It sleeps until
//! `last-used` would be that old, and then stops the server only when no run holds
//! `in-use` and no session but its own is connected (someone's psql, a run of an older
//! version); otherwise it looks again a little later. It also exits when the server is
//! gone (stopped with `server stop`, or crashed).

use super::{IN_USE, KEEPER, LOCK, Place, open_lock};
use crate::db;
use crate::error::{Error, Result};
use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// The longest sleep: a keeper whose server was stopped by hand notices within it.
const NAP: Duration = Duration::from_secs(60);

/// How long to wait before looking again at a server that is still used: a tenth of the
/// idle period, between 100 ms and 5 s.
fn poll(idle: Duration) -> Duration {
    (idle / 10).clamp(Duration::from_millis(100), Duration::from_secs(5))
}

/// Keeps the warm server of `folder` until it has been idle long enough, stops it and
/// returns. Returns at once when another keeper is alive.
pub async fn keep(folder: &Path) -> Result<()> {
    let place = Place::from_folder(folder).ok_or_else(|| {
        Error::Cluster(format!(
            "{} is not a warm server's folder (server-MAJOR)",
            folder.display()
        ))
    })?;
    let mut me = open_lock(&place.file(KEEPER))?;
    match me.try_lock() {
        Ok(()) => {}
        // Two runs started a keeper at nearly the same time: the other one keeps.
        Err(TryLockError::WouldBlock) => return Ok(()),
        Err(TryLockError::Error(source)) => {
            return Err(Error::Warm {
                what: "lock",
                path: place.file(KEEPER),
                source,
            });
        }
    }
    let written = me
        .set_len(0)
        .and_then(|()| writeln!(me, "{}", std::process::id()));
    if let Err(source) = written {
        return Err(Error::Warm {
            what: "write",
            path: place.file(KEEPER),
            source,
        });
    }
    tracing::info!("keeping the warm server in {}", place.folder.display());
    loop {
        if place.postmaster().is_none() && gone(&place, &me)? {
            tracing::info!("the warm server is gone: nothing to keep");
            return Ok(());
        }
        let (age, idle) = place
            .last_used()
            .unwrap_or((Duration::MAX, super::DEFAULT_IDLE));
        if age < idle {
            tokio::time::sleep((idle - age).min(NAP)).await;
            continue;
        }
        if stop_if_idle(&place, &me).await? {
            return Ok(());
        }
        tokio::time::sleep(poll(idle)).await;
    }
}

/// Whether the server is still gone once no run is starting it; if so the keeper lets
/// go of its lock before the run's: a run that starts the server next must not take this
/// exiting keeper for a live one.
fn gone(place: &Place, me: &File) -> Result<bool> {
    let _lock = place.lock(LOCK)?;
    if place.postmaster().is_some() {
        return Ok(false);
    }
    let _ = me.unlock();
    Ok(true)
}

/// Stops the server when nothing uses it: no run holds `in-use`, `last-used` is old
/// enough, and no session but this one is connected. True once it is stopped.
async fn stop_if_idle(place: &Place, me: &File) -> Result<bool> {
    // A run that is starting waits for this lock before it counts itself in.
    let _lock = place.lock(LOCK)?;
    let in_use = open_lock(&place.file(IN_USE))?;
    if in_use.try_lock().is_err() {
        return Ok(false);
    }
    if place.last_used().is_some_and(|(age, idle)| age < idle) {
        return Ok(false);
    }
    let Some(running) = place.postmaster() else {
        let _ = me.unlock();
        return Ok(true);
    };
    match sessions_then_clean(&Place::connection_string(&running)).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::debug!("the warm server is idle, but {n} sessions are connected");
            return Ok(false);
        }
        // A server that does not answer is not used either.
        Err(e) => tracing::warn!("cannot ask the warm server who is connected: {e}"),
    }
    if let Some(pid) = place.stop_server() {
        tracing::info!("stopped the idle warm server (pid {pid})");
    }
    // Before `lock` is let go, as in [`gone`].
    let _ = me.unlock();
    Ok(true)
}

/// The number of client sessions other than this one; when there are none, the scratch
/// databases that runs killed before they could drop them left behind are dropped (no
/// run is using the server, so every one of them is a leftover).
async fn sessions_then_clean(connection_string: &str) -> Result<i64> {
    let client = db::connect(&db::parse(connection_string)?).await?;
    let others: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()",
            &[],
        )
        .await?
        .get(0);
    if others > 0 {
        return Ok(others);
    }
    let rows = client
        .query("SELECT datname::text FROM pg_catalog.pg_database", &[])
        .await?;
    for name in rows.iter().map(|r| r.get::<_, String>(0)) {
        if db::is_scratch_name(&name) {
            let sql = format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                crate::catalog::quote_ident(&name)
            );
            if let Err(e) = client.batch_execute(&sql).await {
                tracing::warn!("cannot drop the leftover scratch database {name}: {e}");
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_are_a_tenth_of_the_idle_period_within_bounds() {
        assert_eq!(poll(Duration::from_secs(2)), Duration::from_millis(200));
        assert_eq!(poll(Duration::from_millis(10)), Duration::from_millis(100));
        assert_eq!(poll(Duration::from_secs(600)), Duration::from_secs(5));
    }
}
