//! Reads a database into a [`Catalog`] with a fixed set of catalog queries, whatever the
//! number of objects. Every query is a named `.sql` file under `sql/`; they run pipelined on
//! one connection inside one REPEATABLE READ transaction (one snapshot), with `search_path`
//! cleared so that every expression comes back schema-qualified.

mod assembly;
mod comment;
mod depends;
pub mod fingerprint;
mod privilege;
mod reader;
mod role;

pub use role::roles;

use crate::catalog::{Catalog, ObjectId, QualName};
use crate::error::Result;
use tokio_postgres::Client;

/// The queries of what is not one object kind: privileges, owners, comments and
/// dependencies of every kind, and the objects the engine does not manage.
const OWN_QUERIES: &[(&str, &str)] = &[
    ("privileges", include_str!("sql/privileges.sql")),
    ("owners", include_str!("sql/owners.sql")),
    (
        "default_privileges",
        include_str!("sql/default_privileges.sql"),
    ),
    (
        "identity_sequences",
        include_str!("sql/identity_sequences.sql"),
    ),
    ("comments", include_str!("sql/comments.sql")),
    ("depends", include_str!("sql/depends.sql")),
    ("unsupported", include_str!("sql/unsupported.sql")),
];

/// Every catalog query, by name: the object kinds' ([`crate::catalog::READERS`]) and
/// those above. Their number does not depend on the database's size.
pub fn queries() -> Vec<(&'static str, &'static str)> {
    crate::catalog::READERS
        .iter()
        .map(|r| (r.name, r.sql))
        .chain(OWN_QUERIES.iter().copied())
        .collect()
}

/// An object as the queries name it: (kind, schema, name, sub-name), the sub-name being a
/// column, constraint, trigger or policy name, or a function's argument types.
fn object_id(kind: &str, schema: String, name: String, sub: Option<String>) -> ObjectId {
    let q = QualName::new(schema.clone(), name);
    let sub = || sub.clone().unwrap_or_default();
    match kind {
        "column" => ObjectId::Column {
            table: q,
            column: sub(),
        },
        "sequence" => ObjectId::Sequence { name: q },
        "index" => ObjectId::Index { name: q },
        "view" => ObjectId::View { name: q },
        "table" => ObjectId::Table { name: q },
        "constraint" => ObjectId::Constraint {
            table: q,
            name: sub(),
        },
        "type" => ObjectId::Type { name: q },
        "function" => ObjectId::Function {
            name: q,
            args: sub(),
        },
        "policy" => ObjectId::Policy {
            table: q,
            name: sub(),
        },
        "collation" => ObjectId::Collation { name: q },
        "trigger" => ObjectId::Trigger {
            table: q,
            name: sub(),
        },
        _ => ObjectId::Schema { name: schema },
    }
}

/// What introspection did, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    /// Statements sent to the server (setup and catalog queries, on all connections).
    pub queries: usize,
    /// Connections the catalog queries were spread over.
    pub connections: usize,
}

/// Connections a live database is read over: the catalog queries spread over them, all
/// reading one exported snapshot. More would mostly queue on a small server.
pub const READERS: usize = 3;

/// Reads the schemas in `scope` (all user schemas when `None`) over `client` alone.
pub async fn introspect(client: &Client, scope: Option<&[String]>) -> Result<Catalog> {
    introspect_with_stats(client, &[], scope)
        .await
        .map(|(c, _)| c)
}

/// Reads the whole database from inside a transaction the caller holds (the shadow
/// database's loading transaction, which sees its own uncommitted roles and objects: no
/// other connection could, so it is read over this one).
pub async fn introspect_in_transaction(client: &Client) -> Result<Catalog> {
    client.batch_execute("SET LOCAL search_path = ''").await?;
    let workers = [client];
    let (catalog, _) = reader::fetch(&workers, None).await?;
    Ok(catalog)
}

/// A database with fewer relations than this (system catalogs included) is read over one
/// connection: each extra connection costs a backend and its catalog caches, which a small
/// database's read does not repay (measured: the fixture suite's plans 10% faster).
pub const PARALLEL_FROM_RELATIONS: i64 = 2000;

/// The extra connections worth opening to read the database `client` is connected to:
/// [`READERS`] `- 1` for a large one, none for a small one.
pub async fn extra_readers_for(client: &Client, target: &crate::db::Target) -> Vec<Client> {
    let relations: i64 = match client
        .query_one("SELECT count(*) FROM pg_catalog.pg_class", &[])
        .await
    {
        Ok(row) => row.get(0),
        Err(_) => PARALLEL_FROM_RELATIONS,
    };
    match relations >= PARALLEL_FROM_RELATIONS {
        true => extra_readers(target, READERS - 1).await,
        false => Vec::new(),
    }
}

/// Opens up to `n` more connections to `target` for [`introspect_with_stats`]; a
/// connection that cannot be made (a connection limit, say) is simply not used.
pub async fn extra_readers(target: &crate::db::Target, n: usize) -> Vec<Client> {
    let attempts = (0..n).map(|_| crate::db::connect(target));
    futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .filter_map(|c| {
            c.map_err(|e| tracing::debug!("no extra introspection connection: {e}"))
                .ok()
        })
        .collect()
}

/// Reads the schemas in `scope` over `client` and, in parallel, over `extra` connections
/// to the same database: `client` exports its snapshot and the others import it, so every
/// query sees the same instant. Extra connections that cannot join are left out.
pub async fn introspect_with_stats(
    client: &Client,
    extra: &[Client],
    scope: Option<&[String]>,
) -> Result<(Catalog, Stats)> {
    introspect_around(client, extra, scope, async {}).await
}

/// [`introspect_with_stats`], running `meanwhile` once the snapshot is taken and before
/// any catalog query: tests change the database there to show that no connection sees it.
#[doc(hidden)]
pub async fn introspect_around(
    client: &Client,
    extra: &[Client],
    scope: Option<&[String]>,
    meanwhile: impl std::future::Future<Output = ()>,
) -> Result<(Catalog, Stats)> {
    let (workers, setup) = reader::begin(client, extra).await?;
    meanwhile.await;
    let result = reader::fetch(&workers, scope).await;
    // Read-only transactions: ending them can only fail if a connection is gone, and then
    // the result above already carries the error.
    for w in &workers {
        let _ = w.batch_execute("ROLLBACK").await;
    }
    let (catalog, queries) = result?;
    let stats = Stats {
        queries: setup + queries + workers.len(),
        connections: workers.len(),
    };
    Ok((catalog, stats))
}
