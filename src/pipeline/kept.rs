//! Reads of databases kept between runs on the warm server
//! ([`crate::cluster::warm::templates`]): a database's catalog and its pg_dump, keyed by
//! the database's fingerprint ([`crate::introspect::fingerprint`], a function of the
//! catalogs' row versions that no DDL escapes) and by what was read (the schemas, the
//! roles, the tool). An unchanged database (the nightly drift job's usual case) is then
//! not read again: the fingerprint costs two queries.
//!
//! The fingerprint of a database is taken once a run, before its first read: what is kept
//! under it is at least as new as it, and any DDL since gives another key.

use crate::catalog::Catalog;
use crate::cluster::warm::templates::{self, States};
use crate::db;
use crate::error::Result;
use crate::pipeline::dump::{self, Dump};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub struct Kept {
    pub states: States,
    /// Each database's fingerprint, by URL and roles, taken at its first read in this run.
    fingerprints: tokio::sync::Mutex<BTreeMap<String, String>>,
    /// The roles each database's catalog was first read with, by URL.
    roles_read: tokio::sync::Mutex<BTreeMap<String, Vec<String>>>,
}

impl Kept {
    pub fn new(states: States) -> Kept {
        Kept {
            states,
            fingerprints: Default::default(),
            roles_read: Default::default(),
        }
    }

    /// The fingerprint of the database at `url` with the roles `roles` besides those it
    /// names, taken the first time it is asked for in this run.
    pub async fn fingerprint(&self, url: &str, roles: &[String]) -> Result<String> {
        let mut known = self.fingerprints.lock().await;
        let id = format!("{url}\n{}", roles.join("\n"));
        if let Some(f) = known.get(&id) {
            return Ok(f.clone());
        }
        let client = db::connect(&db::parse(url)?).await?;
        let f = crate::introspect::fingerprint::fingerprint(&client, roles).await?;
        known.insert(id, f.clone());
        Ok(f)
    }

    /// The catalog of the database at `url` within `list` (all user schemas when `None`),
    /// with the roles named in `roles`: kept from an earlier run, or `read` and kept.
    pub async fn catalog(
        &self,
        url: &str,
        list: Option<&[String]>,
        roles: &BTreeSet<String>,
        read: impl Future<Output = Result<Catalog>>,
    ) -> Result<Catalog> {
        let roles: Vec<String> = roles.iter().cloned().collect();
        let fingerprint = self.fingerprint(url, &roles).await?;
        self.roles_read
            .lock()
            .await
            .entry(url.to_string())
            .or_insert_with(|| roles.clone());
        let schemas = list.map(|l| l.join("\n")).unwrap_or_else(|| "*".into());
        let key = templates::key(&[
            b"database catalog",
            templates::build_identity().as_bytes(),
            fingerprint.as_bytes(),
            schemas.as_bytes(),
            roles.join("\n").as_bytes(),
        ]);
        if let Some(catalog) = self.states.get_as::<Catalog>("catalog", &key) {
            tracing::debug!("database catalog: unchanged since an earlier run ({key})");
            return Ok(catalog);
        }
        let catalog = read.await?;
        self.states.put_as("catalog", &key, &catalog);
        Ok(catalog)
    }

    /// The roles the catalog of the database at `url` was first read with in this run:
    /// its fingerprint with them was taken before that read.
    pub async fn roles_read(&self, url: &str) -> Vec<String> {
        self.roles_read
            .lock()
            .await
            .get(url)
            .cloned()
            .unwrap_or_default()
    }

    /// pg_dump's view of the database at `url` (the schemas `list`): kept from an earlier
    /// run, or dumped and kept. Keyed by the fingerprint its catalog's read took (a dump
    /// names no role, but more roles only make the key finer), not by a second one.
    pub async fn dump(&self, pg_dump: &Path, url: &str, list: &[String]) -> Result<Dump> {
        let roles = self.roles_read(url).await;
        let fingerprint = self.fingerprint(url, &roles).await?;
        let tool = templates::file_identity(pg_dump);
        let key = templates::key(&[
            b"database dump",
            templates::build_identity().as_bytes(),
            fingerprint.as_bytes(),
            tool.as_bytes(),
            list.join("\n").as_bytes(),
        ]);
        if let Some(dump) = self.states.get_as::<Dump>("dump", &key) {
            tracing::debug!("database dump: unchanged since an earlier run ({key})");
            return Ok(dump);
        }
        let dump = dump::take(pg_dump, &db::parse(url)?, Some(list)).await?;
        self.states.put_as("dump", &key, &dump);
        Ok(dump)
    }
}
