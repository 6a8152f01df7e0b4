//! `status`: per service, the last applied version and whether its schemas drifted; for
//! the database, sizes and connections. The desired state is loaded once and the database
//! read once, whatever the number of services.

use super::{Engine, Source, plan_catalogs};
use crate::db;
use crate::error::Result;
use crate::history::{self, Entry};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    pub service: String,
    /// The database the service's schemas live in.
    pub database: String,
    pub schemas: Vec<String>,
    pub last_version: Option<i64>,
    pub last_result: Option<String>,
    pub last_applied_at: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub drift: bool,
    /// Steps a plan for the service would have, and the objects they change.
    pub pending_steps: usize,
    pub pending_objects: Vec<String>,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub database: String,
    pub server_version: String,
    pub size_bytes: i64,
    pub active_connections: i64,
    pub max_connections: i64,
    pub services: Vec<ServiceStatus>,
}

impl Engine {
    /// `services`: name → schemas; empty, one `all` over the desired state's schemas.
    pub async fn status(
        &mut self,
        url: &str,
        desired: &Source,
        services: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<Status> {
        let mut to = self.catalog(desired, None).await?;
        let roles = to.role_names();
        let live = Source::Database(url.to_string());
        let from = self.catalog_with_roles(&live, None, &roles).await?;
        if !from.current_user.is_empty() {
            to.rename_current_user(&from.current_user);
        }
        let client = db::connect(&db::parse(url)?).await?;
        let row = client
            .query_one(
                "SELECT current_database()::text, current_setting('server_version'), \
                        pg_database_size(current_database()), \
                        (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()), \
                        current_setting('max_connections')::bigint",
                &[],
            )
            .await?;
        let sizes: BTreeMap<String, i64> = client
            .query(
                "SELECT n.nspname::text, COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'm', 'p') GROUP BY 1",
                &[],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mut everything = to.used_schemas();
        everything.retain(|s| !self.exclude_schemas.contains(s));
        let all = BTreeMap::from([("all".to_string(), everything)]);
        let services = if services.is_empty() { &all } else { services };
        let mut out = Vec::new();
        for (name, schemas) in services {
            let service = (name != "all").then_some(name.as_str());
            let last: Option<Entry> = history::list(&client, service).await?.into_iter().last();
            let (mut f, mut t) = (from.clone(), to.clone());
            f.restrict(schemas);
            t.restrict(schemas);
            // As a plan for the service would: only the roles its desired objects name.
            let named = t.role_names();
            f.roles.retain(|name, _| named.contains(name));
            let plan = plan_catalogs(&f, &t, schemas)?;
            let pending = plan.steps.len();
            let pending_objects = plan.objects();
            out.push(ServiceStatus {
                service: name.clone(),
                database: row.get(0),
                schemas: schemas.iter().cloned().collect(),
                last_version: last.as_ref().map(|e| e.version),
                last_result: last.as_ref().map(|e| e.result.clone()),
                last_applied_at: last.as_ref().map(|e| e.started_at.clone()),
                last_duration_ms: last.as_ref().and_then(|e| e.duration_ms),
                drift: pending > 0,
                pending_steps: pending,
                pending_objects,
                size_bytes: schemas.iter().filter_map(|s| sizes.get(s)).sum(),
            });
        }
        Ok(Status {
            database: row.get(0),
            server_version: row.get(1),
            size_bytes: row.get(2),
            active_connections: row.get(3),
            max_connections: row.get(4),
            services: out,
        })
    }
}

impl Engine {
    /// [`Engine::status`] of the shared database at `url` for `services`, with the
    /// services of `separate` (name, own database URL, schemas) read from their own
    /// databases and listed beside them.
    pub async fn status_with_separate(
        &mut self,
        url: &str,
        desired: &Source,
        services: &BTreeMap<String, BTreeSet<String>>,
        separate: &[(String, String, BTreeSet<String>)],
    ) -> Result<Status> {
        let mut status = self.status(url, desired, services).await?;
        for (name, own_url, schemas) in separate {
            let one = BTreeMap::from([(name.clone(), schemas.clone())]);
            let theirs = self.status(own_url, desired, &one).await?;
            status.services.extend(theirs.services);
        }
        Ok(status)
    }
}

impl Status {
    pub fn text(&self) -> String {
        let mut s = format!(
            "database {} (PostgreSQL {}): {} bytes, {} of {} connections in use\n",
            self.database,
            self.server_version,
            self.size_bytes,
            self.active_connections,
            self.max_connections
        );
        s.push_str("service                 database             last version  result       applied at            drift  size (bytes)\n");
        for x in &self.services {
            s.push_str(&format!(
                // `interrupted`, the longest result, fits.
                "{:<23} {:<20} {:<13} {:<12} {:<21} {:<6} {}\n",
                x.service,
                x.database,
                x.last_version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "-".into()),
                x.last_result.as_deref().unwrap_or("-"),
                x.last_applied_at.as_deref().unwrap_or("-"),
                if x.drift {
                    format!("yes ({})", x.pending_steps)
                } else {
                    "no".into()
                },
                x.size_bytes
            ));
        }
        s
    }
}
