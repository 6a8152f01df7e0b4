//! What an adversarial database or a failed step must not be able to do: settings of the
//! target that change what the plan's SQL means, and a clean-up that removes more than the
//! failed step made.

use crate::support::{Desired, Env, TestResult, bin, output_text, plan_db, trial};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "hardening::literals_are_safe_without_standard_conforming_strings",
            |env| env.block_on(literals_apply(&env)),
        ),
        trial(
            env,
            "hardening::plan_script_is_safe_without_standard_conforming_strings",
            |env| env.block_on(literals_script(&env)),
        ),
        trial(
            env,
            "hardening::search_path_of_the_target_is_pinned",
            |env| env.block_on(search_path(&env)),
        ),
        trial(
            env,
            "hardening::engine_sessions_with_any_application_name_stay_out_of_the_audit",
            |env| env.block_on(audit_ignores_engine(&env)),
        ),
        trial(
            env,
            "hardening::failed_build_keeps_an_index_that_was_there_before",
            |env| env.block_on(keeps_existing_index(&env)),
        ),
    ]
}

/// A comment whose text, read with backslashes as escapes, ends the literal and drops a
/// table outside the managed schemas.
const HOSTILE: &str = r"CREATE SCHEMA s;
CREATE TABLE s.t (id int);
COMMENT ON TABLE s.t IS 'C:\'' ; DROP TABLE public.canary; --';
";
/// The comment's text, as PostgreSQL reads the statement above (standard strings).
const HOSTILE_TEXT: &str = r"C:\' ; DROP TABLE public.canary; --";

/// A scratch database whose default is `standard_conforming_strings = off`, holding
/// `public.canary` and an uncommented `s.t`.
async fn backslash_database(
    env: &Env,
    prefix: &str,
) -> Result<profe_migrate::db::ScratchDb, String> {
    let db = env.scratch(prefix).await?;
    let admin = profe_migrate::db::connect(&env.admin)
        .await
        .map_err(|e| e.to_string())?;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} SET standard_conforming_strings = off",
            profe_migrate::catalog::quote_ident(&db.name)
        ))
        .await
        .map_err(|e| e.to_string())?;
    let c = env.connect(&db).await?;
    c.batch_execute(
        "CREATE TABLE public.canary (id int); CREATE SCHEMA s; CREATE TABLE s.t (id int);",
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(db)
}

/// The canary is still there and the comment reads exactly as written, on a session that
/// has the database's own default (standard_conforming_strings off).
async fn check_canary_and_comment(env: &Env, dbname: &str) -> TestResult {
    let client = profe_migrate::db::connect(&env.admin.with_dbname(dbname))
        .await
        .map_err(|e| e.to_string())?;
    let row = client
        .query_one(
            "SELECT pg_catalog.to_regclass('public.canary') IS NOT NULL, \
                    pg_catalog.obj_description('s.t'::regclass, 'pg_class')",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    if !row.get::<_, bool>(0) {
        return Err("public.canary was dropped: the comment was run as SQL".into());
    }
    let comment: Option<String> = row.get(1);
    if comment.as_deref() != Some(HOSTILE_TEXT) {
        return Err(format!(
            "the comment did not round-trip: {comment:?}, expected {HOSTILE_TEXT:?}"
        ));
    }
    Ok(())
}

async fn literals_apply(env: &Env) -> TestResult {
    let db = backslash_database(env, "scs_apply").await?;
    let result = async {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join("desired.sql");
        std::fs::write(&file, HOSTILE).map_err(|e| e.to_string())?;
        let url = env.url(&db.name);
        let o = bin()
            .args(["apply", "--database-url", &url, "--to"])
            .arg(&file)
            .args(["--yes", "--no-backup"])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!("apply failed: {}", output_text(&o)));
        }
        check_canary_and_comment(env, &db.name).await?;
        // And the engine reads back what it wrote: nothing left to do.
        let o = bin()
            .args(["drift", "--database-url", &url, "--to"])
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?;
        if o.status.code() != Some(0) {
            return Err(format!("drift after apply: {}", output_text(&o)));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// `psql -f plan.sql` on such a database: the script sets what it needs itself.
async fn literals_script(env: &Env) -> TestResult {
    let Some(psql) = psql(env) else {
        eprintln!("no psql on this machine: the script half is not checked");
        return Ok(());
    };
    let db = backslash_database(env, "scs_script").await?;
    let result = async {
        let desired = Desired::new(HOSTILE)?;
        let plan = plan_db(env, &db, &desired).await?;
        let script = profe_migrate::plan::render::sql(&plan);
        if !script.contains("SET standard_conforming_strings = on;") {
            return Err(format!("the script does not pin its settings:\n{script}"));
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join("plan.sql");
        std::fs::write(&file, &script).map_err(|e| e.to_string())?;
        let o = Command::new(psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(&file)
            .args([
                "-h",
                &env.socket_dir(),
                "-p",
                "5432",
                "-U",
                "postgres",
                "-d",
                &db.name,
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!(
                "psql -f plan.sql failed: {}\n{script}",
                output_text(&o)
            ));
        }
        check_canary_and_comment(env, &db.name).await
    }
    .await;
    let _ = db.drop_db().await;
    result
}

fn psql(env: &Env) -> Option<std::path::PathBuf> {
    [
        env.cluster.bin_dir().join("psql"),
        Path::new("psql").to_path_buf(),
    ]
    .into_iter()
    .find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// A database whose search_path puts a schema of look-alike functions before pg_catalog:
/// the plan's unqualified built-in calls must still mean the built-ins.
async fn search_path(env: &Env) -> TestResult {
    let db = env.scratch("search_path").await?;
    let result = async {
        let admin = profe_migrate::db::connect(&env.admin)
            .await
            .map_err(|e| e.to_string())?;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} SET search_path = evil, pg_catalog, public",
                profe_migrate::catalog::quote_ident(&db.name)
            ))
            .await
            .map_err(|e| e.to_string())?;
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE SCHEMA evil;
             CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT 'pwned' $$;
             CREATE SCHEMA s; CREATE TABLE s.t (id int, name text);",
        )
        .await
        .map_err(|e| e.to_string())?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join("desired.sql");
        std::fs::write(
            &file,
            "CREATE SCHEMA s; CREATE TABLE s.t (id int, name text DEFAULT lower('X'));",
        )
        .map_err(|e| e.to_string())?;
        let o = bin()
            .args(["apply", "--database-url", &env.url(&db.name), "--to"])
            .arg(&file)
            .args(["--yes", "--no-backup"])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!("apply failed: {}", output_text(&o)));
        }
        let default: String = c
            .query_one(
                "SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d \
                 WHERE d.adrelid = 's.t'::regclass",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if default.contains("evil") {
            return Err(format!("the default calls the look-alike: {default}"));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// A concurrent build that fails because its name is taken (an index made after the plan
/// was) must not drop that index in its clean-up.
async fn keeps_existing_index(env: &Env) -> TestResult {
    let db = env.scratch("keep_index").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute("CREATE TABLE public.users (id int PRIMARY KEY, email text);")
            .await
            .map_err(|e| e.to_string())?;
        let desired = Desired::new(
            "CREATE TABLE public.users (id int PRIMARY KEY, email text);
             CREATE INDEX users_email ON public.users (email);",
        )?;
        let plan = plan_db(env, &db, &desired).await?;
        if !plan.steps.iter().any(|s| s.on_failure.is_some()) {
            return Err(format!(
                "the plan has no concurrent build with a clean-up:\n{}",
                profe_migrate::plan::render::sql(&plan)
            ));
        }
        // Someone creates an index of that name between the plan and its steps.
        c.batch_execute("CREATE INDEX users_email ON public.users (id, email);")
            .await
            .map_err(|e| e.to_string())?;
        let before: Option<u32> = c
            .query_one(
                "SELECT pg_catalog.to_regclass('public.users_email')::oid",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let err = match profe_migrate::apply::execute(&c, &plan).await {
            Err(e) => e.to_string(),
            Ok(()) => return Err("the build should fail: the name is taken".into()),
        };
        let after: Option<u32> = c
            .query_one(
                "SELECT pg_catalog.to_regclass('public.users_email')::oid",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if after.is_none() || after != before {
            return Err(format!(
                "the index that was there before the step was dropped: {err}"
            ));
        }
        if !err.contains("existed before this step") {
            return Err(format!("the report does not say the index was kept: {err}"));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// The DDL audit records changes made outside the engine; the engine's own sessions stay
/// out of it even when the user names the application (PGAPPNAME, `application_name=`).
async fn audit_ignores_engine(env: &Env) -> TestResult {
    let db = env.scratch("audit_app").await?;
    let result = async {
        let c = env.connect(&db).await?;
        profe_migrate::audit::install(&c)
            .await
            .map_err(|e| e.to_string())?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join("desired.sql");
        std::fs::write(&file, "CREATE SCHEMA s; CREATE TABLE s.t (id int);")
            .map_err(|e| e.to_string())?;
        let url = format!("{}&application_name=deploy-bot", env.url(&db.name));
        let o = bin()
            .args(["apply", "--database-url", &url, "--to"])
            .arg(&file)
            .args(["--yes", "--no-backup"])
            .env("PGAPPNAME", "also-custom")
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!("apply failed: {}", output_text(&o)));
        }
        // A change by someone else is recorded: the trigger works.
        let other =
            profe_migrate::db::parse(&format!("{}&application_name=psql", env.url(&db.name)))
                .map_err(|e| e.to_string())?;
        let other = profe_migrate::db::connect(&other)
            .await
            .map_err(|e| e.to_string())?;
        other
            .batch_execute("RESET profe_migrate.engine; CREATE TABLE s.manual (id int)")
            .await
            .map_err(|e| e.to_string())?;
        let rows: Vec<String> = c
            .query(
                "SELECT object_identity FROM profe_migrate.ddl_audit ORDER BY id",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| r.get::<_, Option<String>>(0).unwrap_or_default())
            .collect();
        if rows != ["s.manual"] {
            return Err(format!(
                "the audit should hold only the manual change, it holds {rows:?}"
            ));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}
