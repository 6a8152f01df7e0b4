//! Where backups are kept: a local directory or an S3-compatible object store
//! (`s3://bucket/prefix`). Both offer the same few operations on flat names (put a local
//! file, put small bytes, fetch, list, delete), so that creating, listing, restoring and
//! pruning backups is one code path whatever the storage.
//!
//! The object store is configured from the usual AWS environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` /
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` for S3-compatible stores). Errors name the
//! storage by its URL, which carries no secret: credentials in the URL are refused.

use crate::error::{Error, Result};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// A storage location as written in the configuration or the environment, before anything
/// is opened.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Directory(PathBuf),
    /// `prefix` without leading or trailing slashes; empty for the bucket's root.
    S3 {
        bucket: String,
        prefix: String,
    },
}

impl Location {
    /// A directory, or `s3://bucket/prefix`. Any other `scheme://` is refused rather than
    /// taken for a directory of that odd name.
    pub fn parse(raw: &Path) -> Result<Location> {
        let Some(text) = raw.to_str() else {
            return Ok(Location::Directory(raw.to_path_buf()));
        };
        let Some((scheme, rest)) = text.split_once("://") else {
            return Ok(Location::Directory(raw.to_path_buf()));
        };
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            // Not a URL scheme: a directory whose name happens to contain "://".
            return Ok(Location::Directory(raw.to_path_buf()));
        }
        if scheme != "s3" {
            return Err(Error::Backup(format!(
                "backup storage {:?}: unsupported scheme {scheme}:// (use a directory or \
                 s3://bucket/prefix)",
                redact(text)
            )));
        }
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.contains('@') {
            return Err(Error::Backup(
                "backup storage s3://…: credentials do not belong in the storage URL; set \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    .into(),
            ));
        }
        if bucket.is_empty() || text.contains(['?', '#']) {
            return Err(Error::Backup(format!(
                "backup storage {text:?}: expected s3://bucket/prefix"
            )));
        }
        Ok(Location::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// Where a dump is written before it is stored, hence where free space matters: the
    /// directory itself, or the local temporary directory for an object store.
    pub fn staging_dir(&self) -> PathBuf {
        match self {
            Location::Directory(dir) => dir.clone(),
            Location::S3 { .. } => std::env::temp_dir(),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Directory(dir) => write!(f, "{}", dir.display()),
            Location::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// Only the scheme and host part of a refused URL is repeated: the rest might hold a
/// secret someone pasted there.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}/…")
        }
        None => url.to_string(),
    }
}

/// An opened storage.
pub enum Storage {
    Directory(PathBuf),
    Object(ObjectStorage),
}

pub struct ObjectStorage {
    location: Location,
    store: Arc<AmazonS3>,
    prefix: ObjectPath,
}

/// A fetched backup file on the local disk; a downloaded copy is removed when dropped.
pub struct Fetched {
    pub path: PathBuf,
    _temp: Option<tempfile::TempPath>,
}

/// The object store's endpoint: the S3-specific variable first, as the AWS tools do.
fn endpoint_from_env() -> Option<String> {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

impl Storage {
    /// Opens `raw` (see [`Location::parse`]). Nothing is contacted yet: see [`Storage::check`].
    pub fn open(raw: &Path) -> Result<Storage> {
        match Location::parse(raw)? {
            Location::Directory(dir) => Ok(Storage::Directory(dir)),
            location @ Location::S3 { .. } => ObjectStorage::open(location).map(Storage::Object),
        }
    }

    pub fn location(&self) -> Location {
        match self {
            Storage::Directory(dir) => Location::Directory(dir.clone()),
            Storage::Object(o) => o.location.clone(),
        }
    }

    /// `name` as a user would find it: a path, or an object URL.
    pub fn describe(&self, name: &str) -> String {
        match self {
            Storage::Directory(dir) => dir.join(name).display().to_string(),
            Storage::Object(o) => {
                format!("{}/{name}", o.location.to_string().trim_end_matches('/'))
            }
        }
    }

    fn fail(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::Backup(format!("backup storage {}: {what}: {e}", self.location()))
    }

    /// Makes sure the storage can be written before anything expensive starts: creates the
    /// directory, or lists the prefix (which fails on a missing bucket, an unreachable
    /// endpoint or refused credentials).
    pub async fn check(&self) -> Result<()> {
        match self {
            Storage::Directory(dir) => std::fs::create_dir_all(dir)
                .map_err(|e| self.fail("cannot create the directory", e)),
            Storage::Object(_) => self.list().await.map(|_| ()),
        }
    }

    /// A new temporary file for a dump, where [`Storage::put_file`] can take it from: in
    /// the directory itself (so that storing it is a rename), or in the local temporary
    /// directory before an upload. Removed when dropped unless stored.
    pub fn staging_file(&self) -> Result<tempfile::NamedTempFile> {
        let dir = self.location().staging_dir();
        tempfile::Builder::new()
            .prefix(".profe-migrate-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|e| {
                Error::Backup(format!(
                    "cannot create a temporary file in {}: {e}",
                    dir.display()
                ))
            })
    }

    /// Stores the local file `file` as `name`. Large files are uploaded in parts, read
    /// from the disk as they go, never whole in memory.
    pub async fn put_file(&self, name: &str, file: tempfile::TempPath) -> Result<()> {
        match self {
            Storage::Directory(dir) => file
                .persist(dir.join(name))
                .map(|_| ())
                .map_err(|e| self.fail(&format!("cannot store {name}"), e.error)),
            Storage::Object(o) => {
                let mut source = tokio::fs::File::open(&file)
                    .await
                    .map_err(|e| self.fail(&format!("cannot read the dump for {name}"), e))?;
                let store: Arc<dyn ObjectStore> = o.store.clone();
                let mut writer = BufWriter::with_capacity(store, o.key(name), 8 * 1024 * 1024)
                    .with_max_concurrency(4);
                let copied = async {
                    tokio::io::copy(&mut source, &mut writer).await?;
                    writer.shutdown().await
                }
                .await;
                if let Err(e) = copied {
                    // A half-done multipart upload costs money until aborted.
                    let _ = writer.abort().await;
                    return Err(self.fail(&format!("cannot upload {name}"), e));
                }
                Ok(())
            }
        }
    }

    /// Stores small `bytes` (a manifest) as `name`, atomically.
    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Storage::Directory(dir) => {
                let mut temp = self.staging_file()?;
                std::io::Write::write_all(&mut temp, &bytes)
                    .map_err(|e| self.fail(&format!("cannot write {name}"), e))?;
                temp.persist(dir.join(name))
                    .map(|_| ())
                    .map_err(|e| self.fail(&format!("cannot store {name}"), e.error))
            }
            Storage::Object(o) => o
                .store
                .put(&o.key(name), bytes.into())
                .await
                .map(|_| ())
                .map_err(|e| self.fail(&format!("cannot upload {name}"), describe(e))),
        }
    }

    /// The content of small object `name` (a manifest).
    pub async fn get_bytes(&self, name: &str) -> Result<Vec<u8>> {
        match self {
            Storage::Directory(dir) => {
                let p = dir.join(name);
                std::fs::read(&p).map_err(|source| Error::Io { path: p, source })
            }
            Storage::Object(o) => {
                let got = async { o.store.get(&o.key(name)).await?.bytes().await }.await;
                got.map(|b| b.to_vec())
                    .map_err(|e| self.fail(&format!("cannot read {name}"), describe(e)))
            }
        }
    }

    /// `name` as a local file: the file itself in a directory, else a download into the
    /// local temporary directory, streamed to the disk.
    pub async fn fetch(&self, name: &str) -> Result<Fetched> {
        match self {
            Storage::Directory(dir) => Ok(Fetched {
                path: dir.join(name),
                _temp: None,
            }),
            Storage::Object(o) => {
                let temp = tempfile::Builder::new()
                    .prefix(".profe-migrate-")
                    .suffix(".download")
                    .tempfile()
                    .map_err(|e| self.fail("cannot create a temporary file", e))?;
                let mut file = tokio::fs::File::from_std(
                    temp.reopen()
                        .map_err(|e| self.fail("cannot open a temporary file", e))?,
                );
                let mut stream = o
                    .store
                    .get(&o.key(name))
                    .await
                    .map_err(|e| self.fail(&format!("cannot download {name}"), describe(e)))?
                    .into_stream();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk
                        .map_err(|e| self.fail(&format!("cannot download {name}"), describe(e)))?;
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| self.fail(&format!("cannot save {name}"), e))?;
                }
                file.flush()
                    .await
                    .map_err(|e| self.fail(&format!("cannot save {name}"), e))?;
                let path = temp.path().to_path_buf();
                Ok(Fetched {
                    path,
                    _temp: Some(temp.into_temp_path()),
                })
            }
        }
    }

    /// The names directly in the storage, sorted. A directory that does not exist yet
    /// holds nothing.
    pub async fn list(&self) -> Result<Vec<String>> {
        let mut names = match self {
            Storage::Directory(dir) => {
                let rd = match std::fs::read_dir(dir) {
                    Ok(rd) => rd,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                    Err(e) => return Err(self.fail("cannot list", e)),
                };
                // No name of ours is anything but UTF-8: others are someone else's files.
                rd.flatten()
                    .filter_map(|e| match e.file_name().into_string() {
                        Ok(name) => Some(name),
                        Err(name) => {
                            tracing::warn!(
                                "skipping {}: not a name profe-migrate writes",
                                dir.join(name).display()
                            );
                            None
                        }
                    })
                    .collect::<Vec<_>>()
            }
            Storage::Object(o) => {
                let mut names = Vec::new();
                let mut stream = o.store.list(Some(&o.prefix));
                while let Some(meta) = stream.next().await {
                    let meta = meta.map_err(|e| self.fail("cannot list", describe(e)))?;
                    // Only direct children: deeper keys belong to someone else's prefix.
                    let rest: Vec<_> = match meta.location.prefix_match(&o.prefix) {
                        Some(parts) => parts.collect(),
                        None => continue,
                    };
                    if let [one] = rest.as_slice() {
                        names.push(one.as_ref().to_string());
                    }
                }
                names
            }
        };
        names.sort();
        Ok(names)
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        match self {
            Storage::Directory(dir) => {
                let p = dir.join(name);
                std::fs::remove_file(&p).map_err(|source| Error::Write { path: p, source })
            }
            Storage::Object(o) => o
                .store
                .delete(&o.key(name))
                .await
                .map_err(|e| self.fail(&format!("cannot delete {name}"), describe(e))),
        }
    }
}

impl ObjectStorage {
    fn open(location: Location) -> Result<ObjectStorage> {
        let Location::S3 { bucket, prefix } = &location else {
            unreachable!("an S3 location")
        };
        let fail = |what: String| Error::Backup(format!("backup storage {location}: {what}"));
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        // AWS_REGION wins over AWS_DEFAULT_REGION, as in the AWS tools; from_env alone
        // would take whichever it read last.
        if let Some(region) = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        {
            builder = builder.with_region(region);
        }
        // Plain HTTP only when the endpoint itself says http://: never silently downgraded.
        let mut allow_http = false;
        if let Some(endpoint) = endpoint_from_env() {
            if endpoint.starts_with("http://") {
                allow_http = true;
            } else if !endpoint.starts_with("https://") {
                return Err(fail(format!(
                    "the endpoint {} must start with https:// or http://",
                    redact(&endpoint)
                )));
            }
            builder = builder.with_endpoint(endpoint);
        }
        // A storage that cannot be reached should fail in seconds, not after the default
        // three minutes of retries.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        };
        let store = builder
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(allow_http)
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(300)),
            )
            .with_retry(retry)
            .build()
            .map_err(|e| fail(describe(e)))?;
        Ok(ObjectStorage {
            store: Arc::new(store),
            prefix: ObjectPath::from(prefix.as_str()),
            location,
        })
    }

    fn key(&self, name: &str) -> ObjectPath {
        self.prefix.clone().join(name)
    }
}

/// An object store error in words a user can act on. The library's messages carry the
/// request URL (bucket and key, no credentials: requests are signed in headers).
fn describe(e: object_store::Error) -> String {
    match e {
        object_store::Error::NotFound { path, .. } => format!("{path} not found"),
        object_store::Error::PermissionDenied { source, .. }
        | object_store::Error::Unauthenticated { source, .. } => format!(
            "access refused (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             AWS_SESSION_TOKEN): {source}"
        ),
        other => {
            // The innermost cause says what went wrong on the wire ("Connection refused").
            let mut cause = None;
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                cause = Some(s.to_string());
                source = s.source();
            }
            let text = other.to_string();
            // S3 answers errors as an XML document: its code and message are what matter.
            if let Some(code) = between(&text, "<Code>", "</Code>") {
                let message = between(&text, "<Message>", "</Message>").unwrap_or_default();
                let request = text.split(": <?xml").next().unwrap_or_default();
                return format!("{code}: {message} ({request})");
            }
            match cause {
                Some(c) if !text.contains(&c) => format!("{text}: {c}"),
                _ => text,
            }
        }
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        let p = |s: &str| Location::parse(Path::new(s));
        assert_eq!(
            p("backups").unwrap(),
            Location::Directory(PathBuf::from("backups"))
        );
        assert_eq!(
            p("s3://bucket/some/prefix/").unwrap(),
            Location::S3 {
                bucket: "bucket".into(),
                prefix: "some/prefix".into()
            }
        );
        assert_eq!(p("s3://bucket").unwrap().to_string(), "s3://bucket");
        assert_eq!(p("s3://b/x").unwrap().staging_dir(), std::env::temp_dir());
        let err = p("gs://bucket/x").unwrap_err().to_string();
        assert!(err.contains("unsupported scheme gs://"), "{err}");
        let err = p("s3://key:secret@bucket/x").unwrap_err().to_string();
        assert!(
            !err.contains("secret@") && err.contains("AWS_ACCESS_KEY_ID"),
            "{err}"
        );
        let err = p("https://user:pw@host/x?sig=1").unwrap_err().to_string();
        assert!(!err.contains("pw") && !err.contains("sig"), "{err}");
        assert!(p("s3:///prefix").is_err());
    }
}
