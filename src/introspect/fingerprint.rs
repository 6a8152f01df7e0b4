//! A fingerprint of a database that no DDL can escape, cheaper than reading it: for each
//! system catalog, its row count and the XOR of a 64-bit hash of each row's version (its
//! `ctid` and `xmin`). Any DDL inserts, updates or deletes catalog rows, and PostgreSQL
//! never writes a changed row in place except for statistics and freezing (VACUUM's
//! `relpages`, `reltuples`, `relfrozenxid` …, which the engine does not read): a changed
//! row is a new row version, with a new `ctid` and `xmin`. The fingerprint is therefore a
//! function of the catalogs' row versions, never of the engine's model of them; it changes
//! with any DDL at all (a false "changed" after a VACUUM FULL of a catalog, say, only costs
//! a read).
//!
//! Shared catalogs are the whole cluster's: only what concerns this database is hashed
//! (its `pg_database` row, its `pg_shdepend` and `pg_db_role_setting` rows), and the roles
//! by content (through `pg_roles`, which any role may read): those this database's objects
//! name (owners, grantees, policies), the connected role, the database's owner and the
//! roles asked for, with their memberships and the roles at the other end of those. Other
//! databases and roles coming and going on a shared server do not change it.
//!
//! Catalogs the reading role may not select from (`pg_subscription`, …) are left out.
//! `pg_statistic`, `pg_statistic_ext_data` and `pg_largeobject` hold data, not
//! definitions, and change with every ANALYZE or large object write: they are left out too.
//!
//! Two queries, whatever the database's size: the catalogs' list, then one aggregate of
//! each. Run before a read whose result is kept under the fingerprint: what is read is then
//! at least as new as its key, and a later DDL gives another key.

use crate::catalog::quote_ident;
use crate::error::Result;
use tokio_postgres::Client;

/// Catalogs that hold data rather than definitions, and the roles' (hashed by content).
const LEFT_OUT: &[&str] = &[
    "pg_statistic",
    "pg_statistic_ext_data",
    "pg_largeobject",
    "pg_authid",
    "pg_auth_members",
];

/// The rows of a shared catalog that concern the current database (`db`: its oid).
fn shared_rows(name: &str) -> &'static str {
    match name {
        "pg_database" => "WHERE oid = (SELECT oid FROM db)",
        "pg_shdepend" => "WHERE dbid IN (0, (SELECT oid FROM db))",
        "pg_db_role_setting" => "WHERE setdatabase IN (0, (SELECT oid FROM db))",
        _ => "",
    }
}

/// The roles that matter to this database (see the module's text), and their memberships.
const ROLES: &str = "\
db AS (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()),
named AS (
    SELECT refobjid AS oid FROM pg_catalog.pg_shdepend
    WHERE dbid = (SELECT oid FROM db) AND refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
  UNION SELECT oid FROM pg_catalog.pg_roles WHERE rolname = ANY ($1) OR rolname = current_user
  UNION SELECT datdba FROM pg_catalog.pg_database WHERE oid = (SELECT oid FROM db)
),
memberships AS (
    SELECT m.roleid, m.member, m.grantor, m::text AS row FROM pg_catalog.pg_auth_members m
    WHERE m.roleid IN (SELECT oid FROM named) OR m.member IN (SELECT oid FROM named)
),
roles AS (
    SELECT oid FROM named UNION SELECT roleid FROM memberships
  UNION SELECT member FROM memberships UNION SELECT grantor FROM memberships
)";

/// The fingerprint of the database `client` is connected to, with the server's version,
/// the connected role, the extensions' default versions (which an installed package
/// changes without DDL) and the roles that matter to it by content; `roles` are roles
/// the read asks for besides those the database names.
pub async fn fingerprint(client: &Client, roles: &[String]) -> Result<String> {
    let rows = client
        .query(
            "SELECT c.relname::text FROM pg_catalog.pg_class c \
             WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace \
               AND c.relkind = 'r' AND NOT (c.relname = ANY ($1)) \
               AND pg_catalog.has_table_privilege(c.oid, 'SELECT') \
             ORDER BY 1",
            &[&LEFT_OUT],
        )
        .await?;
    let mut parts = vec![
        "SELECT 'version', 0::int8, pg_catalog.hashtextextended(pg_catalog.version() || ' ' \
         || current_user::text, 0)"
            .to_string(),
        "SELECT 'extensions', count(*), pg_catalog.bit_xor(pg_catalog.hashtextextended(\
         name || ' ' || COALESCE(default_version, ''), 0)) \
         FROM pg_catalog.pg_available_extensions"
            .to_string(),
        "SELECT 'roles', count(*), pg_catalog.bit_xor(pg_catalog.hashtextextended(r::text, 0)) \
         FROM pg_catalog.pg_roles r WHERE r.oid IN (SELECT oid FROM roles)"
            .to_string(),
        "SELECT 'memberships', count(*), \
         pg_catalog.bit_xor(pg_catalog.hashtextextended(row, 0)) FROM memberships"
            .to_string(),
    ];
    for row in &rows {
        let name: String = row.get(0);
        parts.push(format!(
            "SELECT {lit}, count(*), pg_catalog.bit_xor(pg_catalog.hashtextextended(\
             ctid::text || ' ' || xmin::text, 0)) FROM pg_catalog.{ident} {rows}",
            lit = crate::catalog::quote_literal(&name),
            ident = quote_ident(&name),
            rows = shared_rows(&name),
        ));
    }
    let sql = format!("WITH {ROLES}\n{}", parts.join("\nUNION ALL\n"));
    let mut text = String::new();
    for row in client.query(&sql, &[&roles]).await? {
        let (name, count, hash): (String, i64, Option<i64>) = (row.get(0), row.get(1), row.get(2));
        text.push_str(&format!("{name} {count} {}\n", hash.unwrap_or(0)));
    }
    Ok(crate::cluster::warm::templates::key(&[text.as_bytes()]))
}
