//! `seed`: loads the idempotent initial data of `seeds/` in one transaction. The files run
//! in path order, statement by statement, so that a failure names its file and line and
//! leaves the database as it was.

use crate::error::{Error, Result};
use crate::source::{line_col, parse_file, read_files};
use std::path::PathBuf;
use tokio_postgres::Client;

/// What a seeding run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Seeded {
    pub files: usize,
    pub statements: usize,
    /// Rows inserted, updated or deleted: 0 when the seeds were already there.
    pub rows: u64,
}

/// Runs every `*.sql` file under `dir` on `client`, all or nothing.
pub async fn seed(client: &Client, dir: &PathBuf) -> Result<Seeded> {
    let files = read_files(std::slice::from_ref(dir))?;
    let mut done = Seeded {
        files: files.len(),
        statements: 0,
        rows: 0,
    };
    // Seeds are the user's SQL, written for psql on this database: its own search_path,
    // not the empty one the engine's sessions pin for the SQL the engine renders.
    client
        .batch_execute("BEGIN; SET LOCAL search_path TO DEFAULT")
        .await?;
    for file in &files {
        let statements = parse_file(file).and_then(|_| {
            pg_query::split_with_parser(&file.text).map_err(|e| Error::Syntax {
                path: file.path.clone(),
                line: 1,
                column: 1,
                message: e.to_string(),
            })
        });
        let statements = match statements {
            Ok(s) => s,
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
        };
        for stmt in statements {
            // The statement is a slice of the file's text: its offset locates errors.
            let offset = stmt.as_ptr() as usize - file.text.as_ptr() as usize;
            let start = offset + (stmt.len() - stmt.trim_start().len());
            match client.execute(stmt, &[]).await {
                Ok(n) => {
                    done.statements += 1;
                    done.rows += n;
                }
                Err(e) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    let (line, column) = line_col(&file.text, start);
                    return Err(Error::Load {
                        path: file.path.clone(),
                        line,
                        column,
                        message: format!(
                            "{}\nno seed was loaded (the transaction was rolled back)",
                            Error::describe_db(&e)
                        ),
                    });
                }
            }
        }
    }
    client.batch_execute("COMMIT").await?;
    Ok(done)
}
