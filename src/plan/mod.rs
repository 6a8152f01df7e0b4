//! Changes → steps (SQL, hazards, transactionality), ordered through a dependency graph,
//! rendered as a psql script, JSON, Markdown or SARIF.

pub mod access;
pub mod body_diff;
pub(crate) mod casts;
pub mod hazard;
pub mod markdown;
pub(crate) mod not_null;
mod notes;
mod order;
pub(crate) mod probe;
pub mod render;
pub mod sarif;
mod target;
#[cfg(test)]
mod tests;

pub use hazard::Hazard;
pub use target::{SourceLocation, Target};

use crate::catalog::{Catalog, ObjectId, QualName};
use crate::diff::RoleChange;
use crate::diff::{self, Change, Context};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const DEFAULT_LOCK_TIMEOUT_MS: u64 = 3_000;
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 10 * 60_000;
/// Index builds, validations and rewrites scan whole tables and may take long.
pub const LONG_STATEMENT_TIMEOUT_MS: u64 = 60 * 60_000;

/// One statement of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub sql: String,
    /// The object it serves as the plan shows it, e.g. `table auth.accounts`: the
    /// rendering of `target`, written once when the step is made.
    pub object: String,
    /// The object it serves, typed.
    pub target: Target,
    /// What the step does to its object.
    pub action: Action,
    pub hazards: Vec<Hazard>,
    /// Why this statement carries each of its hazards ("rewrites app.lessons: type
    /// integer → text"), shown when a hazard is refused and in reviews.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hazard_reasons: BTreeMap<Hazard, String>,
    /// False for statements that cannot run inside a transaction block.
    pub transactional: bool,
    /// `lock_timeout` for this step: waiting longer for a lock fails the step rather
    /// than queueing every other query behind it.
    pub lock_timeout_ms: u64,
    /// `statement_timeout` for this step.
    pub statement_timeout_ms: u64,
    /// What undoes a half-done non-transactional step (the invalid index a failed
    /// CREATE INDEX CONCURRENTLY leaves behind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<OnFailure>,
    /// A read-only query counting the rows that would make this step fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// What the probe found when the plan was made against a live database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_rows: Option<i64>,
    /// The error the probe met on an existing row (a value a conversion cannot take),
    /// when it met one: the step fails the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_failure: Option<String>,
    /// Where the desired state writes what the step serves (or, for an object it no
    /// longer holds, the nearest object around it that it does): set when the desired
    /// state is files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceLocation>,
    #[serde(skip)]
    pub(crate) deps: Deps,
}

/// What a step does to its object; the summary counts `create` and `drop` as such and
/// every other action as a change. Written in lower case in JSON and in the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Alter,
    Drop,
    Rename,
    Grant,
    Revoke,
    Owner,
    Validate,
    Comment,
    Uncomment,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Alter => "alter",
            Action::Drop => "drop",
            Action::Rename => "rename",
            Action::Grant => "grant",
            Action::Revoke => "revoke",
            Action::Owner => "owner",
            Action::Validate => "validate",
            Action::Comment => "comment",
            Action::Uncomment => "uncomment",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Action {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The clean-up of a failed non-transactional step. It removes only what the step itself
/// made: `apply` notes the index's OID (if an index of that name already exists) before
/// the step and, after a failure, drops the index only if it is a different one (the
/// step created it) and invalid (a build that did not finish). A step that failed because
/// the name was taken must never take the user's index with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnFailure {
    /// The index the step builds, schema-qualified and quoted as in SQL.
    pub drop_index: String,
}

impl OnFailure {
    pub fn drop_index(name: impl std::fmt::Display) -> Option<OnFailure> {
        Some(OnFailure {
            drop_index: name.to_string(),
        })
    }

    /// The statement that removes what the step left behind.
    pub fn sql(&self) -> String {
        format!("DROP INDEX CONCURRENTLY IF EXISTS {};", self.drop_index)
    }
}

/// What a step does to the object graph, for ordering.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Deps {
    /// Exists (in its new form) after this step.
    pub creates: Vec<ObjectId>,
    /// Gone after this step.
    pub drops: Vec<ObjectId>,
    /// Must exist (in its new form) before this step.
    pub requires: Vec<ObjectId>,
    /// No longer needed after this step: it must run before these are dropped.
    pub releases: Vec<ObjectId>,
    /// Labels for orderings that are not about an object existing (an owner change
    /// before the grants that name the new owner).
    pub marks: Vec<String>,
    /// Runs after every step marked with one of these.
    pub after: Vec<String>,
    /// Runs after every step marked with one of these where no other ordering forbids it
    /// (a preference, not a requirement: it yields instead of making a cycle).
    pub rather_after: Vec<String>,
    /// Puts back an object the plan removed (a view dropped around a column change): it
    /// comes, where nothing forbids it, before every step that runs outside a
    /// transaction, so that the object is missing only inside one transaction and never
    /// while an index is built CONCURRENTLY.
    pub restores: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `kind` → number of objects created, altered, dropped.
    pub created: BTreeMap<String, usize>,
    pub altered: BTreeMap<String, usize>,
    pub dropped: BTreeMap<String, usize>,
    /// Hazard name → number of steps carrying it.
    pub hazards: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Fingerprint of the database the plan was computed from (within `scope`).
    pub source_fingerprint: String,
    pub scope: Vec<String>,
    pub steps: Vec<Step>,
    pub summary: Summary,
    /// Roles the plan drops (`--drop-roles`), read back with the database when applying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_roles: Vec<String>,
    /// Things a reviewer should know (a drop and a create that look like a rename).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The `--exclude` patterns the plan was made with: what they match is left out when
    /// the database is read again to apply it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Function and view bodies that change, as unified diffs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_diffs: Vec<body_diff::BodyDiff>,
    /// Who gains or loses access to which table.
    #[serde(default)]
    pub access: Vec<access::AccessChange>,
    /// The desired catalog, so that `apply --plan` can verify convergence.
    pub desired: Catalog,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The objects the steps change, once each, sorted.
    pub fn objects(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&str> =
            self.steps.iter().map(|s| s.object.as_str()).collect();
        set.into_iter().map(String::from).collect()
    }

    /// Sets every step's lock timeout, and statement timeouts: `long` for the steps that
    /// scan or rebuild a table, `statement` for the others.
    pub fn set_timeouts(&mut self, lock: u64, statement: u64, long: u64) {
        for s in &mut self.steps {
            s.lock_timeout_ms = lock;
            s.statement_timeout_ms = if s.statement_timeout_ms == LONG_STATEMENT_TIMEOUT_MS {
                long
            } else {
                statement
            };
        }
    }

    /// Hazards of the plan that are not in `allowed`, with the steps that carry them.
    pub fn disallowed(&self, allowed: &[Hazard]) -> Vec<(usize, &Step, Vec<Hazard>)> {
        self.steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let bad: Vec<Hazard> = s
                    .hazards
                    .iter()
                    .copied()
                    .filter(|h| !allowed.contains(h))
                    .collect();
                (!bad.is_empty()).then_some((i + 1, s, bad))
            })
            .collect()
    }

    /// Why `apply` refuses this plan when only `allowed` hazards are: each step whose
    /// hazards are not, and the reason for each hazard. `None` when it does not refuse.
    pub fn refusal(&self, allowed: &[Hazard]) -> Option<String> {
        let bad = self.disallowed(allowed);
        if bad.is_empty() {
            return None;
        }
        let lines: Vec<String> = bad
            .iter()
            .map(|(n, s, h)| {
                let names: Vec<String> = h
                    .iter()
                    .map(|h| match s.hazard_reasons.get(h) {
                        Some(why) => format!("{} ({why})", h.name()),
                        None => h.name().to_string(),
                    })
                    .collect();
                format!(
                    "  step {n} ({} {}): {}",
                    s.action,
                    s.object,
                    names.join(", ")
                )
            })
            .collect();
        Some(format!(
            "hazards not allowed (use --allow-hazards):\n{}",
            lines.join("\n")
        ))
    }
}

/// What the steps need besides the change: how a step orders against the catalogs.
impl Context<'_> {
    /// Whether some function body of the desired state names this relation.
    pub fn named_in_bodies(&self, name: &QualName) -> bool {
        self.body_relations
            .contains(&(Some(name.schema.clone()), name.name.clone()))
            || self.body_relations.contains(&(None, name.name.clone()))
    }

    /// Dependencies of `ids` in the desired catalog, plus their schemas.
    pub fn requires(&self, ids: &[ObjectId]) -> Vec<ObjectId> {
        deps_in(self.to, ids)
    }

    /// Dependencies of `ids` in the current catalog, plus their schemas.
    pub fn releases(&self, ids: &[ObjectId]) -> Vec<ObjectId> {
        deps_in(self.from, ids)
    }

    /// What the current form of `id` depends on and the desired form does not: an
    /// alteration in place releases only those (it keeps needing the rest).
    pub fn released_by_alter(&self, id: &ObjectId) -> Vec<ObjectId> {
        let keep = self.requires(std::slice::from_ref(id));
        self.releases(std::slice::from_ref(id))
            .into_iter()
            .filter(|d| !keep.contains(d))
            .collect()
    }

    /// Whether a table exists before the plan runs and keeps its rows (new tables, and
    /// tables dropped and created again, carry no lock or rewrite risk).
    pub fn existing(&self, table: &QualName) -> bool {
        self.from.tables.contains_key(table) && !self.recreated.contains(table)
    }
}

fn deps_in(catalog: &Catalog, ids: &[ObjectId]) -> Vec<ObjectId> {
    let mut out: BTreeSet<ObjectId> = BTreeSet::new();
    for id in ids {
        out.extend(catalog.deps_of(id).cloned());
        if let Some(schema) = schema_of(id) {
            out.insert(ObjectId::Schema {
                name: schema.to_string(),
            });
        }
    }
    for id in ids {
        out.remove(id);
    }
    out.into_iter().collect()
}

fn schema_of(id: &ObjectId) -> Option<&str> {
    match id {
        ObjectId::Schema { .. } => None,
        other => other.schema(),
    }
}

/// The columns of `table` in `catalog`, as objects: a step on a table that requires them
/// waits for columns added or retyped in the plan; one that releases them runs before
/// columns are dropped or retyped.
pub(crate) fn column_ids(catalog: &Catalog, table: &QualName) -> Vec<ObjectId> {
    catalog
        .tables
        .get(table)
        .map(|t| {
            t.columns
                .iter()
                .map(|c| ObjectId::Column {
                    table: table.clone(),
                    column: c.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `ALTER {target} SET (…)` for storage options added or changed and `RESET (…)` for
/// those removed, as statements.
pub(crate) fn option_statements(target: &str, from: &[String], to: &[String]) -> Vec<String> {
    let key = |o: &String| {
        o.split_once('=')
            .map(|(k, _)| k.to_string())
            .unwrap_or_else(|| o.clone())
    };
    let mut out = Vec::new();
    let set: Vec<String> = to.iter().filter(|o| !from.contains(o)).cloned().collect();
    if !set.is_empty() {
        out.push(format!(
            "ALTER {target} SET ({});",
            crate::catalog::options_sql(&set)
        ));
    }
    let to_keys: Vec<String> = to.iter().map(key).collect();
    let reset: Vec<String> = from
        .iter()
        .map(key)
        .filter(|k| !to_keys.contains(k))
        // `toast.autovacuum_enabled` is a namespace and a name, each quoted on its own.
        .map(|k| {
            k.split('.')
                .map(crate::catalog::quote_ident)
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    if !reset.is_empty() {
        out.push(format!("ALTER {target} RESET ({});", reset.join(", ")));
    }
    out
}

/// A step that creates `id`, after what it needs in the desired catalog.
pub(crate) fn create_step(ctx: &Context, sql: String, id: &ObjectId, action: Action) -> Step {
    step(
        sql,
        id,
        action,
        Deps {
            creates: vec![id.clone()],
            requires: ctx.requires(std::slice::from_ref(id)),
            ..Deps::default()
        },
    )
}

/// A step that drops `id`, before what it needed in the current catalog is dropped.
pub(crate) fn drop_step(ctx: &Context, sql: String, id: &ObjectId) -> Step {
    step(
        sql,
        id,
        Action::Drop,
        Deps {
            drops: vec![id.clone()],
            releases: ctx.releases(std::slice::from_ref(id)),
            ..Deps::default()
        },
    )
}

pub(crate) fn step(sql: String, object: &ObjectId, action: Action, deps: Deps) -> Step {
    Step {
        sql,
        object: object.to_string(),
        target: Target::Object(object.clone()),
        action,
        hazards: Vec::new(),
        hazard_reasons: BTreeMap::new(),
        transactional: true,
        lock_timeout_ms: DEFAULT_LOCK_TIMEOUT_MS,
        statement_timeout_ms: DEFAULT_STATEMENT_TIMEOUT_MS,
        on_failure: None,
        probe: None,
        failing_rows: None,
        probe_failure: None,
        source: None,
        deps,
    }
}

impl Step {
    /// Gives the step hazard `h`, saying why this statement has it.
    pub(crate) fn hazard(mut self, h: Hazard, reason: impl Into<String>) -> Step {
        if !self.hazards.contains(&h) {
            self.hazards.push(h);
            self.hazards.sort();
        }
        self.hazard_reasons
            .entry(h)
            .or_insert_with(|| reason.into());
        self
    }

    pub(crate) fn hazard_if(self, cond: bool, h: Hazard, reason: impl Into<String>) -> Step {
        if cond { self.hazard(h, reason) } else { self }
    }

    /// Each hazard with its reason, as one line.
    pub fn hazard_lines(&self) -> Vec<String> {
        self.hazards
            .iter()
            .map(|h| match self.hazard_reasons.get(h) {
                Some(r) => format!("{}: {r}", h.name()),
                None => h.name().to_string(),
            })
            .collect()
    }

    /// A longer statement timeout, for steps that scan or rebuild a whole table.
    pub(crate) fn long_running(mut self) -> Step {
        self.statement_timeout_ms = LONG_STATEMENT_TIMEOUT_MS;
        self
    }

    pub(crate) fn probe(mut self, sql: Option<String>) -> Step {
        self.probe = sql;
        self
    }

    pub(crate) fn non_transactional(mut self) -> Step {
        self.transactional = false;
        self
    }

    /// An `ALTER … RENAME` run before everything else (`-- @renamed from`).
    pub fn rename(sql: String, object: ObjectId) -> Step {
        Step {
            sql,
            object: object.to_string(),
            target: Target::Object(object),
            action: Action::Rename,
            hazards: Vec::new(),
            hazard_reasons: BTreeMap::new(),
            transactional: true,
            lock_timeout_ms: DEFAULT_LOCK_TIMEOUT_MS,
            statement_timeout_ms: DEFAULT_STATEMENT_TIMEOUT_MS,
            on_failure: None,
            probe: None,
            failing_rows: None,
            probe_failure: None,
            source: None,
            deps: Deps::default(),
        }
    }

    /// The kind of the object it serves.
    pub fn kind(&self) -> &str {
        self.target.kind()
    }

    /// Says that the step serves `target` (rather than the object it was made for).
    pub(crate) fn serving(mut self, target: Target) -> Step {
        self.object = target.to_string();
        self.target = target;
        self
    }
}

/// Plans the move from `from` to `to` within `scope`.
pub fn build(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Result<Plan> {
    let mut plan = build_steps(from, to, scope)?;
    plan.desired = to.clone();
    Ok(plan)
}

/// [`build`] without the copy of `to` in [`Plan::desired`], for a caller that moves its
/// own in (at 10,000 tables a catalog is about a hundred megabytes).
pub fn build_steps(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Result<Plan> {
    let ctx = diff::Context::new(from, to, scope);
    let changes = diff::changes(&ctx);
    let groups: Vec<Vec<Step>> = changes.iter().map(|c| c.steps(&ctx)).collect();
    let steps = order::order(groups)?;
    let summary = summarize(&steps);
    let steps_empty = steps.is_empty();
    Ok(Plan {
        source_fingerprint: from.fingerprint(),
        scope: scope.iter().cloned().collect(),
        steps,
        summary,
        notes: notes::probable_renames(&changes),
        exclude: Vec::new(),
        body_diffs: body_diff::body_diffs(&changes),
        dropped_roles: changes
            .iter()
            .filter_map(|c| match c {
                Change::Role(RoleChange::Drop { role }) => Some(role.name.clone()),
                _ => None,
            })
            .collect(),
        access: if steps_empty {
            Vec::new()
        } else {
            access::summarize(from, to)
        },
        desired: Catalog::default(),
    })
}

pub fn summarize(steps: &[Step]) -> Summary {
    let mut seen: BTreeSet<(Action, &str)> = BTreeSet::new();
    let mut s = Summary::default();
    for step in steps {
        for h in &step.hazards {
            *s.hazards.entry(h.name().to_string()).or_default() += 1;
        }
        if !seen.insert((step.action, step.object.as_str())) {
            continue;
        }
        let map = match step.action {
            Action::Create => &mut s.created,
            Action::Drop => &mut s.dropped,
            _ => &mut s.altered,
        };
        *map.entry(step.kind().to_string()).or_default() += 1;
    }
    s
}
