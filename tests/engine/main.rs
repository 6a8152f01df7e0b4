//! Integration tests against real PostgreSQL: one throwaway cluster for the whole binary
//! (started here, stopped at the end), one scratch database per test, cases run in
//! parallel. The fixture cases under `fixtures/` are the main body; the other modules test
//! error paths, the command line and introspection.

mod cli;
mod cli_usage;
mod connections;
mod crashes;
mod dumpcheck;
mod errors;
mod examples;
mod fingerprint;
mod fixtures;
mod hardening;
mod inputs;
mod introspect;
mod online;
mod parallel_load;
mod progress;
mod review;
mod rls;
mod scope;
mod scripts;
mod shell;
mod structure;
mod support;
mod tls;
mod validate;
mod warm;
mod warm_kept;

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
    let mut trials = fixtures::trials(&env);
    trials.extend(errors::trials(&env));
    trials.extend(cli::trials(&env));
    trials.extend(cli_usage::trials(&env));
    trials.extend(introspect::trials(&env));
    trials.extend(fingerprint::trials(&env));
    trials.extend(tls::trials(&env));
    trials.extend(connections::trials(&env));
    trials.extend(rls::trials(&env));
    trials.extend(online::trials(&env));
    trials.extend(validate::trials(&env));
    trials.extend(dumpcheck::trials(&env));
    trials.extend(scope::trials(&env));
    trials.extend(scripts::trials(&env));
    trials.extend(structure::trials(&env));
    trials.extend(hardening::trials(&env));
    trials.extend(inputs::trials(&env));
    trials.extend(crashes::trials(&env));
    trials.extend(review::trials(&env));
    trials.extend(examples::trials(&env));
    trials.extend(warm::trials(&env));
    trials.extend(warm_kept::trials(&env));
    trials.extend(progress::trials(&env));
    trials.extend(parallel_load::trials(&env));
    let conclusion = libtest_mimic::run(&args, trials);
    // Every trial (and its handle on the cluster) is gone: dropping the last handle stops
    // the server and removes its directory before the process exits.
    drop(env);
    conclusion.exit()
}
