-- Aggregates (plain and moving-aggregate forms; ordered-set and hypothetical-set ones
-- are reported as unsupported).
SELECT n.nspname::text, p.proname::text,
       pg_catalog.oidvectortypes(p.proargtypes),
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       a.aggtransfn::regproc::text, pg_catalog.format_type(a.aggtranstype, NULL), a.aggtransspace,
       NULLIF(a.aggfinalfn, 0)::regproc::text, a.aggfinalextra, a.aggfinalmodify::text,
       NULLIF(a.aggcombinefn, 0)::regproc::text, NULLIF(a.aggserialfn, 0)::regproc::text,
       NULLIF(a.aggdeserialfn, 0)::regproc::text, a.agginitval,
       NULLIF(a.aggmtransfn, 0)::regproc::text, NULLIF(a.aggminvtransfn, 0)::regproc::text,
       CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END,
       NULLIF(a.aggmfinalfn, 0)::regproc::text, a.aggmfinalextra, a.aggmfinalmodify::text,
       a.aggminitval, NULLIF(a.aggsortop, 0)::regoper::text, p.proparallel::text
FROM pg_catalog.pg_aggregate a
JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE a.aggkind = 'n'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
