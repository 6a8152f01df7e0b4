use std::path::PathBuf;

/// Every failure the library reports. The binary maps these to exit codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}:{line}:{column}: syntax error: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Load {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No `.sql` file where the desired state was looked for.
    #[error("no desired state: {0}")]
    NoDesiredState(String),
    /// No database was named (no flag, configuration or environment variable).
    #[error(
        "no database: pass --database-url, set DATABASE_URL (or PGHOST/PGDATABASE), or \
         name an --environment"
    )]
    NoDatabase,
    #[error("invalid connection string: {0}")]
    InvalidConnectionString(String),
    /// The desired state names roles that neither it nor the cluster has.
    #[error(
        "the desired state uses roles that the database's cluster does not have and that it \
         does not declare: {0} (declare them with CREATE ROLE, or create them first)"
    )]
    MissingRoles(String),
    /// The history holds no version to go back to or plan from.
    #[error("{0}")]
    NoHistory(String),
    #[error("no seeds: {} is not a directory (pass --seeds DIR)", .0.display())]
    NoSeeds(PathBuf),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(#[source] std::io::Error),
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String },
    /// A statement or query the server refused, or a connection that failed while in
    /// use; `context` says what the engine was doing (empty when the caller says it).
    #[error("database error: {context}{}", Error::describe_db(source))]
    Database {
        context: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("embedded PostgreSQL: {0}")]
    Cluster(String),
    /// The warm shadow server's folder or lock files (`src/cluster/warm`).
    #[error("warm server: cannot {what} {}: {source}", path.display())]
    Warm {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("dependency cycle between {0}")]
    Cycle(String),
    #[error("unsupported object kinds in scope (not managed yet): {0}")]
    Unsupported(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("apply failed: {0}")]
    Apply(String),
    #[error("the database did not converge after apply; remaining changes:\n{0}")]
    NotConverged(String),
    #[error("the plan was not output: {0}")]
    NotValid(String),
    /// pg_dump sees a difference the engine's catalog does not: an attribute or object
    /// the engine does not manage yet.
    #[error(
        "the plan was not output: pg_dump shows differences the engine does not manage \
         (--no-validate skips this check):\n{0}"
    )]
    NotManaged(String),
    #[error("backup: {0}")]
    Backup(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("invalid plan file: {0}")]
    PlanFile(String),
    /// The command line asks for something the command cannot do (exit 64).
    #[error("{0}")]
    Usage(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The process exit code for this error (docs/cli.md): 3 for a refusal (a hazard not
    /// allowed, a stale plan), 64 for a command line that cannot be run, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused(_) => 3,
            Error::Usage(_) => 64,
            _ => 1,
        }
    }

    /// The SQLSTATE of a database error (e.g. `42P01`), when the server sent one.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Error::Database { source, .. } => source.as_db_error().map(|d| d.code().code()),
            _ => None,
        }
    }

    /// A database error with what the engine was doing when it happened.
    pub fn database(context: impl Into<String>, source: tokio_postgres::Error) -> Error {
        Error::Database {
            context: context.into(),
            source,
        }
    }

    /// Formats a PostgreSQL error with its detail and hint, which tokio-postgres' Display omits.
    pub fn describe_db(e: &tokio_postgres::Error) -> String {
        match e.as_db_error() {
            Some(db) => {
                let mut s = format!("{}: {}", db.severity(), db.message());
                if let Some(d) = db.detail() {
                    s.push_str(&format!("\nDETAIL: {d}"));
                }
                if let Some(h) = db.hint() {
                    s.push_str(&format!("\nHINT: {h}"));
                }
                // cannot_coerce: a column's type changes with no cast between the types.
                if db.code() == &tokio_postgres::error::SqlState::CANNOT_COERCE {
                    s.push_str(
                        "\nHINT: in the desired state, write `-- @using EXPRESSION` beside \
                         the column to say how its values convert",
                    );
                }
                s
            }
            None => e.to_string(),
        }
    }
}

/// An error and its causes for a person to read, each said once: the messages that embed
/// their cause (`cannot read {path}: {source}`) also expose it as their `source()`, and
/// printing the chain as it is would repeat it ("(os error 2): … (os error 2)").
/// A cause is left out when the text already says it, or already says its own innermost
/// cause (a database error's message holds the server's words, which its wrapper only
/// prefixes with "db error").
pub fn report(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        let mut innermost = c;
        while let Some(next) = innermost.source() {
            innermost = next;
        }
        if text.contains(&said) || text.contains(&innermost.to_string()) {
            // Everything below `c` is said too.
            break;
        }
        text.push_str(": ");
        text.push_str(&said);
        cause = c.source();
    }
    text
}

impl From<tokio_postgres::Error> for Error {
    fn from(source: tokio_postgres::Error) -> Self {
        Error::Database {
            context: String::new(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(Error::Refused("hazard".into()).exit_code(), 3);
        assert_eq!(Error::Usage("two services".into()).exit_code(), 64);
        assert_eq!(Error::Apply("step 2 failed".into()).exit_code(), 1);
        assert_eq!(Error::NoDatabase.exit_code(), 1);
    }

    #[test]
    fn a_cause_whose_own_cause_is_said_is_left_out() {
        // As a database error: the wrapper's text prefixes the server's words, which the
        // message already holds.
        #[derive(Debug, thiserror::Error)]
        #[error("db error: {0}")]
        struct Wrapper(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("ERROR: relation \"x\" does not exist")]
        struct Inner;
        #[derive(Debug, thiserror::Error)]
        #[error("database error: {}", .0.0)]
        struct Outer(#[source] Wrapper);
        assert_eq!(
            report(&Outer(Wrapper(Inner))),
            "database error: ERROR: relation \"x\" does not exist"
        );
    }

    #[test]
    fn a_cause_is_said_once() {
        let e = Error::Io {
            path: "x.sql".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(report(&e), "cannot read x.sql: entity not found");
        // A cause the message does not hold is added.
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] Error);
        assert_eq!(
            report(&Outer(e)),
            "outer: cannot read x.sql: entity not found"
        );
    }
}
