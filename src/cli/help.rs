//! Which global flags each command uses, and the clap command whose help shows only those.
//!
//! docs/cli.md promises that every global flag is accepted before or after the command
//! name by every command, so they stay global for parsing. A command that does not use
//! one gets a hidden copy of it: clap then does not propagate the visible global into that
//! command (it already has the argument), so the flag is still accepted there but left out
//! of its `--help`.

use super::Cli;
use clap::{Arg, CommandFactory, FromArgMatches};

/// The clap ids of the global flags (the fields of [`Cli`]).
const DEV_URL: &str = "dev_url";
const SCHEMA: &str = "schemas";
const EXCLUDE: &str = "exclude";
const DROP_ROLES: &str = "drop_roles";
const NO_VALIDATE: &str = "no_validate";
const NO_WARM_SERVER: &str = "no_warm_server";
const LOCK_TIMEOUT: &str = "lock_timeout";
const STATEMENT_TIMEOUT: &str = "statement_timeout";
const LONG_STATEMENT_TIMEOUT: &str = "long_statement_timeout";
const CONFIG: &str = "config";
const SERVICE: &str = "service";
const ENVIRONMENT: &str = "environment";

/// What makes a plan: the shadow server, the scope, roles, validation and timeouts, on top
/// of what names the database.
const PLANNING: &[&str] = &[
    DEV_URL,
    NO_WARM_SERVER,
    SCHEMA,
    EXCLUDE,
    DROP_ROLES,
    NO_VALIDATE,
    LOCK_TIMEOUT,
    STATEMENT_TIMEOUT,
    LONG_STATEMENT_TIMEOUT,
    CONFIG,
    SERVICE,
    ENVIRONMENT,
];
/// What names the database a command works on (the service's or the environment's).
const DATABASE: &[&str] = &[CONFIG, SERVICE, ENVIRONMENT];

/// The global flags each command (path of subcommand names) uses. `drift` plans without
/// validation and shows no timeouts; `status` loads the desired state but plans each
/// service over its own schemas; `serve` takes services and environments per request
/// (and keeps one throwaway shadow server for all of them).
const USES: &[(&str, &[&str])] = &[
    ("plan", PLANNING),
    ("apply", PLANNING),
    ("rollback", PLANNING),
    (
        "drift",
        &[
            DEV_URL,
            NO_WARM_SERVER,
            SCHEMA,
            EXCLUDE,
            DROP_ROLES,
            CONFIG,
            SERVICE,
            ENVIRONMENT,
        ],
    ),
    (
        "status",
        &[DEV_URL, NO_WARM_SERVER, CONFIG, SERVICE, ENVIRONMENT],
    ),
    ("inspect", DATABASE),
    ("seed", DATABASE),
    ("history", DATABASE),
    ("audit", DATABASE),
    ("backup", DATABASE),
    ("backup list", &[CONFIG]),
    ("backup restore", DATABASE),
    ("serve", &[DEV_URL, CONFIG]),
    // The warm server's own commands work on the cache directory alone.
    ("server", &[]),
    ("server status", &[]),
    ("server stop", &[]),
    ("server keep", &[]),
];

fn uses(path: &str) -> &'static [&'static str] {
    USES.iter()
        .find(|(p, _)| *p == path)
        .map(|(_, ids)| *ids)
        .unwrap_or_else(|| panic!("help::USES has no entry for `{path}`"))
}

/// The command line's definition, each subcommand's help limited to the flags it uses.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let globals: Vec<Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    cmd.mut_subcommands(|sc| hide_unused(sc, "", &globals))
}

fn hide_unused(mut sc: clap::Command, parent: &str, globals: &[Arg]) -> clap::Command {
    let path = match parent {
        "" => sc.get_name().to_string(),
        p => format!("{p} {}", sc.get_name()),
    };
    let used = uses(&path);
    for g in globals {
        if !used.contains(&g.get_id().as_str()) {
            sc = sc.arg(g.clone().hide(true));
        }
    }
    sc.mut_subcommands(|nested| hide_unused(nested, &path, globals))
}

/// Parses the process's arguments (clap's error on `--help`, `--version` or a mistake).
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os())
}

pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and nested command, with its path.
    fn all(cmd: &clap::Command, parent: &str, out: &mut Vec<(String, clap::Command)>) {
        for sc in cmd.get_subcommands() {
            let path = match parent {
                "" => sc.get_name().to_string(),
                p => format!("{p} {}", sc.get_name()),
            };
            out.push((path.clone(), sc.clone()));
            all(sc, &path, out);
        }
    }

    fn built() -> Vec<(String, clap::Command)> {
        let mut cmd = command();
        cmd.build();
        let mut out = vec![(String::new(), cmd.clone())];
        all(&cmd, "", &mut out);
        // clap's own `help` subcommands list commands, not flags.
        out.retain(|(p, _)| !p.split(' ').any(|w| w == "help"));
        out
    }

    #[test]
    fn every_flag_and_argument_has_help() {
        for (path, cmd) in built() {
            for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                assert!(
                    a.get_help()
                        .is_some_and(|h| !h.to_string().trim().is_empty()),
                    "`{path}`: {} has no help text",
                    a.get_id()
                );
            }
        }
    }

    #[test]
    fn each_command_shows_exactly_the_global_flags_it_uses() {
        for (path, cmd) in built().into_iter().skip(1) {
            let mut shown: Vec<&str> = cmd
                .get_arguments()
                .filter(|a| a.is_global_set() && !a.is_hide_set())
                .map(|a| a.get_id().as_str())
                .collect();
            let mut want = uses(&path).to_vec();
            shown.sort();
            want.sort();
            assert_eq!(shown, want, "`{path}`");
        }
    }

    #[test]
    fn hidden_global_flags_are_still_accepted_before_and_after_the_command() {
        for args in [
            &["profe-migrate", "serve", "--drop-roles", "--schema", "x"][..],
            &["profe-migrate", "--drop-roles", "serve"],
            &[
                "profe-migrate",
                "backup",
                "list",
                "--dev-url",
                "postgres:///x",
            ],
            &["profe-migrate", "inspect", "--lock-timeout", "2s"],
        ] {
            let cli = parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(
                cli.drop_roles || cli.dev_url.is_some() || cli.lock_timeout == Some(2000),
                "{args:?}: the flag was not read"
            );
        }
        assert!(parse_from(["profe-migrate", "serve", "--no-such-flag"]).is_err());
    }

    #[test]
    fn serve_help_shows_only_its_flags_and_no_empty_environment_value() {
        let mut cmd = command();
        cmd.build();
        let help = cmd
            .find_subcommand_mut("serve")
            .expect("serve")
            .render_long_help()
            .to_string();
        for absent in [
            "--drop-roles",
            "--schema",
            "--lock-timeout",
            "--service",
            "PORT=",
        ] {
            assert!(!help.contains(absent), "{absent} in:\n{help}");
        }
        for present in [
            "--port <PORT>",
            "[env: MIGRATION_SERVICE_PORT]",
            "--dev-url",
        ] {
            assert!(help.contains(present), "{present} missing from:\n{help}");
        }
    }
}
