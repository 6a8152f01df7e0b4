-- Plain and partitioned tables, partitions and inheritance children.
SELECT n.nspname::text, c.relname::text, c.relpersistence = 'u',
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
       pn.nspname::text, pc.relname::text,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
       -- INHERITS parents, in order (partitions have theirs above).
       ARRAY(SELECT ipn.nspname::text FROM pg_catalog.pg_inherits ih
             JOIN pg_catalog.pg_class ip ON ip.oid = ih.inhparent
             JOIN pg_catalog.pg_namespace ipn ON ipn.oid = ip.relnamespace
             WHERE ih.inhrelid = c.oid AND NOT c.relispartition ORDER BY ih.inhseqno),
       ARRAY(SELECT ip.relname::text FROM pg_catalog.pg_inherits ih
             JOIN pg_catalog.pg_class ip ON ip.oid = ih.inhparent
             WHERE ih.inhrelid = c.oid AND NOT c.relispartition ORDER BY ih.inhseqno),
       c.relrowsecurity, c.relforcerowsecurity
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
