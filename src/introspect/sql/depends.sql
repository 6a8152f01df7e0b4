-- Normal dependencies of columns (type, default), constraints and standalone indexes on
-- user objects, from pg_depend; each side resolved to (kind, schema, name, sub-name).
-- Types owned by an extension resolve to the extension; array types to their element.
WITH dep AS (
    SELECT 'column' AS kind, n.nspname, c.relname, a.attname::text AS sub,
           d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
    JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'column', n.nspname, c.relname, a.attname, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind IN ('r', 'p')
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    -- Before PostgreSQL 15 what a generated column's expression calls is an automatic
    -- dependency of the column (dropping the function drops the column silently): read
    -- it too (its dependencies on its own table's columns are left out below).
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid > 0
      AND d.deptype IN ('n', 'a') AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'constraint', n.nspname, c.relname, con.conname, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    -- Not the copies PostgreSQL makes of a constraint for partitions (named by it): they
    -- come and go with the constraint they copy.
    JOIN pg_catalog.pg_constraint con ON con.oid = d.objid AND con.conparentid = 0
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'view', n.nspname, c.relname, NULL, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
    JOIN pg_catalog.pg_class c ON c.oid = r.ev_class AND c.relkind IN ('v', 'm')
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.deptype = 'n'
      AND d.refobjid <> r.ev_class
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'type', n.nspname, t.typname, NULL, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_type t ON t.oid = d.objid AND t.typtype = 'd'
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    -- A domain's CHECK constraints: what they call or use is the domain's.
    SELECT 'type', n.nspname, t.typname, NULL, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_constraint con ON con.oid = d.objid AND con.contypid <> 0
    JOIN pg_catalog.pg_type t ON t.oid = con.contypid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'type', n.nspname, c.relname, NULL, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'c'
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid > 0
      AND d.deptype = 'n' AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'trigger', n.nspname, c.relname, t.tgname, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_trigger t ON t.oid = d.objid AND NOT t.tgisinternal
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'function', n.nspname, p.proname,
           pg_catalog.oidvectortypes(p.proargtypes), d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_proc p ON p.oid = d.objid
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'index', n.nspname, ic.relname, NULL, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class ic ON ic.oid = d.objid AND ic.relkind IN ('i', 'I')
    JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  UNION ALL
    SELECT 'policy', n.nspname, c.relname, pol.polname, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_policy pol ON pol.oid = d.objid
    JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND d.deptype = 'n'
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
), ref AS (
    SELECT dep.kind, dep.nspname, dep.relname, dep.sub,
           CASE
             WHEN gext.extname IS NOT NULL THEN 'extension'
             WHEN dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN
               CASE WHEN rc.relkind = 'S' THEN 'sequence'
                    WHEN rc.relkind IN ('i', 'I') AND rcon.conname IS NOT NULL THEN 'constraint'
                    WHEN rc.relkind IN ('i', 'I') THEN 'index'
                    WHEN rc.relkind IN ('v', 'm') THEN 'view'
                    WHEN ra.attname IS NOT NULL THEN 'column'
                    ELSE 'table' END
             WHEN dep.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN
               CASE WHEN text.extname IS NOT NULL THEN 'extension'
                    WHEN et.typrelid <> 0 AND trel.relkind IN ('r', 'p') THEN 'table'
                    WHEN et.typrelid <> 0 AND trel.relkind IN ('v', 'm') THEN 'view'
                    ELSE 'type' END
             WHEN dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
               CASE WHEN pext.extname IS NOT NULL THEN 'extension' ELSE 'function' END
             WHEN dep.refclassid = 'pg_catalog.pg_collation'::pg_catalog.regclass THEN 'collation'
             ELSE addr.type
           END AS ref_kind,
           CASE
             WHEN gext.extname IS NOT NULL THEN gext.nspname
             WHEN dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN rcn.nspname
             WHEN dep.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN tn.nspname
             WHEN dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN pn.nspname
             WHEN dep.refclassid = 'pg_catalog.pg_collation'::pg_catalog.regclass THEN coln.nspname
             ELSE addr.object_names[1]
           END AS ref_schema,
           CASE
             WHEN gext.extname IS NOT NULL THEN gext.extname
             WHEN dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN
               CASE WHEN rcon.conname IS NOT NULL THEN rtab.relname ELSE rc.relname END
             WHEN dep.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN
               COALESCE(text.extname, trel.relname, et.typname)
             WHEN dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
               COALESCE(pext.extname, p.proname)
             WHEN dep.refclassid = 'pg_catalog.pg_collation'::pg_catalog.regclass THEN col.collname
             ELSE addr.object_names[2]
           END AS ref_name,
           CASE
             WHEN gext.extname IS NOT NULL THEN NULL
             WHEN rcon.conname IS NOT NULL THEN rcon.conname
             WHEN ra.attname IS NOT NULL AND rc.relkind NOT IN ('v', 'm') THEN ra.attname
             WHEN p.oid IS NOT NULL THEN pg_catalog.oidvectortypes(p.proargtypes)
             WHEN addr.type IS NOT NULL THEN pg_catalog.array_to_string(addr.object_args, ', ')
           END AS ref_sub
    FROM dep
    LEFT JOIN pg_catalog.pg_class rc
           ON dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND rc.oid = dep.refobjid
    LEFT JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rc.relnamespace
    LEFT JOIN pg_catalog.pg_attribute ra
           ON dep.refobjsubid > 0 AND ra.attrelid = rc.oid AND ra.attnum = dep.refobjsubid
    LEFT JOIN pg_catalog.pg_index ri ON rc.relkind IN ('i', 'I') AND ri.indexrelid = rc.oid
    LEFT JOIN pg_catalog.pg_constraint rcon
           ON rcon.conindid = rc.oid AND rcon.conrelid = ri.indrelid AND rcon.contype IN ('p', 'u', 'x')
    LEFT JOIN pg_catalog.pg_class rtab ON rtab.oid = ri.indrelid
    LEFT JOIN pg_catalog.pg_type t0
           ON dep.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t0.oid = dep.refobjid
    LEFT JOIN pg_catalog.pg_type et
           ON et.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN t0.typelem ELSE t0.oid END
    LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = et.typnamespace
    LEFT JOIN pg_catalog.pg_class trel ON et.typrelid <> 0 AND trel.oid = et.typrelid
    LEFT JOIN LATERAL (
        SELECT e.extname FROM pg_catalog.pg_depend xd
        JOIN pg_catalog.pg_extension e ON e.oid = xd.refobjid
        WHERE xd.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND xd.objid = et.oid
          AND xd.deptype = 'e'
        LIMIT 1
    ) text ON et.oid IS NOT NULL
    LEFT JOIN pg_catalog.pg_proc p
           ON dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = dep.refobjid
    LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    LEFT JOIN LATERAL (
        SELECT e.extname FROM pg_catalog.pg_depend xd
        JOIN pg_catalog.pg_extension e ON e.oid = xd.refobjid
        WHERE xd.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND xd.objid = p.oid
          AND xd.deptype = 'e'
        LIMIT 1
    ) pext ON p.oid IS NOT NULL
    LEFT JOIN pg_catalog.pg_collation col
           ON dep.refclassid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND col.oid = dep.refobjid
    LEFT JOIN pg_catalog.pg_namespace coln ON coln.oid = col.collnamespace
    -- A member of an extension (its operator class, operator, table …) is the extension
    -- to order against: created by CREATE EXTENSION, dropped by DROP EXTENSION. Types and
    -- functions are resolved above (a type through its array's element).
    LEFT JOIN LATERAL (
        SELECT e.extname, en.nspname FROM pg_catalog.pg_depend xd
        JOIN pg_catalog.pg_extension e ON e.oid = xd.refobjid
        JOIN pg_catalog.pg_namespace en ON en.oid = e.extnamespace
        WHERE xd.classid = dep.refclassid AND xd.objid = dep.refobjid AND xd.deptype = 'e'
        LIMIT 1
    ) gext ON dep.refclassid NOT IN ('pg_catalog.pg_type'::pg_catalog.regclass,
                                     'pg_catalog.pg_proc'::pg_catalog.regclass)
          AND dep.refobjid >= 16384
    -- Any other kind of object (an operator, say) by its address, which
    -- catalog::ObjectId::from_address reads; built-in objects are never dependencies
    -- the plan orders against, so they are not looked up.
    LEFT JOIN LATERAL pg_catalog.pg_identify_object_as_address(dep.refclassid, dep.refobjid, 0) addr
           ON dep.refclassid NOT IN ('pg_catalog.pg_class'::pg_catalog.regclass,
                                     'pg_catalog.pg_type'::pg_catalog.regclass,
                                     'pg_catalog.pg_proc'::pg_catalog.regclass,
                                     'pg_catalog.pg_collation'::pg_catalog.regclass)
    WHERE dep.refclassid <> 'pg_catalog.pg_namespace'::pg_catalog.regclass
      AND (dep.refclassid IN ('pg_catalog.pg_class'::pg_catalog.regclass,
                              'pg_catalog.pg_type'::pg_catalog.regclass,
                              'pg_catalog.pg_proc'::pg_catalog.regclass,
                              'pg_catalog.pg_collation'::pg_catalog.regclass)
           OR dep.refobjid >= 16384)
)
SELECT kind, nspname::text, relname::text, sub::text, ref_kind, ref_schema::text,
       ref_name::text, ref_sub::text
FROM ref
WHERE ref_schema IS NOT NULL
  AND (ref_kind = 'extension'
       OR (ref_schema NOT IN ('pg_catalog', 'information_schema')
           AND ref_schema !~ '^pg_(toast|temp_|toast_temp_)'))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
