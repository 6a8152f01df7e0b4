//! Backups of the model into an S3-compatible object store, through the CLI: a real moto
//! server on loopback (scripts/setup.sh installs it), the AWS settings given to the CLI's
//! process only. Mirrors backups.rs: backup, list, restore, retention, a damaged dump
//! refused; plus the storage errors (bad scheme, missing bucket, unreachable endpoint)
//! and a backup refused for want of disk space before anything is dumped or uploaded.

use crate::client::{free_port, http, request};
use crate::model::{Copy, Template, describe, expect_code, with_template};
use crate::operations::{Setup, count, with_copy};
use crate::support::{Env, TestResult};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BUCKET: &str = "profe-backups";
const PREFIX: &str = "model/nightly";
/// Never to appear in any output.
const SECRET: &str = "s3cr3t-Never-Printed-0xC0FFEE";

/// A moto S3 server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

/// The Python that has moto: the virtual environment `scripts/setup.sh` makes under the
/// project's cache directory (see scripts/cache.sh) when it exists, else `python3`.
fn python() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = var("PROFE_MIGRATE_CACHE").or_else(|| {
        var("XDG_CACHE_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|h| h.join(".cache")))
            .map(|c| c.join("profe-migrate"))
    });
    cache
        .map(|c| c.join("venv/bin"))
        .filter(|bin| bin.join("moto_server").is_file())
        .map(|bin| bin.join("python"))
        .unwrap_or_else(|| PathBuf::from("python3"))
}

impl Moto {
    fn start() -> Result<Moto, String> {
        let port = free_port();
        let child = Command::new(python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start moto (run scripts/setup.sh): {e}"))?;
        let mut moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!(
                    "moto exited at once ({status}) under {}: is it installed? \
                     (scripts/setup.sh installs it in a virtual environment under the \
                     project's cache directory)",
                    python().display()
                ));
            }
            if http(port, "/", None).is_ok() {
                return Ok(moto);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err("moto did not answer within 60 s".into())
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The keys under `prefix` (moto answers unsigned requests).
    fn keys(&self, prefix: &str) -> Result<Vec<String>, String> {
        let (status, body) = http(self.port, &format!("/{BUCKET}?prefix={prefix}/"), None)?;
        if status != 200 {
            return Err(format!("listing the bucket: {status} {body}"));
        }
        let mut keys: Vec<String> = body
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_string)
            .collect();
        keys.sort();
        Ok(keys)
    }
}

impl Moto {
    /// Replaces object `key` through a signed request of our own (moto refuses unsigned
    /// writes to an existing object), with the test's settings given explicitly rather
    /// than through this process's environment.
    fn overwrite(&self, env: &Env, key: &str, content: &str) -> TestResult {
        use object_store::ObjectStoreExt;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_bucket_name(BUCKET)
            .with_access_key_id("AKIATESTPROFE")
            .with_secret_access_key(SECRET)
            .build()
            .map_err(|e| e.to_string())?;
        let payload = object_store::PutPayload::from(content.as_bytes().to_vec());
        env.block_on(store.put(&object_store::path::Path::from(key), payload))
            .map(|_| ())
            .map_err(|e| format!("overwriting {key}: {e}"))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The CLI as `Setup::run` runs it, for the database `url`, with `tmp` as its temporary
/// directory.
struct Cli<'a> {
    env: &'a Env,
    setup: &'a Setup,
    url: &'a str,
    tmp: &'a Path,
}

impl Cli<'_> {
    /// With `storage` as the backup storage and the AWS settings for `endpoint` (none of
    /// the test process's own), plus `extra` variables.
    fn run(&self, storage: &str, endpoint: &str, extra: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_profe-migrate"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        cmd.current_dir(self.setup.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES")
            .env("PROFE_MIGRATE_DEV_URL", self.env.url("postgres"))
            .env("PROFE_TEST_DB", self.url)
            .env("MIGRATION_SERVICE_BACKUP_STORAGE", storage)
            .env("AWS_ACCESS_KEY_ID", "AKIATESTPROFE")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("TMPDIR", self.tmp)
            .envs(extra.iter().copied())
            .arg("--config")
            .arg(self.setup.config())
            .args(args)
            .output()
            .expect("run profe-migrate")
    }
}

fn no_secret(o: &Output) -> TestResult {
    if String::from_utf8_lossy(&o.stdout).contains(SECRET)
        || String::from_utf8_lossy(&o.stderr).contains(SECRET)
    {
        return Err(format!("the secret key was printed: {}", describe(o)));
    }
    Ok(())
}

fn empty_dir(dir: &Path, when: &str) -> TestResult {
    let left: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("{when}: left in the temporary directory: {left:?}"))
    }
}

/// A refusal with exit 1 whose message contains every one of `needles`.
fn refused(o: &Output, what: &str, needles: &[&str]) -> TestResult {
    expect_code(o, 1, what)?;
    no_secret(o)?;
    let err = String::from_utf8_lossy(&o.stderr);
    match needles.iter().find(|n| !err.contains(**n)) {
        Some(n) => Err(format!("{what}: the message lacks {n:?}: {}", describe(o))),
        None => Ok(()),
    }
}

/// The fields of `backup list --format json`: (id, service, size, sha256, description).
fn listed(o: &Output) -> Vec<(String, String, u64, String, String)> {
    serde_json::from_slice::<Vec<profe_migrate::backup::Manifest>>(&o.stdout)
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.id, m.service, m.size, m.sha256, m.description))
        .collect()
}

fn s3_backups(env: &Env, template: &Template) -> TestResult {
    let moto = Moto::start()?;
    let (status, body) = request(moto.port, "PUT", &format!("/{BUCKET}"), None, None)?;
    if status != 200 {
        return Err(format!("creating the bucket: {status} {body}"));
    }
    let setup = Setup::new(None);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let storage = format!("s3://{BUCKET}/{PREFIX}");
    let endpoint = moto.endpoint();
    let major = env.cluster.major();
    with_copy(env, template, |url| {
        let cli = Cli {
            env,
            setup: &setup,
            url,
            tmp: tmp.path(),
        };
        let run = |storage: &str, endpoint: &str, extra: &[(&str, &str)], args: &[&str]| {
            cli.run(storage, endpoint, extra, args)
        };
        let backup = ["backup", "--environment", "test", "--description"];
        // Storages that cannot be used: each named, no secret shown, nothing written.
        let o = run(
            "gs://elsewhere/x",
            &endpoint,
            &[],
            &[&backup[..], &["x"]].concat(),
        );
        refused(&o, "a gs:// storage", &["unsupported scheme gs://"])?;
        let o = run(
            "s3://no-such-bucket/x",
            &endpoint,
            &[],
            &[&backup[..], &["x"]].concat(),
        );
        refused(&o, "a missing bucket", &["s3://no-such-bucket/x"])?;
        let dead = format!("http://127.0.0.1:{}", free_port());
        let started = Instant::now();
        let o = run(&storage, &dead, &[], &[&backup[..], &["x"]].concat());
        refused(&o, "an unreachable endpoint", &[&storage])?;
        if started.elapsed() > Duration::from_secs(90) {
            return Err(format!(
                "an unreachable endpoint took {:?}",
                started.elapsed()
            ));
        }
        // Not enough room for the dump in the local temporary directory: refused before
        // pg_dump, nothing uploaded, nothing left.
        let o = run(
            &storage,
            &endpoint,
            &[(
                "MIGRATION_SERVICE_BACKUP_MIN_FREE_BYTES",
                "4611686018427387904",
            )],
            &[&backup[..], &["too big"]].concat(),
        );
        refused(
            &o,
            "a backup that does not fit",
            &[
                "not enough disk space",
                "needs",
                "are free",
                "4611686018427387904 bytes",
            ],
        )?;
        empty_dir(tmp.path(), "after the refused backup")?;
        if !moto.keys(PREFIX)?.is_empty() {
            return Err(format!(
                "objects after a refused backup: {:?}",
                moto.keys(PREFIX)?
            ));
        }

        let o = run(
            &storage,
            &endpoint,
            &[],
            &[&backup[..], &["first"]].concat(),
        );
        no_secret(&o)?;
        if profe_migrate::backup::find_tool("pg_dump", major).is_err() {
            // No pg_dump that can read this server: the refusal must say so.
            return refused(
                &o,
                "backup without a suitable pg_dump",
                &[&format!("no pg_dump for PostgreSQL {major}")],
            );
        }
        expect_code(&o, 0, "backup to S3")?;
        empty_dir(tmp.path(), "after an upload")?;
        let o = run(
            &storage,
            &endpoint,
            &[],
            &["backup", "list", "--format", "json"],
        );
        expect_code(&o, 0, "backup list")?;
        let first = listed(&o).first().cloned().ok_or_else(|| describe(&o))?;
        if first.1 != "all" || first.2 == 0 || first.3.len() != 64 || first.4 != "first" {
            return Err(format!("listed: {first:?}"));
        }
        let keys = moto.keys(PREFIX)?;
        let dump_key = format!("{PREFIX}/{}.dump", first.0);
        if keys != [dump_key.clone(), format!("{PREFIX}/{}.json", first.0)] {
            return Err(format!("objects in the bucket: {keys:?}"));
        }
        // Restore into a fresh database: same schema (no plan to the model) and rows.
        let restored = env.block_on(Copy::new(env, None, "model_s3_restored"))?;
        let rurl = env.url(&restored.name);
        let result = (|| {
            let o = run(
                &storage,
                &endpoint,
                &[],
                &["backup", "restore", &first.0, "--database-url", &rurl],
            );
            expect_code(&o, 0, "restore from S3")?;
            no_secret(&o)?;
            empty_dir(tmp.path(), "after a restore")?;
            crate::backups::restored_like(env, &setup, url, &rurl)
        })();
        env.block_on(restored.drop_db(env));
        result?;

        // Retention: two kept per service, the oldest objects deleted.
        for d in ["second", "third"] {
            let o = run(&storage, &endpoint, &[], &[&backup[..], &[d]].concat());
            expect_code(&o, 0, "backup to S3")?;
        }
        let o = run(
            &storage,
            &endpoint,
            &[],
            &[
                "backup",
                "--environment",
                "test",
                "--service",
                "academic-service",
            ],
        );
        expect_code(&o, 0, "backup --service to S3")?;
        let o = run(
            &storage,
            &endpoint,
            &[],
            &["backup", "list", "--format", "json"],
        );
        let all = listed(&o);
        let kept: Vec<&str> = all
            .iter()
            .filter(|m| m.1 == "all")
            .map(|m| m.4.as_str())
            .collect();
        let keys = moto.keys(PREFIX)?;
        if kept != ["second", "third"]
            || keys.len() != 6
            || keys.iter().any(|k| k.contains(&first.0))
            || !all.iter().any(|m| m.1 == "academic-service")
        {
            return Err(format!("retention kept {kept:?}; objects {keys:?}"));
        }

        // A damaged dump is refused, and the database is left alone.
        let third = all
            .iter()
            .find(|m| m.4 == "third")
            .cloned()
            .ok_or("no third backup")?;
        moto.overwrite(
            env,
            &format!("{PREFIX}/{}.dump", third.0),
            "PGDMP but not the dump that was taken",
        )?;
        let target = env.block_on(Copy::new(env, None, "model_s3_damaged"))?;
        let turl = env.url(&target.name);
        let o = run(
            &storage,
            &endpoint,
            &[],
            &["backup", "restore", &third.0, "--database-url", &turl],
        );
        let tables = count(
            env,
            &turl,
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        );
        env.block_on(target.drop_db(env));
        refused(&o, "restoring a damaged dump", &["checksum", "damaged"])?;
        if tables? != 0 {
            return Err("the damaged dump was restored anyway".into());
        }
        empty_dir(tmp.path(), "after a refused restore")?;
        large_dump(&cli, &endpoint)
    })
}

/// A dump larger than one upload part (8 MiB) goes up in parts and comes back whole.
fn large_dump(cli: &Cli, endpoint: &str) -> TestResult {
    let (env, url) = (cli.env, cli.url);
    let run = |storage: &str, endpoint: &str, extra: &[(&str, &str)], args: &[&str]| {
        cli.run(storage, endpoint, extra, args)
    };
    let storage = format!("s3://{BUCKET}/{PREFIX}");
    // md5 hex of random values: about 10 MiB once pg_dump has compressed it.
    crate::operations::exec(
        env,
        url,
        "CREATE SCHEMA bulk; CREATE TABLE bulk.t (id int PRIMARY KEY, v text); \
         INSERT INTO bulk.t SELECT g, (SELECT string_agg(md5(random()::text || g || i), '') \
         FROM generate_series(1, 40) i) FROM generate_series(1, 16000) g",
    )?;
    let o = run(
        &storage,
        endpoint,
        &[],
        &["backup", "--environment", "test", "--description", "bulk"],
    );
    expect_code(&o, 0, "a large backup to S3")?;
    let o = run(
        &storage,
        endpoint,
        &[],
        &["backup", "list", "--format", "json"],
    );
    let bulk = listed(&o)
        .into_iter()
        .find(|m| m.4 == "bulk")
        .ok_or_else(|| describe(&o))?;
    if bulk.2 < 9 << 20 {
        return Err(format!("the large dump is only {} bytes", bulk.2));
    }
    let restored = env.block_on(Copy::new(env, None, "model_s3_bulk"))?;
    let rurl = env.url(&restored.name);
    let result = (|| {
        let o = run(
            &storage,
            endpoint,
            &[],
            &["backup", "restore", &bulk.0, "--database-url", &rurl],
        );
        expect_code(&o, 0, "restore of a large dump")?;
        let q = "SELECT sum(hashtext(v))::bigint FROM bulk.t";
        if count(env, url, q)? != count(env, &rurl, q)? {
            return Err("bulk.t differs after the restore of a large dump".into());
        }
        Ok(())
    })();
    env.block_on(restored.drop_db(env));
    result
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![with_template(
        env,
        template,
        "operations::s3_backup_list_restore_retention_damage_and_errors",
        s3_backups,
    )]
}
