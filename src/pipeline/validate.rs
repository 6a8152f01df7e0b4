//! Plan validation: before a plan is shown or applied, it is replayed on a copy of the
//! source schema in the shadow server and the result compared with the desired state, so
//! that a plan which would not converge (or would fail on an empty copy) is an error, not
//! an output.

use super::creation::current_schema_of;
use super::dump::{self, Dump};
use crate::catalog::{Catalog, quote_ident};
use crate::cluster::warm::templates;
use crate::db;
use crate::error::{Error, Result};
use crate::plan::{self, Plan};
use crate::source::load::{create_missing_roles, drop_placeholder_roles};
use crate::source::{DesiredState, Shadow, load_over, more_connections};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Replays `plan` on a scratch database holding `from`'s schema and checks that it then
/// matches `plan.desired`.
///
/// Unlike loading a desired state, the replay commits: steps such as `CREATE INDEX
/// CONCURRENTLY` or an enum value used after it was added need real transactions. Roles are
/// cluster-wide, so role steps are not replayed; the roles the plan names are created bare
/// for the replay and dropped afterwards.
///
/// `reparsed` is the desired state as the server writes it back (see
/// [`super::normalised`]): expressions the plan writes and the replay holds so are the
/// desired ones, and `plan.desired` takes them, for the apply's own check.
pub async fn validate(
    shadow: &Shadow,
    from: &Catalog,
    plan: &mut Plan,
    check: Option<&DumpCheck>,
    reparsed: Option<&Catalog>,
) -> Result<()> {
    let scope: BTreeSet<String> = plan.scope.iter().cloned().collect();
    if plan.is_empty() {
        // Nothing to replay: the catalog sees no difference, so pg_dump's two views must
        // not see one either.
        if let Some(check) = check
            && let Some(live) = &check.live
        {
            not_managed(dump::direct_gaps(live, &check.desired))?;
        }
        return Ok(());
    }
    let copy_sql = super::desired_sql(from)?;
    let admin_target = shadow.admin_target()?;
    let admin = db::connect(&admin_target).await?;
    let row = admin
        .query_one(
            "SELECT current_user::text, rolsuper FROM pg_catalog.pg_roles \
             WHERE rolname = current_user",
            &[],
        )
        .await?;
    let (shadow_user, superuser): (String, bool) = (row.get(0), row.get(1));
    // The replay runs as a role of the applying user's name, so that what the plan leaves
    // to "whoever runs it" (owners, default privileges FOR ROLE) plays out as it will.
    let identity = (superuser && !from.current_user.is_empty() && from.current_user != shadow_user)
        .then(|| from.current_user.clone());
    // On the warm server: the copy's key, and whether this very replay passed before.
    let keys = match shadow.keeps_templates() {
        true => Some(Keys::new(&admin, identity.as_deref(), &copy_sql, plan, check).await?),
        false => None,
    };
    let states = shadow.states();
    if let (Some(keys), Some(states), None) = (&keys, &states, reparsed)
        && states.get_as::<bool>("verdict", &keys.verdict) == Some(true)
    {
        tracing::debug!("replay: this plan on this copy converged in an earlier run");
        return Ok(());
    }
    // Parsing the copy's SQL (thousands of statements for a large schema) serves only to
    // load it: not when the warm server keeps it already.
    let kept_copy = match &keys {
        Some(k) => templates::exists(&admin, &k.copy).await,
        None => false,
    };
    let current = match kept_copy {
        true => None,
        false => Some(current_schema_of(copy_sql.clone())?),
    };
    let mut names = from.role_names();
    names.extend(plan.desired.role_names());
    if let Some(current) = &current {
        names.extend(current.roles.all_names());
    }
    names.remove(&plan.desired.current_user);
    let names: Vec<String> = names.into_iter().collect();
    let mut placeholders = create_missing_roles(&admin, &names, "").await?;
    if let Some(id) = &identity {
        let one = [id.clone()];
        placeholders.extend(create_missing_roles(&admin, &one, " SUPERUSER").await?);
        if shadow.keeps_templates() {
            // Kept from an earlier run, it may be a bare placeholder.
            admin
                .batch_execute(&format!("ALTER ROLE {} SUPERUSER", quote_ident(id)))
                .await?;
        }
    }
    let copy_key = keys.as_ref().map(|k| k.copy.as_str());
    let source = CopySource {
        sql: &copy_sql,
        parsed: current.as_ref(),
        admin: &admin,
    };
    let result = match copy(shadow, identity.as_deref(), source, copy_key).await {
        Ok(scratch) => {
            let kept = states.as_ref().zip(copy_key);
            let r = replay(
                &scratch.target,
                identity.as_deref(),
                (from, kept),
                plan,
                &scope,
                (check, reparsed),
            )
            .await;
            let dropped = scratch.drop_db().await;
            r.and(dropped)
        }
        Err(e) => Err(e),
    };
    // The warm server keeps its placeholders: its template databases' objects name them.
    if !shadow.keeps_templates() {
        drop_placeholder_roles(&admin, &placeholders).await;
    }
    if let (Ok(()), Some(keys), Some(states), None) = (&result, &keys, &states, reparsed) {
        states.put_as("verdict", &keys.verdict, &true);
    }
    result
}

/// The keys of a replay on the warm server ([`templates`]): of the copy (the current
/// schema's SQL, the role it is loaded as, the server) and of the replay's verdict (the
/// copy's key, the whole plan with its desired state, the pg_dump check's inputs, this
/// executable). The replay is deterministic in these: a verdict kept under its key is the
/// one the replay would give again.
struct Keys {
    copy: String,
    verdict: String,
}

impl Keys {
    async fn new(
        admin: &tokio_postgres::Client,
        identity: Option<&str>,
        copy_sql: &str,
        plan: &Plan,
        check: Option<&DumpCheck>,
    ) -> Result<Keys> {
        let server = templates::server_identity(admin).await?;
        let copy = templates::key(&[
            b"replay copy",
            server.as_bytes(),
            identity.unwrap_or_default().as_bytes(),
            copy_sql.as_bytes(),
        ]);
        let plan_json = templates::json_key(plan);
        let (tool, live, desired) = match check {
            Some(c) => (
                templates::file_identity(&c.pg_dump),
                c.live.as_ref().map(templates::json_key).unwrap_or_default(),
                templates::json_key(&c.desired),
            ),
            None => Default::default(),
        };
        let verdict = templates::key(&[
            b"replay verdict",
            templates::build_identity().as_bytes(),
            copy.as_bytes(),
            plan_json.as_bytes(),
            tool.as_bytes(),
            live.as_bytes(),
            desired.as_bytes(),
        ]);
        Ok(Keys { copy, verdict })
    }
}

/// A scratch database holding the current schema, loaded as `identity`, to replay on. On
/// the warm server it is a clone of the template kept for that schema, made first when
/// there is none ([`templates`]).
async fn copy(
    shadow: &Shadow,
    identity: Option<&str>,
    source: CopySource<'_>,
    key: Option<&str>,
) -> Result<db::ScratchDb> {
    let admin_target = shadow.admin_target()?;
    let Some(key) = key else {
        let current = source.parse().await?;
        return load_copy(shadow, identity, &current).await;
    };
    if let Some(clone) = templates::clone(&admin_target, key, "profe_replay").await {
        return owned_by(clone, identity).await;
    }
    let current = source.parse().await?;
    let current = &current;
    let built = load_copy(shadow, identity, current).await?;
    if !templates::keep(&admin_target, &built, key).await {
        return Ok(built);
    }
    match templates::clone(&admin_target, key, "profe_replay").await {
        Some(clone) => owned_by(clone, identity).await,
        // Evicted at once by a racing run: load again, not kept.
        None => load_copy(shadow, identity, current).await,
    }
}

/// The current schema's SQL, and its parsed statements when they were needed already.
struct CopySource<'a> {
    sql: &'a str,
    parsed: Option<&'a DesiredState>,
    admin: &'a tokio_postgres::Client,
}

impl CopySource<'_> {
    /// The statements to load. Parsed here only when a kept template was expected and
    /// went (evicted meanwhile): the roles they name are then made on the warm server, where
    /// placeholders stay.
    async fn parse(&self) -> Result<std::borrow::Cow<'_, DesiredState>> {
        if let Some(parsed) = self.parsed {
            return Ok(std::borrow::Cow::Borrowed(parsed));
        }
        let parsed = current_schema_of(self.sql.to_string())?;
        let names: Vec<String> = parsed.roles.all_names().into_iter().collect();
        create_missing_roles(self.admin, &names, "").await?;
        Ok(std::borrow::Cow::Owned(parsed))
    }
}

/// A fresh scratch database, owned by `identity`, with `current` loaded (over several
/// connections when it is large) and committed.
async fn load_copy(
    shadow: &Shadow,
    identity: Option<&str>,
    current: &DesiredState,
) -> Result<db::ScratchDb> {
    let scratch = owned_by(shadow.scratch("profe_replay").await?, identity).await?;
    let loaded = async {
        let setup = identity.map(|id| format!("SET SESSION AUTHORIZATION {}", quote_ident(id)));
        let count = current.load_connections();
        let clients = more_connections(&scratch.target, count, setup.as_deref(), 1).await?;
        let clients: Vec<&tokio_postgres::Client> = clients.iter().collect();
        let what = "copying the current schema to replay on";
        if let Err(e) = load_over(current, &clients, what).await {
            return Err(Error::NotValid(format!(
                "the current schema could not be copied into the shadow database to replay \
                 the plan on it ({e}); --no-validate skips this check"
            )));
        }
        Ok(())
    }
    .await;
    kept_if(scratch, loaded).await
}

/// `scratch`, made owned by `identity` (the replay runs as it); dropped on failure.
async fn owned_by(scratch: db::ScratchDb, identity: Option<&str>) -> Result<db::ScratchDb> {
    let Some(id) = identity else {
        return Ok(scratch);
    };
    let altered = async {
        let admin = db::connect(scratch.admin_target()).await?;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} OWNER TO {}",
                quote_ident(&scratch.name),
                quote_ident(id)
            ))
            .await
            .map_err(Error::from)
    }
    .await;
    kept_if(scratch, altered).await
}

/// `scratch` when what was done in it succeeded; otherwise it is dropped and the error
/// returned.
async fn kept_if(scratch: db::ScratchDb, done: Result<()>) -> Result<db::ScratchDb> {
    match done {
        Ok(()) => Ok(scratch),
        Err(e) => {
            let _ = scratch.drop_db().await;
            Err(e)
        }
    }
}

async fn replay(
    target: &db::Target,
    identity: Option<&str>,
    (from, kept): (&Catalog, Option<(&templates::States, &str)>),
    plan: &mut Plan,
    scope: &BTreeSet<String>,
    (check, reparsed): (Option<&DumpCheck>, Option<&Catalog>),
) -> Result<()> {
    let client = db::connect(target).await?;
    if let Some(id) = identity {
        client
            .batch_execute(&format!("SET SESSION AUTHORIZATION {}", quote_ident(id)))
            .await?;
    }
    let list: Vec<String> = scope.iter().cloned().collect();
    let exclude = crate::catalog::Exclusions::parse(&plan.exclude)?;
    // The copy as PostgreSQL stored it: expressions it reparsed differently are compared
    // as the live database has them (see `normalised`). A kept copy's reads are kept too.
    let tool = check.map(|c| templates::file_identity(&c.pg_dump));
    let reads_key = kept.map(|(_, copy)| {
        templates::key(&[
            b"copy reads",
            templates::build_identity().as_bytes(),
            copy.as_bytes(),
            list.join("\n").as_bytes(),
            tool.clone().unwrap_or_default().as_bytes(),
        ])
    });
    let known = match (kept, &reads_key) {
        (Some((states, _)), Some(key)) => states.get_as::<(Catalog, Option<Dump>)>("copy", key),
        _ => None,
    };
    let (mut copied, copy) = match known {
        Some(reads) if reads.1.is_some() == check.is_some() => {
            tracing::debug!("replay copy: read by an earlier run");
            reads
        }
        _ => {
            let copied = crate::introspect::introspect(&client, Some(&list)).await?;
            let copy = match check {
                Some(c) => Some(dump::take(&c.pg_dump, target, Some(&list)).await?),
                None => None,
            };
            if let (Some((states, _)), Some(key)) = (kept, &reads_key) {
                states.put_as("copy", key, &(&copied, &copy));
            }
            (copied, copy)
        }
    };
    copied.restrict(scope);
    copied.exclude(&exclude);

    crate::progress::stage(
        format!("replaying the plan's {} steps on a copy", plan.steps.len()),
        None,
    );
    let mut replayed = plan.clone();
    replayed.steps.retain(|s| s.kind() != "role");
    if let Err(e) = crate::apply::execute(&client, &replayed).await {
        let msg = match e {
            Error::Apply(m) => m,
            other => other.to_string(),
        };
        return Err(Error::NotValid(format!(
            "replayed on a copy of the current schema, the plan fails:\n{msg}"
        )));
    }

    let mut after = crate::introspect::introspect(&client, Some(&list)).await?;
    after.restrict(scope);
    after.exclude(&exclude);
    super::normalised::as_live(&mut after, &copied, from);
    let taken = match reparsed {
        Some(reparsed) => super::normalised::as_written(&mut plan.desired, reparsed, &after),
        None => Vec::new(),
    };
    if identity.is_none() && !from.current_user.is_empty() {
        after.rename_current_user(&from.current_user);
    }
    after.roles = plan.desired.roles.clone();
    let remaining = plan::build(&after, &plan.desired, scope)?;
    if !remaining.is_empty() {
        return Err(Error::NotValid(format!(
            "replayed on a copy of the current schema, the plan leaves differences in {}; \
             planning again from there would give:\n{}",
            remaining.objects().join(", "),
            plan::render::sql(&remaining)
        )));
    }
    if let (Some(check), Some(mut copy)) = (check, copy) {
        let mut replayed = dump::take(&check.pg_dump, target, Some(&list)).await?;
        // What the copy's creation reparsed is read as the live database has it.
        let reread = super::normalised::reread(&copied, from);
        for d in [&mut copy, &mut replayed] {
            d.keep(scope, &exclude);
            d.rewrite(&reread);
        }
        let mut desired = check.desired.clone();
        desired.rewrite(&taken);
        not_managed(dump::gaps(check.live.as_ref(), &copy, &replayed, &desired))?;
    }
    Ok(())
}

fn not_managed(gaps: Vec<dump::Gap>) -> Result<()> {
    if gaps.is_empty() {
        return Ok(());
    }
    let text: Vec<String> = gaps.iter().map(|g| g.to_string()).collect();
    Err(Error::NotManaged(text.concat()))
}

/// What the independent pg_dump check needs besides the replay: the pg_dump to run, and
/// the dumps of the live database (when there is one, dumped comparably) and of the
/// desired state, already kept to the plan's scope less what it excludes.
pub struct DumpCheck {
    pub pg_dump: PathBuf,
    pub live: Option<Dump>,
    pub desired: Dump,
}
