-- The named roles as the cluster has them, with the roles each is a member of (and
-- whether with ADMIN OPTION, over every grantor).
SELECT r.rolname::text, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolinherit,
       r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       COALESCE((SELECT pg_catalog.json_object_agg(x.rolname, x.admin)
                 FROM (SELECT g.rolname::text AS rolname, pg_catalog.bool_or(m.admin_option) AS admin
                       FROM pg_catalog.pg_auth_members m
                       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid
                       GROUP BY 1) x), '{}')::text
FROM pg_catalog.pg_roles r
WHERE r.rolname = ANY ($1)
ORDER BY 1
