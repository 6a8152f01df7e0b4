use crate::error::Result;
use crate::plan::Plan;
use tokio_postgres::Client;

/// Runs the plan's data probes, read-only and briefly, and records what they count. A
/// probe that cannot run (a column this plan adds, a timeout) reports nothing.
pub(super) async fn run_probes(client: &Client, plan: &mut Plan) -> Result<()> {
    client
        .batch_execute(
            "BEGIN READ ONLY; SET LOCAL statement_timeout = '5s'; SET LOCAL search_path = ''",
        )
        .await?;
    for step in plan.steps.iter_mut() {
        let Some(probe) = &step.probe else {
            continue;
        };
        client.batch_execute("SAVEPOINT probe").await?;
        match client.query_one(probe.as_str(), &[]).await {
            Ok(row) => step.failing_rows = row.try_get::<_, i64>(0).ok(),
            Err(e) => {
                tracing::debug!("probe {probe}: {e}");
                // A data exception (class 22) is a value the step cannot take either;
                // anything else (an object the plan creates first) says nothing.
                if e.code().is_some_and(|c| c.code().starts_with("22")) {
                    step.probe_failure = Some(crate::error::Error::describe_db(&e));
                }
                client.batch_execute("ROLLBACK TO SAVEPOINT probe").await?;
            }
        }
    }
    client.batch_execute("ROLLBACK").await?;
    Ok(())
}
