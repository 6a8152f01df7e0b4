-- The named roles as the cluster has them, with the roles each is a member of (and
-- whether with ADMIN OPTION, over every grantor).
SELECT r.rolname::text, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolinherit,
       r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       COALESCE((SELECT pg_catalog.json_object_agg(x.rolname, x.admin)
                 FROM (SELECT g.rolname::text AS rolname, pg_catalog.bool_or(m.admin_option) AS admin
                       FROM pg_catalog.pg_auth_members m
                       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid
                       GROUP BY 1) x), '{}')::text,
       -- What it granted on its ADMIN OPTION: from PostgreSQL 16, a membership has a
       -- grantor that must revoke it, and the option cannot go without CASCADE.
       COALESCE((SELECT pg_catalog.json_object_agg(y.rolname, y.members)
                 FROM (SELECT g.rolname::text AS rolname,
                              pg_catalog.json_agg(DISTINCT x.rolname::text) AS members
                       FROM pg_catalog.pg_auth_members m
                       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                       JOIN pg_catalog.pg_roles x ON x.oid = m.member
                       WHERE m.grantor = r.oid AND m.member <> r.oid
                         AND pg_catalog.current_setting('server_version_num')::int >= 160000
                       GROUP BY 1) y), '{}')::text
FROM pg_catalog.pg_roles r
WHERE r.rolname = ANY ($1)
ORDER BY 1
