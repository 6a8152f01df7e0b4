//! The process's logs: on stderr, filtered by the first of [`FILTER_VARIABLES`] that is
//! set (tracing's `EnvFilter` syntax), `warn` otherwise. Coloured only when stderr is a
//! terminal and `NO_COLOR` is unset or empty (<https://no-color.org>): logs written to a
//! file or a pipe (`serve` under systemd or Docker, a CI log) carry no ANSI codes.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use tracing_subscriber::EnvFilter;

/// Where the filter comes from, first set first; `RUST_LOG` is the usual name.
pub const FILTER_VARIABLES: [&str; 3] = [
    "PROFE_MIGRATE_LOG",
    "MIGRATION_SERVICE_LOG_LEVEL",
    "RUST_LOG",
];

const DEFAULT: &str = "warn";

/// Installs the subscriber for the process.
pub fn init() {
    let (filter, warning) = filter(|name| std::env::var(name).ok());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| crate::progress::Stderr)
        .with_ansi(colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        .init();
    if let Some(w) = warning {
        // Not eprintln!, which panics when stderr is closed.
        let _ = writeln!(std::io::stderr(), "warning: {w}");
    }
}

/// The filter from the first variable set (an empty value counts as unset), and a
/// warning when its value is not a filter: a mistyped filter should not silence the logs
/// it was meant to show without a word.
fn filter(var: impl Fn(&str) -> Option<String>) -> (EnvFilter, Option<String>) {
    for name in FILTER_VARIABLES {
        let Some(value) = var(name).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        return match EnvFilter::try_new(&value) {
            Ok(f) => (f, None),
            Err(e) => (
                EnvFilter::new(DEFAULT),
                Some(format!(
                    "{name}={value:?} is not a log filter ({e}); logging at {DEFAULT}"
                )),
            ),
        };
    }
    (EnvFilter::new(DEFAULT), None)
}

fn colour(terminal: bool, no_color: Option<OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some("".into())));
        assert!(!colour(true, Some("1".into())));
        assert!(!colour(false, None));
        assert!(!colour(false, Some("1".into())));
    }

    fn filter_of(vars: &[(&str, &str)]) -> (String, Option<String>) {
        let (f, w) = filter(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        });
        (f.to_string(), w)
    }

    #[test]
    fn the_first_variable_set_gives_the_filter() {
        assert_eq!(filter_of(&[]), ("warn".into(), None));
        assert_eq!(filter_of(&[("RUST_LOG", "debug")]), ("debug".into(), None));
        let both = [
            ("RUST_LOG", "debug"),
            ("MIGRATION_SERVICE_LOG_LEVEL", "error"),
        ];
        assert_eq!(filter_of(&both).0, "error");
        let all = [
            ("RUST_LOG", "debug"),
            ("PROFE_MIGRATE_LOG", "profe_migrate=info"),
            ("MIGRATION_SERVICE_LOG_LEVEL", "error"),
        ];
        assert_eq!(filter_of(&all).0, "profe_migrate=info");
        // Empty is unset.
        assert_eq!(
            filter_of(&[("PROFE_MIGRATE_LOG", ""), ("RUST_LOG", "info")]).0,
            "info"
        );
    }

    #[test]
    fn an_invalid_filter_is_said_and_falls_back_to_warn() {
        let (f, w) = filter_of(&[("PROFE_MIGRATE_LOG", "info,a=[")]);
        assert_eq!(f, "warn");
        let w = w.expect("a warning");
        assert!(w.starts_with("PROFE_MIGRATE_LOG=\"info,a=[\""), "{w}");
    }
}
