//! Tests of the Profe model that the project ships (`schema/`, `policies/`, `seeds/`), on
//! a cluster of their own: roles are cluster-wide, and the model's roles would otherwise
//! collide with the fixtures'. The model is applied and seeded once, through the command
//! line as a user would, into a template database; each test works on a copy of it.

#[allow(dead_code)]
#[path = "../engine/support.rs"]
mod support;

mod lifecycle;
mod model;
mod operations;
mod policies;
mod services;

use std::sync::Arc;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let cluster = match profe_migrate::cluster::Cluster::start() {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("cannot start the test cluster: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "test cluster: PostgreSQL {} from {}",
        cluster.major(),
        cluster.bin_dir().display()
    );
    let env = Arc::new(support::Env::new(cluster));
    let template = model::build_template(&env);
    if let Err(e) = &template {
        eprintln!("the model could not be applied and seeded: {e}");
    }
    let mut trials = lifecycle::trials(&env, &template);
    trials.extend(policies::trials(&env, &template));
    trials.extend(services::trials(&env, &template));
    trials.extend(operations::trials(&env, &template));
    let conclusion = libtest_mimic::run(&args, trials);
    drop(env);
    conclusion.exit()
}
