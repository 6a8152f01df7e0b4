//! A connection lost, or the server restarted, in the middle of an apply: the error says
//! which steps were committed and which not (and when a COMMIT's outcome is unknown, so);
//! the history does not hide it; the run shows as interrupted afterwards.

use super::{bin, describe};
use crate::support::{Desired, Env, TestResult, trial};
use profe_migrate::cluster::Cluster;
use profe_migrate::db;
use profe_migrate::history;
use profe_migrate::pipeline::{self, Applied, Engine, Source};
use profe_migrate::plan::{Hazard, Plan};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

const FROM: &str = "CREATE TABLE public.a (id int); CREATE TABLE public.b (id int);
    INSERT INTO public.a SELECT generate_series(1, 1000);";
/// A new table and a new column (transactional), an index built concurrently (not).
const DESIRED: &str = "CREATE TABLE public.a (id int); CREATE INDEX a_id ON public.a (id);
    CREATE TABLE public.b (id int, x int); CREATE TABLE public.c (id int);";
/// Transactional steps only: one transaction, one COMMIT.
const DESIRED_TX: &str = "CREATE TABLE public.a (id int);
    CREATE TABLE public.b (id int, x int); CREATE TABLE public.c (id int);";

fn s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn pg(e: tokio_postgres::Error) -> String {
    profe_migrate::Error::describe_db(&e)
}

async fn connect(url: &str) -> Result<Client, String> {
    db::connect(&db::parse(url).map_err(s)?).await.map_err(s)
}

/// A plan `url` → `desired`, each step waiting up to a minute for its locks.
async fn plan(env: &Env, url: &str, desired: &Desired) -> Result<Plan, String> {
    let mut plan = Engine::with_cluster(env.cluster.clone())
        .plan(&Source::Database(url.to_string()), &desired.source, &[])
        .await
        .map_err(s)?;
    for step in &mut plan.steps {
        step.lock_timeout_ms = 60_000;
    }
    Ok(plan)
}

/// Applies `plan` to `url` on a thread of its own (recorded in the history when
/// `record`), so that the test can break the connection meanwhile.
fn spawn_apply(
    url: String,
    plan: Plan,
    record: bool,
) -> std::thread::JoinHandle<Result<Applied, String>> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(s)?;
        rt.block_on(async {
            let c = connect(&url).await?;
            let record = record.then_some(pipeline::Record {
                kind: "apply",
                service: None,
                environment: None,
            });
            pipeline::apply_recorded(&c, &plan, Hazard::ALL, record, None, |_| true)
                .await
                .map_err(s)
        })
    })
}

/// The backend of database `db` that waits for `event` (`Lock`, `SyncRep`), once there.
async fn waiting_backend(admin: &Client, db: &str, event: &str) -> Result<i32, String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let row = admin
            .query_opt(
                "SELECT pid FROM pg_catalog.pg_stat_activity WHERE datname = $1 \
                   AND (wait_event_type = $2 OR wait_event = $2) LIMIT 1",
                &[&db, &event],
            )
            .await
            .map_err(s)?;
        if let Some(r) = row {
            return Ok(r.get(0));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("no backend of {db} came to wait for {event}"))
}

fn range(first: usize, last: usize) -> String {
    if first == last {
        format!("step {}", first + 1)
    } else {
        format!("steps {} to {}", first + 1, last + 1)
    }
}

/// What the error must say when the step altering `public.b` lost its connection: that
/// step, its transaction not committed, what came before committed, what after not run.
/// Returns the first step of that transaction.
fn check_lost_step(plan: &Plan, msg: &str) -> Result<usize, String> {
    let steps = &plan.steps;
    let k = steps
        .iter()
        .position(|st| st.sql.contains("public.b"))
        .ok_or("no step alters public.b")?;
    let first = steps[..k]
        .iter()
        .rposition(|st| !st.transactional)
        .map_or(0, |j| j + 1);
    let last = (k..steps.len())
        .find(|&j| !steps[j].transactional)
        .map_or(steps.len() - 1, |j| j - 1);
    let mut want = vec![
        format!("step {} (", k + 1),
        "did not complete: the connection to the server was lost".to_string(),
        format!("{} of its transaction", range(first, last)),
        "not committed".to_string(),
    ];
    if first > 0 {
        want.push(format!("{} ", range(0, first - 1)));
        want.push("applied and committed".into());
    }
    if last + 1 < steps.len() {
        want.push(format!("{} ", range(last + 1, steps.len() - 1)));
        want.push("not run".into());
    }
    if let Some(w) = want.iter().find(|w| !msg.contains(w.as_str())) {
        return Err(format!(
            "the error does not say {w:?}:\n{msg}\nplan:\n{}",
            profe_migrate::plan::render::sql(plan)
        ));
    }
    Ok(first)
}

/// After the failure: the database holds exactly the steps reported committed (a new plan
/// has the others), and applying again converges.
async fn converges(
    env: &Env,
    url: &str,
    desired: &Desired,
    committed: usize,
    total: usize,
) -> TestResult {
    let rest = plan(env, url, desired).await?;
    if rest.steps.len() != total - committed {
        return Err(format!(
            "{committed} of {total} steps were reported committed, but {} remain:\n{}",
            rest.steps.len(),
            profe_migrate::plan::render::sql(&rest)
        ));
    }
    let c = connect(url).await?;
    let record = Some(pipeline::Record {
        kind: "apply",
        service: None,
        environment: None,
    });
    pipeline::apply_recorded(&c, &rest, Hazard::ALL, record, None, |_| true)
        .await
        .map_err(s)?;
    let again = plan(env, url, desired).await?;
    if !again.steps.is_empty() {
        return Err(format!(
            "not converged: {}",
            profe_migrate::plan::render::sql(&again)
        ));
    }
    Ok(())
}

/// The apply's backend is terminated while a step waits for a lock.
fn connection_lost_mid_apply(env: &Env) -> TestResult {
    env.block_on(async {
        let db = env.scratch("lost").await?;
        let url = env.url(&db.name);
        let result = async {
            let admin = connect(&url).await?;
            admin.batch_execute(FROM).await.map_err(s)?;
            let desired = Desired::new(DESIRED)?;
            let plan = plan(env, &url, &desired).await?;
            let total = plan.steps.len();
            admin
                .batch_execute("BEGIN; LOCK TABLE public.b IN ACCESS EXCLUSIVE MODE")
                .await
                .map_err(s)?;
            let run = spawn_apply(url.clone(), plan.clone(), false);
            let watcher = connect(&env.url("postgres")).await?;
            let pid = waiting_backend(&watcher, &db.name, "Lock").await?;
            watcher
                .execute("SELECT pg_catalog.pg_terminate_backend($1)", &[&pid])
                .await
                .map_err(s)?;
            let msg = match run.join().map_err(|_| "the apply panicked")? {
                Ok(a) => return Err(format!("the apply succeeded: {a:?}")),
                Err(m) => m,
            };
            admin.batch_execute("ROLLBACK").await.map_err(s)?;
            let first = check_lost_step(&plan, &msg)?;
            converges(env, &url, &desired, first, total).await
        }
        .await;
        let _ = db.drop_db().await;
        result
    })
}

/// The server restarts while a step of a recorded
/// apply waits: the error is the apply's, not the history's failure to record it; the
/// run then shows as interrupted in `history` and `status`; a new run converges.
fn restart_mid_apply(env: &Env) -> TestResult {
    let mut cluster = Cluster::start_with(env.cluster.bin_dir()).map_err(s)?;
    let url = own_url(&cluster);
    let u1 = url("restarted");
    let desired = Desired::new(DESIRED)?;
    let (plan1, msg) = env.block_on(async {
        let admin = connect(&url("postgres")).await?;
        admin
            .batch_execute("CREATE DATABASE restarted")
            .await
            .map_err(pg)?;
        let blocker = connect(&u1).await?;
        blocker.batch_execute(FROM).await.map_err(pg)?;
        let plan1 = plan(env, &u1, &desired).await?;
        blocker
            .batch_execute("BEGIN; LOCK TABLE public.b IN ACCESS EXCLUSIVE MODE")
            .await
            .map_err(pg)?;
        let run = spawn_apply(u1.clone(), plan1.clone(), true);
        if let Err(e) = waiting_backend(&admin, "restarted", "Lock").await {
            return Err(format!("{e}; the apply: {:?}", run.join()));
        }
        cluster.restart().map_err(s)?;
        match run.join().map_err(|_| "the apply panicked")? {
            Ok(a) => Err(format!("the apply succeeded: {a:?}")),
            Err(m) => Ok((plan1, m)),
        }
    })?;
    let first = check_lost_step(&plan1, &msg)?;
    env.block_on(async {
        let c = connect(&u1).await?;
        let entries = history::list(&c, None).await.map_err(s)?;
        if entries.len() != 1 || entries[0].result != "interrupted" {
            return Err(format!("history after the restart: {entries:?}"));
        }
        let status = Engine::with_cluster(env.cluster.clone())
            .status(&u1, &desired.source, &BTreeMap::new())
            .await
            .map_err(s)?;
        if status.services[0].last_result.as_deref() != Some("interrupted")
            || !status.text().contains("interrupted")
        {
            return Err(format!("status: {}", status.text()));
        }
        Ok(())
    })?;
    let o = bin()
        .args(["history", "--database-url", &u1])
        .output()
        .map_err(s)?;
    if !String::from_utf8_lossy(&o.stdout).contains("interrupted") {
        return Err(format!("history: {}", describe(&o)));
    }
    env.block_on(converges(env, &u1, &desired, first, plan1.steps.len()))
}

/// URLs of the databases of a cluster of the test's own.
fn own_url(cluster: &Cluster) -> impl Fn(&str) -> String + use<> {
    let sock = cluster.dir().to_path_buf();
    move |db: &str| {
        format!(
            "postgres:///{db}?host={}&port=5432&user=postgres",
            sock.display()
        )
    }
}

/// The connection is lost while a COMMIT waits (for a synchronous standby that never
/// comes, after the server committed locally): the error says that the transaction's
/// steps may or may not have been committed, never that they were rolled back.
fn commit_lost(env: &Env) -> TestResult {
    // Sessions with synchronous_commit on wait at COMMIT for a standby that never comes.
    let settings = [(
        "synchronous_standby_names".to_string(),
        "nobody".to_string(),
    )];
    let cluster = Cluster::start_with_settings(env.cluster.bin_dir(), &settings).map_err(s)?;
    let url = own_url(&cluster);
    env.block_on(commit_lost_async(
        env,
        &url("postgres"),
        &url("commit_lost"),
    ))
}

async fn commit_lost_async(env: &Env, admin_url: &str, url: &str) -> TestResult {
    let admin = connect(admin_url).await?;
    admin
        .batch_execute("CREATE DATABASE commit_lost")
        .await
        .map_err(pg)?;
    connect(url).await?.batch_execute(FROM).await.map_err(s)?;
    let desired = Desired::new(DESIRED_TX)?;
    let plan = plan(env, url, &desired).await?;
    if plan.steps.iter().any(|st| !st.transactional) || plan.steps.len() < 2 {
        return Err(format!(
            "expected transactional steps only:\n{}",
            profe_migrate::plan::render::sql(&plan)
        ));
    }
    admin
        .batch_execute("ALTER DATABASE commit_lost SET synchronous_commit = on")
        .await
        .map_err(s)?;
    let run = spawn_apply(url.to_string(), plan.clone(), false);
    let pid = waiting_backend(&admin, "commit_lost", "SyncRep").await?;
    admin
        .execute("SELECT pg_catalog.pg_terminate_backend($1)", &[&pid])
        .await
        .map_err(s)?;
    let msg = match run.join().map_err(|_| "the apply panicked")? {
        Ok(a) => return Err(format!("the apply succeeded: {a:?}")),
        Err(m) => m,
    };
    let all = range(0, plan.steps.len() - 1);
    for want in [
        format!("lost during the COMMIT of {all}"),
        format!("{all} may or may not have been committed"),
    ] {
        if !msg.contains(&want) {
            return Err(format!("the error does not say {want:?}:\n{msg}"));
        }
    }
    admin
        .batch_execute("ALTER DATABASE commit_lost RESET synchronous_commit")
        .await
        .map_err(s)?;
    // Here the server had committed locally before the connection ended.
    converges(env, url, &desired, plan.steps.len(), plan.steps.len()).await
}

/// A run that holds the engine's lock is alive: its row stays `running`, even for its
/// own session. Once its session is gone, the next reader marks it `interrupted` — in a
/// history table made before that result existed, too.
fn dead_runs_show_as_interrupted(env: &Env) -> TestResult {
    env.block_on(async {
        let db = env.scratch("interrupted").await?;
        let url = env.url(&db.name);
        let result = async {
            let reader = connect(&url).await?;
            reader
                .batch_execute(
                    "CREATE SCHEMA profe_migrate;
                     CREATE TABLE profe_migrate.history (
                       version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       kind text NOT NULL CHECK (kind IN ('apply', 'rollback')),
                       service text, environment text, scope text[] NOT NULL,
                       started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,
                       db_user text NOT NULL DEFAULT session_user, client text NOT NULL,
                       desired_fingerprint text NOT NULL, desired_sql text NOT NULL,
                       plan jsonb NOT NULL, hazards_allowed text[] NOT NULL, duration_ms bigint,
                       result text NOT NULL CHECK (result IN ('running', 'applied', 'failed')),
                       error text);",
                )
                .await
                .map_err(s)?;
            let run = history::NewRun {
                kind: "apply",
                service: None,
                environment: None,
                scope: &["public".to_string()],
                desired_fingerprint: "f",
                desired_sql: "",
                plan_json: "{\"steps\": []}",
                hazards_allowed: &[],
            };
            let live = connect(&url).await?;
            profe_migrate::apply::lock(&live).await.map_err(s)?;
            let v = history::start(&live, &run).await.map_err(s)?;
            let results = |e: Vec<history::Entry>| -> Vec<String> {
                e.into_iter().map(|e| e.result).collect()
            };
            let own = results(history::list(&live, None).await.map_err(s)?);
            let other = results(history::list(&reader, None).await.map_err(s)?);
            if own != ["running"] || other != ["running"] {
                return Err(format!("while the run lives: own {own:?}, other {other:?}"));
            }
            drop(live);
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let now = results(history::list(&reader, None).await.map_err(s)?);
                if now == ["interrupted"] {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!("after the run's session ended: {now:?}"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let row = reader
                .query_one(
                    "SELECT result, error FROM profe_migrate.history WHERE version = $1",
                    &[&v],
                )
                .await
                .map_err(s)?;
            let (result, error): (String, Option<String>) = (row.get(0), row.get(1));
            if result != "interrupted" || !error.unwrap_or_default().contains("ended without") {
                return Err(format!("stored as {result}"));
            }
            Ok(())
        }
        .await;
        let _ = db.drop_db().await;
        result
    })
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "crashes::connection_lost_mid_apply_says_what_was_committed",
            |env| connection_lost_mid_apply(&env),
        ),
        trial(
            env,
            "crashes::server_restart_mid_apply_says_what_was_committed",
            |env| restart_mid_apply(&env),
        ),
        trial(
            env,
            "crashes::commit_with_the_connection_lost_is_said_to_be_unknown",
            |env| commit_lost(&env),
        ),
        trial(env, "crashes::dead_runs_show_as_interrupted", |env| {
            dead_runs_show_as_interrupted(&env)
        }),
    ]
}
