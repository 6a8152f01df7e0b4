//! The template database (the model applied and seeded through the CLI) and copies of it.

use crate::support::Env;
use std::path::PathBuf;
use std::process::{Command, Output};
use tokio_postgres::Client;

pub const TEMPLATE: &str = "profe_model_template";

/// The template's name, or why it could not be built.
pub type Template = Result<String, String>;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the CLI in the repository (so that its default desired state and seeds apply),
/// with the test cluster as shadow server.
pub fn cli(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_profe-migrate"))
        .current_dir(repo())
        .env_remove("DATABASE_URL")
        .env("PROFE_MIGRATE_DEV_URL", env.url("postgres"))
        .args(args)
        .output()
        .expect("run profe-migrate")
}

pub fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn expect_code(o: &Output, code: i32, what: &str) -> Result<(), String> {
    if o.status.code() == Some(code) {
        Ok(())
    } else {
        Err(format!("{what}: expected exit {code}, got {}", describe(o)))
    }
}

async fn admin(env: &Env) -> Result<Client, String> {
    profe_migrate::db::connect(&env.admin)
        .await
        .map_err(|e| e.to_string())
}

/// `apply` of the repository's model to `url`, every hazard allowed (the database is new
/// or a copy), no backup (the point is the schema).
pub fn apply_model(env: &Env, url: &str) -> Result<(), String> {
    let o = cli(
        env,
        &[
            "apply",
            "--no-backup",
            "--yes",
            "--allow-hazards",
            "all",
            "--database-url",
            url,
        ],
    );
    expect_code(&o, 0, "apply")
}

/// Applies the model to a new database and seeds it, through the CLI.
pub fn build_template(env: &Env) -> Template {
    env.block_on(async {
        admin(env)
            .await?
            .batch_execute(&format!("CREATE DATABASE {TEMPLATE}"))
            .await
            .map_err(|e| e.to_string())
    })?;
    let url = env.url(TEMPLATE);
    apply_model(env, &url)?;
    let o = cli(env, &["seed", "--database-url", &url]);
    expect_code(&o, 0, "seed")?;
    Ok(TEMPLATE.to_string())
}

/// A trial running `f` with the template.
pub fn with_template(
    env: &std::sync::Arc<Env>,
    template: &Template,
    name: &str,
    f: fn(&Env, &Template) -> Result<(), String>,
) -> libtest_mimic::Trial {
    let t = template.clone();
    crate::support::trial(env, name, move |env| f(&env, &t))
}

/// A database of the test cluster, dropped by [`Copy::drop_db`].
pub struct Copy {
    pub name: String,
}

impl Copy {
    /// A new database: a copy of `template`, or empty for `None`.
    pub async fn new(env: &Env, template: Option<&str>, prefix: &str) -> Result<Copy, String> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "{prefix}_{}",
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let from = template.unwrap_or("template0");
        admin(env)
            .await?
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {from}"))
            .await
            .map_err(|e| profe_migrate::Error::describe_db(&e))?;
        Ok(Copy { name })
    }

    pub async fn connect(&self, env: &Env) -> Result<Client, String> {
        let target = profe_migrate::db::parse(&env.url(&self.name)).map_err(|e| e.to_string())?;
        profe_migrate::db::connect(&target)
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn drop_db(self, env: &Env) {
        if let Ok(c) = admin(env).await {
            let _ = c
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .await;
        }
    }
}

/// Runs `test` on a fresh copy of the template, dropping it afterwards.
pub fn on_copy<F, Fut>(env: &Env, template: &Template, prefix: &str, test: F) -> Result<(), String>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let template = template.as_ref().map_err(|e| format!("no template: {e}"))?;
    env.block_on(async {
        let copy = Copy::new(env, Some(template), prefix).await?;
        let result = match copy.connect(env).await {
            Ok(c) => test(c).await,
            Err(e) => Err(e),
        };
        copy.drop_db(env).await;
        result
    })
}
