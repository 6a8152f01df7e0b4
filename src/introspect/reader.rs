//! Runs the catalog queries over one or more connections that read the same snapshot.

use super::assembly::Assembly;
use crate::error::Result;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// The slowest queries first (measured at 10,000 tables), so that no connection is left
/// with a long one at the end while the others wait; before them, the quick ones that the
/// reading of others waits for ([`super::assembly`]), so that rows are not kept waiting.
const HEAVY_FIRST: &[&str] = &[
    "tables",
    "operators",
    "extensions",
    "depends",
    "columns",
    "constraints",
    "indexes",
    "privileges",
    "comments",
    "owners",
    "triggers",
    "functions",
    "policies",
    "views",
];

fn order() -> Vec<(&'static str, &'static str)> {
    let rank = |n: &str| {
        HEAVY_FIRST
            .iter()
            .position(|h| *h == n)
            .unwrap_or(HEAVY_FIRST.len())
    };
    let mut q: Vec<(&'static str, &'static str)> = super::queries();
    q.sort_by_key(|(n, _)| rank(n));
    q
}

const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// Opens the reading transactions: `client`'s, whose snapshot the `extra` connections
/// import. Returns the connections that joined and the statements that cost.
pub(super) async fn begin<'a>(
    client: &'a Client,
    extra: &'a [Client],
) -> Result<(Vec<&'a Client>, usize)> {
    client
        .batch_execute(&format!("{BEGIN}; SET LOCAL search_path = ''"))
        .await?;
    let mut workers = vec![client];
    let mut statements = 1;
    if extra.is_empty() {
        return Ok((workers, statements));
    }
    statements += 1;
    // A server that cannot export snapshots (a standby before PostgreSQL 10, say) is read
    // over the one connection.
    let snapshot: Option<String> = match client
        .query_one("SELECT pg_catalog.pg_export_snapshot()", &[])
        .await
    {
        Ok(row) => Some(row.get(0)),
        Err(e) => {
            tracing::debug!("no exported snapshot, reading over one connection: {e}");
            client.batch_execute("ROLLBACK").await?;
            client
                .batch_execute(&format!("{BEGIN}; SET LOCAL search_path = ''"))
                .await?;
            statements += 2;
            None
        }
    };
    let Some(snapshot) = snapshot else {
        return Ok((workers, statements));
    };
    let join = format!(
        "{BEGIN}; SET TRANSACTION SNAPSHOT {}; SET LOCAL search_path = ''",
        crate::catalog::quote_literal(&snapshot)
    );
    let joined = futures_util::future::join_all(extra.iter().map(|c| c.batch_execute(&join))).await;
    for (c, r) in extra.iter().zip(joined) {
        statements += 1;
        match r {
            Ok(()) => workers.push(c),
            Err(e) => {
                tracing::debug!("a connection could not import the snapshot: {e}");
                let _ = c.batch_execute("ROLLBACK").await;
            }
        }
    }
    Ok((workers, statements))
}

/// Runs every catalog query once, each connection taking the next one as it finishes, and
/// builds the catalog from their rows as they arrive ([`super::assembly`]). Returns the
/// catalog and the number of queries run.
pub(super) async fn fetch(
    workers: &[&Client],
    scope: Option<&[String]>,
) -> Result<(crate::catalog::Catalog, usize)> {
    let scope: Option<Vec<String>> = scope.map(|s| s.to_vec());
    let queries = order();
    let next = AtomicUsize::new(0);
    let version = workers[0]
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int, current_user::text",
            &[],
        )
        .await?;
    let assembly = Mutex::new(Assembly::new((version.get(0), version.get(1))));
    let work = workers.iter().map(|client| {
        let (queries, next, assembly, scope) = (&queries, &next, &assembly, &scope);
        async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, sql)) = queries.get(i) else {
                    return Ok::<(), crate::Error>(());
                };
                let takes_scope = sql.contains("$1");
                let p: &[&(dyn ToSql + Sync)] = if takes_scope { &[scope] } else { &[] };
                let rows = client.query(*sql, p).await.map_err(|e| {
                    crate::Error::database(format!("introspection query {name}: "), e)
                })?;
                assembly.lock().expect("not poisoned").take(name, rows);
            }
        }
    });
    for done in futures_util::future::join_all(work).await {
        done?;
    }
    let catalog = assembly.into_inner().expect("not poisoned").finish();
    crate::memory::trim();
    Ok((catalog, queries.len() + 1))
}
