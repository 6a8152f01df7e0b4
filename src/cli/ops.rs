//! The operational commands: apply (and its dry run), history, rollback and backups.

use super::{Context, out};
use crate::backup;
use crate::db;
use crate::error::{Error, Result};
use crate::history::{self, Entry};
use crate::pipeline::{self, Applied, Engine, Source};
use crate::plan::{self, Hazard, Plan};
use std::io::IsTerminal;
use std::path::PathBuf;

pub fn history_text(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "no migrations recorded in this database\n".into();
    }
    let mut out = String::from(
        "version  kind      result       started (UTC)         steps  duration  service         by\n",
    );
    for e in entries {
        out.push_str(&format!(
            // `interrupted`, the longest result, fits.
            "{:<8} {:<9} {:<12} {:<21} {:<6} {:<9} {:<15} {} ({})\n",
            e.version,
            e.kind,
            e.result,
            e.started_at,
            e.steps,
            e.duration_ms
                .map(|d| format!("{d} ms"))
                .unwrap_or_else(|| "-".into()),
            e.service.as_deref().unwrap_or("(all)"),
            e.db_user,
            e.client
        ));
        if let Some(err) = &e.error {
            out.push_str(&format!(
                "         error: {}\n",
                err.lines().next().unwrap_or("")
            ));
        }
    }
    out
}

pub async fn history(url: &str, service: Option<&str>, json: bool) -> Result<String> {
    let client = db::connect(&db::parse(url)?).await?;
    let entries = history::list(&client, service).await?;
    Ok(if json {
        serde_json::to_string_pretty(&entries).expect("entries serialize") + "\n"
    } else {
        history_text(&entries)
    })
}

/// `apply`'s own flags, the same for each database it runs against.
pub(super) struct ApplyFlags {
    pub(super) url: Option<String>,
    pub(super) to: Option<String>,
    pub(super) plan_file: Option<PathBuf>,
    pub(super) allow_hazards: Vec<Hazard>,
    pub(super) yes: bool,
    pub(super) no_backup: bool,
    pub(super) dry_run: bool,
}

pub(super) async fn apply_one(
    ctx: &Context,
    engine: &mut Engine,
    flags: &ApplyFlags,
    schemas: &[String],
) -> Result<i32> {
    let url = ctx.database_url(flags.url.clone())?;
    let plan = match &flags.plan_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            serde_json::from_str::<Plan>(&text)
                .map_err(|e| Error::PlanFile(format!("{}: {e}", path.display())))?
        }
        None => {
            let desired = ctx.desired(flags.to.clone())?;
            let mut plan = engine
                .plan(&Source::Database(url.clone()), &desired, schemas)
                .await?;
            let (lock, statement, long) = ctx.timeouts()?;
            plan.set_timeouts(lock, statement, long);
            plan
        }
    };
    let allowed = ctx.hazards(&flags.allow_hazards)?;
    if flags.dry_run {
        let from_file = flags.plan_file.is_some();
        return dry_run(&url, &plan, from_file, &allowed).await;
    }
    let (yes, no_backup) = (flags.yes, flags.no_backup);
    apply(ctx, &url, &plan, &allowed, yes, no_backup, "apply").await
}

/// Applies `plan` to `url`: backup first (unless `no_backup`), confirmation, history.
pub async fn apply(
    ctx: &Context,
    url: &str,
    plan: &Plan,
    allowed: &[Hazard],
    yes: bool,
    no_backup: bool,
    kind: &str,
) -> Result<i32> {
    let client = db::connect(&db::parse(url)?).await?;
    let confirm = |plan: &Plan| {
        if yes {
            return true;
        }
        if !std::io::stdin().is_terminal() {
            eprintln!("refusing to apply without --yes when not on a terminal");
            return false;
        }
        // The answer decides, not whether the question could be shown.
        let _ = out::print(&plan::render::sql(plan));
        let _ = out::print(&format!("Apply these {} steps? [y/N] ", plan.steps.len()));
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    let settings = ctx.backup_settings()?;
    let description = format!("before {kind}");
    let request = backup::Request {
        url,
        storage: &settings.storage,
        service: ctx.service.as_deref().unwrap_or("all"),
        description: &description,
        schemas: &plan.scope,
        retention: settings.retention,
        min_free: settings.min_free,
    };
    let record = pipeline::Record {
        kind,
        service: ctx.service.as_deref(),
        environment: ctx.environment.as_deref(),
    };
    let backup = (!no_backup && !plan.is_empty()).then_some(&request);
    match pipeline::apply_recorded(&client, plan, allowed, Some(record), backup, confirm).await? {
        Applied::NothingToDo => outln!("no changes")?,
        Applied::Applied { steps, backup } => {
            // Done: a failing output (a full disk) must not make the apply look failed.
            if let Some(m) = backup {
                let _ = outln!(
                    "backed up as {} ({}) in {}",
                    m.id,
                    backup::space::short(m.size),
                    settings.storage.display()
                );
                if let Some(note) = super::backups::storage_note(&settings) {
                    let _ = outln!("{note}");
                }
            }
            let _ = outln!("applied {steps} steps; the database matches the desired state");
        }
    }
    Ok(0)
}

/// `apply --dry-run`: shows the plan, and what `apply` would refuse in it, and changes
/// nothing: no lock, no backup, no history row. A plan file is first checked against the
/// database (a read), as `apply` would, since showing a plan that no longer applies would
/// mislead.
pub async fn dry_run(url: &str, plan: &Plan, from_file: bool, allowed: &[Hazard]) -> Result<i32> {
    if from_file {
        let client = db::connect(&db::parse(url)?).await?;
        pipeline::check_source(&client, plan).await?;
    }
    out::print(&plan::render::sql(plan))?;
    if let Some(refusal) = plan.refusal(allowed) {
        eprintln!("dry run: apply would refuse this plan: {refusal}");
    }
    eprintln!("dry run: nothing was changed");
    Ok(0)
}

/// The plan from the live database back to the desired state recorded at `version`
/// (default: the applied version before the last one).
pub async fn rollback_plan(
    ctx: &Context,
    engine: &mut Engine,
    url: &str,
    version: Option<i64>,
    extra: &[String],
) -> Result<Plan> {
    let client = db::connect(&db::parse(url)?).await?;
    let applied: Vec<Entry> = history::list(&client, ctx.service.as_deref())
        .await?
        .into_iter()
        .filter(|e| e.result == "applied")
        .collect();
    let target = match version {
        Some(v) => v,
        None => {
            if applied.len() < 2 {
                return Err(Error::NoHistory(
                    "nothing to roll back to: fewer than two applied versions in the history"
                        .into(),
                ));
            }
            applied[applied.len() - 2].version
        }
    };
    let (sql, _, scope) = history::desired_at(&client, target).await?;
    // What the latest version manages is in scope too: what it added goes away.
    let mut extra: Vec<String> = extra.to_vec();
    extra.extend(scope);
    if let Some(last) = applied.last() {
        extra.extend(last.scope.iter().cloned());
    }
    eprintln!("rolling back to version {target}");
    engine.plan_to_recorded(url, &sql, target, &extra).await
}
