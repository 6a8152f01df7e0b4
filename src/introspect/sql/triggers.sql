-- Triggers on plain tables (constraint triggers included; internal ones, such as those
-- behind foreign keys, left out).
SELECT n.nspname::text, c.relname::text, t.tgname::text,
       pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND c.relkind IN ('r', 'p')
  -- Clones of a partitioned table's triggers on its partitions belong to the parent.
  AND t.tgparentid = 0
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3
