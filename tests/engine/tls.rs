//! TLS as libpq's sslmode means it, against servers the test starts with a CA of its own
//! (made with the openssl command): each mode, sslrootcert (file, default file, system),
//! client certificates with `cert` authentication, and the reason named when a
//! certificate is refused (unknown CA, host name mismatch, expired).

use crate::support::{Env, TestResult, trial};
use profe_migrate::cluster::Cluster;
use profe_migrate::db;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[server]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[wrong]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[client]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
";

/// Certificates in a directory the server's user can read.
pub struct Certs {
    pub dir: tempfile::TempDir,
}

fn openssl(args: &[&str], dir: &Path) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

impl Certs {
    /// Two CAs (`ca`, `other-ca`); signed by `ca`: `server` (localhost, 127.0.0.1),
    /// `wrong` (wrong.example), `expired` (localhost, expired yesterday), `certuser` (a
    /// client); signed by `other-ca`: `stranger` (a client named certuser).
    pub fn make() -> Result<Certs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let d = dir.path();
        std::fs::write(d.join("openssl.cnf"), OPENSSL_CONFIG).map_err(|e| e.to_string())?;
        for ca in ["ca", "other-ca"] {
            let (key, crt) = (format!("{ca}.key"), format!("{ca}.crt"));
            let mut args = vec![
                "req",
                "-x509",
                "-config",
                "openssl.cnf",
                "-extensions",
                "ca",
            ];
            args.extend(EC);
            let subj = format!("/CN=profe test {ca}");
            args.extend(["-nodes", "-days", "2", "-subj", &subj]);
            args.extend(["-keyout", &key, "-out", &crt]);
            openssl(&args, d)?;
        }
        let leaves = [
            ("server", "localhost", "server", "ca", "2"),
            ("wrong", "wrong.example", "wrong", "ca", "2"),
            ("expired", "localhost", "server", "ca", "-1"),
            ("certuser", "certuser", "client", "ca", "2"),
            ("stranger", "certuser", "client", "other-ca", "2"),
        ];
        for (name, cn, ext, ca, days) in leaves {
            let (key, csr, crt) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.crt"),
            );
            let subj = format!("/CN={cn}");
            let mut args = vec!["req", "-new", "-config", "openssl.cnf"];
            args.extend(EC);
            args.extend(["-nodes", "-subj", &subj, "-keyout", &key, "-out", &csr]);
            openssl(&args, d)?;
            let (ca_crt, ca_key) = (format!("{ca}.crt"), format!("{ca}.key"));
            openssl(
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    &ca_crt,
                    "-CAkey",
                    &ca_key,
                    "-days",
                    days,
                    "-extfile",
                    "openssl.cnf",
                    "-extensions",
                    ext,
                    "-out",
                    &crt,
                ],
                d,
            )?;
        }
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(d).map_err(|e| e.to_string())? {
            let p = entry.map_err(|e| e.to_string())?.path();
            if p.extension().is_some_and(|e| e == "key") {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(Certs { dir })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// A copy of `name`'s certificate and key the server's user owns (the server wants
    /// its key private and readable by itself).
    fn for_server(&self, name: &str, into: &Path) -> Result<(PathBuf, PathBuf), String> {
        let (crt, key) = (
            into.join(format!("{name}.crt")),
            into.join(format!("{name}.key")),
        );
        std::fs::copy(self.path(&format!("{name}.crt")), &crt).map_err(|e| e.to_string())?;
        std::fs::copy(self.path(&format!("{name}.key")), &key).map_err(|e| e.to_string())?;
        std::fs::copy(self.path("ca.crt"), into.join("ca.crt")).map_err(|e| e.to_string())?;
        Ok((crt, key))
    }
}

/// A free TCP port on the loopback address.
pub fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// A second server: TCP on 127.0.0.1, its own pg_hba.conf, TLS with `cert` when given.
pub struct Server {
    _cluster: Cluster,
    pub port: u16,
    pub socket: String,
    _files: tempfile::TempDir,
}

impl Server {
    pub fn start(env: &Env, hba: &str, tls: Option<(&Certs, &str)>) -> Result<Server, String> {
        let files = tempfile::tempdir().map_err(|e| e.to_string())?;
        let hba_path = files.path().join("pg_hba.conf");
        std::fs::write(&hba_path, hba).map_err(|e| e.to_string())?;
        let port = free_port()?;
        let mut settings = vec![
            ("listen_addresses".to_string(), "127.0.0.1".to_string()),
            ("port".to_string(), port.to_string()),
            ("hba_file".to_string(), hba_path.display().to_string()),
        ];
        if let Some((certs, name)) = tls {
            let (crt, key) = certs.for_server(name, files.path())?;
            settings.extend([
                ("ssl".to_string(), "on".to_string()),
                ("ssl_cert_file".to_string(), crt.display().to_string()),
                ("ssl_key_file".to_string(), key.display().to_string()),
                (
                    "ssl_ca_file".to_string(),
                    files.path().join("ca.crt").display().to_string(),
                ),
            ]);
        }
        if nix::unistd::geteuid().is_root()
            && let Ok(Some(pg)) = nix::unistd::User::from_name("postgres")
        {
            for entry in std::fs::read_dir(files.path()).map_err(|e| e.to_string())? {
                let p = entry.map_err(|e| e.to_string())?.path();
                nix::unistd::chown(&p, Some(pg.uid), Some(pg.gid)).map_err(|e| e.to_string())?;
            }
            nix::unistd::chown(files.path(), Some(pg.uid), Some(pg.gid))
                .map_err(|e| e.to_string())?;
        }
        let cluster = Cluster::start_with_settings(env.cluster.bin_dir(), &settings)
            .map_err(|e| e.to_string())?;
        let socket = cluster
            .connection_string("postgres")
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("host=").map(String::from))
            .ok_or("no socket directory")?;
        Ok(Server {
            _cluster: cluster,
            port,
            socket,
            _files: files,
        })
    }

    /// Runs SQL as the superuser over the socket.
    pub fn admin_sql(&self, env: &Env, sql: &str) -> TestResult {
        let conn = format!(
            "host={} port={} user=postgres dbname=postgres",
            self.socket, self.port
        );
        env.block_on(async {
            let client = db::connect(&db::parse(&conn).map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
            client
                .batch_execute(sql)
                .await
                .map_err(|e| profe_migrate::Error::describe_db(&e))
        })
    }
}

const HBA: &str = "\
local all postgres trust
hostssl all certuser 127.0.0.1/32 cert
hostnossl all certuser 127.0.0.1/32 reject
hostssl all sslonly 127.0.0.1/32 trust
hostnossl all sslonly 127.0.0.1/32 reject
host all postgres 127.0.0.1/32 trust
";

/// Connects with `conn`, the environment being only `vars` (HOME in a fresh folder unless
/// given); says whether the session is encrypted, and who it is.
fn connect(env: &Env, conn: &str, vars: &[(&str, &str)]) -> Result<(bool, String), String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut map: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    map.entry("HOME".into())
        .or_insert_with(|| home.path().display().to_string());
    env.block_on(async {
        let target = db::parse_with(conn, &|k| map.get(k).cloned()).map_err(|e| e.to_string())?;
        let client = db::connect(&target).await.map_err(|e| e.to_string())?;
        let row = client
            .query_one(
                "SELECT ssl, current_user::text FROM pg_catalog.pg_stat_ssl \
                 WHERE pid = pg_catalog.pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok((row.get(0), row.get(1)))
    })
}

fn expect_error(result: Result<(bool, String), String>, case: &str, wanted: &[&str]) -> TestResult {
    match result {
        Ok(_) => Err(format!("{case}: connected")),
        Err(e) if wanted.iter().all(|w| e.contains(w)) => Ok(()),
        Err(e) => Err(format!("{case}: expected {wanted:?} in: {e}")),
    }
}

fn expect_ok(
    result: Result<(bool, String), String>,
    case: &str,
    ssl: bool,
    user: &str,
) -> TestResult {
    match result {
        Ok((s, u)) if s == ssl && u == user => Ok(()),
        Ok((s, u)) => Err(format!(
            "{case}: ssl={s} user={u}, expected ssl={ssl} user={user}"
        )),
        Err(e) => Err(format!("{case}: {e}")),
    }
}

fn modes(env: &Env, certs: &Certs) -> TestResult {
    let server = Server::start(env, HBA, Some((certs, "server")))?;
    server.admin_sql(
        env,
        "CREATE ROLE certuser LOGIN; CREATE ROLE sslonly LOGIN;",
    )?;
    let base = format!("host=localhost port={} dbname=postgres", server.port);
    let ca = certs.path("ca.crt").display().to_string();
    let other = certs.path("other-ca.crt").display().to_string();
    let c = |extra: &str| connect(env, &format!("{base} {extra}"), &[]);
    expect_ok(
        c("user=postgres sslmode=disable"),
        "disable",
        false,
        "postgres",
    )?;
    expect_ok(c("user=postgres sslmode=allow"), "allow", false, "postgres")?;
    expect_ok(
        c("user=sslonly sslmode=allow"),
        "allow, TLS only user",
        true,
        "sslonly",
    )?;
    expect_ok(
        c("user=postgres sslmode=prefer"),
        "prefer",
        true,
        "postgres",
    )?;
    expect_ok(c("user=postgres"), "default (prefer)", true, "postgres")?;
    expect_ok(
        c("user=postgres sslmode=require"),
        "require",
        true,
        "postgres",
    )?;
    let full = format!("user=postgres sslmode=verify-full sslrootcert={ca}");
    expect_ok(c(&full), "verify-full", true, "postgres")?;
    let by_ip = format!(
        "hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={ca}",
        server.port
    );
    expect_ok(
        connect(env, &by_ip, &[]),
        "verify-full by IP address",
        true,
        "postgres",
    )?;
    // The name asked for is not the certificate's: verify-ca does not mind, verify-full does.
    let misnamed = format!(
        "host=wrong.example hostaddr=127.0.0.1 port={} user=postgres sslrootcert={ca}",
        server.port
    );
    expect_ok(
        connect(env, &format!("{misnamed} sslmode=verify-ca"), &[]),
        "verify-ca, other name",
        true,
        "postgres",
    )?;
    expect_error(
        connect(env, &format!("{misnamed} sslmode=verify-full"), &[]),
        "verify-full, other name",
        &["host name mismatch", "wrong.example", "sslmode=verify-full"],
    )?;
    expect_error(
        c(&format!(
            "user=postgres sslmode=verify-ca sslrootcert={other}"
        )),
        "verify-ca, other CA",
        &["unknown CA", "sslrootcert="],
    )?;
    // From the environment, the message names the variable.
    expect_error(
        connect(
            env,
            &format!("{base} user=postgres"),
            &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &other)],
        ),
        "PGSSLROOTCERT, other CA",
        &["unknown CA", "PGSSLROOTCERT=", "PGSSLMODE=verify-full"],
    )?;
    // require with a root file checks the chain (libpq's compatibility rule).
    expect_error(
        c(&format!(
            "user=postgres sslmode=require sslrootcert={other}"
        )),
        "require with a root file",
        &["unknown CA"],
    )?;
    expect_error(
        c("user=postgres sslmode=verify-full"),
        "verify-full without a root file",
        &["root.crt does not exist", "sslrootcert=system"],
    )?;
    expect_error(
        c("user=postgres sslmode=require sslrootcert=system"),
        "system roots with a weak mode",
        &["weak sslmode=require", "sslrootcert=system"],
    )?;
    // The system's store does not hold the test CA.
    expect_error(
        c("user=postgres sslrootcert=system"),
        "system roots",
        &["sslrootcert=system"],
    )?;
    // ~/.postgresql/root.crt, postgresql.crt and postgresql.key by default.
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let pg = home.path().join(".postgresql");
    std::fs::create_dir(&pg).map_err(|e| e.to_string())?;
    for (from, to) in [
        ("ca.crt", "root.crt"),
        ("certuser.crt", "postgresql.crt"),
        ("certuser.key", "postgresql.key"),
    ] {
        std::fs::copy(certs.path(from), pg.join(to)).map_err(|e| e.to_string())?;
    }
    let h = home.path().display().to_string();
    expect_ok(
        connect(
            env,
            &format!("{base} user=certuser sslmode=verify-full"),
            &[("HOME", &h)],
        ),
        "default root and client certificate",
        true,
        "certuser",
    )?;
    // Client certificates and `cert` authentication.
    let crt = certs.path("certuser.crt").display().to_string();
    let key = certs.path("certuser.key").display().to_string();
    let with_cert =
        format!("user=certuser sslmode=verify-full sslrootcert={ca} sslcert={crt} sslkey={key}");
    expect_ok(c(&with_cert), "client certificate", true, "certuser")?;
    expect_error(
        c(&format!(
            "user=certuser sslmode=verify-full sslrootcert={ca}"
        )),
        "no client certificate",
        &["certificate", "sslcert"],
    )?;
    let stranger = format!(
        "user=certuser sslmode=require sslcert={} sslkey={}",
        certs.path("stranger.crt").display(),
        certs.path("stranger.key").display()
    );
    expect_error(
        c(&stranger),
        "client certificate of another CA",
        &["client certificate", "sslcert="],
    )?;
    use std::os::unix::fs::PermissionsExt;
    let open_key = certs.path("open.key");
    std::fs::copy(certs.path("certuser.key"), &open_key).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&open_key, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| e.to_string())?;
    expect_error(
        c(&format!(
            "user=certuser sslmode=require sslcert={crt} sslkey={}",
            open_key.display()
        )),
        "a key others can read",
        &["sslkey=", "group or world access"],
    )
}

fn refused_certificates(env: &Env, certs: &Certs) -> TestResult {
    let ca = certs.path("ca.crt").display().to_string();
    let expired = Server::start(env, HBA, Some((certs, "expired")))?;
    let conn = format!(
        "host=localhost port={} user=postgres dbname=postgres sslrootcert={ca}",
        expired.port
    );
    expect_error(
        connect(env, &format!("{conn} sslmode=verify-full"), &[]),
        "expired",
        &["expired", "sslmode=verify-full"],
    )?;
    expect_ok(
        connect(env, &format!("{conn} sslmode=require sslrootcert=''"), &[]),
        "expired, require",
        true,
        "postgres",
    )?;
    drop(expired);
    let wrong = Server::start(env, HBA, Some((certs, "wrong")))?;
    let conn = format!(
        "host=localhost port={} user=postgres dbname=postgres sslrootcert={ca}",
        wrong.port
    );
    expect_error(
        connect(env, &format!("{conn} sslmode=verify-full"), &[]),
        "wrong host",
        &["host name mismatch", "\"localhost\""],
    )?;
    expect_ok(
        connect(env, &format!("{conn} sslmode=verify-ca"), &[]),
        "wrong host, verify-ca",
        true,
        "postgres",
    )
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "tls::sslmodes_roots_and_client_certificates", |env| {
            modes(&env, &Certs::make()?)
        }),
        trial(
            env,
            "tls::expired_and_misnamed_certificates_are_named",
            |env| refused_certificates(&env, &Certs::make()?),
        ),
    ]
}
