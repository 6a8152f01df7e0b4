//! What a database holds outside the schemas in scope: never planned, so said in the
//! plan's notes (and drift's), with how to bring it in. A schema whose files were all
//! deleted falls out of scope this way; it is reported, not silently left behind.

use crate::error::Result;
use std::collections::BTreeSet;
use tokio_postgres::Client;

/// Per schema outside `$1`, the number of objects of its own (not an extension's):
/// relations other than indexes, routines, types that are not a relation's or an
/// array's, operators and collations. System schemas and the engine's own are left out.
const QUERY: &str = r#"
SELECT n.nspname::text, count(o.ns)::bigint
FROM pg_catalog.pg_namespace n
LEFT JOIN (
    SELECT c.relnamespace AS ns, 'pg_catalog.pg_class'::pg_catalog.regclass AS cls, c.oid
    FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  UNION ALL
    SELECT p.pronamespace, 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
    FROM pg_catalog.pg_proc p
  UNION ALL
    SELECT t.typnamespace, 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid
    FROM pg_catalog.pg_type t WHERE t.typtype IN ('e', 'd', 'r')
  UNION ALL
    SELECT o.oprnamespace, 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid
    FROM pg_catalog.pg_operator o
  UNION ALL
    SELECT co.collnamespace, 'pg_catalog.pg_collation'::pg_catalog.regclass, co.oid
    FROM pg_catalog.pg_collation co
) o ON o.ns = n.oid
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                   WHERE d.classid = o.cls AND d.objid = o.oid AND d.deptype = 'e')
WHERE n.nspname <> ALL ($1::text[])
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
GROUP BY 1
ORDER BY 1
"#;

/// One note per schema outside `scope` (and not in `excluded`, which the user or the
/// configuration leaves out on purpose, nor matched by `--exclude`): how many objects it holds and how to manage it.
/// An empty `public` (every new database has one) is not worth a note.
pub async fn notes(
    client: &Client,
    scope: &BTreeSet<String>,
    excluded: &BTreeSet<String>,
    patterns: &crate::catalog::Exclusions,
) -> Result<Vec<String>> {
    let list: Vec<String> = scope.iter().chain(excluded).cloned().collect();
    let rows = client.query(QUERY, &[&list]).await?;
    let mut out = Vec::new();
    for row in rows {
        let (schema, count): (String, i64) = (row.get(0), row.get(1));
        if patterns.schema(&schema) {
            continue;
        }
        out.push(match count {
            0 if schema == "public" => continue,
            0 => format!(
                "{schema}: an empty schema, not managed — add `--schema {schema}` to manage it"
            ),
            1 => format!("{schema}: 1 object not managed — add `--schema {schema}` to manage it"),
            n => format!(
                "{schema}: {n} objects not managed — add `--schema {schema}` to manage them"
            ),
        });
    }
    Ok(out)
}
