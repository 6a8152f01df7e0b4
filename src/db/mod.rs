//! Connections: parsing connection strings, connecting, scratch databases on a server.

use crate::error::{Error, Result};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::{Client, Config};

mod tls;

/// Where to connect: the parsed connection string, and whether the server's certificate
/// must be verified (`sslmode=verify-ca` or `verify-full`; tokio-postgres itself only
/// knows disable, prefer and require).
#[derive(Debug, Clone)]
pub struct Target {
    pub config: Config,
    pub verify_certificate: bool,
}

impl Target {
    /// The same server, another database.
    pub fn with_dbname(&self, dbname: &str) -> Target {
        let mut t = self.clone();
        t.config.dbname(dbname);
        t
    }
}

pub const APPLICATION_NAME: &str = "profe-migrate";

/// Parses a libpq URI or key/value connection string.
pub fn parse(conn: &str) -> Result<Target> {
    let verify = ["sslmode=verify-full", "sslmode=verify-ca"]
        .iter()
        .any(|m| conn.contains(m));
    let normalized = conn
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let mut config = Config::from_str(&normalized).map_err(|e| Error::Connect {
        target: redact(conn),
        message: format!("invalid connection string: {e}"),
    })?;
    // The audit trigger and pg_stat_activity tell the engine's sessions apart by it.
    if config.get_application_name().is_none() {
        config.application_name(APPLICATION_NAME);
    }
    Ok(Target {
        config,
        verify_certificate: verify,
    })
}

/// A connection string with any password removed, for messages.
pub fn redact(conn: &str) -> String {
    if let Some(rest) = conn
        .strip_prefix("postgres://")
        .or_else(|| conn.strip_prefix("postgresql://"))
    {
        let scheme = &conn[..conn.len() - rest.len()];
        let (auth_host, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let auth_host = match auth_host.rfind('@') {
            Some(at) => {
                let (userinfo, host) = auth_host.split_at(at);
                let user = userinfo.split(':').next().unwrap_or("");
                format!("{user}{host}")
            }
            None => auth_host.to_string(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => format!("{path}?{}", redact_pairs(query, '&')),
            None => tail.to_string(),
        };
        return format!("{scheme}{auth_host}{tail}");
    }
    redact_pairs(conn, ' ')
}

fn redact_pairs(s: &str, sep: char) -> String {
    s.split(sep)
        .map(|part| {
            let key = part.trim_start_matches('?');
            if key.starts_with("password=") {
                let prefix = &part[..part.len() - key.len()];
                format!("{prefix}password=***")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(&sep.to_string())
}

fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    format!(
        "database {} on {host}",
        config.get_dbname().unwrap_or("(default)")
    )
}

/// What every session of the engine runs first. The SQL the engine renders (string
/// literals, names qualified for an empty `search_path`) means what it should only under
/// these settings, and a database or role may change their defaults (`ALTER DATABASE …
/// SET standard_conforming_strings = off` would turn a backslash in a comment into an
/// escape, and a crafted comment into a second statement). They are set after the
/// connection is made, not as startup options, so that poolers which refuse unknown
/// startup parameters still work; `SET … TO DEFAULT` later still means the database's
/// default, which the desired-state load relies on.
pub const SESSION_SETTINGS: &str = "SET standard_conforming_strings = on; \
     SET client_encoding = 'UTF8'; SET search_path = ''";

pub async fn connect(target: &Target) -> Result<Client> {
    let config = &target.config;
    let tls = tls::connector(target.verify_certificate).map_err(|message| Error::Connect {
        target: describe(config),
        message,
    })?;
    let (client, connection) = config.connect(tls).await.map_err(|e| Error::Connect {
        target: describe(config),
        message: Error::describe_db(&e),
    })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection closed: {e}");
        }
    });
    client
        .batch_execute(SESSION_SETTINGS)
        .await
        .map_err(|e| Error::Connect {
            target: describe(config),
            message: format!(
                "cannot pin the session's settings: {}",
                Error::describe_db(&e)
            ),
        })?;
    Ok(client)
}

/// A database created for one job (a shadow load, a test) and dropped afterwards.
pub struct ScratchDb {
    pub name: String,
    pub target: Target,
    admin: Target,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a fresh empty database (from `template0`) on the server `admin` points at.
pub async fn create_scratch(admin: &Target, prefix: &str) -> Result<ScratchDb> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let client = connect(admin).await?;
    client
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            crate::catalog::quote_ident(&name)
        ))
        .await?;
    Ok(ScratchDb {
        target: admin.with_dbname(&name),
        name,
        admin: admin.clone(),
    })
}

impl ScratchDb {
    pub async fn drop_db(self) -> Result<()> {
        let client = connect(&self.admin).await?;
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                crate::catalog::quote_ident(&self.name)
            ))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/profe?sslmode=require"),
            "postgres://app@db.example:5432/profe?sslmode=require"
        );
        assert_eq!(
            redact("postgresql://u:p@h/d?password=x&sslmode=disable"),
            "postgresql://u@h/d?password=***&sslmode=disable"
        );
        assert_eq!(
            redact("host=/tmp user=u password=secret dbname=d"),
            "host=/tmp user=u password=*** dbname=d"
        );
        assert_eq!(redact("postgres://h/d"), "postgres://h/d");
    }
}
