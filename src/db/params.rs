//! From a parsed connection string to a [`Target`], with libpq's precedence: a parameter
//! in the string, else its environment variable (`PGHOST`…), else the default. The
//! environment is a lookup function, so that tests pass a map instead of the process's.

use super::conninfo::{self, Pair};
use super::pgpass;
use super::tls::{self, Setting, SslMode};
use super::{APPLICATION_NAME, Target};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_postgres::Config;
use tokio_postgres::config::{
    ChannelBinding, LoadBalanceHosts, SslNegotiation, TargetSessionAttrs,
};

/// An environment: the value of a variable, if set.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Each key's environment variable, as libpq names them.
const ENV: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("application_name", "PGAPPNAME"),
    ("options", "PGOPTIONS"),
    ("client_encoding", "PGCLIENTENCODING"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("channel_binding", "PGCHANNELBINDING"),
    ("load_balance_hosts", "PGLOADBALANCEHOSTS"),
    ("gssencmode", "PGGSSENCMODE"),
    ("service", "PGSERVICE"),
    ("sslpassword", "PGSSLPASSWORD"),
    ("sslcrl", "PGSSLCRL"),
    ("sslcrldir", "PGSSLCRLDIR"),
    ("sslsni", "PGSSLSNI"),
    ("sslcompression", "PGSSLCOMPRESSION"),
    ("sslcertmode", "PGSSLCERTMODE"),
    ("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
    ("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"),
    ("requirepeer", "PGREQUIREPEER"),
    ("require_auth", "PGREQUIREAUTH"),
    ("krbsrvname", "PGKRBSRVNAME"),
    ("gsslib", "PGGSSLIB"),
    ("gssdelegation", "PGGSSDELEGATION"),
    ("requiressl", "PGREQUIRESSL"),
];

/// libpq keys the engine cannot honour, with the values that ask for what it does anyway.
const UNSUPPORTED: &[(&str, &[&str])] = &[
    ("service", &[]),
    ("sslpassword", &[]),
    ("sslcrl", &[]),
    ("sslcrldir", &[]),
    ("sslsni", &["1"]),
    ("sslcompression", &["0"]),
    ("sslcertmode", &["allow"]),
    ("ssl_min_protocol_version", &["TLSv1.2"]),
    ("ssl_max_protocol_version", &[]),
    ("requirepeer", &[]),
    ("require_auth", &[]),
    ("krbsrvname", &[]),
    ("gsslib", &[]),
    ("gssdelegation", &["0"]),
    ("replication", &["0", "false", "off", "no"]),
    ("requiressl", &["0"]),
    // Without GSSAPI support, libpq's prefer falls back to no GSS encryption too.
    ("gssencmode", &["disable", "prefer"]),
];

/// The socket directories tried when no host is given: Debian's libpq uses the first,
/// upstream's the second; the first holding the port's socket wins.
const SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/tmp"];

pub fn default_socket_dir(port: u16) -> PathBuf {
    SOCKET_DIRS
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join(format!(".s.PGSQL.{port}")).exists())
        .unwrap_or_else(|| PathBuf::from(SOCKET_DIRS[0]))
}

/// Whether the environment alone names a database (`PGHOST`, `PGHOSTADDR` or
/// `PGDATABASE`), as it does for psql.
pub fn environment_names_database(env: Lookup) -> bool {
    ["PGHOST", "PGHOSTADDR", "PGDATABASE"]
        .iter()
        .any(|v| env(v).is_some_and(|s| !s.is_empty()))
}

struct Params<'a> {
    given: BTreeMap<String, Pair>,
    env: Lookup<'a>,
}

impl Params<'_> {
    /// The explicit value (even empty, which then stands for the default, as in libpq),
    /// else the environment variable's.
    fn get(&self, key: &str) -> Option<Setting> {
        if let Some(p) = self.given.get(key) {
            return Some(Setting {
                value: p.value.clone(),
                from: key.to_string(),
            });
        }
        let var = ENV.iter().find(|(k, _)| *k == key)?.1;
        (self.env)(var)
            .filter(|v| !v.is_empty())
            .map(|value| Setting {
                value,
                from: var.to_string(),
            })
    }

    fn value(&self, key: &str) -> Option<Setting> {
        self.get(key).filter(|s| !s.value.is_empty())
    }

    fn parsed<T>(
        &self,
        key: &str,
        f: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(s) => f(&s.value).map(Some).ok_or_else(|| {
                format!(
                    "invalid {} value \"{}\": expected {expected}",
                    s.from, s.value
                )
            }),
        }
    }
}

pub fn home(env: Lookup) -> Option<PathBuf> {
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::geteuid())
                .ok()
                .flatten()
                .map(|u| u.dir)
        })
}

fn os_user() -> Result<String, String> {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .ok_or_else(|| "no user given (user, PGUSER) and the local user ID has no name".into())
}

fn seconds(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

pub fn resolve(conn: &str, env: Lookup) -> Result<Target, String> {
    let pairs = conninfo::parse(conn).map_err(|e| e.to_string())?;
    let p = Params {
        given: pairs.into_iter().map(|p| (p.key.clone(), p)).collect(),
        env,
    };
    for (key, allowed) in UNSUPPORTED {
        if let Some(s) = p.value(key)
            && !allowed.contains(&s.value.as_str())
        {
            return Err(format!(
                "{}={} is not supported by profe-migrate (see docs/connections.md)",
                s.from, s.value
            ));
        }
    }
    if let Some(s) = p.value("client_encoding")
        && !["utf8", "utf-8", "unicode", "auto"].contains(&s.value.to_lowercase().as_str())
    {
        return Err(format!(
            "{}={}: the engine always talks UTF8 to the server",
            s.from, s.value
        ));
    }
    let mut config = Config::new();

    let ports: Vec<u16> = match p.value("port") {
        None => vec![],
        Some(s) => s
            .value
            .split(',')
            .map(|x| match x.trim() {
                "" => Ok(5432),
                x => x
                    .parse::<u16>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("invalid port number \"{x}\" ({})", s.from)),
            })
            .collect::<Result<_, _>>()?,
    };
    let first_port = ports.first().copied().unwrap_or(5432);
    let addrs: Vec<std::net::IpAddr> = match p.value("hostaddr") {
        None => vec![],
        Some(s) => s
            .value
            .split(',')
            .map(|a| {
                a.trim()
                    .parse()
                    .map_err(|_| format!("invalid {} value \"{a}\": not an IP address", s.from))
            })
            .collect::<Result<_, _>>()?,
    };
    // The hosts as given: empty means the default socket directory.
    let raw_hosts: Vec<String> = match p.value("host") {
        Some(s) => s.value.split(',').map(|h| h.trim().to_string()).collect(),
        None if !addrs.is_empty() => addrs.iter().map(|a| a.to_string()).collect(),
        None => vec![String::new()],
    };
    if !addrs.is_empty() && addrs.len() != raw_hosts.len() {
        return Err(format!(
            "could not match {} host names to {} hostaddr values",
            raw_hosts.len(),
            addrs.len()
        ));
    }
    if ports.len() > 1 && ports.len() != raw_hosts.len() {
        return Err(format!(
            "could not match {} port numbers to {} hosts",
            ports.len(),
            raw_hosts.len()
        ));
    }
    for (i, h) in raw_hosts.iter().enumerate() {
        if h.is_empty() {
            let port = ports.get(i).copied().unwrap_or(first_port);
            config.host_path(default_socket_dir(port));
        } else if h.starts_with('/') {
            config.host_path(h);
        } else {
            config.host(h);
        }
    }
    for a in &addrs {
        config.hostaddr(*a);
    }
    for port in &ports {
        config.port(*port);
    }

    let user = match p.value("user") {
        Some(s) => s.value,
        None => os_user()?,
    };
    config.user(&user);
    let dbname = p.value("dbname").map_or_else(|| user.clone(), |s| s.value);
    config.dbname(&dbname);
    let app = p
        .value("application_name")
        .or_else(|| p.value("fallback_application_name"))
        .map_or_else(|| APPLICATION_NAME.to_string(), |s| s.value);
    config.application_name(app);
    if let Some(o) = p.value("options") {
        config.options(o.value);
    }
    // libpq: 0 or less waits forever, and anything under 2 seconds is 2.
    let timeout = p.parsed(
        "connect_timeout",
        |v| v.trim().parse::<i64>().ok(),
        "a number of seconds",
    )?;
    if let Some(t) = timeout.filter(|t| *t > 0) {
        config.connect_timeout(Duration::from_secs(t.max(2) as u64));
    }
    let flag = |v: &str| match v {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    };
    if let Some(k) = p.parsed("keepalives", flag, "0 or 1")? {
        config.keepalives(k);
    }
    if let Some(d) = p.parsed("keepalives_idle", seconds, "a number of seconds")? {
        config.keepalives_idle(d);
    }
    if let Some(d) = p.parsed("keepalives_interval", seconds, "a number of seconds")? {
        config.keepalives_interval(d);
    }
    if let Some(n) = p.parsed("keepalives_count", |v| v.parse::<u32>().ok(), "a count")? {
        config.keepalives_retries(n);
    }
    if let Some(ms) = p.parsed(
        "tcp_user_timeout",
        |v| v.parse::<u64>().ok(),
        "milliseconds",
    )? {
        config.tcp_user_timeout(Duration::from_millis(ms));
    }
    let attrs = |v: &str| match v {
        "any" => Some(TargetSessionAttrs::Any),
        "read-write" => Some(TargetSessionAttrs::ReadWrite),
        "read-only" => Some(TargetSessionAttrs::ReadOnly),
        _ => None,
    };
    if let Some(a) = p.parsed(
        "target_session_attrs",
        attrs,
        "any, read-write or read-only",
    )? {
        config.target_session_attrs(a);
    }
    let binding = |v: &str| match v {
        "disable" => Some(ChannelBinding::Disable),
        "prefer" => Some(ChannelBinding::Prefer),
        "require" => Some(ChannelBinding::Require),
        _ => None,
    };
    if let Some(b) = p.parsed("channel_binding", binding, "disable, prefer or require")? {
        config.channel_binding(b);
    }
    let balance = |v: &str| match v {
        "disable" => Some(LoadBalanceHosts::Disable),
        "random" => Some(LoadBalanceHosts::Random),
        _ => None,
    };
    if let Some(b) = p.parsed("load_balance_hosts", balance, "disable or random")? {
        config.load_balance_hosts(b);
    }
    let negotiation = |v: &str| match v {
        "postgres" => Some(SslNegotiation::Postgres),
        "direct" => Some(SslNegotiation::Direct),
        _ => None,
    };
    if let Some(n) = p.parsed("sslnegotiation", negotiation, "postgres or direct")? {
        config.ssl_negotiation(n);
    }

    let home = home(env);
    let tls = tls::settings(&|k| p.get(k), home.as_deref())?;
    // sslmode is ignored for Unix-domain sockets, as in libpq (the server offers no TLS
    // there).
    let sockets_only = config
        .get_hosts()
        .iter()
        .all(|h| matches!(h, tokio_postgres::config::Host::Unix(_)))
        && addrs.is_empty();
    config.ssl_mode(match tls.mode {
        _ if sockets_only => tokio_postgres::config::SslMode::Disable,
        SslMode::Disable | SslMode::Allow => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    });

    let mut password_file = None;
    match p.value("password") {
        Some(s) => {
            config.password(s.value);
        }
        None => {
            let file = p
                .value("passfile")
                .map(|s| PathBuf::from(s.value))
                .or_else(|| home.as_ref().map(|h| h.join(".pgpass")));
            if let Some(file) = file {
                let endpoints = raw_hosts
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let port = ports.get(i).copied().unwrap_or(first_port);
                        (h.clone(), port.to_string())
                    })
                    .collect();
                password_file = Some(super::PasswordFile {
                    path: file,
                    endpoints,
                });
            }
        }
    }
    let mut target = Target {
        config,
        verify_certificate: matches!(tls.mode, SslMode::VerifyCa | SslMode::VerifyFull),
        tls,
        sockets_only,
        password_file,
        password_from_file: false,
    };
    target.lookup_password();
    Ok(target)
}

/// The password the file gives for the first of `endpoints` that has a line.
pub fn file_password(
    path: &Path,
    endpoints: &[(String, String)],
    dbname: &str,
    user: &str,
) -> Option<String> {
    endpoints.iter().find_map(|(host, port)| {
        pgpass::lookup(
            path,
            &pgpass::Query {
                host,
                port,
                dbname,
                user,
            },
        )
    })
}
