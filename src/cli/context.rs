//! What a command runs against, resolved once from the flags, `profe-migrate.toml` and the
//! environment: the service's schemas, the environment's database, hazards and timeouts.

use super::Cli;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::pipeline::Source;
use crate::plan::Hazard;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A set, non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[derive(Clone)]
pub struct Context {
    pub config: Option<Config>,
    /// The one service this context is about (`--service`, or one of several in turn).
    pub service: Option<String>,
    /// Every `--service` given.
    pub services_named: Vec<String>,
    pub environment: Option<String>,
    /// Schemas left out of the scope: those of services that have databases of their own,
    /// when this context is about the shared database.
    pub exclude: BTreeSet<String>,
    flags: [Option<u64>; 3],
}

/// One database a command runs against in turn, and what to call it in reports.
pub struct Target {
    pub label: String,
    pub ctx: Context,
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Context> {
        let config = Config::find(cli.config.as_deref())?;
        let ctx = Context {
            config,
            service: match cli.service.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            },
            services_named: cli.service.clone(),
            environment: cli.environment.clone(),
            exclude: BTreeSet::new(),
            flags: [
                cli.lock_timeout,
                cli.statement_timeout,
                cli.long_statement_timeout,
            ],
        };
        // Unknown names are errors before anything connects.
        for s in &ctx.services_named {
            ctx.config_for("--service")?.service(s)?;
        }
        if let Some(e) = &ctx.environment {
            ctx.config_for("--environment")?.environment(e)?;
        }
        Ok(ctx)
    }

    fn config_for(&self, flag: &str) -> Result<&Config> {
        self.config.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "{flag} needs a configuration: no {} here (or pass --config)",
                crate::config::FILE_NAME
            ))
        })
    }

    /// The schemas of `--service`, which then make up the whole scope.
    pub fn service_scope(&self) -> Result<Option<BTreeSet<String>>> {
        match &self.service {
            None => Ok(None),
            Some(s) => Ok(Some(
                self.config_for("--service")?
                    .service(s)?
                    .schemas
                    .iter()
                    .cloned()
                    .collect(),
            )),
        }
    }

    /// The databases a command that can handle several runs against, in turn: each
    /// `--service` given; without one, when the configuration gives some services
    /// databases of their own, the shared database (without their schemas) and then each
    /// of theirs; otherwise just this context.
    pub fn targets(&self) -> Result<Vec<Target>> {
        if self.services_named.len() > 1 {
            return Ok(self
                .services_named
                .iter()
                .map(|s| self.for_service(s))
                .collect());
        }
        let separate = match (&self.config, &self.service) {
            (Some(c), None) => c.separate_services(self.environment.as_deref()),
            _ => Vec::new(),
        };
        if separate.is_empty() {
            let label = self.service.clone().unwrap_or_else(|| "all".into());
            return Ok(vec![Target {
                label,
                ctx: self.clone(),
            }]);
        }
        let config = self
            .config
            .as_ref()
            .expect("separate services need a configuration");
        let mut shared = self.clone();
        for s in &separate {
            shared
                .exclude
                .extend(config.service(s)?.schemas.iter().cloned());
        }
        let mut out = vec![Target {
            label: "shared database".into(),
            ctx: shared,
        }];
        out.extend(separate.iter().map(|s| self.for_service(s)));
        Ok(out)
    }

    fn for_service(&self, service: &str) -> Target {
        let mut ctx = self.clone();
        ctx.service = Some(service.to_string());
        ctx.services_named = vec![service.to_string()];
        Target {
            label: service.to_string(),
            ctx,
        }
    }

    /// Refuses several `--service` for a command that handles one.
    pub fn one_service(&self, command: &str) -> Result<()> {
        if self.services_named.len() > 1 {
            return Err(Error::Usage(format!(
                "{command} takes one --service (apply and drift take several)"
            )));
        }
        Ok(())
    }

    /// This context's service's own database, if the configuration gives it one here.
    fn service_database(&self) -> Result<Option<String>> {
        match (&self.config, &self.service) {
            (Some(c), Some(s)) => c.service_database(s, self.environment.as_deref()),
            _ => Ok(None),
        }
    }

    /// The service's own database, else `--environment`'s, if either is named.
    pub fn environment_url(&self) -> Result<Option<String>> {
        if let Some(url) = self.service_database()? {
            return Ok(Some(url));
        }
        match &self.environment {
            Some(name) => Ok(Some(
                self.config_for("--environment")?
                    .environment(name)?
                    .database_url(name)?,
            )),
            None => Ok(None),
        }
    }

    /// The service's own database, else `--environment`'s, else `--database-url` /
    /// `DATABASE_URL`.
    pub fn database_url(&self, arg: Option<String>) -> Result<String> {
        if let Some(url) = self.service_database()? {
            return Ok(url);
        }
        if let Some(name) = &self.environment {
            return self
                .config_for("--environment")?
                .environment(name)?
                .database_url(name);
        }
        if let Some(url) = arg.or_else(|| env_var("DATABASE_URL")) {
            return Ok(url);
        }
        // As for psql: PGHOST, PGHOSTADDR or PGDATABASE name a database, and an empty
        // connection string takes everything from the environment.
        if crate::db::environment_names_database(&env_var) {
            return Ok(String::new());
        }
        Err(Error::NoDatabase)
    }

    /// Where `plan` starts from without `--from`: the service's or `--environment`'s
    /// database, else `$DATABASE_URL`, else the database `PGHOST`/`PGDATABASE` name, else
    /// `empty`; with the line that says which on stderr (none when `--from` is given).
    pub fn plan_from(&self, from: Option<String>) -> Result<(Source, Option<String>)> {
        if let Some(s) = from {
            return Ok((Source::parse(&s), None));
        }
        let describe = |url: &str| {
            crate::db::parse(url)
                .map(|t| format!(" ({})", t.describe()))
                .unwrap_or_default()
        };
        if let Some(url) = self.environment_url()? {
            let whose = match (&self.service, &self.environment) {
                (Some(s), _) if self.service_database()?.is_some() => {
                    format!("service {s}'s database")
                }
                (_, Some(e)) => format!("environment {e}'s database"),
                _ => "the configured database".into(),
            };
            let note = format!("plan: from {whose}{}", describe(&url));
            return Ok((Source::Database(url), Some(note)));
        }
        if let Some(url) = env_var("DATABASE_URL") {
            let source = Source::parse(&url);
            let what = match &source {
                Source::Database(_) => format!("the database in DATABASE_URL{}", describe(&url)),
                Source::Empty => "empty (DATABASE_URL=empty)".into(),
                Source::Files(_) => "the files DATABASE_URL names".into(),
            };
            return Ok((source, Some(format!("plan: from {what} (no --from)"))));
        }
        if crate::db::environment_names_database(&env_var) {
            let note = format!(
                "plan: from the database PGHOST/PGDATABASE name{} (no --from, DATABASE_URL unset)",
                describe("")
            );
            return Ok((Source::Database(String::new()), Some(note)));
        }
        Ok((
            Source::Empty,
            Some(
                "plan: from empty (no --from, DATABASE_URL unset, no PGHOST or PGDATABASE)".into(),
            ),
        ))
    }

    /// `--to`, else the configuration's desired state, else `schema/` and `policies/`.
    pub fn desired(&self, to: Option<String>) -> Result<Source> {
        match (to, &self.config) {
            (Some(s), _) => Ok(Source::parse(&s)),
            (None, Some(c)) => Ok(Source::Files(c.desired.paths.clone())),
            (None, None) => Source::project_default(),
        }
    }

    pub fn seeds(&self, arg: Option<PathBuf>) -> PathBuf {
        arg.or_else(|| self.config.as_ref().map(|c| c.desired.seeds.clone()))
            .unwrap_or_else(|| PathBuf::from("seeds"))
    }

    /// The services `status` reports: `--service`, else every configured one (none without
    /// a configuration: then the whole desired state is one).
    pub fn services(&self) -> std::collections::BTreeMap<String, BTreeSet<String>> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(c) = &self.config {
            for (name, s) in &c.services {
                if self.service.as_ref().is_none_or(|only| only == name) {
                    out.insert(name.clone(), s.schemas.iter().cloned().collect());
                }
            }
        }
        out
    }

    /// For `status` without `--service`: the configured services that have databases of
    /// their own here (name, URL, schemas), which are then left out of [`Context::services`].
    pub fn separate(&self) -> Result<Vec<(String, String, BTreeSet<String>)>> {
        match (&self.config, &self.service) {
            (Some(c), None) => c.separate_databases(self.environment.as_deref()),
            _ => Ok(Vec::new()),
        }
    }

    /// The schemas of the services that have databases of their own here, when this
    /// context is about the shared database.
    pub fn separate_schemas(&self) -> BTreeSet<String> {
        match (&self.config, &self.service) {
            (Some(c), None) => c
                .separate_services(self.environment.as_deref())
                .iter()
                .filter_map(|n| c.services.get(n))
                .flat_map(|s| s.schemas.iter().cloned())
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    /// Where backups go and how many are kept per service.
    pub fn backup_settings(&self) -> Result<crate::config::BackupSettings> {
        crate::config::backup_settings(self.config.as_ref())
    }

    /// `--allow-hazards` plus what the environment allows.
    pub fn hazards(&self, flag: &[Hazard]) -> Result<Vec<Hazard>> {
        let mut out: Vec<Hazard> = flag.to_vec();
        if let Some(name) = &self.environment {
            for h in self
                .config_for("--environment")?
                .environment(name)?
                .hazards()
            {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
        Ok(out)
    }

    /// Lock, statement and long-statement timeouts (ms): the flag, else the environment's
    /// setting, else the defaults.
    pub fn timeouts(&self) -> Result<(u64, u64, u64)> {
        let env = match &self.environment {
            Some(name) => Some(self.config_for("--environment")?.environment(name)?),
            None => None,
        };
        Ok(crate::config::timeouts(self.flags, env))
    }
}
