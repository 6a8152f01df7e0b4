//! The configurations and commands the documentation hands out, on the model: the README's
//! `profe-migrate.toml` block and `examples/profe-migrate.toml` load through the real
//! loader and drive plan and drift when the variables they name are set; the README's
//! HTTP block (start the service, then each curl line) runs as written against a copy of
//! the model.

use crate::client::free_port;
use crate::model::{Copy, Template, describe, expect_code, repo, with_template};
use crate::support::{Env, TestResult};
use profe_migrate::config::Config;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

/// The body of the first fenced block of `markdown` in `lang` after the line `after`.
fn block(markdown: &str, after: &str, lang: &str) -> Result<String, String> {
    let start = markdown
        .find(after)
        .ok_or_else(|| format!("README.md has no {after:?}"))?;
    let fence = format!("```{lang}\n");
    let open = markdown[start..]
        .find(&fence)
        .map(|i| start + i + fence.len())
        .ok_or_else(|| format!("README.md has no {lang} block after {after:?}"))?;
    let close = markdown[open..].find("```").ok_or("an unclosed block")?;
    Ok(markdown[open..open + close].to_string())
}

fn readme() -> Result<String, String> {
    std::fs::read_to_string(repo().join("README.md")).map_err(|e| e.to_string())
}

/// A directory `root/work` holding the repository's schema/, policies/ and seeds/ as links,
/// as they are at its root; `root` has them too (a configuration's paths are relative to
/// it: `schema` at the root, `../schema` from examples/).
fn linked() -> Result<(tempfile::TempDir, PathBuf), String> {
    let root = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = root.path().join("work");
    std::fs::create_dir(&work).map_err(|e| e.to_string())?;
    for dir in [root.path(), work.as_path()] {
        for name in ["schema", "policies", "seeds"] {
            std::os::unix::fs::symlink(repo().join(name), dir.join(name))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok((root, work))
}

/// [`linked`] with `config` as work/profe-migrate.toml: its path.
fn project(config: &str) -> Result<(tempfile::TempDir, PathBuf), String> {
    let (root, work) = linked()?;
    let file = work.join("profe-migrate.toml");
    std::fs::write(&file, config).map_err(|e| e.to_string())?;
    Ok((root, file))
}

/// Every variable `config` names for a database: an environment's set to `shared`, a
/// service's own database's to `own`.
fn variables(config: &Config, shared: &str, own: &str) -> Vec<(String, String)> {
    let envs = config
        .environments
        .values()
        .map(|e| (e.database_url_env.clone(), shared.to_string()));
    let services = config
        .services
        .values()
        .flat_map(|s| s.database_url_env.iter().chain(s.databases.values()))
        .map(|v| (v.clone(), own.to_string()));
    envs.chain(services).collect()
}

fn run(env: &Env, file: &Path, vars: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .current_dir(file.parent().expect("project dir"))
        .env_remove("DATABASE_URL")
        .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("run profe-migrate")
}

/// `config` loads, covers every schema of the model with its services, and — its
/// variables set to a copy of the model — finds it in sync in every environment, for the
/// whole database and for a service.
fn drives_the_model(env: &Env, template: &str, what: &str, config: &str) -> TestResult {
    let (_root, file) = project(config)?;
    let loaded = Config::load(&file).map_err(|e| format!("{what}: {e}"))?;
    for path in loaded.desired.paths.iter().chain([&loaded.desired.seeds]) {
        if !path.is_dir() {
            return Err(format!("{what}: {} is no directory", path.display()));
        }
    }
    let copy = env.block_on(Copy::new(env, Some(template), "model_examples"))?;
    let own = env.block_on(Copy::new(env, None, "model_examples_own"))?;
    let vars = variables(&loaded, &env.url(&copy.name), &env.url(&own.name));
    let result = (|| {
        if loaded.environments.is_empty() {
            return Err(format!("{what}: no environment"));
        }
        // A service in a database of its own gets its schemas there first.
        for name in loaded.environments.keys() {
            if !loaded.separate_services(Some(name)).is_empty() {
                let args = ["apply", "--environment", name, "--yes", "--no-backup"];
                let o = run(
                    env,
                    &file,
                    &vars,
                    &[&args[..], &["--allow-hazards", "all"]].concat(),
                );
                expect_code(&o, 0, &format!("{what}: apply --environment {name}"))?;
            }
        }
        for name in loaded.environments.keys() {
            let o = run(env, &file, &vars, &["drift", "--environment", name]);
            expect_code(&o, 0, &format!("{what}: drift --environment {name}"))?;
        }
        let o = run(
            env,
            &file,
            &vars,
            &["status", "--environment", "production"],
        );
        expect_code(&o, 0, &format!("{what}: status"))?;
        let listed = String::from_utf8_lossy(&o.stdout).to_string();
        if let Some(s) = loaded.services.keys().find(|s| !listed.contains(*s)) {
            return Err(format!(
                "{what}: status does not list {s}:\n{}",
                describe(&o)
            ));
        }
        let o = run(
            env,
            &file,
            &vars,
            &[
                "plan",
                "--environment",
                "production",
                "--service",
                "chat-service",
            ],
        );
        expect_code(&o, 0, &format!("{what}: plan --service chat-service"))?;
        if String::from_utf8_lossy(&o.stdout).trim() != "-- no changes" {
            return Err(format!(
                "{what}: the model's own copy has changes:\n{}",
                describe(&o)
            ));
        }
        Ok(())
    })();
    env.block_on(copy.drop_db(env));
    env.block_on(own.drop_db(env));
    result
}

fn example_configuration(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let text = std::fs::read_to_string(repo().join("examples/profe-migrate.toml"))
        .map_err(|e| e.to_string())?;
    // In place, as its header says to use it: the real loader, paths relative to it.
    let loaded =
        Config::load(&repo().join("examples/profe-migrate.toml")).map_err(|e| e.to_string())?;
    let schemas: Vec<&str> = loaded
        .services
        .values()
        .flat_map(|s| s.schemas.iter().map(String::as_str))
        .collect();
    for schema in [
        "auth",
        "organizations",
        "users",
        "academic",
        "plans",
        "chat",
        "files",
        "analytics",
    ] {
        if !schemas.contains(&schema) {
            return Err(format!(
                "examples/profe-migrate.toml: no service owns {schema}"
            ));
        }
    }
    drives_the_model(env, template, "examples/profe-migrate.toml", &text)?;
    // Planned into an empty database with it: the model's whole creation.
    let (_root, file) = project(&text)?;
    let empty = env.block_on(Copy::new(env, None, "model_examples_empty"))?;
    let vars = variables(&loaded, &env.url(&empty.name), "");
    let o = run(env, &file, &vars, &["plan", "--environment", "staging"]);
    env.block_on(empty.drop_db(env));
    expect_code(&o, 0, "plan --environment staging into an empty database")?;
    let sql = String::from_utf8_lossy(&o.stdout);
    if !sql.contains("CREATE TABLE chat.messages") {
        return Err(format!(
            "the plan does not create the model:\n{}",
            describe(&o)
        ));
    }
    Ok(())
}

fn readme_configuration(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let toml = block(&readme()?, "## Operations", "toml")?;
    drives_the_model(env, template, "README.md's profe-migrate.toml", &toml)
}

/// PATH with the built binary first, as `cargo install` would put it.
fn path_with_binary() -> String {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_profe-migrate"));
    format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The README's walk-through (its sh block between the markers), run as written with
/// `bash -e` from a directory laid out as the repository's root, the throwaway server
/// reached through PGHOST as a local one would be by default.
fn readme_walk_through(env: &Env, _: &Template) -> TestResult {
    let readme = readme()?;
    let start = readme
        .find("<!-- walk-through")
        .ok_or("README.md has no walk-through marker")?;
    let end = readme[start..]
        .find("<!-- end of the walk-through -->")
        .map(|i| start + i)
        .ok_or("README.md has no end of the walk-through")?;
    let script = block(&readme[start..end], "walk-through", "sh")?;
    if !script.contains("profe_demo") {
        return Err(format!(
            "the walk-through no longer uses profe_demo:\n{script}"
        ));
    }
    let (_root, dir) = linked()?;
    let admin = |sql: &str| {
        env.block_on(async {
            let c = profe_migrate::db::connect(&env.admin)
                .await
                .map_err(|e| e.to_string())?;
            c.batch_execute(sql)
                .await
                .map_err(|e| profe_migrate::Error::describe_db(&e))
        })
    };
    // One statement each: CREATE DATABASE cannot share a transaction.
    admin("DROP DATABASE IF EXISTS profe_demo WITH (FORCE)")?;
    admin("CREATE DATABASE profe_demo")?;
    let o = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", &script])
        .current_dir(&dir)
        .env("PATH", path_with_binary())
        .env("PGHOST", env.socket_dir())
        .env("PGPORT", "5432")
        .env("PGUSER", "postgres")
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .env_remove("DATABASE_URL")
        .env_remove("PGDATABASE")
        .output()
        .map_err(|e| e.to_string());
    admin("DROP DATABASE IF EXISTS profe_demo WITH (FORCE)")?;
    let o = o?;
    expect_code(&o, 0, "the walk-through")?;
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap_or_default();
    let out = String::from_utf8_lossy(&o.stdout);
    // The second seed writes nothing; history lists the apply.
    if !plan.starts_with("## profe-migrate plan")
        || !out.contains(": 0 rows written")
        || !out.contains("applied")
    {
        return Err(format!("plan.md:\n{plan}\n{}", describe(&o)));
    }
    Ok(())
}

/// The README's HTTP block as a shell script, run in a project with the example
/// configuration: only the database URL it names and the port are the test's. Each curl
/// call's status goes to a file, one line per call.
fn readme_http_calls(env: &Env, template: &Template) -> TestResult {
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    let script = block(&readme()?, "## The HTTP service", "sh")?;
    let example = std::fs::read_to_string(repo().join("examples/profe-migrate.toml"))
        .map_err(|e| e.to_string())?;
    let (root, file) = project(&example)?;
    let copy = env.block_on(Copy::new(env, Some(template), "model_examples_http"))?;
    let url = env.url(&copy.name);
    let port = free_port();
    let codes = root.path().join("codes");
    let script = script
        .replace("postgres://migrator@db/profe", &format!("'{url}'"))
        .replace("localhost:3009", &format!("localhost:{port}"));
    // The server started in the background goes with the script; curl waits for it to
    // listen (status 000: no connection), as a person typing the lines would.
    let prelude = format!(
        "set -u\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n\
         curl() {{\n  local code\n  for _ in $(seq 120); do\n    \
         code=$(command curl -o /dev/null -w '%{{http_code}}' \"$@\")\n    \
         [ \"$code\" != 000 ] && break\n    sleep 0.5\n  done\n  \
         echo \"$code\" >>'{}'\n}}\n",
        codes.display()
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .current_dir(file.parent().expect("project dir"))
        .env("PATH", path_with_binary())
        .env("MIGRATION_SERVICE_PORT", port.to_string())
        .env("PRODUCTION_DATABASE_URL", &url)
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .env_remove("MIGRATION_SERVICE_BACKUP_STORAGE")
        .env_remove("DATABASE_URL")
        .output()
        .map_err(|e| e.to_string());
    env.block_on(copy.drop_db(env));
    let o = o?;
    let got: Vec<String> = std::fs::read_to_string(&codes)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect();
    // health, status, plan, run (a job), the job, a backup, backups, OpenAPI, metrics. A
    // backup needs a pg_dump that can read the server; without one it is a clear 500.
    let major = env.cluster.major();
    let backup = if profe_migrate::backup::find_tool("pg_dump", major).is_ok() {
        "201"
    } else {
        "500"
    };
    let want = [
        "200", "200", "200", "202", "200", backup, "200", "200", "200",
    ];
    if got != want {
        return Err(format!(
            "statuses {got:?}, expected {want:?}\n{}",
            describe(&o)
        ));
    }
    Ok(())
}

type Test = fn(&Env, &Template) -> TestResult;

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    let cases: [(&str, Test); 4] = [
        (
            "examples::the_example_configuration_drives_the_model",
            example_configuration,
        ),
        (
            "examples::the_readme_configuration_works_with_its_variables_set",
            readme_configuration,
        ),
        (
            "examples::the_readme_walk_through_runs_as_written",
            readme_walk_through,
        ),
        (
            "examples::the_readme_http_calls_run_as_written",
            readme_http_calls,
        ),
    ];
    cases
        .into_iter()
        .map(|(name, test)| with_template(env, template, name, test))
        .collect()
}
