-- Sequences behind identity columns: not managed as sequences (the column owns them),
-- but they carry privileges of their own.
SELECT n.nspname::text, c.relname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.objid = c.oid AND d.deptype = 'i'
     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
WHERE c.relkind = 'S'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
ORDER BY 1, 2
