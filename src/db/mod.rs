//! Connections as libpq makes them: both connection string forms, the `PG*` environment
//! variables, the password file, TLS modes and certificates (docs/connections.md);
//! connecting, and scratch databases on a server.

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config};

mod conninfo;
mod params;
mod pgpass;
mod tls;

pub use conninfo::ParseError;
pub use params::Lookup;
pub use tls::{SslMode, TlsSettings};

/// Where to connect, every parameter resolved.
#[derive(Debug, Clone)]
pub struct Target {
    /// What tokio-postgres is given (its `ssl_mode` is the first attempt's).
    pub config: Config,
    /// `sslmode=verify-ca` or `verify-full`.
    pub verify_certificate: bool,
    pub tls: TlsSettings,
    /// Every host is a Unix-domain socket, where sslmode does not apply.
    sockets_only: bool,
    /// The password file to consult when no password was given.
    password_file: Option<PasswordFile>,
    password_from_file: bool,
}

#[derive(Debug, Clone)]
struct PasswordFile {
    path: PathBuf,
    /// Each host as given (empty: the default socket) with its port.
    endpoints: Vec<(String, String)>,
}

impl Target {
    /// The same server, another database (the password file is asked again: its lines
    /// may differ per database).
    pub fn with_dbname(&self, dbname: &str) -> Target {
        let mut t = self.clone();
        t.config.dbname(dbname);
        t.lookup_password();
        t
    }

    fn lookup_password(&mut self) {
        let Some(file) = &self.password_file else {
            return;
        };
        let found = params::file_password(
            &file.path,
            &file.endpoints,
            self.config.get_dbname().unwrap_or(""),
            self.config.get_user().unwrap_or(""),
        );
        self.password_from_file = found.is_some();
        match found {
            Some(pw) => self.config.password(pw),
            None => self.config.password(Vec::<u8>::new()),
        };
    }

    /// `database D on HOST:PORT as USER`, for messages: never the password.
    pub fn describe(&self) -> String {
        let c = &self.config;
        let ports = c.get_ports();
        let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        let hosts: Vec<String> = c
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                Host::Tcp(name) => match c.get_hostaddrs().get(i) {
                    Some(a) if a.to_string() != *name => format!("{name} ({a}):{}", port(i)),
                    _ if name.contains(':') => format!("[{name}]:{}", port(i)),
                    _ => format!("{name}:{}", port(i)),
                },
                Host::Unix(dir) => format!(
                    "socket {}",
                    dir.join(format!(".s.PGSQL.{}", port(i))).display()
                ),
            })
            .collect();
        format!(
            "database {} on {} as user {}",
            c.get_dbname().unwrap_or("?"),
            hosts.join(", "),
            c.get_user().unwrap_or("?")
        )
    }

    /// The hosts as libpq's `host` takes them: names, addresses or socket directories,
    /// joined by commas.
    pub fn hosts(&self) -> String {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(s) => s.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        hosts.join(",")
    }

    /// The same parameters as libpq environment variables, for the PostgreSQL tools the
    /// engine runs (pg_dump, pg_restore).
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let c = &self.config;
        let mut env = Vec::new();
        env.push(("PGHOST", self.hosts()));
        if !c.get_hostaddrs().is_empty() {
            let addrs: Vec<String> = c.get_hostaddrs().iter().map(|a| a.to_string()).collect();
            env.push(("PGHOSTADDR", addrs.join(",")));
        }
        if !c.get_ports().is_empty() {
            let ports: Vec<String> = c.get_ports().iter().map(|p| p.to_string()).collect();
            env.push(("PGPORT", ports.join(",")));
        }
        if let Some(u) = c.get_user() {
            env.push(("PGUSER", u.to_string()));
        }
        if let Some(p) = c.get_password().filter(|p| !p.is_empty()) {
            env.push(("PGPASSWORD", String::from_utf8_lossy(p).to_string()));
        }
        if let Some(d) = c.get_dbname() {
            env.push(("PGDATABASE", d.to_string()));
        }
        if let Some(o) = c.get_options() {
            env.push(("PGOPTIONS", o.to_string()));
        }
        if let Some(t) = c.get_connect_timeout() {
            env.push(("PGCONNECT_TIMEOUT", t.as_secs().to_string()));
        }
        env.push(("PGSSLMODE", self.tls.mode.as_str().to_string()));
        match &self.tls.roots {
            tls::Roots::File(p) => env.push(("PGSSLROOTCERT", p.display().to_string())),
            tls::Roots::System => env.push(("PGSSLROOTCERT", "system".to_string())),
            tls::Roots::None => {}
        }
        if let Some(cc) = &self.tls.client {
            env.push(("PGSSLCERT", cc.cert.display().to_string()));
            env.push(("PGSSLKEY", cc.key.display().to_string()));
        }
        env.push((
            "PGAPPNAME",
            c.get_application_name()
                .unwrap_or(APPLICATION_NAME)
                .to_string(),
        ));
        env
    }

    /// What to tell the user about a failed attempt: the TLS reason and the setting at
    /// fault, the server's message, or the OS's reason. Never the password.
    fn explain(&self, e: &tokio_postgres::Error) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => String::new(),
        };
        if let Some(m) = tls::explain(e, &self.tls, &host) {
            return m;
        }
        let mut m = Error::describe_db(e);
        if e.as_db_error().is_none() {
            // tokio-postgres' Display stops at its own kind; the OS's reason is a cause.
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                let text = c.to_string();
                if !m.contains(&text) {
                    m.push_str(&format!(": {text}"));
                }
                cause = c.source();
            }
        }
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            if code == "28P01"
                && self.password_from_file
                && let Some(f) = &self.password_file
            {
                m.push_str(&format!(
                    "\n(password retrieved from file \"{}\")",
                    f.path.display()
                ));
            }
            if code == "28000" && db.message().contains("certificate") && self.tls.client.is_none()
            {
                m.push_str("\n(no client certificate was sent: give one with sslcert and sslkey)");
            }
        }
        m
    }
}

pub const APPLICATION_NAME: &str = "profe-migrate";

/// Parses a libpq URI or key/value connection string, filling in what it leaves out from
/// the process's environment and the defaults.
pub fn parse(conn: &str) -> Result<Target> {
    parse_with(conn, &|k| std::env::var(k).ok())
}

/// [`parse`] with the environment given as a lookup.
pub fn parse_with(conn: &str, env: Lookup) -> Result<Target> {
    params::resolve(conn, env).map_err(Error::InvalidConnectionString)
}

/// Whether a SOURCE names a database: a `postgres://` URI, or (as libpq tells them apart)
/// a string with `=` in it, unless that is the name of an existing file or folder.
pub fn is_connection_string(s: &str) -> bool {
    conninfo::is_uri(s) || (s.contains('=') && !std::path::Path::new(s).exists())
}

/// Whether `PGHOST`, `PGHOSTADDR` or `PGDATABASE` names a database, as it does for psql.
pub fn environment_names_database(env: Lookup) -> bool {
    params::environment_names_database(env)
}

/// A connection string with every password blanked, for messages.
pub fn redact(conn: &str) -> String {
    conninfo::redact(conn)
}

/// The settings the engine's SQL is written for, as statements: every session sets them
/// ([`SESSION_SETTINGS`]) and every plan script starts with them
/// (`plan::render::SCRIPT_SETTINGS`). One list, so that the two cannot drift apart.
macro_rules! rendered_for {
    () => {
        "SET standard_conforming_strings = on;\n\
         SET client_encoding = 'UTF8';\n\
         SET search_path = '';\n"
    };
}

/// [`rendered_for!`] as a constant, for the plan scripts.
pub const RENDERED_FOR: &str = rendered_for!();

/// What every session of the engine runs first. The SQL the engine renders (string
/// literals, names qualified for an empty `search_path`) means what it should only under
/// these settings, and a database or role may change their defaults (`ALTER DATABASE …
/// SET standard_conforming_strings = off` would turn a backslash in a comment into an
/// escape, and a crafted comment into a second statement). They are set after the
/// connection is made, not as startup options, so that poolers which refuse unknown
/// startup parameters still work; `SET … TO DEFAULT` later still means the database's
/// default, which the desired-state load relies on.
///
/// `profe_migrate.engine` marks the session as the engine's for the DDL audit trigger,
/// whatever application name the user gives (PGAPPNAME, `application_name=`).
pub const SESSION_SETTINGS: &str = concat!(rendered_for!(), "SET profe_migrate.engine = 'on';");

/// The server's version number (`server_version_num`, e.g. 150004).
pub async fn server_version(client: &Client) -> Result<i32> {
    Ok(client
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int",
            &[],
        )
        .await?
        .get(0))
}

pub async fn connect(target: &Target) -> Result<Client> {
    use tokio_postgres::config::SslMode as Wire;
    // Over a socket, or with sslmode=disable, TLS never starts, so its files are not
    // read (as in libpq).
    let settings = if target.sockets_only || target.tls.mode == SslMode::Disable {
        &TlsSettings::none()
    } else {
        &target.tls
    };
    let connector = tls::connector(settings).map_err(|message| Error::Connect {
        target: target.describe(),
        message,
    })?;
    // allow: without TLS first, then with; prefer: the other way round (libpq's retries).
    let attempts: &[Wire] = match target.tls.mode {
        _ if target.sockets_only => &[Wire::Disable],
        SslMode::Allow => &[Wire::Disable, Wire::Require],
        SslMode::Prefer => &[Wire::Prefer, Wire::Disable],
        SslMode::Disable => &[Wire::Disable],
        _ => &[Wire::Require],
    };
    let mut last = None;
    for (i, mode) in attempts.iter().enumerate() {
        let mut config = target.config.clone();
        config.ssl_mode(*mode);
        match config.connect(connector.clone()).await {
            Ok((client, connection)) => {
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!("connection closed: {e}");
                    }
                });
                client
                    .batch_execute(SESSION_SETTINGS)
                    .await
                    .map_err(|e| Error::Connect {
                        target: target.describe(),
                        message: format!(
                            "cannot pin the session's settings: {}",
                            Error::describe_db(&e)
                        ),
                    })?;
                return Ok(client);
            }
            Err(e) => {
                // Retry only what the other mode could change: the server's refusal or
                // the handshake, not an unreachable host.
                let retry =
                    i + 1 < attempts.len() && (e.as_db_error().is_some() || tls::is_tls_error(&e));
                last = Some(e);
                if !retry {
                    break;
                }
            }
        }
    }
    let e = last.expect("at least one attempt");
    Err(Error::Connect {
        target: target.describe(),
        message: target.explain(&e),
    })
}

/// A database created for one job (a shadow load, a test) and dropped afterwards.
pub struct ScratchDb {
    pub name: String,
    pub target: Target,
    admin: Target,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Whether `name` is one [`create_scratch`] makes: `profe_<prefix>_<pid>_<n>_<nanos>`.
/// The process id keeps the names of concurrent runs on one server apart.
pub fn is_scratch_name(name: &str) -> bool {
    let mut parts = name.rsplitn(4, '_');
    let numbers = parts
        .by_ref()
        .take(3)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .count();
    numbers == 3 && parts.next().is_some_and(|p| p.starts_with("profe_"))
}

/// Creates a fresh empty database (from `template0`) on the server `admin` points at.
pub async fn create_scratch(admin: &Target, prefix: &str) -> Result<ScratchDb> {
    create_scratch_with(admin, prefix, false).await
}

/// [`create_scratch`]; with `file_copy`, on PostgreSQL 15 and later, by copying the
/// template's files (`STRATEGY FILE_COPY`) rather than writing all of it to the WAL: about
/// four times faster for a template this small, but it takes two checkpoints, which only a
/// server of our own (the embedded or warm one, never a `--dev-url` server) should pay.
pub async fn create_scratch_with(
    admin: &Target,
    prefix: &str,
    file_copy: bool,
) -> Result<ScratchDb> {
    create_database(admin, prefix, "template0", file_copy).await
}

/// A scratch database made as a copy of the database `template` (one the warm server
/// keeps, see [`crate::cluster::warm::templates`]), its files copied.
pub async fn clone_scratch(admin: &Target, prefix: &str, template: &str) -> Result<ScratchDb> {
    create_database(admin, prefix, template, true).await
}

async fn create_database(
    admin: &Target,
    prefix: &str,
    template: &str,
    file_copy: bool,
) -> Result<ScratchDb> {
    let name = scratch_name(prefix);
    let client = connect(admin).await?;
    let strategy = match file_copy {
        true => {
            if server_version(&client).await? >= 150000 {
                " STRATEGY FILE_COPY"
            } else {
                ""
            }
        }
        false => "",
    };
    client
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'{strategy}",
            crate::catalog::quote_ident(&name),
            crate::catalog::quote_ident(template)
        ))
        .await?;
    Ok(ScratchDb {
        target: admin.with_dbname(&name),
        name,
        admin: admin.clone(),
    })
}

/// `<prefix>_<pid>_<n>_<nanos>`, which [`is_scratch_name`] recognises.
fn scratch_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl ScratchDb {
    /// The server's database it was created from.
    pub fn admin_target(&self) -> &Target {
        &self.admin
    }

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
mod tests;
