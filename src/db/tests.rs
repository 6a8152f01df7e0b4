//! Resolution with a controlled environment (a map, never the process's).

use super::*;
use std::collections::BTreeMap;
use std::time::Duration;

fn env(vars: &[(&str, &str)]) -> BTreeMap<String, String> {
    vars.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn resolve(conn: &str, vars: &BTreeMap<String, String>) -> Result<Target> {
    parse_with(conn, &|k| vars.get(k).cloned())
}

fn hosts(t: &Target) -> Vec<String> {
    t.config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(s) => s.clone(),
            Host::Unix(p) => p.display().to_string(),
        })
        .collect()
}

fn password(t: &Target) -> Option<String> {
    t.config
        .get_password()
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

#[test]
fn the_string_beats_the_environment_which_beats_the_default() {
    let home = tempfile::tempdir().unwrap();
    let vars = env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("PGHOST", "envhost"),
        ("PGPORT", "6000"),
        ("PGUSER", "envuser"),
        ("PGDATABASE", "envdb"),
        ("PGPASSWORD", "envpw"),
        ("PGAPPNAME", "envapp"),
        ("PGCONNECT_TIMEOUT", "1"),
        ("PGSSLMODE", "require"),
    ]);
    let t = resolve("", &vars).unwrap();
    assert_eq!(hosts(&t), ["envhost"]);
    assert_eq!(t.config.get_ports(), [6000]);
    assert_eq!(t.config.get_user(), Some("envuser"));
    assert_eq!(t.config.get_dbname(), Some("envdb"));
    assert_eq!(password(&t).as_deref(), Some("envpw"));
    assert_eq!(t.config.get_application_name(), Some("envapp"));
    // libpq rounds a timeout under 2 seconds up to 2.
    assert_eq!(
        t.config.get_connect_timeout(),
        Some(&Duration::from_secs(2))
    );
    assert_eq!(t.tls.mode, SslMode::Require);

    let t = resolve(
        "host=h port=5433 user=u dbname=d password='p w' application_name=a sslmode=disable",
        &vars,
    )
    .unwrap();
    assert_eq!(hosts(&t), ["h"]);
    assert_eq!(t.config.get_ports(), [5433]);
    assert_eq!(
        (t.config.get_user(), t.config.get_dbname()),
        (Some("u"), Some("d"))
    );
    assert_eq!(password(&t).as_deref(), Some("p w"));
    assert_eq!(t.config.get_application_name(), Some("a"));
    assert_eq!(t.tls.mode, SslMode::Disable);

    let t = resolve("postgres://uriuser@urihost/uridb", &vars).unwrap();
    assert_eq!(hosts(&t), ["urihost"]);
    assert_eq!(t.config.get_ports(), [6000]);
    assert_eq!(t.config.get_user(), Some("uriuser"));
    assert_eq!(t.config.get_dbname(), Some("uridb"));
}

#[test]
fn nothing_given_means_the_default_socket_and_the_local_user() {
    let home = tempfile::tempdir().unwrap();
    let vars = env(&[("HOME", home.path().to_str().unwrap())]);
    for conn in ["", "postgresql:///", "postgresql://"] {
        let t = resolve(conn, &vars).unwrap();
        let h = hosts(&t);
        assert!(
            h == ["/var/run/postgresql"] || h == ["/tmp"],
            "{conn}: {h:?}"
        );
        let me = nix::unistd::User::from_uid(nix::unistd::geteuid())
            .unwrap()
            .unwrap()
            .name;
        assert_eq!(t.config.get_user(), Some(me.as_str()));
        // The database defaults to the user's name.
        assert_eq!(t.config.get_dbname(), Some(me.as_str()));
        assert_eq!(t.config.get_application_name(), Some(APPLICATION_NAME));
        // sslmode does not apply to a socket.
        assert!(t.sockets_only);
    }
    let t = resolve("postgresql:///app", &vars).unwrap();
    assert_eq!(t.config.get_dbname(), Some("app"));
    // An explicit empty host stands for the default, and keeps PGHOST out.
    let with_pghost = env(&[("HOME", "/nonexistent"), ("PGHOST", "envhost")]);
    let t = resolve("host='' dbname=x", &with_pghost).unwrap();
    assert_ne!(hosts(&t), ["envhost"]);
    assert!(!environment_names_database(&|k| vars.get(k).cloned()));
    assert!(environment_names_database(&|k| with_pghost.get(k).cloned()));
}

#[test]
fn the_password_file_is_asked_when_no_password_is_given() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let pgpass = home.path().join(".pgpass");
    std::fs::write(&pgpass, "db.example:5432:app:alice:from\\:home\n").unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let other = home.path().join("other");
    std::fs::write(&other, "*:*:*:alice:from-PGPASSFILE\n*:*:app2:*:x\n").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let h = home.path().to_str().unwrap();
    let vars = env(&[("HOME", h)]);
    let conn = "host=db.example user=alice dbname=app";
    let t = resolve(conn, &vars).unwrap();
    assert_eq!(password(&t).as_deref(), Some("from:home"));
    assert!(t.password_from_file);
    // Another database: the file is asked again.
    assert_eq!(password(&t.with_dbname("elsewhere")), None);
    let vars = env(&[("HOME", h), ("PGPASSFILE", other.to_str().unwrap())]);
    assert_eq!(
        password(&resolve(conn, &vars).unwrap()).as_deref(),
        Some("from-PGPASSFILE")
    );
    let with_key = format!("{conn} passfile={}", pgpass.display());
    assert_eq!(
        password(&resolve(&with_key, &vars).unwrap()).as_deref(),
        Some("from:home")
    );
    // A password given anywhere beats the file.
    let vars = env(&[("HOME", h), ("PGPASSWORD", "env")]);
    assert_eq!(
        password(&resolve(conn, &vars).unwrap()).as_deref(),
        Some("env")
    );
}

#[test]
fn bad_values_name_the_parameter_and_where_it_came_from() {
    let vars = env(&[("HOME", "/nonexistent"), ("PGSSLMODE", "sometimes")]);
    let err = |conn: &str| resolve(conn, &vars).unwrap_err().to_string();
    assert!(err("host=h").contains("invalid PGSSLMODE value \"sometimes\""));
    let vars = env(&[("HOME", "/nonexistent"), ("PGPORT", "54x")]);
    let err = |conn: &str| resolve(conn, &vars).unwrap_err().to_string();
    assert!(err("host=h").contains("invalid port number \"54x\" (PGPORT)"));
    assert!(err("host=h port=0").contains("invalid port number \"0\" (port)"));
    let vars = env(&[("HOME", "/nonexistent")]);
    let err = |conn: &str| resolve(conn, &vars).unwrap_err().to_string();
    assert!(err("host=h connect_timeout=soon").contains("invalid connect_timeout value"));
    assert!(err("host=h pasword=secret").contains("unknown key \"pasword\""));
    assert!(!err("host=h pasword=secret").contains("secret"));
    assert!(err("service=prod").contains("service=prod is not supported"));
    assert!(err("host=a,b hostaddr=127.0.0.1").contains("could not match 2 host names"));
    assert!(err("host=h client_encoding=LATIN1").contains("UTF8"));
    assert!(resolve("host=h gssencmode=disable sslsni=1", &vars).is_ok());
}

#[test]
fn several_hosts_and_hostaddr() {
    let vars = env(&[("HOME", "/nonexistent"), ("PGUSER", "u")]);
    let t = resolve("postgresql://a:5433,b:5434/d", &vars).unwrap();
    assert_eq!(hosts(&t), ["a", "b"]);
    assert_eq!(t.config.get_ports(), [5433, 5434]);
    assert_eq!(t.describe(), "database d on a:5433, b:5434 as user u");
    // hostaddr alone: the address is also the name TLS checks.
    let t = resolve("hostaddr=127.0.0.1 port=5999", &vars).unwrap();
    assert_eq!(hosts(&t), ["127.0.0.1"]);
    assert!(!t.sockets_only);
    let t = resolve("host=/srv/pg port=6001 dbname=x", &vars).unwrap();
    assert_eq!(
        t.describe(),
        "database x on socket /srv/pg/.s.PGSQL.6001 as user u"
    );
}

#[test]
fn libpq_env_carries_the_exact_tls_settings() {
    let vars = env(&[("HOME", "/nonexistent")]);
    let t = resolve(
        "host=h user=u dbname=d sslmode=verify-ca sslrootcert=/ca.pem password=pw",
        &vars,
    )
    .unwrap();
    let e: BTreeMap<_, _> = t.libpq_env().into_iter().collect();
    assert_eq!(e["PGSSLMODE"], "verify-ca");
    assert_eq!(e["PGSSLROOTCERT"], "/ca.pem");
    assert_eq!(e["PGPASSWORD"], "pw");
    assert_eq!(e["PGAPPNAME"], APPLICATION_NAME);
}

#[test]
fn sources_tell_connection_strings_from_paths() {
    assert!(is_connection_string("postgres://h/d"));
    assert!(is_connection_string("host=h dbname=d"));
    assert!(!is_connection_string("schema/"));
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("a=b.sql");
    std::fs::write(&odd, "").unwrap();
    assert!(!is_connection_string(odd.to_str().unwrap()));
}

#[test]
fn scratch_names_are_told_from_other_databases() {
    for name in ["profe_shadow_42_0_123456789", "profe_replay_7_12_5"] {
        assert!(super::is_scratch_name(name), "{name}");
    }
    for name in [
        "profe",
        "postgres",
        "profe_shadow",
        "profe_shadow_42_0",
        "profe_shadow_42_x_1",
        "app_42_0_1",
        "profe_42_0_1",
    ] {
        assert!(!super::is_scratch_name(name), "{name}");
    }
}
