-- Objects in scope of kinds the engine does not manage yet. They are reported, never
-- silently ignored, so a plan is not mistaken for a complete one.
WITH scoped AS (
    SELECT n.oid, n.nspname
    FROM pg_catalog.pg_namespace n
    WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
      AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
), ext AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
)
SELECT nspname::text, kind || ' ' || pg_catalog.quote_ident(nspname) || '.' || name
FROM (
    SELECT 'foreign table' AS kind,
           s.nspname, pg_catalog.quote_ident(c.relname) AS name
    FROM pg_catalog.pg_class c JOIN scoped s ON s.oid = c.relnamespace
    WHERE c.relkind = 'f'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ext.objid = c.oid)
  UNION ALL
    SELECT CASE p.prokind WHEN 'a' THEN 'ordered-set aggregate' WHEN 'p' THEN 'procedure'
                          WHEN 'w' THEN 'window function' ELSE 'function' END,
           s.nspname, pg_catalog.quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_catalog.pg_proc p JOIN scoped s ON s.oid = p.pronamespace
    WHERE (p.prokind = 'w' OR (p.prokind = 'a' AND EXISTS (
               SELECT 1 FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid AND a.aggkind <> 'n')))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ext.objid = p.oid)
  UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'
                          WHEN 'm' THEN 'multirange type' ELSE 'base type' END,
           s.nspname, pg_catalog.quote_ident(t.typname)
    FROM pg_catalog.pg_type t JOIN scoped s ON s.oid = t.typnamespace
    WHERE t.typtype IN ('r', 'm', 'b') AND t.typcategory <> 'A'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND ext.objid = t.oid)
  UNION ALL
    SELECT 'rule ' || pg_catalog.quote_ident(r.rulename) || ' on', s.nspname, pg_catalog.quote_ident(c.relname)
    FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
    JOIN scoped s ON s.oid = c.relnamespace
    WHERE r.rulename <> '_RETURN'
) u
ORDER BY 1, 2
