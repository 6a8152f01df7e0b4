-- Standalone indexes of plain tables and materialized views: those backing a primary key, unique or exclusion
-- constraint are part of the constraint.
SELECT n.nspname::text, ic.relname::text, c.relname::text,
       pg_catalog.pg_get_indexdef(i.indexrelid), i.indisunique, i.indisvalid,
       ic.reloptions::text[],
       -- A partition's copy of its parent's index, managed through the parent's.
       ic.relispartition,
       -- That parent index: dropping it drops the copy, creating it makes (or adopts) one.
       pn.nspname::text, pc.relname::text
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_inherits inh ON ic.relispartition AND inh.inhrelid = ic.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
