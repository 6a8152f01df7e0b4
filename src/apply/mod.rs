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
                Some(undo) => match index_oid(client, &undo.drop_index).await {
                    Ok(oid) => oid,
                    Err(e) => return Err(failure(steps, i, committed, &e, false)),
                },
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
        let end = transaction_end(steps, i) + 1;
        if let Err(e) = client.batch_execute("BEGIN").await {
            return Err(failure(steps, i, committed, &e, true));
        }
        for (j, step) in steps.iter().enumerate().take(end).skip(i) {
            let run = async {
                client.batch_execute(&timeouts(step, true)).await?;
                client.batch_execute(&step.sql).await
            };
            if let Err(e) = run.await {
                if !connection_lost(&e) {
                    let _ = client.batch_execute("ROLLBACK").await;
                }
                return Err(failure(steps, j, committed, &e, true));
            }
        }
        if let Err(e) = client.batch_execute("COMMIT").await {
            return Err(commit_failure(steps, committed, end, &e));
        }
        committed = end;
        i = end;
    }
    Ok(())
}

/// The OID of the index `name` (schema-qualified, quoted as in SQL), if there is one.
async fn index_oid(
    client: &Client,
    name: &str,
) -> std::result::Result<Option<u32>, tokio_postgres::Error> {
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

/// Whether `e` means that the session is gone (the server stopped, restarted or ended
/// the backend; the socket failed) rather than that the statement was refused: an open
/// transaction is then rolled back by the server, and a statement outside one may or may
/// not have taken effect.
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        // Class 57P: admin_shutdown (a stop or restart, pg_terminate_backend),
        // crash_shutdown (another backend crashed), cannot_connect_now, database_dropped.
        Some(db) => db.code().code().starts_with("57P"),
        // No answer from the server at all: the connection closed or its socket failed.
        None => true,
    }
}

/// The last step (0-based) of the transaction that step `step` belongs to (`step` itself
/// when it runs outside one).
fn transaction_end(steps: &[Step], step: usize) -> usize {
    (step..steps.len())
        .find(|&j| !steps[j].transactional)
        .map_or(steps.len() - 1, |j| j - 1)
        .max(step)
}

/// "step 3" or "steps 3 to 5", 1-based, from 0-based bounds.
fn range(first: usize, last: usize) -> String {
    if first == last {
        format!("step {}", first + 1)
    } else {
        format!("steps {} to {}", first + 1, last + 1)
    }
}

/// `range` followed by the right form of "to be" in the past.
fn were(first: usize, last: usize) -> String {
    let verb = if first == last { "was" } else { "were" };
    format!("{} {verb}", range(first, last))
}

/// What was committed before the failure and what never ran after `last` (0-based);
/// `unchanged`: the failure itself left nothing behind.
fn before_and_after(steps: &[Step], committed: usize, last: usize, unchanged: bool) -> String {
    let mut s = match committed {
        0 if unchanged => "\nnothing was changed".to_string(),
        0 => "\nno earlier step was committed".to_string(),
        n => format!("\n{} applied and committed", were(0, n - 1)),
    };
    if last + 1 < steps.len() {
        s.push_str(&format!("\n{} not run", were(last + 1, steps.len() - 1)));
    }
    s
}

fn failure(
    steps: &[Step],
    failed: usize,
    committed: usize,
    e: &tokio_postgres::Error,
    in_tx: bool,
) -> Error {
    let step = &steps[failed];
    let lost = connection_lost(e);
    let mut msg = format!(
        "step {} ({} {}) {}: {}\n  {}",
        failed + 1,
        step.action,
        step.object,
        if lost {
            "did not complete: the connection to the server was lost"
        } else {
            "failed"
        },
        Error::describe_db(e),
        step.sql.replace('\n', "\n  ")
    );
    let last = if in_tx {
        // A transaction starts right after the last committed step.
        let last = transaction_end(steps, failed);
        msg.push_str(&format!(
            "\n{} of its transaction {} not committed: {}",
            range(committed, last),
            if committed == last { "was" } else { "were" },
            if lost {
                "the server rolls back a transaction whose connection ends"
            } else {
                "the transaction was rolled back"
            }
        ));
        last
    } else {
        msg.push_str(if lost {
            "\nit ran outside a transaction, so it may or may not have taken effect (an index \
             build may have left an invalid index behind): plan again to see what remains"
        } else {
            "\nit ran outside a transaction"
        });
        failed
    };
    msg.push_str(&before_and_after(steps, committed, last, !lost));
    Error::Apply(msg)
}

/// The COMMIT of steps `committed..end` failed. Refused by the server (a deferred
/// constraint), nothing of the transaction stayed; with the connection lost during it,
/// nobody can tell whether the server committed before it went.
fn commit_failure(
    steps: &[Step],
    committed: usize,
    end: usize,
    e: &tokio_postgres::Error,
) -> Error {
    let (first, last) = (committed, end - 1);
    let lost = connection_lost(e);
    let mut msg = if lost {
        format!(
            "the connection to the server was lost during the COMMIT of {}: {}\n{} may or \
             may not have been committed (the server may have committed before the \
             connection ended): plan again to see what remains",
            range(first, last),
            Error::describe_db(e),
            range(first, last)
        )
    } else {
        format!(
            "the COMMIT of {} failed: {}\n{} not committed: the transaction was rolled back",
            range(first, last),
            Error::describe_db(e),
            were(first, last)
        )
    };
    msg.push_str(&before_and_after(steps, committed, last, !lost));
    Error::Apply(msg)
}
