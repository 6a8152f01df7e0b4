//! Backups: `pg_dump` (custom format) of the schemas in scope into a storage (a directory
//! or an S3-compatible object store, see [`storage`]), each beside a JSON manifest (id,
//! time, service, description, size, checksum, schema fingerprint); listing, restoring
//! with `pg_restore`, and keeping the last N per service. The pg_dump used matches the
//! server's major version (or is newer), found among the installed PostgreSQL binaries;
//! connection details go through the environment, never the command line, so no password
//! shows in the process list. A dump is written to a local file first (in the directory
//! itself, or the local temporary directory before an upload), after checking that it
//! fits there ([`space`]).

mod restore;
pub mod space;
pub mod storage;

use crate::error::{Error, Result};
pub use restore::restore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
pub use storage::{Location, Storage};
use tokio_postgres::Client;

pub const STORAGE_ENV: &str = "MIGRATION_SERVICE_BACKUP_STORAGE";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub id: String,
    pub created_at: String,
    pub service: String,
    pub description: String,
    /// The dump file, beside the manifest.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub schema_fingerprint: String,
    pub server_version: i32,
    /// The schemas dumped; empty for the whole database.
    pub schemas: Vec<String>,
    /// The database dumped (absent from manifests written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDatabase>,
}

/// Where a backup came from: enough to tell databases apart, never a password (the
/// server's own answers for the database, user and port; the host as the connection
/// named it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceDatabase {
    /// A host name or address, a Unix socket directory, or several joined by commas.
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
}

impl std::fmt::Display for SourceDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = if self.host.contains(':') && !self.host.starts_with('/') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{}@{host}:{}/{}", self.user, self.port, self.database)
    }
}

/// Where backups go: `MIGRATION_SERVICE_BACKUP_STORAGE`, else the configuration's
/// `backup.storage`, else `./backups`. A directory or an `s3://bucket/prefix` URL, kept
/// as a path because that is what the callers pass around; [`Storage::open`] tells them
/// apart.
pub fn storage(configured: Option<&Path>) -> PathBuf {
    std::env::var_os(STORAGE_ENV)
        .map(PathBuf::from)
        .or_else(|| configured.map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_STORAGE))
}

/// The storage when none is configured, relative to the current directory.
pub const DEFAULT_STORAGE: &str = "backups";

/// Whether [`storage`] falls back to [`DEFAULT_STORAGE`].
pub fn storage_is_default(configured: Option<&Path>) -> bool {
    configured.is_none() && std::env::var_os(STORAGE_ENV).is_none()
}

fn tool_major(path: &Path) -> Option<u32> {
    let out = Command::new(path).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace()
        .last()?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// A `tool` (pg_dump, pg_restore) for a server of major version `major`: the same major if
/// installed, else the oldest newer one.
pub fn find_tool(tool: &str, major: u32) -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(bin) = std::env::var_os("PG_BIN") {
        candidates.push(PathBuf::from(bin).join(tool));
    }
    candidates.push(PathBuf::from(format!(
        "/usr/lib/postgresql/{major}/bin/{tool}"
    )));
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path().join("bin").join(tool))
            .collect();
        dirs.sort();
        candidates.extend(dirs);
    }
    candidates.push(PathBuf::from(tool));
    let mut found: Vec<(u32, PathBuf)> = candidates
        .into_iter()
        .filter_map(|p| tool_major(&p).map(|m| (m, p)))
        .collect();
    found.sort();
    if let Some((_, p)) = found.iter().find(|(m, _)| *m == major) {
        return Ok(p.clone());
    }
    if let Some((_, p)) = found.iter().find(|(m, _)| *m > major) {
        return Ok(p.clone());
    }
    let seen: Vec<String> = found
        .iter()
        .map(|(m, p)| format!("{m} at {}", p.display()))
        .collect();
    Err(Error::Backup(format!(
        "no {tool} for PostgreSQL {major} (an older one cannot read this server): install \
         postgresql-client-{major}{}",
        if seen.is_empty() {
            String::new()
        } else {
            format!(" (found: {})", seen.join(", "))
        }
    )))
}

/// Runs `cmd` to its end; its standard output.
async fn run(mut cmd: tokio::process::Command, what: &str) -> Result<String> {
    let out = cmd
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| Error::Backup(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(Error::Backup(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Size and SHA-256 (hex) of a local file, read in blocks: a dump can be larger than
/// memory.
pub(crate) async fn digest_file(path: &Path) -> Result<(u64, String)> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let io = |source| Error::Io {
            path: owned.clone(),
            source,
        };
        let mut file = std::fs::File::open(&owned).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        Ok((size, hex::encode(hasher.finalize())))
    })
    .await
    .map_err(|e| Error::Backup(format!("checksum task: {e}")))?
}

/// What to back up and where.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub url: &'a str,
    /// A directory or an `s3://bucket/prefix` URL (see [`storage`]).
    pub storage: &'a Path,
    pub service: &'a str,
    pub description: &'a str,
    /// Empty: the whole database.
    pub schemas: &'a [String],
    pub retention: usize,
    /// Bytes that must stay free where the dump is written.
    pub min_free: u64,
}

/// The schemas of `names` that exist.
async fn existing(client: &Client, names: &[String]) -> Result<Vec<String>> {
    let list: Vec<String> = names.to_vec();
    Ok(client
        .query(
            "SELECT nspname::text FROM pg_catalog.pg_namespace WHERE nspname = ANY($1) ORDER BY 1",
            &[&list],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// [`create`] for what exists of the requested schemas; None when none exists yet (an
/// apply that creates them has nothing to lose).
pub async fn create_if_any(client: &Client, req: &Request<'_>) -> Result<Option<Manifest>> {
    if req.schemas.is_empty() {
        return create(client, req).await.map(Some);
    }
    let found = existing(client, req.schemas).await?;
    if found.is_empty() {
        return Ok(None);
    }
    create(
        client,
        &Request {
            schemas: &found,
            ..*req
        },
    )
    .await
    .map(Some)
}

/// Dumps, checks and records one backup, then applies the retention for its service.
/// Refused before pg_dump starts when the dump would not fit where it is written.
pub async fn create(client: &Client, req: &Request<'_>) -> Result<Manifest> {
    let found = existing(client, req.schemas).await?;
    if let Some(missing) = req.schemas.iter().find(|s| !found.contains(s)) {
        return Err(Error::Backup(format!(
            "schema {missing:?} does not exist in this database: nothing to back up"
        )));
    }
    let storage = Storage::open(req.storage)?;
    // The space check comes first: it is local and cheap, and a refusal leaves nothing
    // behind (not even the storage directory).
    let estimate = space::estimate(client, req.schemas).await?;
    space::check_fits(&storage.location().staging_dir(), estimate, req.min_free)?;
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, \
                    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISSMS\"Z\"'), \
                    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                    current_database()::text, session_user::text, \
                    current_setting('port')::int",
            &[],
        )
        .await?;
    let (version, stamp, created_at): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
    let target = crate::db::parse(req.url)?;
    let source = SourceDatabase {
        host: target.hosts(),
        port: u16::try_from(row.get::<_, i32>(5)).unwrap_or_default(),
        database: row.get(3),
        user: row.get(4),
    };
    // Before looking for pg_dump: a storage that cannot be used is the thing to fix
    // first, wherever pg_dump is missing or not.
    storage.check().await?;
    let pg_dump = find_tool("pg_dump", (version / 10000) as u32)?;
    let fingerprint = {
        let scope: Option<Vec<String>> = (!req.schemas.is_empty()).then(|| req.schemas.to_vec());
        crate::introspect::introspect(client, scope.as_deref())
            .await?
            .fingerprint()
    };
    let safe_service: String = req
        .service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let id = format!("{stamp}-{safe_service}");
    let file = format!("{id}.dump");
    // Removed when dropped: a failed dump or upload leaves no partial file.
    let local = storage.staging_file()?.into_temp_path();
    let mut cmd = tokio::process::Command::new(&pg_dump);
    cmd.args(["--format=custom", "--file"]).arg(&*local);
    for s in req.schemas {
        // -n takes a pattern: quoted, the name matches literally.
        cmd.arg("-n").arg(format!("\"{}\"", s.replace('"', "\"\"")));
    }
    cmd.envs(target.libpq_env());
    run(cmd, "pg_dump").await?;
    let (size, sha256) = digest_file(&local).await?;
    storage.put_file(&file, local).await?;
    let manifest = Manifest {
        id: id.clone(),
        created_at,
        service: req.service.to_string(),
        description: req.description.to_string(),
        file,
        size,
        sha256,
        schema_fingerprint: fingerprint,
        server_version: version,
        schemas: req.schemas.to_vec(),
        source: Some(source),
    };
    // The manifest goes last: a backup is listed only once its dump is stored.
    storage
        .put_bytes(
            &format!("{id}.json"),
            serde_json::to_vec_pretty(&manifest).expect("manifest serializes"),
        )
        .await?;
    retain(&storage, req.service, req.retention).await?;
    Ok(manifest)
}

/// Every backup in `storage`, oldest first.
pub async fn list(storage: &Path) -> Result<Vec<Manifest>> {
    list_in(&Storage::open(storage)?).await
}

/// The backups in `storage`. A file that cannot be read or is not one of our manifests
/// (someone else's JSON, a damaged or truncated manifest) is skipped with a warning that
/// names it: one bad file must not block backups, listings or applies. Only a storage
/// that cannot be listed at all is an error.
pub(crate) async fn list_in(storage: &Storage) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    for name in storage.list().await? {
        if !name.ends_with(".json") || name.starts_with('.') {
            continue;
        }
        match read_manifest(storage, &name).await {
            Ok(m) => out.push(m),
            Err(why) => tracing::warn!("skipping {}: {why}", storage.describe(&name)),
        }
    }
    out.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
    Ok(out)
}

/// The manifest `name`, or why it is not one.
async fn read_manifest(storage: &Storage, name: &str) -> std::result::Result<Manifest, String> {
    let text = storage.get_bytes(name).await.map_err(|e| e.to_string())?;
    let m: Manifest =
        serde_json::from_slice(&text).map_err(|e| format!("not a backup manifest: {e}"))?;
    // The dump's name is used to read and delete: it must stay inside the storage.
    if m.file.is_empty() || m.file.starts_with('.') || m.file.contains(['/', '\\']) {
        return Err(format!("the manifest names an invalid file {:?}", m.file));
    }
    // Retention deletes `<id>.json`: a manifest stored under another name is not ours to
    // act on (a copy, or a file merely shaped like a manifest).
    if name.strip_suffix(".json") != Some(m.id.as_str()) {
        return Err(format!(
            "the manifest's id {:?} does not match its name",
            m.id
        ));
    }
    Ok(m)
}

/// Keeps the newest `keep` backups of `service`.
async fn retain(storage: &Storage, service: &str, keep: usize) -> Result<()> {
    let mine: Vec<Manifest> = list_in(storage)
        .await?
        .into_iter()
        .filter(|m| m.service == service)
        .collect();
    let excess = mine.len().saturating_sub(keep);
    for m in &mine[..excess] {
        // The manifest first: a dump without one is ignored, a manifest without its dump
        // would be listed as a backup that cannot be restored.
        storage.delete(&format!("{}.json", m.id)).await?;
        storage.delete(&m.file).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, FILE_NAME};

    fn load(backup: &str) -> crate::error::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, format!("[backup]\n{backup}\n")).unwrap();
        Config::load(&p)
    }

    #[test]
    fn the_configuration_takes_a_url_or_a_directory_and_a_reserve() {
        let c = load("storage = \"s3://bucket/nightly/\"\nmin_free_space = \"2GiB\"").unwrap();
        // A URL is not a path relative to the configuration file.
        assert_eq!(c.backup.storage, None);
        assert_eq!(c.backup.storage_url.as_deref(), Some("s3://bucket/nightly"));
        assert_eq!(c.backup.min_free_space, 2 << 30);
        let c = load("storage = \"backups\"\nmin_free_space = 1048576").unwrap();
        assert!(c.backup.storage.unwrap().ends_with("backups"));
        assert_eq!(c.backup.min_free_space, 1 << 20);
        assert_eq!(load("").unwrap().backup.min_free_space, 0);
        let err = |t: &str| load(t).unwrap_err().to_string();
        assert!(err("storage = \"gs://b/x\"").contains("unsupported scheme gs://"));
        assert!(err("min_free_space = \"2 gigs\"").contains("min_free_space"));
        assert!(err("min_free_space = -1").contains("negative"));
        assert!(err("min_free_space = true").contains("expected a size"));
        assert!(err("retention = 0").contains("at least 1"));
        assert!(err("storag = \"x\"").contains("unknown field"));
    }
}
