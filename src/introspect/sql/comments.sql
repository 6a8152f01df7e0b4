-- Comments on the objects the engine manages, each resolved to (kind, schema, name,
-- sub-name). Extensions' comments are read with the extensions.
SELECT kind, nspname::text, name::text, sub::text, description
FROM (
    SELECT CASE WHEN d.objsubid > 0 THEN 'column'
                WHEN c.relkind = 'S' THEN 'sequence'
                WHEN c.relkind IN ('i', 'I') THEN 'index'
                WHEN c.relkind IN ('v', 'm') THEN 'view'
                ELSE 'table' END AS kind,
           n.nspname, c.relname AS name, a.attname AS sub, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_class c ON c.oid = d.objoid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
    WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
  UNION ALL
    SELECT 'constraint', n.nspname, c.relname, con.conname, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_constraint con ON con.oid = d.objoid
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
  UNION ALL
    SELECT 'type', n.nspname, t.typname, NULL, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_type t ON t.oid = d.objoid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
  UNION ALL
    SELECT 'function', n.nspname, p.proname,
           pg_catalog.oidvectortypes(p.proargtypes), d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_proc p ON p.oid = d.objoid
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
  UNION ALL
    SELECT 'trigger', n.nspname, c.relname, t.tgname, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_trigger t ON t.oid = d.objoid
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
  UNION ALL
    SELECT 'policy', n.nspname, c.relname, pol.polname, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_policy pol ON pol.oid = d.objoid
    JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass
  UNION ALL
    SELECT 'collation', n.nspname, co.collname, NULL, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_collation co ON co.oid = d.objoid
    JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
    WHERE d.classoid = 'pg_catalog.pg_collation'::pg_catalog.regclass
  UNION ALL
    SELECT 'schema', n.nspname, n.nspname, NULL, d.description
    FROM pg_catalog.pg_description d
    JOIN pg_catalog.pg_namespace n ON n.oid = d.objoid
    WHERE d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
) x
WHERE ($1::text[] IS NULL OR nspname = ANY ($1))
  AND nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3, 4
