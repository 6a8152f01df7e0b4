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

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Database(Error::describe_db(&e))
    }
}
