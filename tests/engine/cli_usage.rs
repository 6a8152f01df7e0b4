//! The command line explaining itself: help, suggestions, exit codes of configuration
//! mistakes, logs, `seed` and `apply --dry-run` as scripts use them.

use crate::cli::{code, expect, run, text};
use crate::support::{Env, bin, trial};
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "cli::help_lists_only_what_each_command_uses",
        |_| {
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
        },
    )]
}
