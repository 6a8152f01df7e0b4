-- ALTER DEFAULT PRIVILEGES entries: database-wide ones (no schema) always, those of a
-- schema when it is in scope; the role itself is reported as the owner.
SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, n.nspname::text,
       d.defaclobjtype::text,
       CASE WHEN x.grantee = d.defaclrole THEN 'owner' WHEN x.grantee = 0 THEN 'public' ELSE 'role' END,
       r.rolname::text, x.privilege_type, x.is_grantable
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) x
LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
WHERE d.defaclnamespace = 0 OR $1::text[] IS NULL OR n.nspname = ANY ($1)
ORDER BY 1, 2, 3, 4, 5, 6, 7
