use super::{Catalog, QualName, quote_literal};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// An aggregate (CREATE AGGREGATE). Function and type names are as `regproc`/`format_type`
/// print them with an empty `search_path`: schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub name: QualName,
    pub arg_types: String,
    pub identity_args: String,
    /// `(option, value)` pairs in CREATE AGGREGATE order, only those that are set.
    pub options: Vec<(String, String)>,
}

impl Aggregate {
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args)
    }

    pub fn create_sql(&self, replace: bool) -> String {
        let opts: Vec<String> = self
            .options
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        format!(
            "CREATE {}AGGREGATE {} (\n    {}\n);",
            if replace { "OR REPLACE " } else { "" },
            self.signature(),
            opts.join(",\n    ")
        )
    }

    /// Builds the option list from the catalog's fields.
    pub fn option(
        out: &mut Vec<(String, String)>,
        key: &str,
        value: Option<String>,
        literal: bool,
    ) {
        if let Some(v) = value {
            out.push((key.into(), if literal { quote_literal(&v) } else { v }));
        }
    }
}

/// The catalog query that reads the aggregates in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
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
"#;

fn modify(code: Option<String>) -> Option<String> {
    match code.as_deref() {
        Some("s") => Some("SHAREABLE".into()),
        Some("w") => Some("READ_WRITE".into()),
        // READ_ONLY is the default for plain aggregates.
        _ => None,
    }
}

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let arg_types: String = row.get(2);
        let mut o = Vec::new();
        let s = |i: usize| row.get::<_, Option<String>>(i);
        Aggregate::option(&mut o, "SFUNC", s(4), false);
        Aggregate::option(&mut o, "STYPE", s(5), false);
        let space: i32 = row.get(6);
        Aggregate::option(
            &mut o,
            "SSPACE",
            (space != 0).then(|| space.to_string()),
            false,
        );
        Aggregate::option(&mut o, "FINALFUNC", s(7), false);
        if row.get::<_, bool>(8) {
            o.push(("FINALFUNC_EXTRA".into(), "true".into()));
        }
        if s(7).is_some() {
            Aggregate::option(&mut o, "FINALFUNC_MODIFY", modify(s(9)), false);
        }
        Aggregate::option(&mut o, "COMBINEFUNC", s(10), false);
        Aggregate::option(&mut o, "SERIALFUNC", s(11), false);
        Aggregate::option(&mut o, "DESERIALFUNC", s(12), false);
        Aggregate::option(&mut o, "INITCOND", s(13), true);
        Aggregate::option(&mut o, "MSFUNC", s(14), false);
        Aggregate::option(&mut o, "MINVFUNC", s(15), false);
        Aggregate::option(&mut o, "MSTYPE", s(16), false);
        Aggregate::option(&mut o, "MFINALFUNC", s(17), false);
        if row.get::<_, bool>(18) {
            o.push(("MFINALFUNC_EXTRA".into(), "true".into()));
        }
        if s(17).is_some() {
            Aggregate::option(&mut o, "MFINALFUNC_MODIFY", modify(s(19)), false);
        }
        Aggregate::option(&mut o, "MINITCOND", s(20), true);
        Aggregate::option(
            &mut o,
            "SORTOP",
            s(21).map(|op| format!("OPERATOR({op})")),
            false,
        );
        let parallel = match s(22).as_deref() {
            Some("s") => Some("SAFE".to_string()),
            Some("r") => Some("RESTRICTED".to_string()),
            _ => None,
        };
        Aggregate::option(&mut o, "PARALLEL", parallel, false);
        catalog.aggregates.insert(
            (name.clone(), arg_types.clone()),
            Aggregate {
                name,
                arg_types,
                identity_args: row.get(3),
                options: o,
            },
        );
    }
}
