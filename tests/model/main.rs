//! Tests of the Profe model that the project ships (`schema/`, `policies/`, `seeds/`), on
//! a cluster of their own: roles are cluster-wide, and the model's roles would otherwise
//! collide with the fixtures'. The model is applied and seeded once, through the command
//! line as a user would, into a template database; each test works on a copy of it.

#[allow(dead_code)]
#[path = "../engine/support.rs"]
mod support;

mod backups;
mod client;
mod databases;
mod examples;
mod http;
mod lifecycle;
mod model;
mod operations;
mod policies;
mod s3;
mod services;
mod space;

fn main() {
    // The binary's runs here start throwaway shadow servers, as they did before the warm
    // server: none may be left running in the user's cache directory. Child processes
    // inherit this; the warm server's own tests (engine's warm.rs) take it out.
    // SAFETY: first thing in main, before any thread is started.
    unsafe { std::env::set_var("PROFE_MIGRATE_NO_WARM_SERVER", "1") };
    // SAFETY: as above.
    unsafe { support::prefer_memory_tmpdir() };
    let args = libtest_mimic::Arguments::from_args();
    let env = support::start();
    let template = model::build_template(&env);
    if let Err(e) = &template {
        eprintln!("the model could not be applied and seeded: {e}");
    }
    let mut trials = lifecycle::trials(&env, &template);
    trials.extend(policies::trials(&env, &template));
    trials.extend(services::trials(&env, &template));
    trials.extend(operations::trials(&env, &template));
    trials.extend(backups::trials(&env, &template));
    trials.extend(s3::trials(&env, &template));
    trials.extend(space::trials(&env, &template));
    trials.extend(http::trials(&env, &template));
    trials.extend(databases::trials(&env));
    trials.extend(examples::trials(&env, &template));
    let conclusion = libtest_mimic::run(&args, trials);
    drop(env);
    conclusion.exit()
}
