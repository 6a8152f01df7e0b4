//! The pipeline glue: turn sources into catalogs (introspecting a database, or loading
//! files into the shadow server), work out the scope, plan, apply and verify.

mod applying;
mod checked;
mod creation;
mod drift;
pub(crate) mod dump;
mod kept;
mod locate;
pub mod normalised;
mod outside;
mod probes;
mod renames;
mod reuse;
mod status;
mod validate;

use crate::catalog::{Catalog, quote_ident};
use crate::cluster::Cluster;
use crate::db;
use crate::error::{Error, Result};
use crate::plan::{self, Plan};
use crate::source::{DesiredState, Shadow, SourceMap};
use probes::run_probes;
use renames::applicable_renames;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_postgres::Client;

pub use applying::{Applied, Record, apply_plan, apply_recorded, check_source, live_catalog_for};
use creation::current_schema;
pub use creation::{desired_sql, schema_sql};
pub use drift::{DriftReport, DriftStatus};
pub use status::{ServiceStatus, Status};

/// Where a catalog comes from (a SOURCE in docs/cli.md).
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Database(String),
    Files(Vec<PathBuf>),
    Empty,
}

impl Source {
    pub fn parse(s: &str) -> Source {
        if s == "empty" {
            Source::Empty
        } else if db::is_connection_string(s) {
            Source::Database(s.to_string())
        } else {
            Source::Files(vec![PathBuf::from(s)])
        }
    }

    /// The project's desired state: `schema/` and `policies/` of the current directory.
    pub fn project_default() -> Result<Source> {
        let dirs: Vec<PathBuf> = ["schema", "policies"]
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .collect();
        if dirs.is_empty() {
            return Err(Error::NoDesiredState(
                "neither ./schema nor ./policies exists here; pass --to".into(),
            ));
        }
        Ok(Source::Files(dirs))
    }
}

/// Holds the shadow server, started on first use.
pub struct Engine {
    dev_url: Option<String>,
    cluster: Option<Arc<Cluster>>,
    /// `--drop-roles`.
    pub drop_roles: bool,
    /// Replay every plan on a copy of the source schema before returning it (off with
    /// `--no-validate`, and for drift, which only reports).
    pub validate: bool,
    /// With `validate`: compare pg_dump's view of the databases as well (see
    /// [`dump`]); tests whose oracle already compares dumps turn it off.
    pub dump_check: bool,
    /// `--service`: exactly these schemas are in scope.
    pub service_scope: Option<BTreeSet<String>>,
    /// Schemas never in scope: those of services that have databases of their own, when
    /// the shared database is planned.
    pub exclude_schemas: BTreeSet<String>,
    /// `--exclude`: objects left out of both sides.
    pub exclude: crate::catalog::Exclusions,
    /// Drift without `--no-validate`: no replay, but the desired state's expressions are
    /// still taken as the server writes them back ([`normalised`]).
    read_back: bool,
    /// Without `--dev-url`, use the per-user warm server ([`crate::cluster::warm`]) rather
    /// than a throwaway cluster. The command line's choice (off for library users): its
    /// keeper is the current executable run as `profe-migrate server keep`.
    pub warm_server: bool,
    /// This run's use of the warm server, once taken (kept until the engine is dropped).
    warm: Option<crate::cluster::warm::Lease>,
    /// With the warm server: the databases' reads it keeps between runs.
    kept: Option<Arc<kept::Kept>>,
}

impl Engine {
    pub fn new(dev_url: Option<String>) -> Engine {
        Engine {
            dev_url,
            cluster: None,
            drop_roles: false,
            validate: true,
            dump_check: true,
            service_scope: None,
            exclude_schemas: BTreeSet::new(),
            exclude: Default::default(),
            read_back: false,
            warm_server: false,
            warm: None,
            kept: None,
        }
    }

    /// An engine whose shadow is an already running cluster (tests share one).
    pub fn with_cluster(cluster: Arc<Cluster>) -> Engine {
        Engine {
            cluster: Some(cluster),
            ..Engine::new(None)
        }
    }

    async fn shadow(&mut self) -> Result<Shadow> {
        if let Some(url) = &self.dev_url {
            return Ok(Shadow::Server(Box::new(db::parse(url)?)));
        }
        if self.warm_server && self.cluster.is_none() {
            if self.warm.is_none() {
                self.warm = crate::cluster::warm::Lease::take_or_warn().await;
                self.warm_server = self.warm.is_some();
            }
            if let Some(lease) = &self.warm {
                if self.kept.is_none() {
                    let states = crate::cluster::warm::templates::States::new(lease.folder());
                    self.kept = Some(Arc::new(kept::Kept::new(states)));
                }
                return Ok(Shadow::Warm(
                    Box::new(db::parse(&lease.connection_string())?),
                    lease.folder().to_path_buf(),
                ));
            }
        }
        if self.cluster.is_none() {
            crate::progress::stage("starting a shadow PostgreSQL server", None);
            let cluster = tokio::task::spawn_blocking(Cluster::start)
                .await
                .map_err(|e| Error::Cluster(e.to_string()))??;
            self.cluster = Some(Arc::new(cluster));
        }
        Ok(Shadow::Embedded(self.cluster.clone().expect("started")))
    }

    /// The reads the warm server keeps, when this run uses it and validates (a plan
    /// that does not needs no shadow server, and does not start one for this).
    async fn kept(&mut self) -> Option<Arc<kept::Kept>> {
        if self.kept.is_none()
            && self.warm_server
            && self.dev_url.is_none()
            && self.cluster.is_none()
            && (self.validate || self.read_back)
        {
            let _ = self.shadow().await;
        }
        self.kept.clone()
    }

    /// Reads `source` into a catalog, within `scope` when given.
    pub async fn catalog(
        &mut self,
        source: &Source,
        scope: Option<&BTreeSet<String>>,
    ) -> Result<Catalog> {
        self.catalog_with_roles(source, scope, &BTreeSet::new())
            .await
    }

    /// Like [`Engine::catalog`]; a database also reports the cluster's roles named in
    /// `roles` (the desired state's own roles come from its files).
    pub async fn catalog_with_roles(
        &mut self,
        source: &Source,
        scope: Option<&BTreeSet<String>>,
        roles: &BTreeSet<String>,
    ) -> Result<Catalog> {
        let list: Option<Vec<String>> = scope.map(|s| s.iter().cloned().collect());
        let mut catalog = match source {
            Source::Empty => Catalog::empty_database(),
            Source::Database(url) => {
                crate::progress::stage("reading the database", None);
                let read = async {
                    let target = db::parse(url)?;
                    let client = db::connect(&target).await?;
                    let extra = crate::introspect::extra_readers_for(&client, &target).await;
                    let (mut c, _) =
                        crate::introspect::introspect_with_stats(&client, &extra, list.as_deref())
                            .await?;
                    let names: Vec<String> = roles.iter().cloned().collect();
                    c.roles = crate::introspect::roles(&client, &names).await?;
                    Ok(c)
                };
                match self.kept().await {
                    Some(kept) => kept.catalog(url, list.as_deref(), roles, read).await?,
                    None => read.await?,
                }
            }
            Source::Files(paths) => {
                let state = DesiredState::read(paths)?;
                state.load(&self.shadow().await?).await?
            }
        };
        if let Some(scope) = scope {
            catalog.restrict(scope);
        }
        Ok(catalog)
    }

    /// The desired catalog and the scope it implies (plus `extra` schemas).
    pub async fn desired(
        &mut self,
        to: &Source,
        extra: &[String],
    ) -> Result<(Catalog, BTreeSet<String>)> {
        let (catalog, scope, _, _) = self.desired_and_dump(to, extra, None).await?;
        Ok((catalog, scope))
    }

    /// Like [`Engine::desired`], with pg_dump's view of the desired state when `pg_dump`
    /// is given (the files loaded into the shadow server, or the database named), and
    /// where the files write each object.
    async fn desired_and_dump(
        &mut self,
        to: &Source,
        extra: &[String],
        pg_dump: Option<&std::path::Path>,
    ) -> Result<(
        Catalog,
        BTreeSet<String>,
        Option<dump::Dump>,
        Option<SourceMap>,
    )> {
        let mut desired_dump = None;
        let mut locations = None;
        let mut to_catalog = match (to, pg_dump) {
            (Source::Files(paths), None) => {
                let mut state = DesiredState::read(paths)?;
                locations = Some(std::mem::take(&mut state.locations));
                state.load(&self.shadow().await?).await?
            }
            (Source::Files(paths), Some(tool)) => {
                let mut state = DesiredState::read(paths)?;
                locations = Some(std::mem::take(&mut state.locations));
                let shadow = self.shadow().await?;
                // Dumped with the same schema list as the other databases: pg_dump writes
                // `public` only when it is named.
                let scope_of = |c: &Catalog| self.scope_of(c, extra);
                let (c, d) = state.load_and_dump(&shadow, tool, scope_of).await?;
                desired_dump = Some(d);
                c
            }
            _ => self.catalog(to, None).await?,
        };
        let scope = self.scope_of(&to_catalog, extra);
        match (to, pg_dump) {
            (Source::Database(url), Some(tool)) => {
                let list: Vec<String> = scope.iter().cloned().collect();
                desired_dump = Some(match self.kept().await {
                    Some(kept) => kept.dump(tool, url, &list).await?,
                    None => dump::take(tool, &db::parse(url)?, Some(&list)).await?,
                });
            }
            (Source::Empty, Some(_)) => desired_dump = Some(Default::default()),
            _ => {}
        }
        to_catalog.restrict(&scope);
        to_catalog.exclude(&self.exclude);
        Ok((to_catalog, scope, desired_dump, locations))
    }

    /// The schemas in scope for a desired catalog: the service's, else those the catalog
    /// uses plus `extra`, less those excluded.
    fn scope_of(&self, catalog: &Catalog, extra: &[String]) -> BTreeSet<String> {
        match &self.service_scope {
            Some(schemas) => schemas.clone(),
            None => {
                let mut scope = catalog.used_schemas();
                scope.extend(extra.iter().cloned());
                scope.retain(|s| !self.exclude_schemas.contains(s) && !self.exclude.schema(s));
                scope
            }
        }
    }

    pub async fn plan(&mut self, from: &Source, to: &Source, extra: &[String]) -> Result<Plan> {
        let dumps = self.validate && self.dump_check;
        if self.validate
            && let Some(kept) = self.kept().await
        {
            return self.plan_reusing(&kept, (from, to), extra, dumps).await;
        }
        let (mut plan, _) = self.plan_and_dumps(from, to, extra, dumps).await?;
        self.probe(from, &mut plan).await?;
        Ok(plan)
    }

    /// Runs the plan's data probes on the current database, when it is one.
    async fn probe(&self, from: &Source, plan: &mut Plan) -> Result<()> {
        if let Source::Database(url) = from
            && plan.steps.iter().any(|s| s.probe.is_some())
        {
            let client = db::connect(&db::parse(url)?).await?;
            run_probes(&client, plan).await?;
        }
        Ok(())
    }

    /// Plans `from` → `to`; with `dumps`, also pg_dump's view of both sides (when a
    /// comparable pg_dump is found), which validation uses and drift reports from.
    async fn plan_and_dumps(
        &mut self,
        from: &Source,
        to: &Source,
        extra: &[String],
        dumps: bool,
    ) -> Result<(Plan, Option<validate::DumpCheck>)> {
        let tool = match dumps {
            true => self.dump_tool().await?,
            false => None,
        };
        let (mut to_catalog, scope, mut desired_dump, locations) = self
            .desired_and_dump(to, extra, tool.as_ref().map(|(p, _)| p.as_path()))
            .await?;
        let roles = to_catalog.role_names();
        let mut from_catalog = self.catalog_with_roles(from, Some(&scope), &roles).await?;
        // The replay's copy holds what is excluded too: what the plan manages may stand
        // on it.
        let from_whole = (!self.exclude.is_empty()).then(|| from_catalog.clone());
        from_catalog.exclude(&self.exclude);
        if matches!(to, Source::Files(_)) && !from_catalog.current_user.is_empty() {
            if let Some(d) = desired_dump.as_mut() {
                d.rename_policy_role(&to_catalog.current_user, &from_catalog.current_user);
            }
            to_catalog.rename_current_user(&from_catalog.current_user);
        }
        if self.drop_roles
            && let Source::Database(url) = from
        {
            // Candidates: roles the objects in scope use that the desired state does not.
            let gone: Vec<String> = from_catalog
                .role_names()
                .into_iter()
                .filter(|r| !roles.contains(r) && !r.starts_with("pg_"))
                .collect();
            let client = db::connect(&db::parse(url)?).await?;
            let found = crate::introspect::roles(&client, &gone).await?;
            from_catalog
                .roles
                .extend(found.into_iter().filter(|(_, r)| !r.superuser));
        }
        if matches!(from, Source::Database(_)) {
            check_roles_exist(&from_catalog, &to_catalog)?;
        }
        let (a, b) = (
            from_catalog.server_version / 10000,
            to_catalog.server_version / 10000,
        );
        if a != 0 && b != 0 && a != b {
            tracing::warn!(
                "the desired state was loaded into PostgreSQL {b} but the database is PostgreSQL \
                 {a}: expressions may be written differently (use --dev-url or PG_BIN to load \
                 it into PostgreSQL {a})"
            );
        }
        let reparsed = match self.validate || self.read_back {
            true => {
                self.reparse(
                    &from_catalog,
                    &mut to_catalog,
                    &scope,
                    desired_dump.as_mut(),
                )
                .await?
            }
            false => None,
        };
        crate::progress::stage("planning", None);
        let mut plan = self
            .plan_renamed(&from_catalog, &to_catalog, &scope)
            .await?;
        if let Some(map) = &locations {
            locate::locate(&mut plan, map);
        }
        // A service's scope is the configuration's: the other schemas are other services'.
        if let Source::Database(url) = from
            && self.service_scope.is_none()
        {
            let client = db::connect(&db::parse(url)?).await?;
            let notes =
                outside::notes(&client, &scope, &self.exclude_schemas, &self.exclude).await?;
            plan.notes.extend(notes);
        }
        plan.desired = to_catalog;
        plan.exclude = self.exclude.texts().to_vec();
        let check = match (tool, desired_dump) {
            (Some(pg_dump), Some(desired)) => {
                self.dump_check_for(from, &from_catalog, &plan.desired, pg_dump, desired, &scope)
                    .await?
            }
            _ => None,
        };
        if self.validate {
            // A service's schemas reference others' (foreign keys, types): the copy to
            // replay on holds the whole database, the comparison only the scope.
            let whole = match (&self.service_scope, from) {
                (Some(_), Source::Database(_)) => {
                    Some(self.catalog_with_roles(from, None, &roles).await?)
                }
                _ => None,
            };
            validate::validate(
                &self.shadow().await?,
                whole
                    .as_ref()
                    .or(from_whole.as_ref())
                    .unwrap_or(&from_catalog),
                &mut plan,
                check.as_ref(),
                reparsed.as_ref(),
            )
            .await?;
        }
        Ok((plan, check))
    }

    /// Replays `plan` on a copy of `from` in the shadow server; an error names what does
    /// not converge (or the step that fails). [`Engine::plan`] does it unless told not to.
    pub async fn validate_plan(&mut self, from: &Catalog, plan: &Plan) -> Result<()> {
        let mut plan = plan.clone();
        validate::validate(&self.shadow().await?, from, &mut plan, None, None).await
    }

    /// The desired state loaded again from the engine's rendering of it and read back,
    /// when there is something to plan and it holds an expression of a form PostgreSQL
    /// is known to store otherwise than it prints it: how the server writes each
    /// expression the plan would write. Where the database already holds that reading, the desired state takes
    /// it ([`normalised::as_written`]).
    async fn reparse(
        &mut self,
        from: &Catalog,
        to: &mut Catalog,
        scope: &BTreeSet<String>,
        dump: Option<&mut dump::Dump>,
    ) -> Result<Option<Catalog>> {
        if !normalised::may_read_back_otherwise(to)
            || plan::build_steps(from, to, scope).is_ok_and(|p| p.is_empty())
        {
            return Ok(None);
        }
        // A scope that is not whole on its own (a service's schemas referencing
        // another's) cannot be loaded by itself: then nothing is read back, and the
        // replay judges the plan as before.
        let loaded = current_schema(to)?
            .load_then(&self.shadow().await?, &[])
            .await;
        let mut reparsed = match loaded {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!("the desired state could not be read back: {e}");
                return Ok(None);
            }
        };
        reparsed.restrict(scope);
        let taken = normalised::as_written(to, &reparsed, from);
        if let Some(d) = dump {
            d.rewrite(&taken);
        }
        Ok(Some(reparsed))
    }

    /// Plans, running `-- @renamed from` renames first; the caller moves the desired
    /// catalog into the plan.
    async fn plan_renamed(
        &mut self,
        from_catalog: &Catalog,
        to_catalog: &Catalog,
        scope: &BTreeSet<String>,
    ) -> Result<Plan> {
        let renames = applicable_renames(from_catalog, to_catalog);
        if renames.is_empty() {
            return plan_steps(from_catalog, to_catalog, scope);
        }
        // The renames run first; the rest is planned from the database as they leave it,
        // read back from the shadow server (the current schema loaded, then renamed).
        let sql: Vec<String> = renames.iter().map(|r| r.sql()).collect();
        let current = current_schema(from_catalog)?;
        let mut renamed = current.load_then(&self.shadow().await?, &sql).await?;
        renamed.restrict(scope);
        renamed.rename_current_user(&from_catalog.current_user);
        renamed.roles = from_catalog.roles.clone();
        let mut plan = plan_steps(&renamed, to_catalog, scope)?;
        let mut steps: Vec<plan::Step> = renames
            .iter()
            .zip(sql)
            .map(|(r, sql)| plan::Step::rename(sql, r.id()))
            .collect();
        steps.append(&mut plan.steps);
        plan.steps = steps;
        plan.summary = plan::summarize(&plan.steps);
        plan.source_fingerprint = from_catalog.fingerprint();
        Ok(plan)
    }
}

/// Roles that the desired state uses must exist or be declared by it: a plan that grants
/// to a missing role would only fail half-way.
fn check_roles_exist(live: &Catalog, desired: &Catalog) -> Result<()> {
    let missing: Vec<String> = desired
        .role_names()
        .into_iter()
        .filter(|r| {
            !live.roles.contains_key(r) && !desired.roles.get(r).is_some_and(|d| d.declared)
        })
        .map(|r| quote_ident(&r))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::MissingRoles(missing.join(", ")))
}

/// Plans between two catalogs already restricted to `scope`.
pub fn plan_catalogs(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Result<Plan> {
    let mut plan = plan_steps(from, to, scope)?;
    plan.desired = to.clone();
    Ok(plan)
}

/// [`plan_catalogs`] leaving [`Plan::desired`] empty for the caller to move its own in.
fn plan_steps(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Result<Plan> {
    let unsupported: Vec<&str> = from
        .unsupported
        .iter()
        .chain(to.unsupported.iter())
        .map(|(_, d)| d.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !unsupported.is_empty() {
        return Err(Error::Unsupported(unsupported.join(", ")));
    }
    plan::build_steps(from, to, scope)
}

/// Reads the live database within the plan's scope.
pub async fn live_catalog(client: &Client, scope: &BTreeSet<String>) -> Result<Catalog> {
    let list: Vec<String> = scope.iter().cloned().collect();
    let mut c = crate::introspect::introspect(client, Some(&list)).await?;
    c.restrict(scope);
    Ok(c)
}
