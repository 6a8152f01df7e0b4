//! Counters the service keeps in memory (backups made and failed, alerts raised) and the
//! alert webhook: failed migrations, failed backups, drift found, too many connections and
//! too little disk space for backups are counted in `/metrics` and, when `MIGRATION_SERVICE_ALERT_WEBHOOK` is set, posted
//! there as JSON (best effort, never blocking the request that raised them).

use std::collections::BTreeMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const WEBHOOK_ENV: &str = "MIGRATION_SERVICE_ALERT_WEBHOOK";

#[derive(Debug, Default)]
pub struct Counters {
    /// (service, "created" | "failed") → count.
    pub backups: BTreeMap<(String, String), u64>,
    /// kind → count.
    pub alerts: BTreeMap<String, u64>,
    /// Services found drifted at the last look, so that drift alerts once per onset.
    pub drifted: BTreeMap<String, bool>,
    /// Free space for backups was below the reserve at the last look (alerts once per onset).
    pub low_disk: bool,
}

impl Counters {
    pub fn backup(&mut self, service: &str, ok: bool) {
        let result = if ok { "created" } else { "failed" };
        *self
            .backups
            .entry((service.to_string(), result.to_string()))
            .or_default() += 1;
    }
}

/// Counts an alert of `kind` and posts it to the webhook, if one is configured.
pub fn raise(counters: &std::sync::Mutex<Counters>, kind: &str, message: String) {
    *counters
        .lock()
        .expect("counters")
        .alerts
        .entry(kind.to_string())
        .or_default() += 1;
    tracing::warn!(alert = kind, "{message}");
    if let Ok(url) = std::env::var(WEBHOOK_ENV) {
        let body = serde_json::json!({"alert": kind, "message": message}).to_string();
        tokio::spawn(async move {
            if let Err(e) = post(&url, &body).await {
                tracing::warn!("alert webhook: {e}");
            }
        });
    }
}

/// A plain HTTP POST (the webhook is expected inside the platform's network).
async fn post(url: &str, body: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// webhooks are supported")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let addr = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let mut s = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    Ok(())
}
