//! Reads a database into a [`Catalog`] with a fixed set of catalog queries, whatever the
//! number of objects. Every query is a named `.sql` file under `sql/`; they run pipelined on
//! one connection inside one REPEATABLE READ transaction (one snapshot), with `search_path`
//! cleared so that every expression comes back schema-qualified.

mod aggregate;
mod collation;
mod comment;
mod constraint;
mod depends;
mod domain;
mod enum_type;
mod extension;
mod function;
mod index;
mod policy;
mod privilege;
mod role;
mod schema;
mod sequence;
mod table;
mod trigger;
mod view;

pub use role::roles;

use crate::catalog::{Catalog, ObjectId, QualName};
use crate::error::Result;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

/// The catalog queries, by name. Their number does not depend on the database's size.
pub const QUERIES: &[(&str, &str)] = &[
    ("schemas", include_str!("sql/schemas.sql")),
    ("extensions", include_str!("sql/extensions.sql")),
    ("enums", include_str!("sql/enums.sql")),
    ("collations", include_str!("sql/collations.sql")),
    ("domains", include_str!("sql/domains.sql")),
    ("composites", include_str!("sql/composites.sql")),
    ("sequences", include_str!("sql/sequences.sql")),
    ("tables", include_str!("sql/tables.sql")),
    ("columns", include_str!("sql/columns.sql")),
    ("constraints", include_str!("sql/constraints.sql")),
    ("indexes", include_str!("sql/indexes.sql")),
    ("views", include_str!("sql/views.sql")),
    ("functions", include_str!("sql/functions.sql")),
    ("triggers", include_str!("sql/triggers.sql")),
    ("policies", include_str!("sql/policies.sql")),
    ("privileges", include_str!("sql/privileges.sql")),
    ("owners", include_str!("sql/owners.sql")),
    (
        "identity_sequences",
        include_str!("sql/identity_sequences.sql"),
    ),
    (
        "default_privileges",
        include_str!("sql/default_privileges.sql"),
    ),
    ("aggregates", include_str!("sql/aggregates.sql")),
    ("comments", include_str!("sql/comments.sql")),
    ("depends", include_str!("sql/depends.sql")),
    ("unsupported", include_str!("sql/unsupported.sql")),
];

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
    /// Statements sent to the server (setup and catalog queries).
    pub queries: usize,
}

struct Reader<'a> {
    client: &'a Client,
    count: AtomicUsize,
}

impl Reader<'_> {
    async fn query(&self, name: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let sql = QUERIES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .expect("known query");
        self.count.fetch_add(1, Ordering::Relaxed);
        self.client.query(sql, params).await.map_err(|e| {
            crate::Error::Database(format!(
                "introspection query {name}: {}",
                crate::Error::describe_db(&e)
            ))
        })
    }
}

/// Reads the schemas in `scope` (all user schemas when `None`).
pub async fn introspect(client: &Client, scope: Option<&[String]>) -> Result<Catalog> {
    introspect_with_stats(client, scope).await.map(|(c, _)| c)
}

/// Reads the whole database from inside a transaction the caller holds (the shadow
/// database's loading transaction, which sees its own uncommitted roles).
pub async fn introspect_in_transaction(client: &Client) -> Result<Catalog> {
    let reader = Reader {
        client,
        count: AtomicUsize::new(0),
    };
    client.batch_execute("SET LOCAL search_path = ''").await?;
    read_all(&reader, None).await
}

pub async fn introspect_with_stats(
    client: &Client,
    scope: Option<&[String]>,
) -> Result<(Catalog, Stats)> {
    let reader = Reader {
        client,
        count: AtomicUsize::new(0),
    };
    reader.count.fetch_add(1, Ordering::Relaxed);
    client
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL search_path = ''",
        )
        .await?;
    let result = read_all(&reader, scope).await;
    reader.count.fetch_add(1, Ordering::Relaxed);
    // A read-only transaction: ending it can only fail if the connection is gone, and then
    // the result above already carries the error.
    let _ = client.batch_execute("ROLLBACK").await;
    let catalog = result?;
    Ok((
        catalog,
        Stats {
            queries: reader.count.load(Ordering::Relaxed),
        },
    ))
}

async fn read_all(r: &Reader<'_>, scope: Option<&[String]>) -> Result<Catalog> {
    let scope: Option<Vec<String>> = scope.map(|s| s.to_vec());
    let p: &[&(dyn ToSql + Sync)] = &[&scope];
    r.count.fetch_add(1, Ordering::Relaxed);
    let version = r.client.query_one(
        "SELECT pg_catalog.current_setting('server_version_num')::int, current_user::text",
        &[],
    );
    // Issued together: tokio-postgres pipelines them on the one connection.
    let (version, schemas, extensions, enums, sequences, tables, columns, constraints) = tokio::try_join!(
        async { version.await.map_err(crate::Error::from) },
        r.query("schemas", p),
        r.query("extensions", &[]),
        r.query("enums", p),
        r.query("sequences", p),
        r.query("tables", p),
        r.query("columns", p),
        r.query("constraints", p),
    )?;
    let (collations, domains, composites, aggregates, policies) = tokio::try_join!(
        r.query("collations", p),
        r.query("domains", p),
        r.query("composites", p),
        r.query("aggregates", p),
        r.query("policies", p)
    )?;
    let (indexes, views, functions, triggers, comments, depends, unsupported) = tokio::try_join!(
        r.query("indexes", p),
        r.query("views", p),
        r.query("functions", p),
        r.query("triggers", p),
        r.query("comments", p),
        r.query("depends", p),
        r.query("unsupported", p),
    )?;
    let (privileges, owners, default_privileges, identity) = tokio::try_join!(
        r.query("privileges", p),
        r.query("owners", p),
        r.query("default_privileges", p),
        r.query("identity_sequences", p),
    )?;
    let mut catalog = Catalog {
        server_version: version.get(0),
        current_user: version.get(1),
        ..Catalog::default()
    };
    schema::read(&mut catalog, &schemas);
    extension::read(&mut catalog, &extensions);
    enum_type::read(&mut catalog, &enums);
    collation::read(&mut catalog, &collations);
    domain::read(&mut catalog, &domains);
    domain::read_composites(&mut catalog, &composites);
    sequence::read(&mut catalog, &sequences);
    table::read(&mut catalog, &tables, &columns);
    constraint::read(&mut catalog, &constraints);
    index::read(&mut catalog, &indexes);
    view::read(&mut catalog, &views);
    function::read(&mut catalog, &functions);
    trigger::read(&mut catalog, &triggers);
    policy::read(&mut catalog, &policies);
    privilege::read(&mut catalog, &privileges, &owners, &default_privileges);
    catalog.identity_sequences = identity
        .iter()
        .map(|row| crate::catalog::QualName::new(row.get::<_, String>(0), row.get::<_, String>(1)))
        .collect();
    aggregate::read(&mut catalog, &aggregates);
    comment::read(&mut catalog, &comments);
    depends::read(&mut catalog, &depends);
    catalog.unsupported = unsupported
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    Ok(catalog)
}
