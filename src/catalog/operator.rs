//! Operators (CREATE OPERATOR), keyed by name and argument types. Shell operators (named
//! as a commutator or negator before they are defined) are not objects of their own: they
//! come and go with the operators that name them.

use super::{Catalog, ObjectId, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// The schema and the operator's symbol (never quoted: it is not an identifier).
    pub name: QualName,
    /// The argument types as PostgreSQL identifies the operator (see [`ObjectId::Operator`]).
    pub args: String,
    /// LEFTARG (none for a prefix operator) and RIGHTARG, as `format_type` writes them.
    pub left: Option<String>,
    pub right: String,
    /// The function that implements it, schema-qualified where it is not in pg_catalog.
    pub function: String,
    /// COMMUTATOR and NEGATOR, as `OPERATOR(schema.symbol)`.
    pub commutator: Option<String>,
    pub negator: Option<String>,
    /// RESTRICT and JOIN selectivity estimators.
    pub restrict: Option<String>,
    pub join: Option<String>,
    pub hashes: bool,
    pub merges: bool,
}

impl Operator {
    pub fn id(&self) -> ObjectId {
        ObjectId::Operator {
            name: self.name.clone(),
            args: self.args.clone(),
        }
    }

    /// `schema.symbol`, as CREATE and DROP OPERATOR write it.
    pub fn qualified(&self) -> String {
        super::object_id::operator_name(&self.name)
    }

    pub fn create_sql(&self) -> String {
        let mut parts = vec![format!("FUNCTION = {}", self.function)];
        if let Some(l) = &self.left {
            parts.push(format!("LEFTARG = {l}"));
        }
        parts.push(format!("RIGHTARG = {}", self.right));
        let optional = [
            ("COMMUTATOR", &self.commutator),
            ("NEGATOR", &self.negator),
            ("RESTRICT", &self.restrict),
            ("JOIN", &self.join),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                parts.push(format!("{key} = {v}"));
            }
        }
        if self.hashes {
            parts.push("HASHES".into());
        }
        if self.merges {
            parts.push("MERGES".into());
        }
        format!(
            "CREATE OPERATOR {} (\n    {}\n);",
            self.qualified(),
            parts.join(",\n    ")
        )
    }
}

/// The catalog query that reads the operators in scope (`$1`: the schemas, or NULL for
/// all), with their comments, owners (when not the reading role) and what they stand on.
pub(crate) const QUERY: &str = r#"
-- Operators of user schemas, not those of extensions, not shells (no function yet).
SELECT n.nspname::text, o.oprname::text,
       pg_catalog.array_to_string(
           (pg_catalog.pg_identify_object_as_address('pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, 0)).object_args,
           ', '),
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END,
       pg_catalog.format_type(o.oprright, NULL),
       o.oprcode::pg_catalog.regproc::text,
       (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')'
        FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
        WHERE c.oid = o.oprcom),
       (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')'
        FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
        WHERE c.oid = o.oprnegate),
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::pg_catalog.regproc::text END,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::pg_catalog.regproc::text END,
       o.oprcanhash, o.oprcanmerge,
       pg_catalog.obj_description(o.oid, 'pg_operator'),
       NULLIF(pg_catalog.pg_get_userbyid(o.oprowner)::text, current_user::text),
       -- What it stands on: its function, and the types of its arguments in user schemas.
       pn.nspname::text, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes),
       ARRAY(SELECT tn.nspname::text FROM pg_catalog.pg_type t
             JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
             WHERE t.oid IN (o.oprleft, o.oprright) AND t.typrelid = 0
               AND tn.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY t.oid),
       ARRAY(SELECT t.typname::text FROM pg_catalog.pg_type t
             JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
             WHERE t.oid IN (o.oprleft, o.oprright) AND t.typrelid = 0
               AND tn.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY t.oid)
FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass
                    AND d.objid = o.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let op = Operator {
            name: name.clone(),
            args: row.get(2),
            left: row.get(3),
            right: row.get(4),
            function: row.get(5),
            commutator: row.get(6),
            negator: row.get(7),
            restrict: row.get(8),
            join: row.get(9),
            hashes: row.get(10),
            merges: row.get(11),
        };
        let id = op.id();
        if let Some(comment) = row.get::<_, Option<String>>(12) {
            catalog.comments.insert(id.clone(), comment);
        }
        if let Some(owner) = row.get::<_, Option<String>>(13) {
            catalog.owners.insert(id.clone(), owner);
        }
        let function_schema: String = row.get(14);
        let mut deps = std::collections::BTreeSet::new();
        if !matches!(
            function_schema.as_str(),
            "pg_catalog" | "information_schema"
        ) {
            deps.insert(ObjectId::Function {
                name: QualName::new(function_schema, row.get::<_, String>(15)),
                args: row.get(16),
            });
        }
        let (schemas, types): (Vec<String>, Vec<String>) = (row.get(17), row.get(18));
        for (schema, ty) in schemas.into_iter().zip(types) {
            deps.insert(ObjectId::Type {
                name: QualName::new(schema, ty),
            });
        }
        if !deps.is_empty() {
            catalog.depends.insert(id, deps);
        }
        catalog.operators.insert((name, op.args.clone()), op);
    }
}
