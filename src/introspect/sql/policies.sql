-- Row level security policies. Roles by name (0 is PUBLIC); expressions read with
-- search_path cleared, as PostgreSQL stores them.
SELECT n.nspname::text, c.relname::text, pol.polname::text,
       CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                       WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
       pol.polpermissive,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN NULL ELSE a.rolname::text END
             FROM pg_catalog.unnest(pol.polroles) AS r(oid)
             LEFT JOIN pg_catalog.pg_roles a ON a.oid = r.oid
             ORDER BY 1),
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid)
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3
