//! Plans that are safe on a busy database: writes go on while an index is built and a
//! constraint validated, and a failed concurrent build leaves no invalid index behind.

use crate::support::{Desired, Env, TestResult, plan_db, trial};
use profe_migrate::pipeline::{self, Engine, Source};
use profe_migrate::plan::Hazard;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FROM: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY);
CREATE TABLE public.events (id bigserial PRIMARY KEY, account_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL DEFAULT now());
INSERT INTO public.accounts SELECT g FROM generate_series(1, 100) g;
INSERT INTO public.events (account_id, kind) SELECT 1 + g % 100, 'k' || (g % 7) FROM generate_series(1, 300000) g;
";

const DESIRED: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY);
CREATE TABLE public.events (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES public.accounts (id), kind text NOT NULL CHECK (length(kind) < 10), at timestamptz NOT NULL DEFAULT now());
CREATE INDEX events_account ON public.events (account_id, at);
";

async fn writes_go_on(env: &Env) -> TestResult {
    let desired = Desired::new(DESIRED)?;
    let db = env.scratch("online").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(FROM).await.map_err(|e| e.to_string())?;
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let from = Source::Database(env.url(&db.name));
        let plan = engine
            .plan(&from, &desired.source.clone(), &[])
            .await
            .map_err(|e| e.to_string())?;
        let sql = profe_migrate::plan::render::sql(&plan);
        for needed in [
            "CREATE INDEX CONCURRENTLY events_account",
            "NOT VALID",
            "VALIDATE CONSTRAINT",
        ] {
            if !sql.contains(needed) {
                return Err(format!("the plan has no {needed}:\n{sql}"));
            }
        }
        let writer = env.connect(&db).await?;
        writer
            .batch_execute("SET lock_timeout = '3s'")
            .await
            .map_err(|e| e.to_string())?;
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = done.clone();
        let writes = async move {
            let (mut n, mut worst) = (0u32, Duration::ZERO);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                writer
                    .execute(
                        "INSERT INTO public.events (account_id, kind) VALUES (1 + $1::bigint % 100, 'w')",
                        &[&i64::from(n)],
                    )
                    .await
                    .map_err(|e| {
                        format!("a write failed: {}", profe_migrate::Error::describe_db(&e))
                    })?;
                worst = worst.max(t.elapsed());
                n += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Ok::<_, String>((n, worst))
        };
        let apply = async {
            let r = pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true).await;
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            r.map_err(|e| format!("apply: {e}"))
        };
        let (applied, written) = tokio::join!(apply, writes);
        applied?;
        let (n, worst) = written?;
        if n < 5 {
            return Err(format!("only {n} writes ran during the apply"));
        }
        if worst >= Duration::from_secs(3) {
            return Err(format!(
                "a write waited {worst:?}, longer than the lock timeout"
            ));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

async fn failed_build_cleans_up(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE TABLE public.users (id int PRIMARY KEY, email text);
         CREATE UNIQUE INDEX users_email ON public.users (email);",
    )?;
    let db = env.scratch("online").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE TABLE public.users (id int PRIMARY KEY, email text);
             INSERT INTO public.users VALUES (1, 'a@x'), (2, 'a@x');",
        )
        .await
        .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        let err = match pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true).await {
            Err(e) => e.to_string(),
            Ok(_) => return Err("the build should fail on duplicate emails".into()),
        };
        if !err.contains("users_email") || !err.contains("removed") {
            return Err(format!(
                "the report does not say what was cleaned up: {err}"
            ));
        }
        let left: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 WHERE c.relname = 'users_email'",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if left != 0 {
            return Err("an invalid index was left behind".into());
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// The server connection dies in the middle of a transactional apply (its backend is
/// terminated while a table is being rewritten): nothing of the plan remains.
async fn killed_apply_changes_nothing(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE TABLE public.results (id int PRIMARY KEY, score bigint, note text);
         CREATE TABLE public.audit (id int PRIMARY KEY);
         COMMENT ON TABLE public.results IS 'changed';",
    )?;
    let db = env.scratch("killed").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE TABLE public.results (id int PRIMARY KEY, score int);
             INSERT INTO public.results SELECT g, g FROM generate_series(1, 1500000) g;",
        )
        .await
        .map_err(|e| e.to_string())?;
        let scope = ["public".to_string()].into_iter().collect();
        let before = pipeline::live_catalog(&c, &scope)
            .await
            .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        if plan.steps.iter().any(|s| !s.transactional) || plan.steps.len() < 3 {
            return Err("the plan should be a few transactional steps".into());
        }
        let pid: i32 = c
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let killer = env.connect(&db).await?;
        let kill = async {
            for _ in 0..2000 {
                let row = killer
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' \
                         AND query LIKE '%TYPE bigint%'",
                        &[&pid],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if row.get::<_, i64>(0) > 0 {
                    killer
                        .execute("SELECT pg_terminate_backend($1)", &[&pid])
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err::<(), String>("the rewrite was never seen running".into())
        };
        let apply = pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true);
        let (applied, killed) = tokio::join!(apply, kill);
        killed?;
        if applied.is_ok() {
            return Err("the apply should have failed with its connection gone".into());
        }
        let after = pipeline::live_catalog(&killer, &scope)
            .await
            .map_err(|e| e.to_string())?;
        if after != before {
            return Err("the database changed although the apply's transaction died".into());
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// Planning against a live database counts, for each data-dependent step, the rows that
/// would make it fail.
async fn probes_count_failing_rows(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE TABLE public.courses (id int PRIMARY KEY);
         CREATE TABLE public.results (
             id int NOT NULL,
             course_id int REFERENCES public.courses (id),
             email text NOT NULL UNIQUE,
             score int CHECK (score BETWEEN 0 AND 100)
         );",
    )?;
    let db = env.scratch("probes").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE TABLE public.courses (id int PRIMARY KEY);
             INSERT INTO public.courses VALUES (1);
             CREATE TABLE public.results (id int NOT NULL, course_id int, email text, score int);
             INSERT INTO public.results VALUES
                 (1, 1, 'a@x', 50), (2, 9, 'a@x', 150), (3, 8, NULL, -1), (4, NULL, 'b@x', NULL);",
        )
        .await
        .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        let found = |needle: &str| {
            plan.steps
                .iter()
                .find(|s| s.sql.contains(needle) && s.probe.is_some())
                .and_then(|s| s.failing_rows)
        };
        let want = [
            ("VALIDATE CONSTRAINT email_profe_not_null", 1),
            ("results_score_check", 2),
            ("results_course_id_fkey", 2),
            ("results_email_key", 2),
        ];
        for (needle, n) in want {
            if found(needle) != Some(n) {
                return Err(format!(
                    "probe for {needle}: {:?}, expected {n}\n{}",
                    found(needle),
                    profe_migrate::plan::render::sql(&plan)
                ));
            }
        }
        let md = profe_migrate::plan::render::markdown(&plan);
        if !md.contains("will fail on existing rows") {
            return Err(format!("the review does not warn:\n{md}"));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// A narrowing type change is probed for the values it cannot convert: out of range,
/// too long, too many digits, and (PostgreSQL 16 and later) text that does not parse.
async fn probes_count_values_that_would_not_cast(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE TABLE public.marks (a integer, b varchar(5), c numeric(5,2), d integer);",
    )?;
    let db = env.scratch("castprobe").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE TABLE public.marks (a bigint, b varchar(40), c numeric(12,2), d text);
             INSERT INTO public.marks VALUES
                 (1, 'abc', 1.5, '1'), (3000000000, 'abcdefgh', 1234.5, 'x'),
                 (NULL, 'abcde   ', 999.996, NULL), (-5, NULL, NULL, ' 42 ');",
        )
        .await
        .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        let found = |col: &str| {
            plan.steps
                .iter()
                .find(|s| s.sql.contains(&format!("ALTER COLUMN {col} TYPE")))
                .map(|s| (s.probe.is_some(), s.failing_rows))
        };
        let parses = env.cluster.major() >= 16;
        let want = [
            ("a", (true, Some(1))),
            ("b", (true, Some(1))),
            ("c", (true, Some(2))),
            ("d", (parses, parses.then_some(1))),
        ];
        for (col, expected) in want {
            if found(col) != Some(expected) {
                return Err(format!(
                    "probe for column {col}: {:?}, expected {expected:?}\n{}",
                    found(col),
                    profe_migrate::plan::render::sql(&plan)
                ));
            }
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// Conversions the desired state gives (`-- @using`) and one enum into another are probed
/// too: a value the conversion cannot take is reported with the server's error, NULLs it
/// makes in a NOT NULL column and labels the new enum lacks are counted.
async fn probes_check_given_conversions(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE TYPE public.state AS ENUM ('open', 'closed');
         CREATE TABLE public.tickets (
             id int PRIMARY KEY,
             opened_at timestamptz -- @using to_timestamp(opened_at / 1000)
             ,
             seat int NOT NULL -- @using nullif(seat, '')::int
             ,
             status public.state
         );",
    )?;
    let db = env.scratch("usingprobe").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE TYPE public.old_state AS ENUM ('open', 'closed', 'lost');
             CREATE TYPE public.state AS ENUM ('open', 'closed');
             CREATE TABLE public.tickets (id int PRIMARY KEY, opened_at bigint, seat text NOT NULL,
                                          status public.old_state);
             INSERT INTO public.tickets VALUES
                 (1, 1767225600000, '4', 'open'), (2, 9000000000000000000, '', 'lost'),
                 (3, NULL, '', 'lost'), (4, 1, '7', NULL);",
        )
        .await
        .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        let found = |col: &str| {
            plan.steps
                .iter()
                .find(|s| s.sql.contains(&format!("ALTER COLUMN {col} TYPE")))
                .map(|s| (s.failing_rows, s.probe_failure.clone()))
        };
        let text = profe_migrate::plan::render::sql(&plan);
        match found("opened_at") {
            Some((None, Some(e))) if e.contains("out of range") => {}
            other => return Err(format!("opened_at: {other:?}\n{text}")),
        }
        if found("seat") != Some((Some(2), None)) {
            return Err(format!("seat: {:?}\n{text}", found("seat")));
        }
        if found("status") != Some((Some(2), None)) {
            return Err(format!("status: {:?}\n{text}", found("status")));
        }
        if !text.contains("-- probe: an existing row makes this step fail: ") {
            return Err(format!("the SQL plan does not say so:\n{text}"));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "online::probes_check_given_conversions", |env| {
            env.block_on(probes_check_given_conversions(&env))
        }),
        trial(
            env,
            "online::writes_go_on_during_index_build_and_validation",
            |env| env.block_on(writes_go_on(&env)),
        ),
        trial(
            env,
            "online::probes_count_the_rows_that_would_fail",
            |env| env.block_on(probes_count_failing_rows(&env)),
        ),
        trial(
            env,
            "online::probes_count_the_values_a_type_change_cannot_convert",
            |env| env.block_on(probes_count_values_that_would_not_cast(&env)),
        ),
        trial(
            env,
            "online::a_killed_apply_leaves_the_database_unchanged",
            |env| env.block_on(killed_apply_changes_nothing(&env)),
        ),
        trial(
            env,
            "online::failed_concurrent_build_leaves_no_invalid_index",
            |env| env.block_on(failed_build_cleans_up(&env)),
        ),
    ]
}
