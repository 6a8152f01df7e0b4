-- Table constraints; PostgreSQL 18 also lists NOT NULL ('n'), with its column.
SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text,
       pg_catalog.pg_get_constraintdef(con.oid), con.convalidated,
       fn.nspname::text, fc.relname::text, con.condeferrable, con.condeferred,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN
         (SELECT ic.reloptions::text[] FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid)
       END,
       CASE WHEN con.contype = 'n' THEN
         (SELECT a.attname::text FROM pg_catalog.pg_attribute a
          WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1])
       END
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x', 'n')
  AND c.relkind IN ('r', 'p')
  -- Constraints a partition inherits from its parent belong to the parent; its NOT NULL
  -- constraints are named after how it was made (PARTITION OF or ATTACH), which no
  -- plan can change: partitions are read without them.
  AND con.conislocal AND con.conparentid = 0 AND NOT (con.contype = 'n' AND c.relispartition)
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
