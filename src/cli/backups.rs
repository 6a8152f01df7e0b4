//! `backup`, `backup list` and `backup restore`: what they do and print. Sizes are shown
//! for a person (`12.4 MiB`) in text and exact in JSON; when no storage is configured the
//! output says where the default put the backups.

use super::{BackupAction, Context, HistoryFormat};
use crate::backup::{self, Manifest, space};
use crate::config::BackupSettings;
use crate::db;
use crate::error::Result;

/// Where backups went when nothing says where they should: `None` when a storage is
/// configured.
pub(super) fn storage_note(settings: &BackupSettings) -> Option<String> {
    settings.storage_is_default.then(|| {
        let full = std::path::absolute(&settings.storage).unwrap_or(settings.storage.clone());
        format!(
            "note: no backup storage is configured, so backups go to ./{} in the current \
             directory ({}); set [backup] storage in profe-migrate.toml or {} to choose",
            backup::DEFAULT_STORAGE,
            full.display(),
            backup::STORAGE_ENV
        )
    })
}

/// `backup list` as a table: a header, one backup a line, oldest first.
pub(super) fn list_text(manifests: &[Manifest]) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "id".into(),
        "created (UTC)".into(),
        "service".into(),
        "size".into(),
        "database".into(),
        "description".into(),
    ]];
    for m in manifests {
        rows.push([
            m.id.clone(),
            m.created_at.clone(),
            m.service.clone(),
            space::short(m.size),
            m.source
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            m.description.clone(),
        ]);
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:<w4$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub async fn backup(
    ctx: &Context,
    action: Option<BackupAction>,
    url: Option<String>,
    description: &str,
) -> Result<i32> {
    let settings = ctx.backup_settings()?;
    let storage = &settings.storage;
    let note = storage_note(&settings);
    match action {
        Some(BackupAction::List { format }) => {
            let all = backup::list(storage).await?;
            if format == HistoryFormat::Json {
                // The manifests as stored (exact sizes), as GET /api/backups gives them.
                if let Some(note) = note {
                    eprintln!("{note}");
                }
                let json = serde_json::to_string_pretty(&all).expect("manifests serialize");
                outln!("{json}")?;
                return Ok(0);
            }
            if all.is_empty() {
                outln!("no backups in {}", backup::Location::parse(storage)?)?;
            } else {
                super::out::print(&list_text(&all))?;
            }
            if let Some(note) = note {
                outln!("{note}")?;
            }
            Ok(0)
        }
        Some(BackupAction::Restore { id, database_url }) => {
            let url = ctx.database_url(database_url)?;
            let restored = backup::restore(storage, &id, &url).await;
            if let (Err(_), Some(note)) = (&restored, &note) {
                // A backup not found may well be in the storage the user meant.
                eprintln!("{note}");
            }
            let m = restored?;
            let into = db::parse(&url)?.describe();
            // Done: a failing output must not make the restore look failed.
            let _ = outln!(
                "restored {} ({}, {}) into {into}",
                m.id,
                m.service,
                m.created_at
            );
            if let Some(note) = note {
                let _ = outln!("{note}");
            }
            Ok(0)
        }
        None => {
            let url = ctx.database_url(url)?;
            let client = db::connect(&db::parse(&url)?).await?;
            let schemas: Vec<String> = ctx
                .service_scope()?
                .map(|s| s.into_iter().collect())
                .unwrap_or_default();
            let m = backup::create(
                &client,
                &backup::Request {
                    url: &url,
                    storage,
                    service: ctx.service.as_deref().unwrap_or("all"),
                    description,
                    schemas: &schemas,
                    retention: settings.retention,
                    min_free: settings.min_free,
                },
            )
            .await?;
            outln!(
                "backup {} written to {}: {}, sha256 {}",
                m.id,
                backup::Storage::open(storage)?.describe(&m.file),
                space::human(m.size),
                m.sha256
            )?;
            if let Some(note) = note {
                outln!("{note}")?;
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::list_text;
    use crate::backup::{Manifest, SourceDatabase};

    fn manifest(id: &str, size: u64, source: Option<SourceDatabase>) -> Manifest {
        Manifest {
            id: id.into(),
            created_at: "2025-03-01T10:00:00Z".into(),
            service: "academic-service".into(),
            description: "before apply".into(),
            file: format!("{id}.dump"),
            size,
            sha256: "0".repeat(64),
            schema_fingerprint: "1".repeat(64),
            server_version: 150000,
            schemas: vec!["academic".into()],
            source,
        }
    }

    #[test]
    fn the_list_has_a_header_and_sizes_for_a_person() {
        let source = SourceDatabase {
            host: "db.internal".into(),
            port: 5432,
            database: "profe".into(),
            user: "migrator".into(),
        };
        let text = list_text(&[
            manifest(
                "20250301T100000000Z-academic-service",
                13_002_342,
                Some(source),
            ),
            manifest("20250301T100500000Z-a", 900, None),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("id  "), "{text}");
        assert!(lines[0].contains("size") && lines[0].contains("database"));
        assert!(
            lines[1].contains("12.4 MiB  migrator@db.internal:5432/profe  before apply"),
            "{text}"
        );
        // Right-aligned sizes, `-` for a manifest written before the source was recorded.
        assert!(lines[2].contains("   900 B  -  "), "{text}");
        // The columns line up.
        let at = |l: &str| l.find("2025-03-01").unwrap();
        assert_eq!(at(lines[1]), at(lines[2]));
        assert_eq!(at(lines[1]), lines[0].find("created").unwrap());
    }
}
