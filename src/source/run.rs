//! Running a desired state's statements: in order over one connection, or over several at
//! once as its [`super::Schedule`] allows.

use super::{DesiredState, Statement, files};
use crate::catalog::quote_ident;
use crate::db;
use crate::error::{Error, Result};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use tokio_postgres::Client;

/// Below this many statements a state is loaded over one connection: opening more costs
/// more than they save.
const MANY: usize = 200;

impl DesiredState {
    /// How many connections loading this state uses: one when its schedule allows no more,
    /// else `PROFE_MIGRATE_LOAD_CONNECTIONS` when set (1 to 16), else four for a large
    /// state (on two cores, four connections loaded a 1,000-table schema in half the time
    /// of one: a backend waits on its client between statements) and one for a small one.
    pub fn load_connections(&self) -> usize {
        if !self.schedule.parallel {
            return 1;
        }
        if let Some(n) = std::env::var("PROFE_MIGRATE_LOAD_CONNECTIONS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            return n.clamp(1, 16);
        }
        if self.statements.len() < MANY { 1 } else { 4 }
    }
}

/// Up to `count` connections to `target`, each set up by `setup` (e.g. `SET SESSION
/// AUTHORIZATION`). One that cannot be made (a server at its connection limit, say) is
/// left out, so the load runs over fewer; none at all is an error when `at_least` is 1.
pub async fn more_connections(
    target: &db::Target,
    count: usize,
    setup: Option<&str>,
    at_least: usize,
) -> Result<Vec<Client>> {
    let opened = futures_util::future::join_all((0..count).map(|_| async {
        let client = db::connect(target).await?;
        if let Some(sql) = setup {
            client.batch_execute(sql).await?;
        }
        Ok::<_, Error>(client)
    }))
    .await;
    let mut clients = Vec::with_capacity(count);
    let mut failure = None;
    for result in opened {
        match result {
            Ok(client) => clients.push(client),
            Err(e) => {
                tracing::debug!("a connection to load over could not be made: {e}");
                failure.get_or_insert(e);
            }
        }
    }
    match failure {
        Some(e) if clients.len() < at_least => Err(e),
        _ => Ok(clients),
    }
}

pub(super) fn search_path_sql(path: &Option<Vec<String>>) -> String {
    match path {
        None => "SET search_path TO DEFAULT".into(),
        Some(p) if p.is_empty() => "SET search_path = ''".into(),
        Some(p) => format!(
            "SET search_path = {}",
            p.iter()
                .map(|s| quote_ident(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn load_error(
    stmt: &Statement,
    state: &DesiredState,
    e: &tokio_postgres::Error,
    shadow_major: u32,
) -> Error {
    let mut message = Error::describe_db(e);
    // The files parsed with a newer grammar than the server's.
    if e.code() == Some(&tokio_postgres::error::SqlState::SYNTAX_ERROR)
        && let Some(hint) = super::newer::hint(&stmt.sql, shadow_major)
    {
        message = format!("{message}\n{hint}");
    }
    let mut offset = stmt.offset;
    if let Some(db) = e.as_db_error()
        && let Some(tokio_postgres::error::ErrorPosition::Original(pos)) = db.position()
    {
        offset += files::char_to_byte(&stmt.sql, *pos as usize);
    }
    let (line, column) = state
        .files
        .iter()
        .find(|f| f.path == stmt.path)
        .map(|f| files::line_col(&f.text, offset))
        .unwrap_or((stmt.line, stmt.column));
    let first_line = stmt.sql.lines().next().unwrap_or("");
    Error::Load {
        path: stmt.path.clone(),
        line,
        column,
        message: format!(
            "{message}\nin statement starting at line {}: {first_line}",
            stmt.line
        ),
    }
}

/// One statement on a connection whose search path is `current`.
async fn run(
    client: &Client,
    stmt: &Statement,
    current: &mut Option<Vec<String>>,
) -> std::result::Result<(), tokio_postgres::Error> {
    if stmt.search_path != *current {
        client
            .batch_execute(&search_path_sql(&stmt.search_path))
            .await?;
        current.clone_from(&stmt.search_path);
    }
    client.batch_execute(&stmt.sql).await
}

/// Runs the statements, in order, on `client`; the first failure names its file and line.
/// `what` names the stage in the progress shown on a terminal.
pub async fn load_into(state: &DesiredState, client: &Client, what: &str) -> Result<()> {
    load_over(state, &[client], what).await
}

/// Runs the statements on `clients`, connections to one database: several at once where
/// the state's [`super::Schedule`] lets them, each once every statement it waits for is
/// done, the earliest ready first; in order on the first connection otherwise. Each
/// statement commits on its own. Should one fail, those running are let finish and the
/// rest run in order on one connection, so that a failure caused by running at once is not
/// reported; the first failure then names its file and line.
pub async fn load_over(state: &DesiredState, clients: &[&Client], what: &str) -> Result<()> {
    crate::progress::stage(what, Some(state.statements.len() as u64));
    let start = std::time::Instant::now();
    let schedule = &state.schedule;
    let statements = &state.statements;
    // Asked first: after a failure, the loading transaction (roles the server lacks) is
    // aborted and could not answer.
    let major = db::server_version(clients[0]).await? as u32 / 10000;
    let workers = match schedule.parallel {
        true => clients.len().max(1),
        false => 1,
    };
    let mut paths: Vec<Option<Vec<String>>> = vec![None; workers];
    let prelude = match workers {
        1 => 0,
        _ => schedule.prelude,
    };
    for (client, current) in clients.iter().zip(paths.iter_mut()) {
        client.batch_execute(&search_path_sql(&None)).await?;
        for stmt in &statements[..prelude] {
            run(client, stmt, current)
                .await
                .map_err(|e| load_error(stmt, state, &e, major))?;
        }
    }
    crate::progress::advance(prelude as u64);
    let mut done = vec![false; statements.len()];
    done[..prelude].iter_mut().for_each(|d| *d = true);
    let mut failed = None;
    if workers > 1 {
        failed = at_once(state, clients, &mut paths, &mut done).await;
        if let Some((i, e)) = &failed {
            let stmt = &statements[*i];
            tracing::debug!(
                "loading over {workers} connections, {}:{} failed ({}): the rest is loaded in \
                 order on one",
                stmt.path.display(),
                stmt.line,
                Error::describe_db(e)
            );
        }
    }
    let client = clients[0];
    let current = &mut paths[0];
    for (i, stmt) in statements.iter().enumerate().filter(|(i, _)| !done[*i]) {
        run(client, stmt, current)
            .await
            .map_err(|e| load_error(stmt, state, &e, major))?;
        // What failed at once but passes in order waited for too little: the tests make
        // that an error (`PROFE_MIGRATE_LOAD_STRICT`), so that a dependency the schedule
        // misses is seen rather than hidden by the fallback.
        if let Some((f, e)) = &failed
            && *f == i
            && std::env::var_os("PROFE_MIGRATE_LOAD_STRICT").is_some()
        {
            return Err(Error::Load {
                path: stmt.path.clone(),
                line: stmt.line,
                column: stmt.column,
                message: format!(
                    "failed over several connections ({}) but not in order: the schedule \
                     misses what it waits for",
                    Error::describe_db(e)
                ),
            });
        }
        crate::progress::advance(1);
    }
    tracing::debug!(
        "{what}: {} statements over {workers} connection(s) in {:?}",
        statements.len(),
        start.elapsed()
    );
    Ok(())
}

/// The statements after the prelude over all `clients` at once, as the schedule allows;
/// marks in `done` those that ran. Stops starting statements at the first failure, which it
/// returns (by index) once those running are over.
async fn at_once(
    state: &DesiredState,
    clients: &[&Client],
    paths: &mut [Option<Vec<String>>],
    done: &mut [bool],
) -> Option<(usize, tokio_postgres::Error)> {
    let statements = &state.statements;
    let after = &state.schedule.after;
    let mut waiting: Vec<usize> = after.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<u32>> = vec![Vec::new(); statements.len()];
    for (i, deps) in after.iter().enumerate() {
        for &d in deps {
            dependents[d as usize].push(i as u32);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..statements.len())
        .filter(|&i| !done[i] && waiting[i] == 0)
        .map(Reverse)
        .collect();
    let mut free: Vec<usize> = (0..clients.len()).rev().collect();
    let mut running = FuturesUnordered::new();
    let mut failed = None;
    loop {
        while failed.is_none()
            && !free.is_empty()
            && let Some(Reverse(i)) = ready.pop()
        {
            let w = free.pop().expect("a free connection");
            let mut current = paths[w].take();
            let (client, stmt) = (clients[w], &statements[i]);
            running.push(async move {
                let r = run(client, stmt, &mut current).await;
                (w, i, current, r)
            });
        }
        let Some((w, i, current, result)) = running.next().await else {
            break;
        };
        paths[w] = current;
        free.push(w);
        match result {
            Ok(()) => {
                done[i] = true;
                crate::progress::advance(1);
                for &j in &dependents[i] {
                    let j = j as usize;
                    waiting[j] -= 1;
                    if waiting[j] == 0 {
                        ready.push(Reverse(j));
                    }
                }
            }
            Err(e) => {
                if failed.is_none() {
                    failed = Some((i, e));
                }
            }
        }
    }
    failed
}
