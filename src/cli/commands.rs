//! The commands that run once against one database: plan, inspect, seed (data only),
//! status, and the HTTP service.

use super::{Context, HistoryFormat, InspectFormat, PlanFormat, out, write_out};
use crate::db;
use crate::error::{Error, Result};
use crate::pipeline::{self, Engine, Source};
use std::path::PathBuf;

/// `inspect`: the database's schema as SQL files, or its catalog as JSON.
pub(super) async fn inspect(
    ctx: &Context,
    engine: &mut Engine,
    url: Option<String>,
    format: InspectFormat,
    out: Option<&PathBuf>,
) -> Result<i32> {
    let url = ctx.database_url(url)?;
    let catalog = engine.catalog(&Source::Database(url), None).await?;
    match format {
        InspectFormat::Json => {
            let text = serde_json::to_string_pretty(&catalog).expect("catalog serializes") + "\n";
            write_out(out.map(|d| d.join("catalog.json")).as_ref(), &text)?;
        }
        InspectFormat::Sql => {
            let files = pipeline::schema_sql(&catalog)?;
            match out {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                        path: dir.clone(),
                        source,
                    })?;
                    for (name, text) in files {
                        write_out(Some(&dir.join(name)), &text)?;
                    }
                }
                None => {
                    for (_, text) in files {
                        out::print(&text)?;
                    }
                }
            }
        }
    }
    Ok(0)
}

/// `seed`: the seed files, all or nothing.
pub(super) async fn seed(
    ctx: &Context,
    url: Option<String>,
    seeds: Option<PathBuf>,
) -> Result<i32> {
    let url = ctx.database_url(url)?;
    let dir = ctx.seeds(seeds);
    if !dir.is_dir() {
        return Err(Error::NoSeeds(dir));
    }
    let client = db::connect(&db::parse(&url)?).await?;
    let done = crate::seed::seed(&client, &dir).await?;
    let (files, statements, rows) = (done.files, done.statements, done.rows);
    outln!("seeded {files} files ({statements} statements): {rows} rows written")?;
    Ok(0)
}

/// `status`: the database against the desired state, per service.
pub(super) async fn status(
    ctx: &Context,
    engine: &mut Engine,
    database_url: Option<String>,
    to: Option<String>,
    format: HistoryFormat,
) -> Result<i32> {
    let url = ctx.database_url(database_url)?;
    let separate = ctx.separate()?;
    let mut services = ctx.services();
    services.retain(|name, _| !separate.iter().any(|(s, _, _)| s == name));
    engine.exclude_schemas = ctx.separate_schemas();
    let status = engine
        .status_with_separate(&url, &ctx.desired(to)?, &services, &separate)
        .await?;
    match format {
        HistoryFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&status).expect("status serializes")
        )?,
        HistoryFormat::Text => out::print(&status.text())?,
    }
    Ok(0)
}

/// Where `plan` writes: `--out` (else standard output) and `--full-plan`; and the
/// hazards `--allow-hazards` allows (for SARIF's levels).
pub(super) struct PlanFiles<'a> {
    pub out: Option<&'a PathBuf>,
    pub full_plan: Option<&'a PathBuf>,
    pub allowed: &'a [crate::plan::Hazard],
}

/// `plan`: the steps from a source to the desired state, rendered.
pub(super) async fn plan(
    ctx: &Context,
    engine: &mut Engine,
    from: Option<String>,
    to: Option<String>,
    format: PlanFormat,
    files: PlanFiles<'_>,
    schemas: &[String],
) -> Result<i32> {
    if from.is_none() {
        // The shared database by configuration: its plan leaves out the schemas of
        // services that have databases of their own.
        engine.exclude_schemas = ctx.separate_schemas();
    }
    let (from, note) = ctx.plan_from(from)?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let desired = ctx.desired(to)?;
    let mut plan = match engine.plan(&from, &desired, schemas).await {
        Ok(plan) => plan,
        Err(e) if format == PlanFormat::Sarif => {
            // Code scanning shows where the desired state cannot be read, too.
            if let Some(log) = sarif_refusal(&e) {
                write_out(files.out, &log)?;
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let (lock, statement, long) = ctx.timeouts()?;
    plan.set_timeouts(lock, statement, long);
    let full_plan = files.full_plan.map(|p| p.display().to_string());
    if let Some(path) = files.full_plan {
        let json = path.extension().is_some_and(|e| e == "json");
        let text = match json {
            true => crate::plan::render::json(&plan),
            false => crate::plan::render::sql(&plan),
        };
        write_out(Some(path), &text)?;
    }
    let text = match format {
        PlanFormat::Markdown => crate::plan::markdown::render(
            &plan,
            &crate::plan::markdown::Options {
                full_plan: full_plan.as_deref(),
                ..Default::default()
            },
        ),
        PlanFormat::Sarif => {
            let root = std::env::current_dir().ok();
            let fallback = sarif_fallback(&plan, &desired)?;
            crate::plan::sarif::render(
                &plan,
                &crate::plan::sarif::Options {
                    allowed: &ctx.hazards(files.allowed)?,
                    root: root.as_deref(),
                    fallback: fallback.as_deref(),
                },
            )
        }
        PlanFormat::Sql => crate::plan::render::sql(&plan),
        PlanFormat::Json => crate::plan::render::json(&plan),
    };
    write_out(files.out, &text)?;
    Ok(0)
}

/// The SARIF log of a desired state that cannot be read at a place in its files.
fn sarif_refusal(e: &Error) -> Option<String> {
    use crate::plan::sarif::{LOAD_FAILED, Refusal, SYNTAX_ERROR, refusal};
    let (rule, path, line, column, message) = match e {
        Error::Syntax {
            path,
            line,
            column,
            message,
        } => (SYNTAX_ERROR, path, line, column, message),
        Error::Load {
            path,
            line,
            column,
            message,
        } => (LOAD_FAILED, path, line, column, message),
        _ => return None,
    };
    let root = std::env::current_dir().ok();
    let r = Refusal {
        rule,
        path,
        line: *line,
        column: *column,
        message,
    };
    Some(refusal(&r, root.as_deref()))
}

/// The first desired-state file, for SARIF results of hazardous steps the files place
/// nowhere (code scanning refuses a result without a file); none is needed otherwise.
fn sarif_fallback(plan: &crate::plan::Plan, desired: &Source) -> Result<Option<String>> {
    let unplaced = plan
        .steps
        .iter()
        .any(|s| s.source.is_none() && !s.hazards.is_empty());
    match desired {
        Source::Files(paths) if unplaced => Ok(crate::source::read_files(paths)?
            .first()
            .map(|f| f.path.display().to_string())),
        _ => Ok(None),
    }
}

/// `serve`: the HTTP service, until it is stopped.
pub(super) async fn serve(
    ctx: Context,
    port: Option<u16>,
    insecure_loopback: bool,
    no_backup: bool,
    dev_url: Option<String>,
) -> Result<i32> {
    let desired = ctx.desired(None)?;
    crate::serve::serve(crate::serve::Options {
        port: port.unwrap_or(crate::serve::DEFAULT_PORT),
        token: std::env::var("MIGRATION_SERVICE_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        insecure_loopback,
        master_url: std::env::var("MIGRATION_SERVICE_MASTER_DB_URL").ok(),
        config: ctx.config,
        desired,
        dev_url,
        backups: !no_backup,
    })
    .await?;
    Ok(0)
}
