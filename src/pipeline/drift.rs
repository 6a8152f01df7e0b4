//! Drift: the live database against the desired state, and against the desired state of
//! the last applied version, which tells "changed in the repository, not applied yet"
//! apart from "changed in the database by hand" (and, with the audit trigger, by whom).

use super::{Engine, Source};
use crate::audit;
use crate::db;
use crate::error::{Error, Result};
use crate::history::{self, Entry};
use crate::plan::Plan;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftStatus {
    InSync,
    /// The database is as the last apply left it; the desired state moved on.
    RepositoryAhead,
    /// The database is not as the last apply left it.
    ChangedByHand,
    /// It differs, and there is no history to say why.
    Differs,
    /// The engine sees no difference, but pg_dump does (`--exhaustive`): something the
    /// engine does not manage differs.
    NotManaged,
}

#[derive(Debug)]
pub struct DriftReport {
    pub status: DriftStatus,
    /// What would bring the database to the desired state.
    pub plan: Plan,
    pub last_applied: Option<Entry>,
    /// Objects that differ from the last applied version.
    pub changed_by_hand: Vec<String>,
    /// DDL run outside the engine since the last apply (with the audit trigger).
    pub audit: Vec<audit::Change>,
    /// With `exhaustive` and an empty plan: what pg_dump shows differing, by entry.
    pub not_managed: Vec<String>,
}

impl Engine {
    pub async fn drift(
        &mut self,
        url: &str,
        desired: &Source,
        extra: &[String],
        service: Option<&str>,
        exhaustive: bool,
    ) -> Result<DriftReport> {
        // Drift reports differences; whether a plan for them converges is apply's concern.
        let validate = std::mem::replace(&mut self.validate, false);
        self.read_back = validate;
        let result = self
            .drift_inner(url, desired, extra, service, exhaustive)
            .await;
        self.validate = validate;
        self.read_back = false;
        result
    }

    async fn drift_inner(
        &mut self,
        url: &str,
        desired: &Source,
        extra: &[String],
        service: Option<&str>,
        exhaustive: bool,
    ) -> Result<DriftReport> {
        let live = Source::Database(url.to_string());
        let (mut plan, dumps) = self
            .plan_and_dumps(&live, desired, extra, exhaustive)
            .await?;
        self.probe(&live, &mut plan).await?;
        // Without a replay, pg_dump's two views are compared directly; only when the
        // engine sees nothing is a difference one it does not manage.
        let not_managed: Vec<String> = match dumps {
            Some(super::validate::DumpCheck {
                live: Some(live),
                desired,
                ..
            }) if plan.is_empty() => super::dump::direct_gaps(&live, &desired)
                .iter()
                .map(|g| g.to_string())
                .collect(),
            _ => Vec::new(),
        };
        let client = db::connect(&db::parse(url)?).await?;
        let last = history::last_applied(&client, service).await?;
        let mut changed_by_hand = Vec::new();
        if let Some(entry) = &last {
            let (sql, _, _) = history::desired_at(&client, entry.version).await?;
            changed_by_hand = self
                .plan_to_recorded(url, &sql, entry.version, extra)
                .await?
                .objects();
        }
        let audit = audit::since(&client, last.as_ref().map(|e| e.started_at.as_str())).await?;
        let status = if plan.is_empty() && !not_managed.is_empty() {
            DriftStatus::NotManaged
        } else if plan.is_empty() {
            DriftStatus::InSync
        } else if last.is_none() {
            DriftStatus::Differs
        } else if changed_by_hand.is_empty() {
            DriftStatus::RepositoryAhead
        } else {
            DriftStatus::ChangedByHand
        };
        Ok(DriftReport {
            status,
            plan,
            last_applied: last,
            changed_by_hand,
            audit,
            not_managed,
        })
    }
}

impl Engine {
    /// The plan from the database at `url` to the desired state recorded at `version`
    /// (its SQL, as the history keeps it).
    pub async fn plan_to_recorded(
        &mut self,
        url: &str,
        sql: &str,
        version: i64,
        extra: &[String],
    ) -> Result<Plan> {
        let dir = tempfile::tempdir().map_err(|source| Error::Write {
            path: std::env::temp_dir(),
            source,
        })?;
        let path = dir.path().join(format!("version_{version}.sql"));
        std::fs::write(&path, sql).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        self.plan(
            &Source::Database(url.to_string()),
            &Source::Files(vec![path]),
            extra,
        )
        .await
    }
}

impl DriftReport {
    /// One paragraph for people (and cron mails).
    pub fn headline(&self) -> String {
        let last = self.last_applied.as_ref().map(|e| {
            format!(
                "version {} (applied {} by {})",
                e.version, e.started_at, e.db_user
            )
        });
        let notes: String = self
            .plan
            .notes
            .iter()
            .map(|n| format!("note: {n}\n"))
            .collect();
        let mut out = match self.status {
            DriftStatus::InSync => {
                return format!("no drift: the database matches the desired state\n{notes}");
            }
            DriftStatus::RepositoryAhead => format!(
                "drift: the repository is ahead: the database is as {} left it; {} steps \
                 would apply what changed in the desired state since\n",
                last.unwrap_or_default(),
                self.plan.steps.len()
            ),
            DriftStatus::ChangedByHand => format!(
                "drift: changed in the database by hand since {}: {}\n",
                last.unwrap_or_default(),
                self.changed_by_hand.join(", ")
            ),
            DriftStatus::NotManaged => format!(
                "drift: the engine sees no difference, but pg_dump shows what it does not \
                 manage:\n{}",
                self.not_managed.concat()
            ),
            DriftStatus::Differs => format!(
                "drift: {} steps would bring the database to the desired state (no history \
                 in this database to say whether the repository or the database changed)\n",
                self.plan.steps.len()
            ),
        };
        out.push_str(&notes);
        if !self.audit.is_empty() {
            out.push_str("DDL run outside profe-migrate since then:\n");
            for c in &self.audit {
                out.push_str(&format!(
                    "  {} {} ({}): {} {}\n",
                    c.at,
                    c.db_user,
                    c.application.as_deref().unwrap_or("?"),
                    c.command_tag,
                    c.object_identity.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }

    /// The plan's JSON with the drift verdict beside it.
    pub fn json(&self) -> String {
        let mut v: serde_json::Value =
            serde_json::from_str(&crate::plan::render::json(&self.plan)).expect("plan JSON");
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("drift".into(), serde_json::json!(self.status));
            map.insert(
                "last_applied_version".into(),
                serde_json::json!(self.last_applied.as_ref().map(|e| e.version)),
            );
            map.insert(
                "changed_by_hand".into(),
                serde_json::json!(self.changed_by_hand),
            );
            map.insert("audit".into(), serde_json::json!(self.audit));
            map.insert("not_managed".into(), serde_json::json!(self.not_managed));
        }
        serde_json::to_string_pretty(&v).expect("JSON") + "\n"
    }
}
