//! Disk space where dumps are written: free bytes (statvfs), the reserve that must stay
//! free (`MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES`, else `[backup] min_free_space`, else
//! none), and the estimate of a dump's size that a backup checks before pg_dump starts.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use tokio_postgres::Client;

pub const MIN_FREE_ENV: &str = "MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES";

/// Added to the table sizes for the definitions, the archive's table of contents and
/// small tables' pages: a dump is never estimated at less than this.
pub const ESTIMATE_FLOOR: u64 = 1024 * 1024;

/// The bytes that must stay free after a backup (and below which the service alerts):
/// the environment variable, else the configuration's `configured`, else 0 (no reserve,
/// no alert).
pub fn min_free(configured: u64) -> Result<u64> {
    match std::env::var(MIN_FREE_ENV) {
        Ok(v) if !v.trim().is_empty() => {
            parse_size(&v).map_err(|e| Error::Config(format!("{MIN_FREE_ENV}: {e}")))
        }
        _ => Ok(configured),
    }
}

/// `2GiB`, `500 MiB`, `1GB`, `1048576` (bytes) → bytes. Binary (KiB…TiB) and decimal
/// (KB…TB) units, as written.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("not a size: {s:?}"))?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {s:?} (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)"
            ));
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{s:?} is too large"))
}

/// `bytes` for a person: exact, with a binary-unit approximation when large.
pub fn human(bytes: u64) -> String {
    match approximate(bytes) {
        Some(short) => format!("{bytes} bytes ({short})"),
        None => format!("{bytes} bytes"),
    }
}

/// `bytes` in a column of a listing: `512 B`, `12.4 MiB`.
pub fn short(bytes: u64) -> String {
    approximate(bytes).unwrap_or_else(|| format!("{bytes} B"))
}

/// `bytes` in binary units with one decimal, from 1 KiB on (None below).
fn approximate(bytes: u64) -> Option<String> {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = None;
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = Some(u);
    }
    unit.map(|u| format!("{value:.1} {u}"))
}

/// The nearest existing directory at or above `path`: the storage directory may not be
/// created yet, and its free space is that of the filesystem it will be created on.
fn existing_ancestor(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut p = absolute.as_path();
    loop {
        if p.is_dir() {
            return p.to_path_buf();
        }
        match p.parent() {
            Some(parent) => p = parent,
            None => return PathBuf::from("/"),
        }
    }
}

/// Bytes available to this process on the filesystem holding `path` (or where it would be
/// created).
pub fn free_bytes(path: &Path) -> Result<u64> {
    let dir = existing_ancestor(path);
    let st = nix::sys::statvfs::statvfs(&dir).map_err(|e| {
        Error::Backup(format!(
            "cannot read the free space of {}: {e}",
            dir.display()
        ))
    })?;
    // f_bavail, not f_bfree: blocks reserved for root are not ours to count on.
    Ok((st.blocks_available() as u64).saturating_mul(st.fragment_size() as u64))
}

/// An upper bound of a custom-format dump of `schemas` (empty: the whole database): the
/// total size of its tables (heap, TOAST and indexes) plus 10% and
/// [`ESTIMATE_FLOOR`]. Indexes are not dumped and the data is compressed, so this
/// overestimates; the 10% covers data that text form makes larger than on disk (bytea in
/// hex compresses back to about its binary size).
pub async fn estimate(client: &Client, schemas: &[String]) -> Result<u64> {
    let list: Vec<String> = schemas.to_vec();
    let tables: i64 = client
        .query_one(
            "SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint \
               FROM pg_catalog.pg_class c \
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
              WHERE c.relkind IN ('r', 'm') \
                AND CASE WHEN cardinality($1::text[]) = 0 \
                         THEN n.nspname NOT IN ('pg_catalog', 'information_schema') \
                              AND n.nspname NOT LIKE 'pg\\_toast%' \
                         ELSE n.nspname = ANY($1) END",
            &[&list],
        )
        .await?
        .get(0);
    // A whole-database dump carries the large objects too.
    let blobs: i64 = if schemas.is_empty() {
        client
            .query_one(
                "SELECT pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')",
                &[],
            )
            .await?
            .get(0)
    } else {
        0
    };
    let raw = (tables.max(0) + blobs.max(0)) as u64;
    Ok(raw.saturating_add(raw / 10).saturating_add(ESTIMATE_FLOOR))
}

/// Refuses a dump of about `estimate` bytes into `dir` when it would leave less than
/// `reserve` bytes free there.
pub fn check_fits(dir: &Path, estimate: u64, reserve: u64) -> Result<()> {
    let free = free_bytes(dir)?;
    let needed = estimate.saturating_add(reserve);
    if needed > free {
        return Err(Error::Backup(format!(
            "not enough disk space for the dump in {}: it needs {} (an estimate of the \
             dump, {}, plus the {} that must stay free, {MIN_FREE_ENV} or [backup] \
             min_free_space) but only {} are free; nothing was dumped",
            existing_ancestor(dir).display(),
            human(needed),
            human(estimate),
            human(reserve),
            human(free),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size(" 500 MiB "), Ok(500 << 20));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("2 gigs").unwrap_err().contains("unknown unit"));
        assert!(parse_size("GiB").is_err());
        assert!(
            parse_size("99999999999TiB")
                .unwrap_err()
                .contains("too large")
        );
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(3 << 30), "3221225472 bytes (3.0 GiB)");
        assert_eq!(short(512), "512 B");
        assert_eq!(short(13_002_342), "12.4 MiB");
        assert_eq!(short(1024), "1.0 KiB");
    }

    #[test]
    fn free_space_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let not_yet = dir.path().join("a/b");
        let free = free_bytes(&not_yet).unwrap();
        assert!(free > 0);
        assert!(check_fits(&not_yet, 1, 0).is_ok());
        let err = check_fits(&not_yet, 1, u64::MAX / 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs") && err.contains("are free"), "{err}");
        assert!(!not_yet.exists());
    }
}
