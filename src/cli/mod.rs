//! The command line (docs/cli.md is the contract).

#[macro_use]
mod out;
mod backups;
mod commands;
mod context;
mod help;
pub mod logging;
mod ops;
mod server;

use crate::db;
use crate::error::{Error, Result};
use crate::pipeline::{DriftStatus, Engine};
use crate::plan::{self, Hazard};
use clap::{Parser, Subcommand, ValueEnum};
use context::Context;
pub use help::{command, parse};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "profe-migrate",
    version,
    about = "Declarative PostgreSQL schema migrations"
)]
pub struct Cli {
    /// A server where the engine may create and drop scratch databases to load the
    /// desired state (default: an embedded throwaway PostgreSQL).
    #[arg(
        long,
        global = true,
        env = "PROFE_MIGRATE_DEV_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub dev_url: Option<String>,
    /// A schema to manage besides those the desired state uses (repeatable).
    #[arg(long = "schema", global = true, value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Leave out of both sides what matches: `SCHEMA` or `SCHEMA.NAME`, globs allowed
    /// (`legacy`, `app.audit_*`, `*.tmp_*`); a table takes its columns, constraints,
    /// indexes, triggers and policies with it (repeatable; added to the configuration's
    /// `[desired] exclude`).
    #[arg(long = "exclude", global = true, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Drop roles that objects in scope use but the desired state neither declares nor
    /// uses (roles are cluster-wide: never done without this flag).
    #[arg(long, global = true)]
    pub drop_roles: bool,
    /// Start a throwaway PostgreSQL as the shadow server instead of using (or starting)
    /// the warm one that outlives runs until it is idle (see `server status`); for CI.
    #[arg(
        long,
        global = true,
        env = "PROFE_MIGRATE_NO_WARM_SERVER",
        hide_env_values = true,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_warm_server: bool,
    /// Do not replay the plan on a copy of the current schema before showing or applying
    /// it (for a shadow server that cannot hold that copy, e.g. a missing extension).
    #[arg(long, global = true)]
    pub no_validate: bool,
    /// How long a step may wait for a lock before it fails (e.g. 3s, 500ms; default 3s,
    /// or the environment's setting).
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION")]
    pub lock_timeout: Option<u64>,
    /// How long an ordinary step may run (default 10min).
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION")]
    pub statement_timeout: Option<u64>,
    /// How long an index build, validation or table rewrite may run (default 60min).
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION")]
    pub long_statement_timeout: Option<u64>,
    /// The configuration file (default: ./profe-migrate.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only this service's schemas (as profe-migrate.toml lists them), in its own
    /// database when the configuration gives it one. `apply` and `drift` take it more than
    /// once: each service is then handled in turn.
    #[arg(long, global = true, value_name = "NAME")]
    pub service: Vec<String>,
    /// The configuration's environment: its database, allowed hazards and timeouts.
    #[arg(long, global = true, value_name = "NAME")]
    pub environment: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command shows its progress on a terminal ([`crate::progress`]): those
    /// that plan, not `serve` (which runs until stopped) or the quick ones.
    pub fn shows_progress(&self) -> bool {
        matches!(
            self.command,
            Command::Plan { .. }
                | Command::Apply { .. }
                | Command::Drift { .. }
                | Command::Inspect { .. }
                | Command::Rollback { .. }
                | Command::Status { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum PlanFormat {
    Sql,
    Json,
    Markdown,
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum DriftFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Subcommand, Debug)]
pub enum BackupAction {
    /// The backups in the storage, oldest first.
    List {
        /// A table (sizes for a person), or the manifests as JSON (sizes in bytes).
        #[arg(long, value_enum, default_value = "text")]
        format: HistoryFormat,
    },
    /// Restore a backup into a database (all or nothing).
    Restore {
        /// The backup's id, as `backup list` shows it.
        id: String,
        /// The database to restore into.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum AuditAction {
    Install,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum HistoryFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum InspectFormat {
    Sql,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the steps that turn --from into --to.
    Plan {
        /// The current state: a connection string, a .sql file or directory, or `empty`
        /// (default: the service's or environment's database, else DATABASE_URL, else
        /// empty).
        #[arg(long, value_name = "SOURCE")]
        from: Option<String>,
        /// The desired state: a .sql file or directory, a connection string, or `empty`
        /// (default: the configuration's paths, else ./schema and ./policies).
        #[arg(long, value_name = "SOURCE")]
        to: Option<String>,
        /// How to write the plan: a psql script, JSON (what `apply --plan` reads) or a
        /// Markdown pull-request comment.
        #[arg(long, value_enum, default_value = "sql")]
        format: PlanFormat,
        /// Write the plan to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write the whole plan to FILE: the JSON plan when FILE ends in `.json`,
        /// else the SQL script. A Markdown comment cut to fit GitHub names it.
        #[arg(long, value_name = "FILE")]
        full_plan: Option<PathBuf>,
        /// Hazards `apply` would allow (comma list, or `all`; the environment's are
        /// added): in SARIF their results are warnings, the others errors.
        #[arg(long, value_parser = parse_hazards, default_value = "")]
        allow_hazards: HazardList,
    },
    /// Change the database into the desired state.
    Apply {
        /// The database to change.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// The desired state (default: the configuration's paths, else ./schema and
        /// ./policies).
        #[arg(long, conflicts_with = "plan", value_name = "SOURCE")]
        to: Option<String>,
        /// A plan made by `plan --format json`, applied as it is.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Hazards the plan may have: comma-separated names, or `all` (the environment's
        /// are added).
        #[arg(long, value_parser = parse_hazards, default_value = "", value_name = "LIST")]
        allow_hazards: HazardList,
        /// Do not ask for confirmation (needed when not on a terminal).
        #[arg(long)]
        yes: bool,
        /// Do not back up the schemas in scope first.
        #[arg(long)]
        no_backup: bool,
        /// Plan, validate and show the plan, and change nothing: no lock, no backup, no
        /// history (exit 0 as for `plan`; hazards not allowed are listed on stderr).
        #[arg(long)]
        dry_run: bool,
    },
    /// Compare the database with the desired state (exit 2 when they differ).
    Drift {
        /// The database to compare.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// The desired state (default: the configuration's paths, else ./schema and
        /// ./policies).
        #[arg(long, value_name = "SOURCE")]
        to: Option<String>,
        /// How to report: a headline and the SQL plan, JSON for alerting, or Markdown.
        #[arg(long, value_enum, default_value = "text")]
        format: DriftFormat,
        /// Also compare `pg_dump --schema-only` of the database and of the desired state,
        /// so that a difference in something the engine does not manage is reported
        /// (exit 2) instead of "no drift". On by default with `--format json`.
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
        exhaustive: Option<bool>,
    },
    /// Write the database's schema as declarative SQL (or JSON).
    Inspect {
        /// The database to read.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// SQL files (one per schema) or the catalog model as JSON.
        #[arg(long, value_enum, default_value = "sql")]
        format: InspectFormat,
        /// The directory to write into (default: print to standard output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Load the idempotent initial data (`seeds/`) in one transaction.
    Seed {
        /// The database to load into.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// The directory of seed files (default: the configuration's `desired.seeds`, else
        /// ./seeds).
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
    },
    /// List the applies and rollbacks recorded in the database.
    History {
        /// The database whose history to list.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// A table, or every field as JSON.
        #[arg(long, value_enum, default_value = "text")]
        format: HistoryFormat,
    },
    /// Go back to the desired state recorded at an applied version.
    Rollback {
        /// The database to roll back.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// The applied version to go back to (default: the one before the last).
        #[arg(long, value_name = "N")]
        to_version: Option<i64>,
        /// Hazards the rollback may have: comma-separated names, or `all` (the
        /// environment's are added).
        #[arg(long, value_parser = parse_hazards, default_value = "", value_name = "LIST")]
        allow_hazards: HazardList,
        /// Do not ask for confirmation (needed when not on a terminal).
        #[arg(long)]
        yes: bool,
        /// Do not back up the schemas in scope first.
        #[arg(long)]
        no_backup: bool,
    },
    /// Back up the schemas in scope (`--service`), or the whole database; `backup list`,
    /// `backup restore ID`.
    Backup {
        #[command(subcommand)]
        action: Option<BackupAction>,
        /// The database to back up.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// What the backup is for, recorded in its manifest.
        #[arg(long, default_value = "on demand", value_name = "TEXT")]
        description: String,
    },
    /// Per service: last applied version, result, drift, size; for the database: size and
    /// connections.
    Status {
        /// The database to report on.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
        /// The desired state drift is measured against (default: the configuration's
        /// paths, else ./schema and ./policies).
        #[arg(long, value_name = "SOURCE")]
        to: Option<String>,
        /// A table, or JSON.
        #[arg(long, value_enum, default_value = "text")]
        format: HistoryFormat,
    },
    /// Record every DDL statement run outside the engine (`audit install`), so that drift
    /// reports say who changed what.
    Audit {
        /// `install`: create (or replace) the event triggers; needs a superuser.
        #[arg(value_enum)]
        action: AuditAction,
        /// The database to audit.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: Option<String>,
    },
    /// The warm shadow server: `server status`, `server stop`.
    Server {
        #[command(subcommand)]
        action: server::ServerAction,
    },
    /// Serve the HTTP API (health, metrics, status, plans).
    Serve {
        /// The port to listen on (default 3009).
        #[arg(
            long,
            env = "MIGRATION_SERVICE_PORT",
            hide_env_values = true,
            value_name = "PORT"
        )]
        port: Option<u16>,
        /// Without MIGRATION_SERVICE_TOKEN, listen on 127.0.0.1 without authentication.
        #[arg(long)]
        insecure_loopback: bool,
        /// Do not back up the schemas in scope before each run.
        #[arg(long)]
        no_backup: bool,
    },
}

#[derive(Debug, Clone, Default)]
pub struct HazardList(pub Vec<Hazard>);

fn parse_hazards(s: &str) -> std::result::Result<HazardList, String> {
    Hazard::parse_list(s).map(HazardList)
}

fn write_out(out: Option<&PathBuf>, text: &str) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        }),
        None => out::print(text),
    }
}

use crate::config::parse_duration;

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Plan { .. } => "plan",
        Command::Apply { .. } => "apply",
        Command::Drift { .. } => "drift",
        Command::Inspect { .. } => "inspect",
        Command::Seed { .. } => "seed",
        Command::History { .. } => "history",
        Command::Rollback { .. } => "rollback",
        Command::Backup { .. } => "backup",
        Command::Status { .. } => "status",
        Command::Audit { .. } => "audit",
        Command::Serve { .. } => "serve",
        Command::Server { .. } => "server",
    }
}

/// Runs `run` against each target with the engine scoped to it. One target: its result
/// as it is. Several: each under a header, then [`report_each`].
async fn each_target(
    command: &str,
    targets: &[context::Target],
    engine: &mut Engine,
    mut run: impl AsyncFnMut(&Context, &mut Engine) -> Result<i32>,
) -> Result<i32> {
    let mut results = Vec::new();
    for t in targets {
        if targets.len() > 1 {
            outln!("== {} ==", t.label)?;
        }
        engine.service_scope = t.ctx.service_scope()?;
        engine.exclude_schemas = t.ctx.exclude.clone();
        let result = run(&t.ctx, engine).await;
        if targets.len() == 1 {
            return result;
        }
        results.push((t.label.clone(), result));
    }
    Ok(report_each(command, results))
}

/// Prints one line per database of a command run against several, and the exit code
/// for them all: the first error's (1, or 3 for a refusal), else the highest outcome (2:
/// drift somewhere), else 0.
fn report_each(command: &str, results: Vec<(String, Result<i32>)>) -> i32 {
    // The results are in: a closed output must not hide their exit code.
    let _ = outln!("== {command}: {} databases ==", results.len());
    let mut code = 0;
    let mut failed = false;
    for (label, r) in &results {
        match r {
            Ok(0) => drop(outln!("{label}: ok")),
            Ok(2) => drop(outln!("{label}: differs")),
            Ok(c) => drop(outln!("{label}: exit {c}")),
            Err(e) => {
                let _ = outln!("{label}: failed: {e}");
                eprintln!("error ({label}): {e}");
            }
        }
        match r {
            Ok(c) if !failed => code = code.max(*c),
            Ok(_) => {}
            Err(e) if !failed => {
                failed = true;
                code = if matches!(e, Error::Refused(_)) { 3 } else { 1 };
            }
            Err(_) => {}
        }
    }
    code
}

async fn drift_one(
    ctx: &Context,
    engine: &mut Engine,
    url: Option<String>,
    to: Option<String>,
    format: DriftFormat,
    exhaustive: Option<bool>,
    schemas: &[String],
) -> Result<i32> {
    let url = ctx.database_url(url)?;
    let exhaustive = exhaustive.unwrap_or(matches!(format, DriftFormat::Json));
    let report = engine
        .drift(
            &url,
            &ctx.desired(to)?,
            schemas,
            ctx.service.as_deref(),
            exhaustive,
        )
        .await?;
    let text = match format {
        DriftFormat::Json => report.json(),
        DriftFormat::Markdown if report.plan.is_empty() => report.headline(),
        DriftFormat::Markdown => {
            let headline = format!("**{}**\n", report.headline().trim_end());
            // Posted as one comment or issue: the headline takes its room from the plan's.
            let options = plan::markdown::Options {
                limit: plan::markdown::COMMENT_LIMIT.saturating_sub(headline.len()),
                full_plan: None,
            };
            headline + &plan::markdown::render(&report.plan, &options)
        }
        DriftFormat::Text if report.plan.is_empty() => report.headline(),
        DriftFormat::Text => format!("{}{}", report.headline(), plan::render::sql(&report.plan)),
    };
    out::print(&text)?;
    Ok(match report.status {
        DriftStatus::InSync => 0,
        _ => 2,
    })
}

/// Runs a command; returns the process exit code for outcomes that are not errors.
pub async fn run(cli: Cli) -> Result<i32> {
    if let Command::Server { action } = &cli.command {
        return server::run(action).await;
    }
    let ctx = Context::new(&cli)?;
    if !matches!(cli.command, Command::Apply { .. } | Command::Drift { .. }) {
        ctx.one_service(command_name(&cli.command))?;
    }
    let mut engine = Engine::new(cli.dev_url.clone());
    engine.drop_roles = cli.drop_roles;
    engine.service_scope = ctx.service_scope()?;
    engine.validate = !cli.no_validate;
    engine.warm_server = !cli.no_warm_server;
    let mut patterns: Vec<String> = ctx
        .config
        .as_ref()
        .map(|c| c.desired.exclude.clone())
        .unwrap_or_default();
    patterns.extend(cli.exclude.iter().cloned());
    engine.exclude = crate::catalog::Exclusions::parse(&patterns)?;
    match cli.command {
        Command::Plan {
            from,
            to,
            format,
            out,
            full_plan,
            allow_hazards,
        } => {
            let files = commands::PlanFiles {
                out: out.as_ref(),
                full_plan: full_plan.as_ref(),
                allowed: &allow_hazards.0,
            };
            commands::plan(&ctx, &mut engine, from, to, format, files, &cli.schemas).await
        }
        Command::Apply {
            database_url: url,
            to,
            plan: plan_file,
            allow_hazards,
            yes,
            no_backup,
            dry_run,
        } => {
            let targets = ctx.targets()?;
            if targets.len() > 1 && plan_file.is_some() {
                return Err(Error::Usage(
                    "--plan holds one database's plan: name one --service".into(),
                ));
            }
            let flags = ops::ApplyFlags {
                url,
                to,
                plan_file,
                allow_hazards: allow_hazards.0,
                yes,
                no_backup,
                dry_run,
            };
            each_target("apply", &targets, &mut engine, async |ctx, engine| {
                ops::apply_one(ctx, engine, &flags, &cli.schemas).await
            })
            .await
        }
        Command::Drift {
            database_url: url,
            to,
            format,
            exhaustive,
        } => {
            let targets = ctx.targets()?;
            each_target("drift", &targets, &mut engine, async |ctx, engine| {
                let (url, to) = (url.clone(), to.clone());
                drift_one(ctx, engine, url, to, format, exhaustive, &cli.schemas).await
            })
            .await
        }
        Command::Inspect {
            database_url: url,
            format,
            out,
        } => commands::inspect(&ctx, &mut engine, url, format, out.as_ref()).await,
        Command::Seed {
            database_url: url,
            seeds,
        } => commands::seed(&ctx, url, seeds).await,
        Command::Status {
            database_url,
            to,
            format,
        } => commands::status(&ctx, &mut engine, database_url, to, format).await,
        Command::Audit {
            action: AuditAction::Install,
            database_url: url,
        } => {
            let url = ctx.database_url(url)?;
            let client = db::connect(&db::parse(&url)?).await?;
            crate::audit::install(&client).await?;
            outln!("the DDL audit trigger is installed")?;
            Ok(0)
        }
        Command::History {
            database_url: url,
            format,
        } => {
            let url = ctx.database_url(url)?;
            let text =
                ops::history(&url, ctx.service.as_deref(), format == HistoryFormat::Json).await?;
            out::print(&text)?;
            Ok(0)
        }
        Command::Rollback {
            database_url,
            to_version,
            allow_hazards,
            yes,
            no_backup,
        } => {
            let url = ctx.database_url(database_url)?;
            let mut plan =
                ops::rollback_plan(&ctx, &mut engine, &url, to_version, &cli.schemas).await?;
            let (lock, statement, long) = ctx.timeouts()?;
            plan.set_timeouts(lock, statement, long);
            let allowed = ctx.hazards(&allow_hazards.0)?;
            ops::apply(&ctx, &url, &plan, &allowed, yes, no_backup, "rollback").await
        }
        Command::Backup {
            action,
            database_url,
            description,
        } => backups::backup(&ctx, action, database_url, &description).await,
        Command::Serve {
            port,
            insecure_loopback,
            no_backup,
        } => commands::serve(ctx, port, insecure_loopback, no_backup, cli.dev_url.clone()).await,
        Command::Server { .. } => unreachable!("run above, without a context"),
    }
}
