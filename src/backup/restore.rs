//! Restoring a backup: the dump checked against its manifest's SHA-256, the target checked
//! for schemas the dump would create again (refused, naming them, before anything runs),
//! then `pg_restore` in one transaction.

use super::{Manifest, Storage, digest_file, find_tool, list_in, run, space};
use crate::error::{Error, Result};
use std::path::Path;
use tokio_postgres::Client;

/// Restores backup `id` into the database at `url`, in one transaction: all or nothing.
/// The dump is checked against its manifest's SHA-256 first (downloaded to a local
/// temporary file when the storage is an object store); a database that already holds
/// schemas the backup would create is refused, and nothing is changed.
pub async fn restore(storage: &Path, id: &str, url: &str) -> Result<Manifest> {
    let storage = Storage::open(storage)?;
    let m = list_in(&storage)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Error::Backup(format!("no backup {id:?} in {}", storage.location())))?;
    if let Storage::Object(_) = storage {
        space::check_fits(&std::env::temp_dir(), m.size, 0)?;
    }
    let local = storage.fetch(&m.file).await?;
    let (_, sha256) = digest_file(&local.path).await?;
    if sha256 != m.sha256 {
        return Err(Error::Backup(format!(
            "{} does not match its manifest's checksum: not restoring a damaged backup",
            storage.describe(&m.file)
        )));
    }
    let target = crate::db::parse(url)?;
    let client = crate::db::connect(&target).await?;
    let version = crate::db::server_version(&client).await?;
    let major = (version / 10000).max(m.server_version / 10000) as u32;
    let pg_restore = find_tool("pg_restore", major)?;
    let schemas = if m.schemas.is_empty() {
        // A whole-database backup: the schemas its table of contents names.
        let mut cmd = tokio::process::Command::new(&pg_restore);
        cmd.arg("--list").arg(&local.path);
        toc_schemas(&run(cmd, "pg_restore --list").await?)
    } else {
        m.schemas.clone()
    };
    let taken = occupied(&client, &schemas).await?;
    if !taken.is_empty() {
        return Err(Error::Backup(format!(
            "backup {id} cannot be restored into {}: it already holds the schema{} {} that \
             the backup would create again; nothing was changed. Restore into a fresh \
             database instead (`createdb NEW_NAME`, then `profe-migrate backup restore {id} \
             --database-url URL_OF_NEW_NAME`), or drop {} first if what {} hold may go",
            target.describe(),
            if taken.len() == 1 { "" } else { "s" },
            taken.join(", "),
            if taken.len() == 1 { "it" } else { "them" },
            if taken.len() == 1 { "it" } else { "they" },
        )));
    }
    let mut cmd = tokio::process::Command::new(pg_restore);
    cmd.args(["--single-transaction", "--exit-on-error", "--dbname"])
        .arg(target.config.get_dbname().unwrap_or("postgres"))
        .arg(&local.path)
        .envs(target.libpq_env());
    run(cmd, "pg_restore").await?;
    Ok(m)
}

/// The schemas a dump's table of contents (`pg_restore --list`) creates or puts objects
/// in. An entry reads `ID; TABLEOID OID TYPE NAMESPACE TAG OWNER`, where TYPE and TAG may
/// hold spaces: the schemas are the `SCHEMA - name` entries, and `public` (which a whole
/// database dump does not create) when an entry's namespace is `public`.
fn toc_schemas(toc: &str) -> Vec<String> {
    let entries: Vec<Vec<&str>> = toc
        .lines()
        .filter(|l| !l.starts_with(';'))
        .map(|l| l.split_whitespace().skip(3).collect::<Vec<&str>>())
        .filter(|t| t.len() >= 3)
        .collect();
    let mut out: Vec<String> = entries
        .iter()
        .filter(|t| t[0] == "SCHEMA" && t[1] == "-")
        .map(|t| t[2..t.len() - 1].join(" "))
        .collect();
    // The namespace is the first field after the type's words that is `-` or a schema.
    let uses_public = entries.iter().any(|t| {
        t.iter()
            .skip(1)
            .find(|w| **w == "-" || **w == "public" || out.iter().any(|s| s == *w))
            .is_some_and(|w| *w == "public")
    });
    if uses_public && !out.iter().any(|s| s == "public") {
        out.push("public".into());
    }
    out.sort();
    out.dedup();
    out
}

/// The schemas of `names` that the database already holds: `public`, which every new
/// database has, only when something lives in it.
async fn occupied(client: &Client, names: &[String]) -> Result<Vec<String>> {
    let rows = client
        .query(
            "SELECT n.nspname::text FROM pg_catalog.pg_namespace n \
             WHERE n.nspname = ANY($1) AND (n.nspname <> 'public' \
                OR EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid) \
                OR EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid) \
                OR EXISTS (SELECT FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid)) \
             ORDER BY 1",
            &[&names],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::toc_schemas;

    #[test]
    fn schemas_are_read_from_the_table_of_contents() {
        let whole = ";\n; Archive created at 2025-01-01\n;\n\
            6; 2615 16385 SCHEMA - s postgres\n\
            7; 2615 16390 SCHEMA - my schema postgres\n\
            846; 1247 16394 TYPE s e postgres\n\
            217; 1255 16392 FUNCTION public f(integer, text) postgres\n\
            3348; 0 16389 TABLE DATA s t postgres\n\
            3352; 0 0 COMMENT - SCHEMA s postgres\n";
        assert_eq!(toc_schemas(whole), ["my schema", "public", "s"]);
        let without_public = "6; 2615 16385 SCHEMA - s postgres\n\
            3352; 0 0 COMMENT - SCHEMA public pg_database_owner\n\
            3347; 0 16386 TABLE DATA s t postgres\n";
        assert_eq!(toc_schemas(without_public), ["s"]);
    }
}
