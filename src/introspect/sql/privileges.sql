-- Explicit ACLs (NULL ones are the built-in default and are left out), one row per
-- grantee, privilege and grantor; the owner is reported as such whatever its name, and
-- the grantor only when it is not the owner (a role that delegated its grant option).
WITH acl AS (
    SELECT 'schema' AS kind, n.nspname, n.nspname AS name, NULL::text AS sub,
           n.nspowner AS owner, n.nspacl AS acl
    FROM pg_catalog.pg_namespace n
    WHERE n.nspacl IS NOT NULL
  UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence'
                WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END,
           n.nspname, c.relname, NULL, c.relowner, c.relacl
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
    SELECT 'column', n.nspname, c.relname, a.attname::text, c.relowner, a.attacl
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
      AND c.relkind IN ('r', 'p', 'v', 'm')
  UNION ALL
    SELECT 'function', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes),
           p.proowner, p.proacl
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.proacl IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
    SELECT 'type', n.nspname, t.typname, NULL, t.typowner, t.typacl
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
    WHERE t.typacl IS NOT NULL AND t.typtype IN ('e', 'd', 'c')
      AND (t.typrelid = 0 OR tc.relkind = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
)
SELECT acl.kind, acl.nspname::text, acl.name::text, acl.sub,
       CASE WHEN x.grantee = acl.owner THEN 'owner' WHEN x.grantee = 0 THEN 'public' ELSE 'role' END,
       r.rolname::text, x.privilege_type, x.is_grantable,
       CASE WHEN x.grantor <> acl.owner THEN g.rolname::text END
FROM acl
CROSS JOIN LATERAL pg_catalog.aclexplode(acl.acl) x
LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
LEFT JOIN pg_catalog.pg_roles g ON g.oid = x.grantor
WHERE ($1::text[] IS NULL OR acl.nspname = ANY ($1))
  AND acl.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND acl.nspname !~ '^pg_(toast|temp_|toast_temp_)'
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
