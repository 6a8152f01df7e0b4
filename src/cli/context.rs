//! What a command runs against, resolved once from the flags, `profe-migrate.toml` and the
//! environment: the service's schemas, the environment's database, hazards and timeouts.

use super::Cli;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::pipeline::Source;
use crate::plan::Hazard;
use std::collections::BTreeSet;
use std::path::PathBuf;

pub struct Context {
    pub config: Option<Config>,
    pub service: Option<String>,
    pub environment: Option<String>,
    flags: [Option<u64>; 3],
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Context> {
        let config = Config::find(cli.config.as_deref())?;
        let ctx = Context {
            config,
            service: cli.service.clone(),
            environment: cli.environment.clone(),
            flags: [
                cli.lock_timeout,
                cli.statement_timeout,
                cli.long_statement_timeout,
            ],
        };
        // Unknown names are errors before anything connects.
        if let Some(s) = &ctx.service {
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

    /// `--environment`'s database, if one is named.
    pub fn environment_url(&self) -> Result<Option<String>> {
        match &self.environment {
            Some(name) => Ok(Some(
                self.config_for("--environment")?
                    .environment(name)?
                    .database_url(name)?,
            )),
            None => Ok(None),
        }
    }

    /// `--environment`'s database, else `--database-url` / `DATABASE_URL`.
    pub fn database_url(&self, arg: Option<String>) -> Result<String> {
        if let Some(name) = &self.environment {
            return self
                .config_for("--environment")?
                .environment(name)?
                .database_url(name);
        }
        arg.ok_or_else(|| {
            Error::Source(
                "no database: pass --database-url, set DATABASE_URL, or name an --environment"
                    .into(),
            )
        })
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

    /// Where backups go and how many are kept per service.
    pub fn backup_settings(&self) -> (PathBuf, usize) {
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
