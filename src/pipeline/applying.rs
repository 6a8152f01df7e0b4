//! Applying a plan: the database read as the plan saw it, the check that it is still the
//! plan's source, the backup, the run's history record, and the check that the database
//! then matches the desired state.

use super::{desired_sql, live_catalog};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::plan::{self, Hazard, Plan};
use std::collections::BTreeSet;
use tokio_postgres::Client;

/// What `apply` did.
#[derive(Debug)]
pub enum Applied {
    NothingToDo,
    Applied {
        steps: usize,
        /// The backup taken first, if any.
        backup: Option<Box<crate::backup::Manifest>>,
    },
}

/// Reads the database as the plan saw it: its scope, and the roles the plan's desired
/// state uses (roles are cluster-wide: only those are read).
pub async fn live_catalog_for(client: &Client, plan: &Plan) -> Result<Catalog> {
    let scope: BTreeSet<String> = plan.scope.iter().cloned().collect();
    let mut c = live_catalog(client, &scope).await?;
    c.exclude(&crate::catalog::Exclusions::parse(&plan.exclude)?);
    let mut names: Vec<String> = plan.desired.role_names().into_iter().collect();
    names.extend(plan.dropped_roles.iter().cloned());
    c.roles = crate::introspect::roles(client, &names).await?;
    Ok(c)
}

/// Refuses a plan made from another state of the database than the present one (a plan
/// file written before someone changed it). Only reads.
pub async fn check_source(client: &Client, plan: &Plan) -> Result<()> {
    let live = live_catalog_for(client, plan).await?;
    if live.fingerprint() != plan.source_fingerprint {
        return Err(Error::Refused(
            "the database no longer matches the plan's source fingerprint; plan again".into(),
        ));
    }
    Ok(())
}

/// How a run is recorded in the database's history.
pub struct Record<'a> {
    /// `apply` or `rollback`.
    pub kind: &'a str,
    pub service: Option<&'a str>,
    pub environment: Option<&'a str>,
}

/// Applies `plan` (computed from this very database) and checks that the database then
/// matches `plan.desired`. `confirm` is asked once the hazards have been checked.
pub async fn apply_plan(
    client: &Client,
    plan: &Plan,
    allowed: &[Hazard],
    confirm: impl FnOnce(&Plan) -> bool,
) -> Result<Applied> {
    apply_recorded(client, plan, allowed, None, None, confirm).await
}

/// [`apply_plan`], first backing up what `backup` says (a failed backup stops it), and
/// writing the run into `profe_migrate.history` when `record` is given: before the first
/// step, completed (applied or failed, with the error) after the last.
pub async fn apply_recorded(
    client: &Client,
    plan: &Plan,
    allowed: &[Hazard],
    record: Option<Record<'_>>,
    backup: Option<&crate::backup::Request<'_>>,
    confirm: impl FnOnce(&Plan) -> bool,
) -> Result<Applied> {
    let scope: BTreeSet<String> = plan.scope.iter().cloned().collect();
    crate::apply::lock(client).await?;
    let result = async {
        check_source(client, plan).await?;
        if plan.is_empty() {
            return Ok(Applied::NothingToDo);
        }
        if let Some(refusal) = plan.refusal(allowed) {
            return Err(Error::Refused(refusal));
        }
        if !confirm(plan) {
            return Err(Error::Refused("not confirmed".into()));
        }
        let mut taken = None;
        if let Some(req) = backup {
            let m = crate::backup::create_if_any(client, req)
                .await
                .map_err(|e| {
                    Error::Backup(format!(
                        "the backup before applying failed; nothing was changed: {e}"
                    ))
                })?;
            match &m {
                Some(m) => tracing::info!("backed up as {} ({} bytes)", m.id, m.size),
                None => tracing::info!("no schema in scope exists yet: nothing to back up"),
            }
            taken = m.map(Box::new);
        }
        let version = match &record {
            Some(r) => {
                let names: Vec<String> = allowed.iter().map(|h| h.name().to_string()).collect();
                Some(
                    crate::history::start(
                        client,
                        &crate::history::NewRun {
                            kind: r.kind,
                            service: r.service,
                            environment: r.environment,
                            scope: &plan.scope,
                            desired_fingerprint: &plan.desired.fingerprint(),
                            desired_sql: &desired_sql(&plan.desired)?,
                            plan_json: &plan::render::json(plan),
                            hazards_allowed: &names,
                        },
                    )
                    .await?,
                )
            }
            None => None,
        };
        let outcome = async {
            crate::apply::execute(client, plan).await?;
            let after = live_catalog_for(client, plan).await?;
            let remaining = plan::build(&after, &plan.desired, &scope)?;
            if !remaining.is_empty() {
                return Err(Error::NotConverged(plan::render::sql(&remaining)));
            }
            Ok(())
        }
        .await;
        let outcome = match version {
            Some(v) => crate::history::finish_run(client, v, outcome).await,
            None => outcome,
        };
        outcome?;
        Ok(Applied::Applied {
            steps: plan.steps.len(),
            backup: taken,
        })
    }
    .await;
    let _ = crate::apply::unlock(client).await;
    result
}
