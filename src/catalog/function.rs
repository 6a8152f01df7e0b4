use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A function or procedure. `definition` is `pg_get_functiondef()` read with an empty
/// `search_path`: a complete `CREATE OR REPLACE` statement (language, volatility,
/// strictness, security, parallel safety, cost/rows, SET configuration, body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: QualName,
    /// The input argument types: with the name, what identifies the function.
    pub arg_types: String,
    /// `pg_get_function_identity_arguments()`: the signature with parameter names.
    pub identity_args: String,
    /// How many trailing parameters have defaults.
    pub defaults: i16,
    /// `pg_get_function_arguments()`: with names, modes and defaults.
    pub arguments: String,
    /// `pg_get_function_result()`; `None` for procedures.
    pub result: Option<String>,
    pub is_procedure: bool,
    pub language: String,
    pub definition: String,
}

impl Function {
    /// `schema.name(identity args)`, how DROP and COMMENT name it.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args)
    }

    pub fn keyword(&self) -> &'static str {
        if self.is_procedure {
            "PROCEDURE"
        } else {
            "FUNCTION"
        }
    }
}

/// The catalog query that reads the functions in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Functions and procedures (aggregates and window functions stay unsupported for now),
-- leaving out those that belong to extensions.
SELECT n.nspname::text, p.proname::text,
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       pg_catalog.pg_get_function_arguments(p.oid),
       CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_catalog.pg_get_function_result(p.oid) END,
       p.prokind = 'p', l.lanname::text,
       pg_catalog.pg_get_functiondef(p.oid),
       pg_catalog.oidvectortypes(p.proargtypes), p.pronargdefaults
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let arg_types: String = row.get(8);
        catalog.functions.insert(
            (name.clone(), arg_types.clone()),
            Function {
                name,
                arg_types,
                defaults: row.get(9),
                identity_args: row.get(2),
                arguments: row.get(3),
                result: row.get(4),
                is_procedure: row.get(5),
                language: row.get(6),
                definition: row.get(7),
            },
        );
    }
}
