//! What the warm server keeps between runs, keyed by content, so that a run does not load
//! again what an earlier run loaded:
//!
//! - the copy of a current schema that plans are replayed on, as a template database
//!   `profe_tpl_<key>`, the key being the copy's SQL, the role it is loaded as and the
//!   server: the next replay on the same schema clones it (`CREATE DATABASE … TEMPLATE`,
//!   a file copy) instead of running its DDL again;
//! - a desired state loaded and read back (the catalog, and pg_dump's view of it when the
//!   plan's check wants one), as `kept/state-<key>.json` in the server's folder, the key
//!   being the statements as loaded (in order, with their search paths), what ran after
//!   them, the server and this executable.
//!
//! A key is a hash of everything the result depends on, never of the engine's model of
//! it: a changed file or database gives another key. Both are bounded (count and size),
//! the least recently used evicted. Only a complete entry ever carries a key's name: a
//! template database is renamed to it once its load has committed, a file once written
//! whole. A run killed before that leaves a scratch database (the keeper drops those) or a
//! temporary file (the next eviction removes it), never a broken entry. Two runs that race
//! to keep the same key both succeed: the second one's rename fails and it uses its own
//! copy as before.

use crate::catalog::{Catalog, quote_ident};
use crate::db::{self, ScratchDb, Target};
use crate::pipeline::dump::Dump;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_postgres::Client;

/// The template databases' names: this prefix and the key.
pub const TEMPLATE_PREFIX: &str = "profe_tpl_";
/// At most this many template databases are kept…
const MAX_TEMPLATES: usize = 8;
/// …taking at most this much disk together (the newest is kept whatever its size).
const MAX_TEMPLATE_BYTES: i64 = 2 << 30;
/// Entries kept as files (loaded desired states, databases' catalogs and dumps, replays'
/// verdicts: up to six a plan), and their total size.
const MAX_STATES: usize = 64;
const MAX_STATE_BYTES: u64 = 1 << 30;
/// A temporary state file older than this belongs to a run that was killed.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// The hash of `parts` (each length-prefixed, so that no two lists of parts collide), as
/// 32 hex digits.
pub fn key(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(&h.finalize()[..16])
}

/// The hash of `value` serialised as JSON ([`crate::catalog::json_sha256`]). A value that
/// cannot be serialised (none of the engine's can fail) hashes as its error: a key that
/// matches nothing kept.
pub fn json_key<T: Serialize>(value: &T) -> String {
    match crate::catalog::json_sha256(value) {
        Ok(hash) => hex::encode(&hash[..16]),
        Err(e) => key(&[b"unserialisable", e.to_string().as_bytes()]),
    }
}

/// A program as a key's part: its path, size and modification time (a rebuilt or
/// upgraded one is another).
pub fn file_identity(path: &Path) -> String {
    std::fs::metadata(path)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{} {} {modified}", path.display(), m.len())
        })
        .unwrap_or_default()
}

/// This executable ([`file_identity`]) and the catalog queries' text: a kept state was
/// read back by the code that reads it now. A rebuilt binary starts over.
pub fn build_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let exe = std::env::current_exe()
            .map(|exe| file_identity(&exe))
            .unwrap_or_default();
        let queries: String = crate::introspect::queries()
            .iter()
            .map(|(n, q)| format!("{n}\n{q}\n"))
            .collect();
        key(&[
            env!("CARGO_PKG_VERSION").as_bytes(),
            exe.as_bytes(),
            queries.as_bytes(),
        ])
    })
}

/// What a state loaded on this server depends on besides its statements: the server's
/// build, the role loading it, and the extensions' default versions (`CREATE EXTENSION`
/// without a version installs those).
pub async fn server_identity(client: &Client) -> crate::error::Result<String> {
    let row = client
        .query_one(
            "SELECT pg_catalog.version(), current_user::text, \
             (SELECT pg_catalog.string_agg(name || ' ' || COALESCE(default_version, ''), ',' \
                                           ORDER BY name) \
              FROM pg_catalog.pg_available_extensions)",
            &[],
        )
        .await?;
    let (version, user, extensions): (String, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2));
    Ok(format!(
        "{version}\n{user}\n{}",
        extensions.unwrap_or_default()
    ))
}

fn template_name(key: &str) -> String {
    format!("{TEMPLATE_PREFIX}{key}")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether a template is kept for `key` (it may still be evicted before it is cloned).
pub async fn exists(admin: &Client, key: &str) -> bool {
    admin
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1",
            &[&template_name(key)],
        )
        .await
        .is_ok_and(|row| row.is_some())
}

/// A copy of the template kept for `key`, or nothing when there is none (or it was just
/// evicted: the caller builds its copy as if it had never been kept).
pub async fn clone(admin: &Target, key: &str, prefix: &str) -> Option<ScratchDb> {
    let name = template_name(key);
    match db::clone_scratch(admin, prefix, &name).await {
        Ok(scratch) => {
            touch(admin, &name).await;
            tracing::debug!("replay copy: cloned from {name}");
            Some(scratch)
        }
        Err(e) => {
            tracing::debug!("replay copy: no template {name} ({e})");
            None
        }
    }
}

/// Records when a template was last used, in its comment (eviction reads it).
async fn touch(admin: &Target, name: &str) {
    let sql = format!(
        "COMMENT ON DATABASE {} IS 'profe-migrate template, last used {}'",
        quote_ident(name),
        now_secs()
    );
    if let Ok(client) = db::connect(admin).await
        && let Err(e) = client.batch_execute(&sql).await
    {
        tracing::debug!("cannot record the use of {name}: {e}");
    }
}

/// Makes the loaded scratch database `build` the template for `key`, by renaming it, then
/// evicts what is over the bounds. True when it is now the template (the caller clones
/// it, and must not drop `build`, whose name is gone); false when it stays the caller's
/// scratch database: another run kept the same key first, or a session lingered on it.
pub async fn keep(admin: &Target, build: &ScratchDb, key: &str) -> bool {
    let name = template_name(key);
    let Ok(client) = db::connect(admin).await else {
        return false;
    };
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(&build.name),
        quote_ident(&name)
    );
    // The loading session's backend may still be ending: a rename needs it gone.
    for _ in 0..25 {
        match client.batch_execute(&sql).await {
            Ok(()) => {
                touch(admin, &name).await;
                evict_templates(&client, &name).await;
                return true;
            }
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                tracing::debug!("replay copy: not kept as {name} ({e})");
                return false;
            }
        }
    }
    false
}

/// Drops the least recently used templates beyond [`MAX_TEMPLATES`] or
/// [`MAX_TEMPLATE_BYTES`], never `newest`. A template being cloned meanwhile is safe: its
/// clone holds a lock that the DROP waits for (and a clone that comes after finds none).
async fn evict_templates(client: &Client, newest: &str) {
    let rows = match client
        .query(
            "SELECT datname::text, pg_catalog.pg_database_size(oid), \
                    COALESCE(pg_catalog.shobj_description(oid, 'pg_database'), '') \
             FROM pg_catalog.pg_database WHERE datname LIKE 'profe\\_tpl\\_%'",
            &[],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            tracing::debug!("cannot list the kept templates: {e}");
            return;
        }
    };
    let mut kept: Vec<(u64, String, i64)> = rows
        .iter()
        .map(|r| {
            let (name, size, comment): (String, i64, String) = (r.get(0), r.get(1), r.get(2));
            let used = comment
                .rsplit(' ')
                .next()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let used = if name == newest { u64::MAX } else { used };
            (used, name, size)
        })
        .collect();
    kept.sort_by(|a, b| b.cmp(a));
    let mut total = 0;
    for (i, (_, name, size)) in kept.iter().enumerate() {
        total += size;
        if i == 0 || (i < MAX_TEMPLATES && total <= MAX_TEMPLATE_BYTES) {
            continue;
        }
        let sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(name));
        match client.batch_execute(&sql).await {
            Ok(()) => tracing::debug!("evicted the template {name}"),
            Err(e) => tracing::debug!("cannot evict the template {name}: {e}"),
        }
    }
}

/// The number of template databases the server at `connection_string` keeps, and their
/// size in bytes (`server status`).
pub async fn summary(connection_string: &str) -> crate::error::Result<(i64, u64)> {
    let client = db::connect(&db::parse(connection_string)?).await?;
    let row = client
        .query_one(
            "SELECT count(*), COALESCE(sum(pg_catalog.pg_database_size(oid)), 0)::int8 \
             FROM pg_catalog.pg_database WHERE datname LIKE 'profe\\_tpl\\_%'",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get::<_, i64>(1).max(0) as u64))
}

/// A desired state as loaded and read back, before the files' own annotations (roles,
/// renames, conversions) are added to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadedState {
    pub catalog: Catalog,
    /// pg_dump's view of it, and the schemas dumped.
    pub dump: Option<(Vec<String>, Dump)>,
}

/// The loaded states kept in a warm server's folder.
#[derive(Debug, Clone)]
pub struct States {
    dir: PathBuf,
}

impl States {
    pub fn new(server_folder: &Path) -> States {
        States {
            dir: server_folder.join("kept"),
        }
    }

    fn path(&self, kind: &str, key: &str) -> PathBuf {
        self.dir.join(format!("{kind}-{key}.json"))
    }

    /// The state kept for `key`; one that cannot be read is removed and not used.
    pub fn get(&self, key: &str) -> Option<LoadedState> {
        let state = self.get_as("state", key);
        if state.is_some() {
            tracing::debug!("desired state: read back by an earlier run ({key})");
        }
        state
    }

    /// Keeps `state` for `key`.
    pub fn put(&self, key: &str, state: &LoadedState) {
        self.put_as("state", key, state);
    }

    /// What was kept as `kind` for `key` (a database's catalog, its dump, a replay's
    /// verdict …); what cannot be read is removed and not used.
    pub fn get_as<T: serde::de::DeserializeOwned>(&self, kind: &str, key: &str) -> Option<T> {
        let path = self.path(kind, key);
        let bytes = std::fs::read(&path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => {
                // Its modification time is its last use, which eviction reads.
                if let Ok(f) = std::fs::File::options().append(true).open(&path) {
                    let _ = f.set_modified(SystemTime::now());
                }
                Some(value)
            }
            Err(e) => {
                tracing::debug!("kept {kind}: {} unreadable ({e})", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Keeps `value` as `kind` for `key`: written to a temporary file, renamed once whole.
    /// A failure only costs the next run the work.
    pub fn put_as<T: Serialize>(&self, kind: &str, key: &str, value: &T) {
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let tmp = self
                .dir
                .join(format!(".{kind}-{key}.{}.tmp", std::process::id()));
            let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            serde_json::to_writer(&mut file, value).map_err(std::io::Error::other)?;
            std::io::Write::flush(&mut file)?;
            drop(file);
            std::fs::rename(&tmp, self.path(kind, key))
        })();
        if let Err(e) = written {
            tracing::debug!("kept {kind}: not written ({e})");
        }
        self.evict();
    }

    /// The number of entries kept and their files' total size (`server status`).
    pub fn summary(&self) -> (usize, u64) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return (0, 0);
        };
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|e| e.metadata().ok())
            .fold((0, 0), |(n, b), m| (n + 1, b + m.len()))
    }

    /// Removes the least recently used states beyond [`MAX_STATES`] or
    /// [`MAX_STATE_BYTES`] (never the newest), and killed runs' temporary files.
    fn evict(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut states: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for e in entries.flatten() {
            let (path, name) = (e.path(), e.file_name().to_string_lossy().into_owned());
            let Ok(meta) = e.metadata() else { continue };
            let modified = meta.modified().unwrap_or(UNIX_EPOCH);
            if name.ends_with(".tmp") {
                if modified.elapsed().is_ok_and(|age| age > STALE_TEMPORARY) {
                    let _ = std::fs::remove_file(&path);
                }
            } else if name.ends_with(".json") {
                states.push((modified, meta.len(), path));
            }
        }
        states.sort_by(|a, b| b.cmp(a));
        let mut total = 0;
        for (i, (_, size, path)) in states.iter().enumerate() {
            total += size;
            if i > 0 && (i >= MAX_STATES || total > MAX_STATE_BYTES) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"x"]).len(), 32);
        assert_eq!(key(&[b"x"]), key(&[b"x"]));
    }

    #[test]
    fn states_round_trip_and_evict_the_least_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        let states = States::new(dir.path());
        let catalog = Catalog {
            current_user: "someone".into(),
            ..Default::default()
        };
        let state = LoadedState {
            catalog: catalog.clone(),
            dump: None,
        };
        for i in 0..MAX_STATES + 3 {
            states.put(&format!("k{i:02}"), &state);
            // Modification times must differ for the order to be the use order.
            let old = SystemTime::now() - Duration::from_secs(1000 - i as u64);
            let f = std::fs::File::options()
                .append(true)
                .open(states.path("state", &format!("k{i:02}")))
                .unwrap();
            f.set_modified(old).unwrap();
        }
        states.evict();
        assert!(states.get("k00").is_none(), "the oldest is evicted");
        let got = states.get(&format!("k{:02}", MAX_STATES + 2)).unwrap();
        assert_eq!(got.catalog, catalog);
        std::fs::write(states.path("state", "broken"), b"{").unwrap();
        assert!(states.get("broken").is_none());
        assert!(
            !states.path("state", "broken").exists(),
            "an unreadable state is removed"
        );
    }
}
