//! The model's life cycle through the CLI: the whole model planned from nothing, applied to
//! an empty database without drift afterwards (the first time with no hazard allowed, as
//! the README shows), seeds that change nothing the second time.

use crate::model::{
    Copy, Template, apply_model, cli, describe, expect_code, on_copy, with_template,
};
use crate::support::{Env, TestResult, trial};
use profe_migrate::pipeline::{Engine, Source};
use std::sync::Arc;
use tokio_postgres::Client;

const SCHEMAS: [&str; 8] = [
    "auth",
    "users",
    "organizations",
    "academic",
    "plans",
    "chat",
    "analytics",
    "files",
];

/// The tables that hold personal or academic data, under row level security.
pub const RLS_TABLES: [&str; 12] = [
    "auth.sessions",
    "users.profiles",
    "users.guardianships",
    "academic.enrollments",
    "academic.assessment_results",
    "plans.reinforcement_plans",
    "plans.plan_activities",
    "plans.activity_progress",
    "chat.sessions",
    "chat.messages",
    "chat.feedback",
    "files.objects",
];

fn plan_from_empty(env: &Env) -> TestResult {
    let o = cli(env, &["plan", "--from", "empty"]);
    expect_code(&o, 0, "plan --from empty")?;
    let sql = String::from_utf8_lossy(&o.stdout);
    let tables = sql
        .lines()
        .filter(|l| l.starts_with("-- step ") && l.contains(": create table "))
        .count();
    if tables != 25 {
        return Err(format!("{tables} tables created, the model has 25:\n{sql}"));
    }
    for schema in SCHEMAS {
        if !sql.contains(&format!("CREATE SCHEMA {schema};")) {
            return Err(format!("schema {schema} is not created"));
        }
    }
    for table in RLS_TABLES {
        if !sql.contains(&format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")) {
            return Err(format!("{table} is not put under row level security"));
        }
    }
    for needle in [
        "USING brin (occurred_at)",
        "CREATE VIEW analytics.course_progress",
        "CREATE TRIGGER accounts_updated_at",
        "REFERENCES organizations.organizations(id)",
        "WHERE (revoked_at IS NULL)",
    ] {
        if !sql.contains(needle) {
            return Err(format!("the plan lacks {needle}"));
        }
    }
    Ok(())
}

fn apply_to_empty(env: &Env) -> TestResult {
    env.block_on(async {
        let db = Copy::new(env, None, "model_empty").await?;
        let url = env.url(&db.name);
        let result = (|| {
            apply_model(env, &url)?;
            let o = cli(env, &["drift", "--database-url", &url]);
            expect_code(&o, 0, "drift after apply")?;
            let o = cli(env, &["plan", "--from", &url]);
            expect_code(&o, 0, "plan again")?;
            if o.stdout != b"-- no changes\n" {
                return Err(format!("planning again is not empty: {}", describe(&o)));
            }
            Ok(())
        })();
        db.drop_db(env).await;
        result
    })
}

/// The README's first apply, literally: `apply --database-url URL --yes`, no hazard
/// allowed, into an empty database of a cluster that has never seen the model (roles are
/// cluster-wide, and this binary's cluster holds them from the template). Creating the
/// model changes no existing access: its roles cannot log in and its default privileges
/// are for schemas the plan creates.
fn first_apply_needs_no_hazard(env: &Env) -> TestResult {
    let cluster = profe_migrate::cluster::Cluster::start_with(env.cluster.bin_dir())
        .map_err(|e| format!("a second cluster: {e}"))?;
    let fresh = Env::new(Arc::new(cluster));
    fresh.block_on(async {
        let admin = profe_migrate::db::connect(&fresh.admin)
            .await
            .map_err(|e| e.to_string())?;
        admin
            .batch_execute("CREATE DATABASE profe")
            .await
            .map_err(|e| e.to_string())
    })?;
    let url = fresh.url("profe");
    let backups = tempfile::tempdir().map_err(|e| e.to_string())?;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
            .current_dir(crate::model::repo())
            .env_remove("DATABASE_URL")
            .env("PROFE_MIGRATE_DEV_URL", fresh.url("postgres"))
            .env("MIGRATION_SERVICE_BACKUP_STORAGE", backups.path())
            .args(args)
            .output()
            .map_err(|e| e.to_string())
    };
    let mut apply = vec!["apply", "--database-url", &url, "--yes"];
    // The backup of `public` before the apply needs a pg_dump for this server; it is
    // not what this test is about.
    if profe_migrate::backup::find_tool("pg_dump", fresh.cluster.major()).is_err() {
        apply.push("--no-backup");
    }
    let o = run(&apply)?;
    expect_code(&o, 0, "the first apply without --allow-hazards")?;
    if !String::from_utf8_lossy(&o.stdout).contains("; the database matches the desired state") {
        return Err(format!("apply: {}", describe(&o)));
    }
    let roles: i64 = fresh.block_on(async {
        let c = profe_migrate::db::connect(&fresh.admin)
            .await
            .map_err(|e| e.to_string())?;
        c.query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'profe\\_%' OR rolname LIKE '%\\_service'",
            &[],
        )
        .await
        .map(|r| r.get(0))
        .map_err(|e| e.to_string())
    })?;
    if roles != 12 {
        return Err(format!(
            "{roles} of the model's 12 roles exist after the apply"
        ));
    }
    let o = run(&["drift", "--database-url", &url])?;
    expect_code(&o, 0, "drift after the first apply")
}

/// Every row of the model's tables with its xmin: a row written again, even with the same
/// values, changes it.
async fn snapshot(c: &Client) -> Result<Vec<String>, String> {
    let tables: Vec<String> = c
        .query(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
             WHERE schemaname = ANY($1) ORDER BY 1",
            &[&SCHEMAS.to_vec()],
        )
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let row = c
            .query_one(
                &format!(
                    "SELECT count(*), COALESCE(md5(string_agg(x::text || '@' || x.xmin::text, \
                     ',' ORDER BY x::text)), '') FROM {t} x"
                ),
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        out.push(format!(
            "{t}: {} {}",
            row.get::<_, i64>(0),
            row.get::<_, String>(1)
        ));
    }
    Ok(out)
}

fn seed_twice(env: &Env, template: &Template) -> TestResult {
    on_copy(env, template, "model_seed", |c| async move {
        let before = snapshot(&c).await?;
        let accounts: i64 = c
            .query_one("SELECT count(*) FROM auth.accounts", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if accounts < 5 {
            return Err(format!("the first seeding left {accounts} accounts"));
        }
        let db: String = c
            .query_one("SELECT current_database()::text", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let o = cli(env, &["seed", "--database-url", &env.url(&db)]);
        expect_code(&o, 0, "second seed")?;
        if !String::from_utf8_lossy(&o.stdout).contains(": 0 rows written") {
            return Err(format!("the second seeding wrote rows: {}", describe(&o)));
        }
        let after = snapshot(&c).await?;
        if before != after {
            return Err(format!(
                "seeding again changed rows:\n{}",
                crate::support::text_diff(&after.join("\n"), &before.join("\n"))
            ));
        }
        Ok(())
    })
}

fn failing_seed(env: &Env, template: &Template) -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(
        dir.path().join("1_ok.sql"),
        "INSERT INTO organizations.organizations (id, name, slug, kind, country) VALUES \
         ('30000000-0000-4000-8000-000000000001', 'Nueva', 'nueva', 'academy', 'ES');\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.path().join("2_bad.sql"),
        "-- a course for a subject that does not exist\n\n\
         INSERT INTO academic.subjects (id, organization_id, code, name) VALUES\n  \
         ('30000000-0000-4000-8000-000000000301', '99999999-0000-4000-8000-000000000001', 'X', 'X');\n",
    )
    .map_err(|e| e.to_string())?;
    let seeds = dir.path().to_string_lossy().to_string();
    on_copy(env, template, "model_badseed", |c| async move {
        let db: String = c
            .query_one("SELECT current_database()::text", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let o = cli(
            env,
            &["seed", "--database-url", &env.url(&db), "--seeds", &seeds],
        );
        expect_code(&o, 1, "a failing seed")?;
        let err = String::from_utf8_lossy(&o.stderr);
        if !err.contains("2_bad.sql:3:1") || !err.contains("foreign key") {
            return Err(format!("the error does not name file and line: {err}"));
        }
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM organizations.organizations WHERE slug = 'nueva'",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if n != 0 {
            return Err("the first file's rows stayed after the failure".into());
        }
        Ok(())
    })
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "model::plan_from_empty_shows_the_whole_model", |env| {
            plan_from_empty(&env)
        }),
        trial(
            env,
            "model::applies_to_an_empty_database_then_no_drift_and_no_plan",
            |env| apply_to_empty(&env),
        ),
        trial(
            env,
            "model::first_apply_to_an_empty_cluster_needs_no_allowed_hazard",
            |env| first_apply_needs_no_hazard(&env),
        ),
        with_template(
            env,
            template,
            "model::seeding_twice_changes_nothing",
            seed_twice,
        ),
        with_template(
            env,
            template,
            "model::a_failing_seed_names_file_and_line_and_changes_nothing",
            failing_seed,
        ),
        trial(
            env,
            "model::the_upgrade_fixture_targets_the_current_model",
            |env| upgrade_fixture_is_the_current_model(&env),
        ),
    ]
}

/// The upgrade fixture's to.sql is the current model written in executable order: it
/// must describe exactly what schema/ and policies/ describe.
fn upgrade_fixture_is_the_current_model(env: &Env) -> TestResult {
    let repo = crate::model::repo();
    let fixture = Source::Files(vec![repo.join("fixtures/model/profe_model_upgrade/to.sql")]);
    let model = Source::Files(vec![repo.join("schema"), repo.join("policies")]);
    env.block_on(async {
        let plan = Engine::with_cluster(env.cluster.clone())
            .plan(&fixture, &model, &[])
            .await
            .map_err(|e| e.to_string())?;
        if plan.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "fixtures/model/profe_model_upgrade/to.sql differs from the model:\n{}",
                profe_migrate::plan::render::sql(&plan)
            ))
        }
    })
}
