-- Objects in scope of kinds the engine does not manage yet. They are reported, never
-- silently ignored, so a plan is not mistaken for a complete one.
WITH scoped AS (
    SELECT n.oid, n.nspname
    FROM pg_catalog.pg_namespace n
    WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
      AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
), ext AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
)
SELECT nspname::text, kind || ' ' || pg_catalog.quote_ident(nspname) || '.' || name
FROM (
    SELECT 'foreign table' AS kind,
           s.nspname, pg_catalog.quote_ident(c.relname) AS name
    FROM pg_catalog.pg_class c JOIN scoped s ON s.oid = c.relnamespace
    WHERE c.relkind = 'f'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ext.objid = c.oid)
  UNION ALL
    SELECT CASE p.prokind WHEN 'a' THEN 'ordered-set aggregate' WHEN 'p' THEN 'procedure'
                          WHEN 'w' THEN 'window function' ELSE 'function' END,
           s.nspname, pg_catalog.quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_catalog.pg_proc p JOIN scoped s ON s.oid = p.pronamespace
    WHERE (p.prokind = 'w' OR (p.prokind = 'a' AND EXISTS (
               SELECT 1 FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid AND a.aggkind <> 'n')))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ext.objid = p.oid)
  UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'
                          WHEN 'm' THEN 'multirange type' ELSE 'base type' END,
           s.nspname, pg_catalog.quote_ident(t.typname)
    FROM pg_catalog.pg_type t JOIN scoped s ON s.oid = t.typnamespace
    WHERE t.typtype IN ('r', 'm', 'b') AND t.typcategory <> 'A'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND ext.objid = t.oid)
  UNION ALL
    SELECT 'rule ' || pg_catalog.quote_ident(r.rulename) || ' on', s.nspname, pg_catalog.quote_ident(c.relname)
    FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
    JOIN scoped s ON s.oid = c.relnamespace
    WHERE r.rulename <> '_RETURN'
  UNION ALL
    SELECT 'operator class', s.nspname,
           pg_catalog.quote_ident(oc.opcname) || ' using ' || am.amname
    FROM pg_catalog.pg_opclass oc JOIN scoped s ON s.oid = oc.opcnamespace
    JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND ext.objid = oc.oid)
  UNION ALL
    -- A family made implicitly by CREATE OPERATOR CLASS is reported with its class.
    SELECT 'operator family', s.nspname,
           pg_catalog.quote_ident(f.opfname) || ' using ' || am.amname
    FROM pg_catalog.pg_opfamily f JOIN scoped s ON s.oid = f.opfnamespace
    JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND ext.objid = f.oid)
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass oc
                      WHERE oc.opcfamily = f.oid AND oc.opcname = f.opfname
                        AND oc.opcnamespace = f.opfnamespace)
  UNION ALL
    SELECT 'text search configuration', s.nspname, pg_catalog.quote_ident(x.cfgname)
    FROM pg_catalog.pg_ts_config x JOIN scoped s ON s.oid = x.cfgnamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND ext.objid = x.oid)
  UNION ALL
    SELECT 'text search dictionary', s.nspname, pg_catalog.quote_ident(x.dictname)
    FROM pg_catalog.pg_ts_dict x JOIN scoped s ON s.oid = x.dictnamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_ts_dict'::pg_catalog.regclass AND ext.objid = x.oid)
  UNION ALL
    SELECT 'text search parser', s.nspname, pg_catalog.quote_ident(x.prsname)
    FROM pg_catalog.pg_ts_parser x JOIN scoped s ON s.oid = x.prsnamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_ts_parser'::pg_catalog.regclass AND ext.objid = x.oid)
  UNION ALL
    SELECT 'text search template', s.nspname, pg_catalog.quote_ident(x.tmplname)
    FROM pg_catalog.pg_ts_template x JOIN scoped s ON s.oid = x.tmplnamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_ts_template'::pg_catalog.regclass AND ext.objid = x.oid)
  UNION ALL
    SELECT 'conversion', s.nspname, pg_catalog.quote_ident(x.conname)
    FROM pg_catalog.pg_conversion x JOIN scoped s ON s.oid = x.connamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_conversion'::pg_catalog.regclass AND ext.objid = x.oid)
  UNION ALL
    SELECT 'statistics object', s.nspname, pg_catalog.quote_ident(x.stxname)
    FROM pg_catalog.pg_statistic_ext x JOIN scoped s ON s.oid = x.stxnamespace
  UNION ALL
    -- Objects that are not in a schema are reported under the schema of what they
    -- touch in scope: a publication of a table, an event trigger's or a cast's function.
    -- pg_publication_tables lists the tables of every kind of publication: FOR ALL
    -- TABLES, FOR TABLE and (PostgreSQL 15) FOR TABLES IN SCHEMA, on every version.
    SELECT DISTINCT 'publication ' || pg_catalog.quote_ident(pt.pubname) || ' of', s.nspname,
           pg_catalog.quote_ident(pt.tablename)
    FROM pg_catalog.pg_publication_tables pt
    JOIN scoped s ON s.nspname = pt.schemaname
  UNION ALL
    SELECT 'event trigger ' || pg_catalog.quote_ident(e.evtname) || ' calling', s.nspname,
           pg_catalog.quote_ident(f.proname)
    FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc f ON f.oid = e.evtfoid
    JOIN scoped s ON s.oid = f.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND ext.objid = e.oid)
  UNION ALL
    SELECT 'cast (' || pg_catalog.format_type(c.castsource, NULL) || ' AS '
               || pg_catalog.format_type(c.casttarget, NULL) || ') with', s.nspname,
           pg_catalog.quote_ident(f.proname)
    FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_proc f ON f.oid = c.castfunc
    JOIN scoped s ON s.oid = f.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND ext.objid = c.oid)
  UNION ALL
    -- A cast WITHOUT FUNCTION or WITH INOUT, under the schema of its source type.
    SELECT 'cast (' || pg_catalog.format_type(c.castsource, NULL) || ' AS '
               || pg_catalog.format_type(c.casttarget, NULL) || ') of', s.nspname,
           pg_catalog.quote_ident(t.typname)
    FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type t ON t.oid = c.castsource
    JOIN scoped s ON s.oid = t.typnamespace
    WHERE c.castfunc = 0
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND ext.objid = c.oid)
) u
ORDER BY 1, 2
