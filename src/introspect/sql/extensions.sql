-- Every extension of the database; scope is applied by the diff (extensions are
-- database-wide objects that follow the desired state).
SELECT e.extname::text, n.nspname::text, e.extversion
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
ORDER BY 1
