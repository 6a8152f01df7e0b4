//! The operational commands: history, and (with the configuration) status and backups.

use crate::db;
use crate::error::Result;
use crate::history::{self, Entry};

pub fn history_text(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "no migrations recorded in this database\n".into();
    }
    let mut out = String::from(
        "version  kind      result   started (UTC)         steps  duration  service         by\n",
    );
    for e in entries {
        out.push_str(&format!(
            "{:<8} {:<9} {:<8} {:<21} {:<6} {:<9} {:<15} {} ({})\n",
            e.version,
            e.kind,
            e.result,
            e.started_at,
            e.steps,
            e.duration_ms
                .map(|d| format!("{d} ms"))
                .unwrap_or_else(|| "-".into()),
            e.service.as_deref().unwrap_or("(all)"),
            e.db_user,
            e.client
        ));
        if let Some(err) = &e.error {
            out.push_str(&format!(
                "         error: {}\n",
                err.lines().next().unwrap_or("")
            ));
        }
    }
    out
}

pub async fn history(url: &str, service: Option<&str>, json: bool) -> Result<String> {
    let client = db::connect(&db::parse(url)?).await?;
    let entries = history::list(&client, service).await?;
    Ok(if json {
        serde_json::to_string_pretty(&entries).expect("entries serialize") + "\n"
    } else {
        history_text(&entries)
    })
}
