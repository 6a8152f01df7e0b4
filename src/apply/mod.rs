//! Executes a plan: one advisory lock per database, transactional steps grouped in
//! transactions, the others alone, timeouts per step; on failure the report says what was
//! committed and what was rolled back.

use crate::error::{Error, Result};
use crate::plan::{Plan, Step};
use tokio_postgres::Client;

/// Key of the advisory lock that keeps two runs of the engine apart on one database
/// ("profe" in ASCII).
pub const LOCK_KEY: i64 = 0x70_72_6f_66_65;

/// Takes the engine's advisory lock for the session, or fails at once if another run has it.
pub async fn lock(client: &Client) -> Result<()> {
    let row = client
        .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    if row.get::<_, bool>(0) {
        return Ok(());
    }
    // Say who holds it, so that the operator can tell a stuck run from a running one.
    let holder = client
        .query_opt(
            "SELECT a.pid, COALESCE(a.usename::text, ''), COALESCE(a.application_name, ''), \
                    COALESCE(a.client_addr::text, 'local'), \
                    to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a USING (pid) \
             WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
                   (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
               AND l.classid::bigint = ($1::bigint >> 32) \
               AND l.objid::bigint = ($1::bigint & 4294967295) \
               AND l.objsubid = 1 \
             LIMIT 1",
            &[&LOCK_KEY],
        )
        .await
        .ok()
        .flatten()
        .map(|r| {
            format!(
                " (backend {} of user {}, application {:?}, from {}, connected since {})",
                r.get::<_, i32>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, String>(3),
                r.get::<_, String>(4)
            )
        })
        .unwrap_or_default();
    Err(Error::Apply(format!(
        "another profe-migrate run holds the migration lock on this database{holder}; \
         nothing was changed: try again when it has finished"
    )))
}

pub async fn unlock(client: &Client) -> Result<()> {
    client
        .query_one("SELECT pg_catalog.pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await?;
    Ok(())
}

fn timeouts(step: &Step, local: bool) -> String {
    let scope = if local { "LOCAL " } else { "" };
    format!(
        "SET {scope}lock_timeout = {}; SET {scope}statement_timeout = {}",
        step.lock_timeout_ms, step.statement_timeout_ms
    )
}

/// Runs every step of `plan` on `client`.
pub async fn execute(client: &Client, plan: &Plan) -> Result<()> {
    let steps = &plan.steps;
    let mut committed = 0usize;
    let mut i = 0usize;
    while i < steps.len() {
        if !steps[i].transactional {
            let step = &steps[i];
            // Which index holds the name before the step, so that a clean-up can tell the
            // one the step made from one that was already there.
            let before = match &step.on_failure {
                Some(undo) => index_oid(client, &undo.drop_index).await?,
                None => None,
            };
            let run = async {
                client.batch_execute(&timeouts(step, false)).await?;
                client.batch_execute(&step.sql).await
            };
            if let Err(e) = run.await {
                let mut err = failure(steps, i, committed, &e, false);
                if let (Some(undo), Error::Apply(msg)) = (&step.on_failure, &mut err) {
                    msg.push('\n');
                    msg.push_str(&clean_up(client, undo, before).await);
                }
                return Err(err);
            }
            let _ = client
                .batch_execute("RESET lock_timeout; RESET statement_timeout")
                .await;
            committed = i + 1;
            i += 1;
            continue;
        }
        let end = (i..steps.len())
            .find(|&j| !steps[j].transactional)
            .unwrap_or(steps.len());
        client.batch_execute("BEGIN").await?;
        for (j, step) in steps.iter().enumerate().take(end).skip(i) {
            let run = async {
                client.batch_execute(&timeouts(step, true)).await?;
                client.batch_execute(&step.sql).await
            };
            if let Err(e) = run.await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(failure(steps, j, committed, &e, true));
            }
        }
        if let Err(e) = client.batch_execute("COMMIT").await {
            return Err(failure(steps, end - 1, committed, &e, true));
        }
        committed = end;
        i = end;
    }
    Ok(())
}

/// The OID of the index `name` (schema-qualified, quoted as in SQL), if there is one.
async fn index_oid(client: &Client, name: &str) -> Result<Option<u32>> {
    let row = client
        .query_opt(
            "SELECT c.oid FROM pg_catalog.pg_class c \
             WHERE c.oid = pg_catalog.to_regclass($1::text)",
            &[&name],
        )
        .await?;
    Ok(row.map(|r| r.get::<_, u32>(0)))
}

/// Removes the invalid index a failed concurrent build left behind, and only that: an
/// index that already held the name before the step (its OID unchanged), or a valid one,
/// is not the step's leftover and is left alone. Says what it did.
async fn clean_up(client: &Client, undo: &crate::plan::OnFailure, before: Option<u32>) -> String {
    let _ = client
        .batch_execute("RESET lock_timeout; RESET statement_timeout")
        .await;
    let name = &undo.drop_index;
    let now = client
        .query_opt(
            "SELECT c.oid, i.indisvalid FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid \
             WHERE c.oid = pg_catalog.to_regclass($1::text)",
            &[name],
        )
        .await;
    let sql = undo.sql();
    match now {
        Err(e) => format!(
            "could not check what it left behind ({}); if {name} is an invalid index it \
             created, run: {sql}",
            Error::describe_db(&e)
        ),
        Ok(None) => "it left no index behind".into(),
        Ok(Some(row)) if Some(row.get::<_, u32>(0)) == before => {
            format!("the index {name} existed before this step and was left as it is")
        }
        Ok(Some(row)) if row.get::<_, bool>(1) => {
            format!("the index {name} is valid and was left as it is")
        }
        Ok(Some(_)) => match client.batch_execute(&sql).await {
            Ok(()) => format!("the invalid index it left behind was removed: {sql}"),
            Err(u) => format!(
                "removing the invalid index it left behind failed too ({}); run: {sql}",
                Error::describe_db(&u)
            ),
        },
    }
}

fn failure(
    steps: &[Step],
    failed: usize,
    committed: usize,
    e: &tokio_postgres::Error,
    in_tx: bool,
) -> Error {
    let step = &steps[failed];
    let mut msg = format!(
        "step {} ({} {}) failed: {}\n  {}",
        failed + 1,
        step.action,
        step.object,
        Error::describe_db(e),
        step.sql.replace('\n', "\n  ")
    );
    if committed == 0 {
        msg.push_str("\nnothing was changed");
        if in_tx {
            msg.push_str(" (its transaction was rolled back)");
        }
    } else {
        msg.push_str(&format!(
            "\nsteps 1 to {committed} were applied and committed; {}",
            if in_tx {
                "the failing step's transaction was rolled back"
            } else {
                "the failing step ran outside a transaction"
            }
        ));
    }
    Error::Apply(msg)
}
