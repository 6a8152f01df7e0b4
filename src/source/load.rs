use super::{DesiredState, load_into};
use crate::catalog::{Catalog, quote_ident};
use crate::cluster::Cluster;
use crate::cluster::warm::templates::{self, LoadedState};
use crate::db;
use crate::error::{Error, Result};
use crate::pipeline::dump::Dump;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres::Client;

/// Where desired states are loaded: a server the user named (`--dev-url`), or the
/// embedded throwaway cluster.
#[derive(Clone)]
pub enum Shadow {
    Server(Box<db::Target>),
    /// The per-user warm server ([`crate::cluster::warm`]): ours, like the embedded one,
    /// and it keeps what runs load ([`crate::cluster::warm::templates`]) in its folder.
    Warm(Box<db::Target>, PathBuf),
    Embedded(Arc<Cluster>),
}

impl Shadow {
    /// A connection to a database of the shadow server from which scratch databases
    /// can be created.
    pub fn admin_target(&self) -> Result<db::Target> {
        match self {
            Shadow::Server(c) | Shadow::Warm(c, _) => Ok((**c).clone()),
            Shadow::Embedded(cluster) => db::parse(&cluster.connection_string("postgres")),
        }
    }

    /// A fresh scratch database on the shadow server; on a server of our own, made the
    /// fast way (see [`db::create_scratch_with`]).
    pub async fn scratch(&self, prefix: &str) -> Result<db::ScratchDb> {
        let ours = !matches!(self, Shadow::Server(_));
        db::create_scratch_with(&self.admin_target()?, prefix, ours).await
    }

    /// Where loaded desired states are kept between runs: on the warm server only (a
    /// throwaway cluster's would die with it, a `--dev-url` server is not ours to fill).
    pub fn states(&self) -> Option<crate::cluster::warm::templates::States> {
        match self {
            Shadow::Warm(_, folder) => Some(crate::cluster::warm::templates::States::new(folder)),
            _ => None,
        }
    }

    /// Whether copies of current schemas are kept as template databases, and so the
    /// placeholder roles their objects name stay (roles are cluster-wide, and a kept
    /// database's objects depend on them): on the warm server, which is private.
    pub fn keeps_templates(&self) -> bool {
        matches!(self, Shadow::Warm(..))
    }

    /// The shadow server's major version.
    pub async fn major(&self) -> Result<u32> {
        match self {
            Shadow::Embedded(cluster) => Ok(cluster.major()),
            Shadow::Server(target) | Shadow::Warm(target, _) => {
                let client = db::connect(target).await?;
                Ok(db::server_version(&client).await? as u32 / 10000)
            }
        }
    }
}

impl DesiredState {
    /// What loading runs, in order: each statement with its search path.
    pub fn content(&self) -> String {
        let mut text = String::new();
        for stmt in &self.statements {
            text.push_str(&format!("{:?}\n{}\n\0", stmt.search_path, stmt.sql));
        }
        text
    }

    /// The roles the files name that the shadow server lacks.
    async fn missing_roles(&self, client: &Client) -> Result<Vec<String>> {
        let names: Vec<String> = self.roles.all_names().into_iter().collect();
        if names.is_empty() {
            return Ok(names);
        }
        let existing = crate::introspect::roles(client, &names).await?;
        Ok(names
            .into_iter()
            .filter(|n| !existing.contains_key(n))
            .collect())
    }
}

/// Creates, committed, each role of `names` the server lacks; returns those created.
pub(crate) async fn create_missing_roles(
    admin: &Client,
    names: &[String],
    options: &str,
) -> Result<Vec<String>> {
    let existing = crate::introspect::roles(admin, names).await?;
    let mut created = Vec::new();
    for name in names.iter().filter(|n| !existing.contains_key(*n)) {
        // Another run may create the same role meanwhile: then it is theirs to drop.
        let sql = format!("CREATE ROLE {}{options}", quote_ident(name));
        match admin.batch_execute(&sql).await {
            Ok(()) => created.push(name.clone()),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_OBJECT) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(created)
}

/// Drops the placeholder roles `names` (in reverse order of creation); a failure is only
/// worth a warning, the work they served is done.
pub(crate) async fn drop_placeholder_roles(admin: &Client, names: &[String]) {
    for name in names.iter().rev() {
        if let Err(e) = admin
            .batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(name)))
            .await
        {
            tracing::warn!(
                "could not drop the placeholder role {}: {}",
                quote_ident(name),
                Error::describe_db(&e)
            );
        }
    }
}

/// What a loaded state's catalog takes from its files rather than from the server.
#[derive(Clone)]
struct Annotations {
    roles: std::collections::BTreeMap<String, crate::catalog::Role>,
    renames: Vec<crate::catalog::Rename>,
    usings: std::collections::BTreeMap<crate::catalog::ObjectId, String>,
    pinned: BTreeSet<String>,
}

impl Annotations {
    fn of(state: &DesiredState) -> Annotations {
        Annotations {
            roles: state.roles.catalog_roles(),
            renames: state.renames.clone(),
            usings: state.usings.iter().cloned().collect(),
            pinned: state.pinned_extensions.clone(),
        }
    }

    fn apply(self, mut catalog: Catalog) -> Catalog {
        catalog.roles = self.roles;
        catalog.renames = self.renames;
        catalog.usings = self.usings;
        for name in self.pinned {
            if let Some(e) = catalog.extensions.get_mut(&name) {
                e.version_pinned = true;
            }
        }
        catalog
    }
}

/// The schemas to dump, from the catalog read back.
type ScopeOf<'a> = dyn Fn(&Catalog) -> BTreeSet<String> + Sync + 'a;

impl DesiredState {
    /// Loads the desired state into a scratch database on the shadow server and reads it
    /// back, all in one transaction that is rolled back (roles are cluster-wide: the
    /// placeholders must not outlive it). The scratch database is dropped whatever happens.
    pub async fn load(self, shadow: &Shadow) -> Result<Catalog> {
        self.load_then(shadow, &[]).await
    }

    /// Like [`DesiredState::load`], running `after` (in order) once the files are loaded.
    ///
    /// Roles the shadow server lacks are created bare so that the statements naming them
    /// load; roles are cluster-wide, so then everything runs in one transaction that is
    /// rolled back, leaving no role behind. Otherwise each statement commits on its own, as
    /// `psql` runs a file: one transaction holding tens of thousands of new relations is
    /// several times slower to fill and to roll back (measured at 10,000 tables), and what
    /// is committed can be read back over several connections. The scratch database is
    /// dropped whatever happens.
    pub async fn load_then(self, shadow: &Shadow, after: &[String]) -> Result<Catalog> {
        Ok(self.load_inner(shadow, after, None).await?.0)
    }

    /// Like [`DesiredState::load`], and dumped with `pg_dump` before the scratch database
    /// is dropped, for the independent check of a validated plan. pg_dump reads only what
    /// is committed, so the roles the shadow server lacks are created as committed
    /// placeholders here, and dropped once the scratch database is.
    /// `scope` gives the schemas to dump from the catalog read back.
    pub async fn load_and_dump(
        self,
        shadow: &Shadow,
        pg_dump: &Path,
        scope: impl Fn(&Catalog) -> BTreeSet<String> + Sync,
    ) -> Result<(Catalog, Dump)> {
        let (catalog, dump) = self
            .load_inner(shadow, &[], Some((pg_dump, &scope)))
            .await?;
        Ok((catalog, dump.unwrap_or_default()))
    }

    async fn load_inner(
        self,
        shadow: &Shadow,
        after: &[String],
        pg_dump: Option<(&Path, &ScopeOf<'_>)>,
    ) -> Result<(Catalog, Option<Dump>)> {
        let annotations = Annotations::of(&self);
        // On the warm server, a state an earlier run loaded is read from what it kept.
        let kept = match shadow.states() {
            Some(states) => {
                let key = self.kept_key(shadow, after).await?;
                if let Some(state) = states.get(&key) {
                    let catalog = annotations.clone().apply(state.catalog);
                    let wanted: Option<Vec<String>> =
                        pg_dump.map(|(_, scope)| scope(&catalog).into_iter().collect());
                    match (wanted, state.dump) {
                        (None, _) => return Ok((catalog, None)),
                        (Some(w), Some((schemas, dump))) if w == schemas => {
                            return Ok((catalog, Some(dump)));
                        }
                        _ => {}
                    }
                }
                Some((states, key))
            }
            None => None,
        };
        let admin_target = shadow.admin_target()?;
        let mut placeholders = Vec::new();
        if pg_dump.is_some() {
            let admin = db::connect(&admin_target).await?;
            let names = self.missing_roles(&admin).await?;
            placeholders = create_missing_roles(&admin, &names, "").await?;
        }
        let scratch = shadow.scratch("profe_shadow").await;
        let result = match scratch {
            Ok(scratch) => {
                let result = async {
                    let client = db::connect(&scratch.target).await?;
                    let missing = self.missing_roles(&client).await?;
                    let start = std::time::Instant::now();
                    let statements = self.statements.len();
                    let catalog = if missing.is_empty() {
                        self.load_committed(&scratch.target, &client, after).await
                    } else {
                        self.load_in_transaction(&client, &missing, after).await
                    };
                    tracing::debug!(
                        "shadow: {statements} statements loaded and read back in {:?}",
                        start.elapsed()
                    );
                    let loaded = catalog?;
                    let raw = kept.as_ref().map(|_| loaded.clone());
                    let catalog = annotations.apply(loaded);
                    let dump = match pg_dump {
                        Some((tool, scope)) => {
                            let list: Vec<String> = scope(&catalog).into_iter().collect();
                            let target = &scratch.target;
                            let dump =
                                crate::pipeline::dump::take(tool, target, Some(&list)).await?;
                            Some((list, dump))
                        }
                        None => None,
                    };
                    if let (Some((states, key)), Some(raw)) = (&kept, raw) {
                        let state = LoadedState {
                            catalog: raw,
                            dump: dump.clone(),
                        };
                        states.put(key, &state);
                    }
                    Ok::<_, Error>((catalog, dump.map(|(_, d)| d)))
                }
                .await;
                let start = std::time::Instant::now();
                let dropped = scratch.drop_db().await;
                tracing::debug!("shadow: scratch database dropped in {:?}", start.elapsed());
                result.and_then(|r| dropped.map(|()| r))
            }
            Err(e) => Err(e),
        };
        // The warm server keeps its placeholders: template databases' objects name them.
        if !placeholders.is_empty() && !shadow.keeps_templates() {
            let admin = db::connect(&admin_target).await?;
            drop_placeholder_roles(&admin, &placeholders).await;
        }
        result
    }

    /// The key of this state loaded (then `after` run) on `shadow`: everything the
    /// catalog read back depends on (see [`crate::cluster::warm::templates`]).
    async fn kept_key(&self, shadow: &Shadow, after: &[String]) -> Result<String> {
        let admin = db::connect(&shadow.admin_target()?).await?;
        let server = templates::server_identity(&admin).await?;
        Ok(templates::key(&[
            b"desired state",
            templates::build_identity().as_bytes(),
            server.as_bytes(),
            self.content().as_bytes(),
            after.join("\n\0").as_bytes(),
        ]))
    }

    /// Takes the state by value: once loaded, its statements (a 10,000-table state holds
    /// tens of megabytes of them) are dropped before the catalog is read back.
    async fn load_committed(
        self,
        target: &db::Target,
        client: &Client,
        after: &[String],
    ) -> Result<Catalog> {
        let more = super::more_connections(target, self.load_connections() - 1, None, 0).await?;
        let clients: Vec<&Client> = std::iter::once(client).chain(more.iter()).collect();
        super::load_over(&self, &clients, "loading the desired state").await?;
        drop(more);
        drop(self);
        crate::memory::trim();
        for sql in after {
            client.batch_execute(sql).await?;
        }
        crate::progress::stage("reading the desired state back", None);
        // The loaded session's search_path must not leak into how expressions are read.
        client.batch_execute("RESET search_path").await?;
        let extra = crate::introspect::extra_readers_for(client, target).await;
        crate::introspect::introspect_with_stats(client, &extra, None)
            .await
            .map(|(c, _)| c)
    }

    async fn load_in_transaction(
        self,
        client: &Client,
        missing: &[String],
        after: &[String],
    ) -> Result<Catalog> {
        client.batch_execute("BEGIN").await?;
        let loaded = async {
            for name in missing {
                client
                    .batch_execute(&format!("CREATE ROLE {}", quote_ident(name)))
                    .await?;
            }
            load_into(&self, client, "loading the desired state").await?;
            drop(self);
            crate::progress::stage("reading the desired state back", None);
            for sql in after {
                client.batch_execute(sql).await?;
            }
            crate::introspect::introspect_in_transaction(client).await
        }
        .await;
        let start = std::time::Instant::now();
        let _ = client.batch_execute("ROLLBACK").await;
        tracing::debug!("shadow: rolled back in {:?}", start.elapsed());
        loaded
    }
}
