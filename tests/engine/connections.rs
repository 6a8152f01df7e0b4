//! Connections as libpq makes them, through the command line with an environment the test
//! controls: PG* variables, the password file, key=value strings, the line `plan` prints
//! about its source, and connection errors that keep host, port and the OS's reason but
//! never the password.

use crate::support::{Env, TestResult, trial};
use crate::tls::Server;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

const PASSWORD: &str = "Sup3r Secret:pw";

const HBA: &str = "\
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
";

/// The binary with nothing of this process's environment but PATH, and HOME in `home`.
fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_profe-migrate"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home);
    c
}

fn text(o: &Output) -> String {
    crate::support::output_text(o)
}

fn run(cmd: &mut Command, want: i32) -> Result<Output, String> {
    let o = cmd.output().map_err(|e| e.to_string())?;
    if o.status.code() == Some(want) {
        Ok(o)
    } else {
        Err(format!("expected exit {want}, got {}", text(&o)))
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A server with password authentication, a role `app` (password [`PASSWORD`]) and its
/// database `appdb` holding `public.marker`.
fn password_server(env: &Env) -> Result<Server, String> {
    let server = Server::start(env, HBA, None)?;
    server.admin_sql(
        env,
        &format!(
            "SET password_encryption = 'scram-sha-256'; \
             CREATE ROLE app LOGIN PASSWORD '{}'",
            PASSWORD.replace('\'', "''")
        ),
    )?;
    server.admin_sql(env, "CREATE DATABASE appdb OWNER app")?;
    let conn = format!(
        "host={} port={} user=postgres dbname=appdb",
        server.socket, server.port
    );
    env.block_on(async {
        let t = profe_migrate::db::parse(&conn).map_err(|e| e.to_string())?;
        let c = profe_migrate::db::connect(&t)
            .await
            .map_err(|e| e.to_string())?;
        c.batch_execute(
            "CREATE TABLE public.marker (id int); ALTER TABLE public.marker OWNER TO app",
        )
        .await
        .map_err(|e| e.to_string())
    })?;
    Ok(server)
}

fn write_private(path: &Path, text: &str, mode: u32) -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).map_err(|e| e.to_string())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| e.to_string())
}

fn pg_variables_and_password_file(env: &Env) -> TestResult {
    let server = password_server(env)?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = server.port.to_string();
    let inspect = |cmd: &mut Command| -> TestResult {
        let o = run(cmd, 0)?;
        let out = String::from_utf8_lossy(&o.stdout);
        if out.contains("public.marker") {
            Ok(())
        } else {
            Err(format!("inspect did not read appdb: {}", text(&o)))
        }
    };
    let pg = |cmd: &mut Command| {
        cmd.env("PGHOST", "127.0.0.1")
            .env("PGPORT", &port)
            .env("PGUSER", "app")
            .env("PGDATABASE", "appdb");
    };
    // PG* variables alone name the database, as for psql.
    let mut c = bin(home.path());
    pg(&mut c);
    inspect(c.arg("inspect").env("PGPASSWORD", PASSWORD))?;
    // PGPASSFILE, with an escaped ':' in the password.
    let passfile = home.path().join("passfile");
    let line = format!(
        "127.0.0.1:{port}:appdb:app:{}\n",
        PASSWORD.replace(':', "\\:")
    );
    write_private(&passfile, &format!("# test\nother:1:x:y:z\n{line}"), 0o600)?;
    let mut c = bin(home.path());
    pg(&mut c);
    inspect(c.arg("inspect").env("PGPASSFILE", &passfile))?;
    // ~/.pgpass with a key=value --database-url (spaces around '=' as libpq allows).
    write_private(&home.path().join(".pgpass"), &line, 0o600)?;
    let kv = format!("host = 127.0.0.1 port={port} user='app' dbname=appdb");
    inspect(bin(home.path()).args(["inspect", "--database-url", &kv]))?;
    // The socket directory matches literally.
    let socket_line = format!(
        "{}:{port}:*:app:{}\n",
        server.socket,
        PASSWORD.replace(':', "\\:")
    );
    write_private(&home.path().join(".pgpass"), &socket_line, 0o600)?;
    let url = format!(
        "postgresql://app@%2F{}:{port}/appdb",
        server.socket.trim_start_matches('/').replace('/', "%2F")
    );
    inspect(bin(home.path()).args(["inspect", "--database-url", &url]))?;
    // A password file others can read is ignored, with libpq's warning.
    write_private(&home.path().join(".pgpass"), &line, 0o644)?;
    let o = run(bin(home.path()).args(["inspect", "--database-url", &kv]), 1)?;
    let err = stderr(&o);
    if !err.contains("has group or world access") || !err.contains("127.0.0.1:") {
        return Err(format!("world-readable .pgpass: {}", text(&o)));
    }
    Ok(())
}

fn errors_never_show_the_password(env: &Env) -> TestResult {
    let server = password_server(env)?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let closed = crate::tls::free_port()?;
    let port = server.port;
    let secret_parts = ["Sup3r", "Secret", "wrong pass", "s3cr3t"];
    let cases = [
        // Nobody listens: the OS's reason, host and port.
        (
            format!("postgresql://app:Sup3r%20Secret@127.0.0.1:{closed}/appdb"),
            vec![
                format!("127.0.0.1:{closed}"),
                "Connection refused".to_string(),
            ],
        ),
        (
            format!("host=127.0.0.1 port={closed} user=app password = 'wrong pass' dbname=appdb"),
            vec![
                format!("127.0.0.1:{closed}"),
                "Connection refused".to_string(),
            ],
        ),
        // The server refuses: its reason, host and port.
        (
            format!("host=127.0.0.1 port={port} user=app password='wrong pass' dbname=appdb"),
            vec![
                format!("127.0.0.1:{port}"),
                "password authentication failed".to_string(),
            ],
        ),
        (
            format!("postgresql://127.0.0.1:{port}/appdb?user=app&password=s3cr3t"),
            vec![
                format!("127.0.0.1:{port}"),
                "password authentication failed".to_string(),
            ],
        ),
        (
            format!(
                "host=127.0.0.1 port={port} user=app password=s3cr3t dbname=appdb sslmode=sometimes"
            ),
            vec!["invalid sslmode value \"sometimes\"".to_string()],
        ),
        (
            format!("host=127.0.0.1 pasword=s3cr3t port={port}"),
            vec!["unknown key \"pasword\"".to_string()],
        ),
    ];
    for (conn, wanted) in cases {
        let o = run(
            bin(home.path()).args(["history", "--database-url", &conn]),
            1,
        )?;
        let err = stderr(&o);
        if let Some(w) = wanted.iter().find(|w| !err.contains(w.as_str())) {
            return Err(format!(
                "no {w:?} in the error for a bad connection: {}",
                text(&o)
            ));
        }
        if let Some(p) = secret_parts.iter().find(|p| err.contains(*p)) {
            return Err(format!("the error shows {p:?}: {err}"));
        }
    }
    Ok(())
}

fn plan_says_which_source(env: &Env) -> TestResult {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let desired = home.path().join("desired.sql");
    std::fs::write(&desired, "CREATE TABLE public.planned (id int);").map_err(|e| e.to_string())?;
    let dev = env.url("postgres");
    let plan = |home: &Path| {
        let mut c = bin(home);
        c.args(["plan", "--dev-url", &dev, "--to"]).arg(&desired);
        c
    };
    let o = run(&mut plan(home.path()), 0)?;
    if !stderr(&o).contains("plan: from empty (no --from, DATABASE_URL unset") {
        return Err(format!(
            "plan did not say it planned from empty: {}",
            text(&o)
        ));
    }
    // PGHOST/PGDATABASE name a database, as for psql; the line says which.
    let server = password_server(env)?;
    let port = server.port.to_string();
    let o = run(
        plan(home.path())
            .env("PGHOST", "127.0.0.1")
            .env("PGPORT", &port)
            .env("PGUSER", "app")
            .env("PGDATABASE", "appdb")
            .env("PGPASSWORD", PASSWORD),
        0,
    )?;
    let note = format!(
        "plan: from the database PGHOST/PGDATABASE name (database appdb on 127.0.0.1:{port} as user app)"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    if !stderr(&o).contains(&note) || !out.contains("DROP TABLE public.marker") {
        return Err(format!("plan from PG* variables: {}", text(&o)));
    }
    // A key=value --from is a database, not a path.
    let from = format!(
        "host=127.0.0.1 port={port} user=app dbname=appdb password='{}'",
        PASSWORD
    );
    let o = run(plan(home.path()).args(["--from", &from]), 0)?;
    let out = String::from_utf8_lossy(&o.stdout);
    if !out.contains("DROP TABLE public.marker") || stderr(&o).contains("plan: from") {
        return Err(format!("plan --from key=value: {}", text(&o)));
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "connections::pg_variables_and_password_file", |env| {
            pg_variables_and_password_file(&env)
        }),
        trial(env, "connections::errors_never_show_the_password", |env| {
            errors_never_show_the_password(&env)
        }),
        trial(env, "connections::plan_says_which_source_it_used", |env| {
            plan_says_which_source(&env)
        }),
    ]
}
