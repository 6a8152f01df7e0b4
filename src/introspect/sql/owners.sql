-- Owners other than the role reading the catalog (the desired state's objects belong to
-- whoever loads them). Sequences owned by a column follow their table.
SELECT kind, nspname::text, name::text, sub, pg_catalog.pg_get_userbyid(owner)::text
FROM (
    SELECT 'schema' AS kind, n.nspname, n.nspname AS name, NULL::text AS sub, n.nspowner AS owner
    FROM pg_catalog.pg_namespace n
  UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence'
                WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END,
           n.nspname, c.relname, NULL, c.relowner
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i')
                        AND (d.deptype = 'e' OR c.relkind = 'S'))
  UNION ALL
    SELECT 'function', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes), p.proowner
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
    SELECT 'type', n.nspname, t.typname, NULL, t.typowner
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
    WHERE t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR tc.relkind = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL
    SELECT 'collation', n.nspname, co.collname, NULL, co.collowner
    FROM pg_catalog.pg_collation co
    JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass
                        AND d.objid = co.oid AND d.deptype = 'e')
) o
WHERE owner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
  AND ($1::text[] IS NULL OR nspname = ANY ($1))
  AND nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3, 4
