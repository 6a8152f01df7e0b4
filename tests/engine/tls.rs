//! TLS as libpq's sslmode means it: `require` encrypts without checking the certificate,
//! `verify-full` refuses one that no trusted root signed.

use crate::support::{Env, trial};
use profe_migrate::cluster::Cluster;
use profe_migrate::db;
use std::process::Command;
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "tls::sslmode_require_encrypts_and_verify_full_checks",
        |env| {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let (crt, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
            let out = Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                ])
                .args(["-subj", "/CN=localhost", "-keyout"])
                .arg(&key)
                .arg("-out")
                .arg(&crt)
                .output()
                .map_err(|e| format!("openssl: {e}"))?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into());
            }
            // The server reads them as its own user and wants the key private.
            if nix::unistd::geteuid().is_root()
                && let Ok(Some(pg)) = nix::unistd::User::from_name("postgres")
            {
                for p in [dir.path(), crt.as_path(), key.as_path()] {
                    nix::unistd::chown(p, Some(pg.uid), Some(pg.gid)).map_err(|e| e.to_string())?;
                }
            }
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            let port = 20000 + (std::process::id() % 20000) as u16;
            let settings: Vec<(String, String)> = [
                ("listen_addresses", "127.0.0.1".to_string()),
                ("port", port.to_string()),
                ("ssl", "on".to_string()),
                ("ssl_cert_file", crt.display().to_string()),
                ("ssl_key_file", key.display().to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            let cluster = Cluster::start_with_settings(env.cluster.bin_dir(), &settings)
                .map_err(|e| e.to_string())?;
            let result = env.block_on(async {
                let url = format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=require");
                let client = db::connect(&db::parse(&url).map_err(|e| e.to_string())?)
                    .await
                    .map_err(|e| e.to_string())?;
                let row = client
                    .query_one(
                        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                        &[],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if !row.get::<_, bool>(0) {
                    return Err("sslmode=require connected without TLS".to_string());
                }
                let strict =
                    format!("postgres://postgres@localhost:{port}/postgres?sslmode=verify-full");
                match db::connect(&db::parse(&strict).map_err(|e| e.to_string())?).await {
                    Ok(_) => Err("verify-full accepted a self-signed certificate".into()),
                    Err(_) => Ok(()),
                }
            });
            drop(cluster);
            result
        },
    )]
}
