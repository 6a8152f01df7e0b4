//! The command line explaining itself: help, suggestions, exit codes of configuration
//! mistakes, logs, `seed` and `apply --dry-run` as scripts use them.

use crate::cli::{MODEL, code, expect, run, text, write};
use crate::support::{Env, TestResult, bin, trial};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "cli::help_lists_only_what_each_command_uses", help),
        trial(env, "cli::seed_reads_database_url", seed_reads_database_url),
        trial(
            env,
            "cli::serve_without_a_usable_token_is_a_usage_error",
            serve_token,
        ),
        trial(env, "cli::logs_in_a_file_have_no_colour", serve_logs),
        trial(env, "cli::unknown_names_suggest_the_one_meant", suggestions),
        trial(env, "cli::apply_dry_run_changes_nothing", dry_run),
    ]
}

fn help(_: Arc<Env>) -> TestResult {
    let help = |args: &[&str]| {
        let o = run(bin().args(args).arg("--help"));
        expect(&o, 0).map(|()| String::from_utf8_lossy(&o.stdout).to_string())
    };
    let serve = help(&["serve"])?;
    if serve.contains("--drop-roles")
        || serve.contains("--lock-timeout")
        || serve.contains("MIGRATION_SERVICE_PORT=")
        || !serve.contains("--insecure-loopback")
    {
        return Err(format!("serve --help:\n{serve}"));
    }
    let apply = help(&["apply"])?;
    for want in [
        "Do not ask for confirmation",
        "The database to change",
        "--drop-roles",
    ] {
        if !apply.contains(want) {
            return Err(format!("apply --help lacks {want:?}:\n{apply}"));
        }
    }
    let restore = help(&["backup", "restore"])?;
    if !restore.contains("The backup's id") || restore.contains("--dev-url") {
        return Err(format!("backup restore --help:\n{restore}"));
    }
    // Hidden is not refused: a global flag is accepted by every command.
    let o = run(bin().args(["history", "--drop-roles", "--lock-timeout", "1s"]));
    if code(&o) == 64 {
        return Err(text(&o));
    }
    Ok(())
}

/// Runs `cmd`, killing it if it has not finished after `secs` seconds (a `serve` that
/// should have refused to start).
fn run_for(cmd: &mut Command, secs: u64) -> Result<Output, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().map_err(|e| e.to_string())?;
            return Err(format!("still running after {secs}s: {}", text(&o)));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().map_err(|e| e.to_string())
}

/// A project directory with a desired state, for commands that read one.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    write(&schema, "a.sql", "CREATE TABLE public.t (id int);");
    dir
}

fn serve_token(_: Arc<Env>) -> TestResult {
    let dir = project();
    for token in [None, Some(""), Some("too-short")] {
        let mut cmd = bin();
        cmd.current_dir(dir.path()).args(["serve", "--port", "0"]);
        match token {
            Some(t) => cmd.env("MIGRATION_SERVICE_TOKEN", t),
            None => cmd.env_remove("MIGRATION_SERVICE_TOKEN"),
        };
        let o = run_for(&mut cmd, 30)?;
        expect(&o, 64)?;
        if !String::from_utf8_lossy(&o.stderr).contains("MIGRATION_SERVICE_TOKEN") {
            return Err(text(&o));
        }
    }
    Ok(())
}

/// What a dry run could have changed: the schema's fingerprint, the rows, the engine's
/// own schema (history), and whether the lock was free.
async fn state(c: &tokio_postgres::Client) -> Result<(String, i64, i64), String> {
    let scope = std::collections::BTreeSet::from(["app".to_string()]);
    let catalog = profe_migrate::pipeline::live_catalog(c, &scope)
        .await
        .map_err(|e| e.to_string())?;
    let row = c
        .query_one(
            "SELECT (SELECT count(*) FROM app.items), \
                    (SELECT count(*) FROM pg_namespace WHERE nspname = 'profe_migrate')",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok((catalog.fingerprint(), row.get(0), row.get(1)))
}

fn dry_run(env: Arc<Env>) -> TestResult {
    let dev = env.url("postgres");
    let dir = tempfile::tempdir().unwrap();
    // app.notes goes (DELETES_DATA, not allowed), app.tags comes.
    let smaller = MODEL
        .lines()
        .filter(|l| !l.contains("app.notes"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\nCREATE TABLE app.tags (id int PRIMARY KEY);\n";
    let to = write(dir.path(), "smaller.sql", &smaller);
    let backups = dir.path().join("backups");
    let db = env.block_on(env.scratch("cli"))?;
    let url = env.url(&db.name);
    let dry = |extra: &[&str]| {
        let mut cmd = bin();
        cmd.current_dir(dir.path())
            .env("MIGRATION_SERVICE_BACKUP_STORAGE", &backups)
            .args([
                "apply",
                "--dry-run",
                "--dev-url",
                &dev,
                "--database-url",
                &url,
            ])
            .args(extra);
        tokio::task::spawn_blocking(move || run(&mut cmd))
    };
    let r = env.block_on(async {
        let c = env.connect(&db).await?;
        c.batch_execute(MODEL).await.map_err(|e| e.to_string())?;
        c.batch_execute("INSERT INTO app.items (name) VALUES ('x')")
            .await
            .map_err(|e| e.to_string())?;
        let before = state(&c).await?;
        // Another run holds the migration lock: a dry run does not need it.
        c.query_one(
            "SELECT pg_advisory_lock($1)",
            &[&profe_migrate::apply::LOCK_KEY],
        )
        .await
        .map_err(|e| e.to_string())?;
        let to = to.to_str().unwrap();
        let o = dry(&["--to", to]).await.map_err(|e| e.to_string())?;
        expect(&o, 0)?;
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        if !out.contains("DROP TABLE app.notes")
            || !out.contains("CREATE TABLE app.tags")
            || !err.contains("apply would refuse this plan")
            || !err.contains("DELETES_DATA")
            || !err.contains("nothing was changed")
        {
            return Err(text(&o));
        }
        let o = dry(&["--to", to, "--allow-hazards", "DELETES_DATA", "--yes"])
            .await
            .map_err(|e| e.to_string())?;
        expect(&o, 0)?;
        if String::from_utf8_lossy(&o.stderr).contains("would refuse") {
            return Err(text(&o));
        }
        if state(&c).await? != before || backups.exists() {
            return Err("a dry run changed the database or wrote a backup".into());
        }
        // A plan file is checked against the database, as apply would.
        let plan = dir.path().join("plan.json");
        let o = run(bin()
            .args([
                "plan",
                "--dev-url",
                &dev,
                "--format",
                "json",
                "--from",
                &url,
            ])
            .args(["--to", to, "--out"])
            .arg(&plan));
        expect(&o, 0)?;
        let plan = plan.to_str().unwrap();
        expect(&dry(&["--plan", plan]).await.map_err(|e| e.to_string())?, 0)?;
        c.batch_execute("ALTER TABLE app.items ADD COLUMN extra int")
            .await
            .map_err(|e| e.to_string())?;
        let o = dry(&["--plan", plan]).await.map_err(|e| e.to_string())?;
        expect(&o, 3)?;
        if !String::from_utf8_lossy(&o.stderr).contains("no longer matches") {
            return Err(text(&o));
        }
        Ok(())
    });
    let _ = env.block_on(db.drop_db());
    r
}

fn suggestions(_: Arc<Env>) -> TestResult {
    let dir = project();
    write(
        dir.path(),
        "profe-migrate.toml",
        "[services.auth-service]\nschemas = [\"auth\"]\n\
         [environments.staging]\ndatabase_url_env = \"STAGING_URL\"\n\
         [environments.production]\ndatabase_url_env = \"PRODUCTION_URL\"\n",
    );
    let cases: [(&[&str], i32, &str); 4] = [
        (
            &["apply", "--allow-hazards", "DELETES_DATA,INDEX_BULD"],
            64,
            "unknown hazard \"INDEX_BULD\"; did you mean INDEX_BUILD?",
        ),
        (
            &["history", "--service", "auth-servce"],
            1,
            "unknown service \"auth-servce\"; did you mean auth-service?",
        ),
        (
            &["drift", "--environment", "stagin"],
            1,
            "unknown environment \"stagin\"; did you mean staging?",
        ),
        (
            &["status", "--environment", "qa"],
            1,
            "unknown environment \"qa\" (the configuration has: production, staging)",
        ),
    ];
    for (args, want, message) in cases {
        let o = run(bin().current_dir(dir.path()).args(args));
        expect(&o, want)?;
        if !String::from_utf8_lossy(&o.stderr).contains(message) {
            return Err(format!("{args:?} does not say {message:?}: {}", text(&o)));
        }
    }
    Ok(())
}

/// `serve`'s logs, written to a file: the filter is honoured, and no ANSI codes.
fn serve_logs(_: Arc<Env>) -> TestResult {
    let dir = project();
    let log = dir.path().join("serve.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["serve", "--insecure-loopback", "--port", "0"])
        .env("PROFE_MIGRATE_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("MIGRATION_SERVICE_TOKEN")
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let logs = loop {
        let logs = std::fs::read_to_string(&log).unwrap_or_default();
        let exited = child.try_wait().map_err(|e| e.to_string())?.is_some();
        if logs.contains("listening on") || exited || Instant::now() > deadline {
            break logs;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    if !logs.contains("INFO") || !logs.contains("serving on") {
        return Err(format!("no info log in the file:\n{logs}"));
    }
    if logs.contains('\x1b') {
        return Err(format!("ANSI codes in the log file:\n{logs:?}"));
    }
    Ok(())
}

fn seed_reads_database_url(env: Arc<Env>) -> TestResult {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    write(
        &seeds,
        "a.sql",
        "INSERT INTO public.t VALUES (1) ON CONFLICT DO NOTHING;",
    );
    let db = env.block_on(env.scratch("cli"))?;
    let url = env.url(&db.name);
    let r = (|| {
        env.block_on(async {
            let c = profe_migrate::db::connect(&db.target).await?;
            c.batch_execute("CREATE TABLE public.t (id int PRIMARY KEY)")
                .await?;
            Ok::<_, profe_migrate::Error>(())
        })
        .map_err(|e| e.to_string())?;
        // No --database-url: DATABASE_URL names the database, as for every command.
        let o = run(bin()
            .current_dir(dir.path())
            .env("DATABASE_URL", &url)
            .arg("seed"));
        expect(&o, 0)?;
        if !String::from_utf8_lossy(&o.stdout).contains("1 rows written") {
            return Err(text(&o));
        }
        Ok(())
    })();
    let _ = env.block_on(db.drop_db());
    r
}
