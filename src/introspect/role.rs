use crate::catalog::Role;
use crate::error::Result;
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// The roles named in `names` that exist in the cluster (one query whatever their number).
pub async fn roles(client: &Client, names: &[String]) -> Result<BTreeMap<String, Role>> {
    let rows = client
        .query(include_str!("sql/roles.sql"), &[&names])
        .await
        .map_err(|e| crate::Error::database("introspection query roles: ", e))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let name: String = row.get(0);
        let member_of: BTreeMap<String, bool> =
            serde_json::from_str(row.get::<_, &str>(9)).unwrap_or_default();
        out.insert(
            name.clone(),
            Role {
                name,
                superuser: row.get(1),
                createdb: row.get(2),
                createrole: row.get(3),
                inherit: row.get(4),
                login: row.get(5),
                replication: row.get(6),
                bypassrls: row.get(7),
                connection_limit: row.get(8),
                declared: true,
                member_of,
                passed_on: serde_json::from_str(row.get::<_, &str>(10)).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}
