//! The command line explaining itself: help, suggestions, exit codes of configuration
//! mistakes, logs, `seed` and `apply --dry-run` as scripts use them.

use crate::cli::{code, expect, run, text, write};
use crate::support::{Env, TestResult, bin, trial};
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "cli::help_lists_only_what_each_command_uses", |_| {
            help()
        }),
        trial(env, "cli::seed_reads_database_url", seed_reads_database_url),
    ]
}

fn help() -> TestResult {
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
