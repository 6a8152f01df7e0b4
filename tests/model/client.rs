//! Helpers of the HTTP tests: the server as a child process on a free port, a plain
//! HTTP/1.1 client over TCP, a webhook receiver, and a session holding the migration lock.

use crate::support::Env;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) const TOKEN: &str = "test-token-0123456789abcdef";

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// (status, body) of one request.
pub(crate) fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("not HTTP: {text}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

pub(crate) fn http(port: u16, path: &str, token: Option<&str>) -> Result<(u16, String), String> {
    request(port, "GET", path, token, None)
}

pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start(
    env: &Env,
    config: &std::path::Path,
    url: &str,
    port: u16,
) -> Result<Server, String> {
    start_with(env, config, url, port, &[])
}

pub(crate) fn start_with(
    env: &Env,
    config: &std::path::Path,
    url: &str,
    port: u16,
    extra: &[(&str, String)],
) -> Result<Server, String> {
    let child = Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .args([
            "serve",
            "--no-backup",
            "--port",
            &port.to_string(),
            "--config",
        ])
        .arg(config)
        .env(
            "MIGRATION_SERVICE_BACKUP_STORAGE",
            config.parent().expect("config dir").join("http-backups"),
        )
        .env("MIGRATION_SERVICE_TOKEN", TOKEN)
        .env("MIGRATION_SERVICE_MASTER_DB_URL", url)
        .env("PROFE_TEST_DB", url)
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http(port, "/health", None).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the server did not answer within 30 s".into())
}

pub(crate) fn json(body: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))
}

/// A webhook receiver: every request body it gets, answered 204.
pub(crate) struct Webhook {
    pub(crate) url: String,
    received: Arc<std::sync::Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Webhook {
    pub(crate) fn start() -> Result<Webhook, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}/alerts",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, st) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        s.set_nonblocking(false).ok();
                        s.set_read_timeout(Some(Duration::from_secs(2))).ok();
                        let mut buf = vec![0u8; 65536];
                        let n = s.read(&mut buf).unwrap_or(0);
                        r.lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&buf[..n]).to_string());
                        let _ =
                            s.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Webhook {
            url,
            received,
            stop,
        })
    }

    /// Waits up to 10 s for a received request containing `needle`.
    pub(crate) fn got(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self
                .received
                .lock()
                .unwrap()
                .iter()
                .any(|b| b.contains(needle))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Holds the engine's advisory lock on `url` from another session until dropped.
pub(crate) struct LockHolder(
    Option<std::sync::mpsc::Sender<()>>,
    Option<std::thread::JoinHandle<()>>,
);

impl LockHolder {
    pub(crate) fn take(url: &str) -> Result<LockHolder, String> {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (ready, locked) = std::sync::mpsc::channel::<Result<(), String>>();
        let url = url.to_string();
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let r = async {
                    let t = profe_migrate::db::parse(&url).map_err(|e| e.to_string())?;
                    let c = profe_migrate::db::connect(&t)
                        .await
                        .map_err(|e| e.to_string())?;
                    c.query_one(
                        "SELECT pg_advisory_lock($1)",
                        &[&profe_migrate::apply::LOCK_KEY],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    Ok::<_, String>(c)
                }
                .await;
                match r {
                    Ok(c) => {
                        let _ = ready.send(Ok(()));
                        let _ = tokio::task::spawn_blocking(move || wait.recv()).await;
                        // Released before the drop returns: a closed connection's backend
                        // lets go of its locks only when it has noticed the close.
                        let _ = c
                            .query_one(
                                "SELECT pg_advisory_unlock($1)",
                                &[&profe_migrate::apply::LOCK_KEY],
                            )
                            .await;
                        drop(c);
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                    }
                }
            });
        });
        locked.recv().map_err(|e| e.to_string())??;
        Ok(LockHolder(Some(release), Some(handle)))
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        drop(self.0.take());
        if let Some(h) = self.1.take() {
            let _ = h.join();
        }
    }
}
