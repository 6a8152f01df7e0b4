-- Collations made with CREATE COLLATION. The row is read as JSON: the columns that hold
-- the locale moved between PostgreSQL 14 and 17.
SELECT n.nspname::text, co.collname::text, pg_catalog.to_jsonb(co)::text
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass
                    AND d.objid = co.oid AND d.deptype = 'e')
ORDER BY 1, 2
