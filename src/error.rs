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
    #[error("{0}")]
    Source(String),
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String },
    #[error("database error: {0}")]
    Database(String),
    #[error("embedded PostgreSQL: {0}")]
    Cluster(String),
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
                s
            }
            None => e.to_string(),
        }
    }
}

/// An error and its causes for a person to read, each said once: the messages that embed
/// their cause (`cannot read {path}: {source}`) also expose it as their `source()`, and
/// printing the chain as it is would repeat it ("(os error 2): … (os error 2)").
pub fn report(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Database(Error::describe_db(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
