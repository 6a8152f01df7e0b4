//! `profe-migrate.toml`: where the desired state lives, which schemas each service owns,
//! how to reach each environment's database (the name of an environment variable, never
//! the URL itself), the hazards and timeouts allowed per environment, and backups.

use crate::error::{Error, Result};
use crate::plan::Hazard;
use crate::suggest::did_you_mean;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "profe-migrate.toml";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub desired: Desired,
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    #[serde(default)]
    pub backup: Backup,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Desired {
    /// Files or directories of the desired state, relative to the configuration file.
    #[serde(default = "default_paths")]
    pub paths: Vec<PathBuf>,
    #[serde(default = "default_seeds")]
    pub seeds: PathBuf,
    /// Objects left unmanaged, as `--exclude` patterns (`legacy`, `app.audit_*`).
    #[serde(default)]
    pub exclude: Vec<String>,
}

fn default_paths() -> Vec<PathBuf> {
    vec![PathBuf::from("schema"), PathBuf::from("policies")]
}

fn default_seeds() -> PathBuf {
    PathBuf::from("seeds")
}

impl Default for Desired {
    fn default() -> Self {
        Desired {
            paths: default_paths(),
            seeds: default_seeds(),
            exclude: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub schemas: Vec<String>,
    /// The service's own database when no environment is named: the environment variable
    /// holding its URL. Without it (and without `databases`) the service's schemas live in
    /// the shared database.
    #[serde(default)]
    pub database_url_env: Option<String>,
    /// Its own database per environment: environment name → the variable holding the URL.
    /// An environment not listed here keeps the service in that environment's shared
    /// database.
    #[serde(default)]
    pub databases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The environment variable holding the database URL.
    pub database_url_env: String,
    /// A URL here is refused: it would put a password in the repository.
    #[serde(default)]
    database_url: Option<toml::Value>,
    /// Hazards `apply` may run here without `--allow-hazards` (names, or "all").
    #[serde(default)]
    pub allow_hazards: Vec<String>,
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
    pub long_statement_timeout: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(try_from = "RawBackup")]
pub struct Backup {
    /// A directory (relative to the configuration file); `MIGRATION_SERVICE_BACKUP_STORAGE`
    /// overrides it.
    pub storage: Option<PathBuf>,
    /// `storage` when it is an `s3://bucket/prefix` URL: kept apart so that it is not
    /// taken as a path relative to the configuration file.
    pub storage_url: Option<String>,
    /// Backups kept per service.
    pub retention: usize,
    /// Bytes that must stay free where dumps are written (`min_free_space = "2GiB"`): a
    /// backup that would leave less is refused, and the service alerts below it.
    /// `MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES` overrides it.
    pub min_free_space: u64,
}

/// `[backup]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackup {
    storage: Option<PathBuf>,
    #[serde(default = "default_retention")]
    retention: usize,
    /// A size with a unit ("2GiB", "500MB") or a number of bytes.
    min_free_space: Option<toml::Value>,
}

impl TryFrom<RawBackup> for Backup {
    type Error = String;

    fn try_from(raw: RawBackup) -> std::result::Result<Backup, String> {
        let (storage, storage_url) = match raw.storage {
            Some(s) => match crate::backup::Location::parse(&s).map_err(|e| e.to_string())? {
                crate::backup::Location::Directory(_) => (Some(s), None),
                url => (None, Some(url.to_string())),
            },
            None => (None, None),
        };
        let min_free_space = match raw.min_free_space {
            None => 0,
            Some(toml::Value::Integer(n)) => {
                u64::try_from(n).map_err(|_| format!("min_free_space: {n} is negative"))?
            }
            Some(toml::Value::String(s)) => {
                crate::backup::space::parse_size(&s).map_err(|e| format!("min_free_space: {e}"))?
            }
            Some(other) => {
                return Err(format!(
                    "min_free_space: expected a size such as \"2GiB\", not {other}"
                ));
            }
        };
        Ok(Backup {
            storage,
            storage_url,
            retention: raw.retention,
            min_free_space,
        })
    }
}

fn default_retention() -> usize {
    10
}

impl Default for Backup {
    fn default() -> Self {
        Backup {
            storage: None,
            storage_url: None,
            retention: default_retention(),
            min_free_space: 0,
        }
    }
}

/// `3s`, `500ms`, `10min`, `1h` (a bare number is milliseconds) → milliseconds.
pub fn parse_duration(s: &str) -> std::result::Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("not a duration: {s:?}"))?;
    let factor = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" | "m" => 60_000,
        "h" => 3_600_000,
        other => return Err(format!("unknown unit {other:?} (ms, s, min, h)")),
    };
    Ok(n * factor)
}

fn check_variable(var: &str) -> std::result::Result<(), String> {
    if var.is_empty()
        || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || var.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "database_url_env {var:?} is not an environment variable name"
        ));
    }
    Ok(())
}

fn invalid(path: &Path, msg: String) -> Error {
    Error::Config(format!("{}: {msg}", path.display()))
}

impl Config {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| invalid(path, e.to_string()))?;
        config.validate(path)?;
        // Paths in the file are relative to it, not to where the command runs.
        let base = path.parent().unwrap_or(Path::new("."));
        let base = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        config.desired.paths = config.desired.paths.iter().map(|p| base.join(p)).collect();
        config.desired.seeds = base.join(&config.desired.seeds);
        if let Some(s) = &config.backup.storage {
            config.backup.storage = Some(base.join(s));
        }
        Ok(config)
    }

    /// `--config PATH`, else `profe-migrate.toml` in the current directory if it exists.
    pub fn find(explicit: Option<&Path>) -> Result<Option<Config>> {
        match explicit {
            Some(p) => Config::load(p).map(Some),
            None if Path::new(FILE_NAME).is_file() => Config::load(Path::new(FILE_NAME)).map(Some),
            None => Ok(None),
        }
    }

    fn validate(&self, path: &Path) -> Result<()> {
        if self.desired.paths.is_empty() {
            return Err(invalid(path, "desired.paths is empty".into()));
        }
        if let Err(e) = crate::catalog::Exclusions::parse(&self.desired.exclude) {
            return Err(invalid(path, format!("desired.exclude: {e}")));
        }
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, service) in &self.services {
            if service.schemas.is_empty() {
                return Err(invalid(path, format!("service {name:?} has no schemas")));
            }
            for schema in &service.schemas {
                if schema == "profe_migrate" || schema.starts_with("pg_") {
                    return Err(invalid(
                        path,
                        format!("service {name:?}: schema {schema:?} cannot be managed"),
                    ));
                }
                if let Some(other) = owner.insert(schema, name) {
                    return Err(invalid(
                        path,
                        format!("schema {schema:?} belongs to both {other:?} and {name:?}"),
                    ));
                }
            }
        }
        for (name, service) in &self.services {
            for var in service
                .database_url_env
                .iter()
                .chain(service.databases.values())
            {
                check_variable(var).map_err(|e| invalid(path, format!("service {name:?}: {e}")))?;
            }
            if let Some(env) = service
                .databases
                .keys()
                .find(|e| !self.environments.contains_key(*e))
            {
                return Err(invalid(
                    path,
                    format!(
                        "service {name:?}: databases names an unknown environment {env:?}{}",
                        did_you_mean(env, self.environments.keys().map(String::as_str))
                    ),
                ));
            }
        }
        for (name, env) in &self.environments {
            if env.database_url.is_some() {
                return Err(invalid(
                    path,
                    format!(
                        "environment {name:?}: database_url would put a password in the \
                         repository; name the environment variable that holds it with \
                         database_url_env"
                    ),
                ));
            }
            check_variable(&env.database_url_env)
                .map_err(|e| invalid(path, format!("environment {name:?}: {e}")))?;
            Hazard::parse_list(&env.allow_hazards.join(","))
                .map_err(|e| invalid(path, format!("environment {name:?}: {e}")))?;
            for t in [
                &env.lock_timeout,
                &env.statement_timeout,
                &env.long_statement_timeout,
            ]
            .into_iter()
            .flatten()
            {
                parse_duration(t)
                    .map_err(|e| invalid(path, format!("environment {name:?}: {e}")))?;
            }
        }
        if self.backup.retention == 0 {
            return Err(invalid(path, "backup.retention must be at least 1".into()));
        }
        Ok(())
    }

    pub fn service(&self, name: &str) -> Result<&Service> {
        self.services.get(name).ok_or_else(|| {
            Error::Config(format!(
                "unknown service {name:?}{} (the configuration has: {})",
                did_you_mean(name, self.services.keys().map(String::as_str)),
                self.services.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    pub fn environment(&self, name: &str) -> Result<&Environment> {
        self.environments.get(name).ok_or_else(|| {
            Error::Config(format!(
                "unknown environment {name:?}{} (the configuration has: {})",
                did_you_mean(name, self.environments.keys().map(String::as_str)),
                self.environments
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// The URL of `service`'s own database in `environment` (`None`: no environment
    /// named), or `None` when the service lives in the shared database there.
    pub fn service_database(
        &self,
        service: &str,
        environment: Option<&str>,
    ) -> Result<Option<String>> {
        let s = self.service(service)?;
        let var = match environment {
            Some(e) => s.databases.get(e),
            None => s.database_url_env.as_ref(),
        };
        let Some(var) = var else {
            return Ok(None);
        };
        std::env::var(var).map(Some).map_err(|_| {
            Error::Config(format!(
                "service {service:?}{}: the variable {var} that should hold its database URL \
                 is not set",
                environment
                    .map(|e| format!(" in environment {e:?}"))
                    .unwrap_or_default()
            ))
        })
    }

    /// The services that have a database of their own in `environment`.
    pub fn separate_services(&self, environment: Option<&str>) -> Vec<String> {
        self.services
            .iter()
            .filter(|(_, s)| match environment {
                Some(e) => s.databases.contains_key(e),
                None => s.database_url_env.is_some(),
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The services with databases of their own in `environment`: (name, URL, schemas).
    pub fn separate_databases(
        &self,
        environment: Option<&str>,
    ) -> Result<Vec<(String, String, BTreeSet<String>)>> {
        self.separate_services(environment)
            .into_iter()
            .map(|name| {
                let url = self
                    .service_database(&name, environment)?
                    .expect("a separate service has a database");
                let schemas = self.services[&name].schemas.iter().cloned().collect();
                Ok((name, url, schemas))
            })
            .collect()
    }

    /// The service that owns `schema`, if any.
    pub fn service_of(&self, schema: &str) -> Option<&str> {
        self.services
            .iter()
            .find(|(_, s)| s.schemas.iter().any(|x| x == schema))
            .map(|(n, _)| n.as_str())
    }

    /// Every schema some service owns.
    pub fn service_schemas(&self) -> BTreeSet<String> {
        self.services
            .values()
            .flat_map(|s| s.schemas.iter().cloned())
            .collect()
    }
}

/// Lock, statement and long-statement timeouts (ms) when nothing sets them.
pub const DEFAULT_TIMEOUTS_MS: [u64; 3] = [3_000, 600_000, 3_600_000];

/// Lock, statement and long-statement timeouts (ms): each flag, else the environment's
/// setting (checked when the file was read), else the default.
pub fn timeouts(flags: [Option<u64>; 3], env: Option<&Environment>) -> (u64, u64, u64) {
    let pick = |i: usize| {
        flags[i]
            .or_else(|| {
                env.and_then(|e| {
                    [
                        &e.lock_timeout,
                        &e.statement_timeout,
                        &e.long_statement_timeout,
                    ][i]
                        .as_deref()
                        .and_then(|s| parse_duration(s).ok())
                })
            })
            .unwrap_or(DEFAULT_TIMEOUTS_MS[i])
    };
    (pick(0), pick(1), pick(2))
}

/// Where backups go, how many are kept per service, and the bytes that must stay free.
pub struct BackupSettings {
    /// A directory or an `s3://` URL (see `backup::storage`).
    pub storage: PathBuf,
    /// Neither the variable nor the configuration names a storage: `./backups` is used,
    /// which the output says (a backup must not land somewhere unexpected unannounced).
    pub storage_is_default: bool,
    pub retention: usize,
    pub min_free: u64,
}

/// The backup settings for `config` (or none): `MIGRATION_SERVICE_BACKUP_STORAGE` and
/// `MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES` over the configuration, over the defaults.
pub fn backup_settings(config: Option<&Config>) -> Result<BackupSettings> {
    let b = config.map(|c| c.backup.clone()).unwrap_or_default();
    let configured = b.storage_url.map(PathBuf::from).or(b.storage);
    Ok(BackupSettings {
        storage_is_default: crate::backup::storage_is_default(configured.as_deref()),
        storage: crate::backup::storage(configured.as_deref()),
        retention: b.retention,
        min_free: crate::backup::space::min_free(b.min_free_space)?,
    })
}

impl Environment {
    /// The database URL, read from the environment variable the configuration names.
    pub fn database_url(&self, name: &str) -> Result<String> {
        std::env::var(&self.database_url_env).map_err(|_| {
            Error::Config(format!(
                "environment {name:?}: the variable {} that should hold its database URL is \
                 not set",
                self.database_url_env
            ))
        })
    }

    pub fn hazards(&self) -> Vec<Hazard> {
        Hazard::parse_list(&self.allow_hazards.join(",")).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        Config::load(&p)
    }

    #[test]
    fn a_full_configuration_loads() {
        let c = parse(
            r#"
[desired]
exclude = ["legacy", "app.audit_*"]
[services.auth-service]
schemas = ["auth"]
[services.chat-service]
schemas = ["chat"]
database_url_env = "CHAT_DATABASE_URL"
databases = { production = "CHAT_PROD_DATABASE_URL" }
[environments.production]
database_url_env = "PROD_DATABASE_URL"
allow_hazards = ["INDEX_BUILD", "AUTHZ_UPDATE"]
lock_timeout = "2s"
[environments.staging]
database_url_env = "STAGING_DATABASE_URL"
[backup]
retention = 3
"#,
        )
        .unwrap();
        assert_eq!(c.desired.exclude, ["legacy", "app.audit_*"]);
        assert_eq!(c.service_of("auth"), Some("auth-service"));
        assert_eq!(c.separate_services(Some("production")), ["chat-service"]);
        assert!(c.separate_services(Some("staging")).is_empty());
        assert_eq!(c.separate_services(None), ["chat-service"]);
        assert_eq!(
            c.service_database("auth-service", Some("production"))
                .unwrap(),
            None
        );
        assert_eq!(
            c.service_database("chat-service", Some("staging")).unwrap(),
            None
        );
        // An unset variable is named, never guessed around.
        let e = c
            .service_database("chat-service", Some("production"))
            .unwrap_err();
        assert!(e.to_string().contains("CHAT_PROD_DATABASE_URL"), "{e}");
        assert_eq!(c.environments["production"].hazards().len(), 2);
        // Unknown names suggest the one meant.
        let e = c.service("auth-servce").unwrap_err().to_string();
        assert!(e.contains("did you mean auth-service?"), "{e}");
        let e = c.environment("prod").unwrap_err().to_string();
        assert!(e.contains("did you mean production?"), "{e}");
        let e = c.environment("qa").unwrap_err().to_string();
        assert!(
            !e.contains("did you mean") && e.contains("production, staging"),
            "{e}"
        );
        assert!(c.desired.paths[0].ends_with("schema"));
    }

    #[test]
    fn errors_are_clear() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert!(err("[desired]\nexclude = [\"app.[\"]\n").contains("desired.exclude"));
        assert!(err("[environments.p]\ndatabase_url_env = \"X\"\ndatabase_url = \"postgres://u:pw@h/db\"\n")
            .contains("password"));
        assert!(
            err("[environments.p]\ndatabase_url_env = \"not a var\"\n")
                .contains("not an environment variable name")
        );
        assert!(
            err("[environments.p]\ndatabase_url_env = \"X\"\nallow_hazards = [\"INDEX_BULD\"]\n")
                .contains("unknown hazard \"INDEX_BULD\"; did you mean INDEX_BUILD?")
        );
        assert!(
            err("[environments.p]\ndatabase_url_env = \"X\"\nlock_timeout = \"3 weeks\"\n")
                .contains("unknown unit")
        );
        assert!(
            err("[services.a]\nschemas = [\"x\"]\n[services.b]\nschemas = [\"x\"]\n")
                .contains("belongs to both")
        );
        assert!(err("[servics.a]\nschemas = []\n").contains("unknown field"));
        assert!(err("[backup]\nretention = 0\n").contains("at least 1"));
        assert!(
            err("[services.a]\nschemas = [\"x\"]\ndatabases = { nowhere = \"A_URL\" }\n")
                .contains("unknown environment")
        );
        assert!(
            err("[services.a]\nschemas = [\"x\"]\ndatabase_url_env = \"a url\"\n")
                .contains("not an environment variable name")
        );
        // toml's own messages carry the line.
        assert!(err("[services.a]\nschemas = [\"x\"\n").contains("line"));
    }
}
