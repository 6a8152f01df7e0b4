use super::{Catalog, NotNull, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclude,
}

impl ConstraintKind {
    pub fn from_contype(c: &str) -> Option<Self> {
        Some(match c {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclude,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Exclude => "exclusion constraint",
        }
    }
}

/// A table constraint. `definition` is `pg_get_constraintdef()` read with an empty
/// `search_path`, so it is both the comparison key and the SQL to recreate it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    pub definition: String,
    pub validated: bool,
    /// For foreign keys: the referenced table.
    pub references: Option<QualName>,
    pub deferrable: bool,
    pub deferred: bool,
    /// Storage parameters of the index behind a primary key, unique or exclusion
    /// constraint (`pg_get_constraintdef()` leaves them out).
    pub index_options: Vec<String>,
}

impl Constraint {
    /// The definition without a trailing `NOT VALID`, to compare the rule itself.
    pub fn rule(&self) -> &str {
        self.definition
            .strip_suffix(" NOT VALID")
            .unwrap_or(&self.definition)
    }

    /// The rule without its deferrability, which ALTER CONSTRAINT can change in place.
    pub fn base_rule(&self) -> &str {
        let r = self.rule();
        let r = r.strip_suffix(" INITIALLY DEFERRED").unwrap_or(r);
        r.strip_suffix(" DEFERRABLE").unwrap_or(r)
    }

    pub fn backs_index(&self) -> bool {
        matches!(
            self.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclude
        )
    }

    /// The definition with the index's storage parameters written back in, where
    /// PostgreSQL's grammar puts them (before the predicate and the deferrability).
    pub fn full_definition(&self) -> String {
        if self.index_options.is_empty() {
            return self.definition.clone();
        }
        let with = format!(" WITH ({})", super::options_sql(&self.index_options));
        let def = &self.definition;
        let at = [" WHERE (", " DEFERRABLE", " NOT VALID"]
            .iter()
            .filter_map(|m| def.find(m))
            .min()
            .unwrap_or(def.len());
        format!("{}{with}{}", &def[..at], &def[at..])
    }
}

/// The catalog query that reads the constraints in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Table constraints; PostgreSQL 18 also lists NOT NULL ('n'), with its column.
SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text,
       pg_catalog.pg_get_constraintdef(con.oid), con.convalidated,
       fn.nspname::text, fc.relname::text, con.condeferrable, con.condeferred,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN
         (SELECT ic.reloptions::text[] FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid)
       END,
       CASE WHEN con.contype = 'n' THEN
         (SELECT a.attname::text FROM pg_catalog.pg_attribute a
          WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1])
       END,
       -- A partition's copy of its parent's key: the parent's table and constraint.
       pn.nspname::text, pc.relname::text, pcon.conname::text
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_constraint pcon ON pcon.oid = con.conparentid
     AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = pcon.conrelid
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x', 'n')
  AND c.relkind IN ('r', 'p')
  -- Constraints a partition inherits from its parent belong to the parent (but for the
  -- names of its keys' copies); its NOT NULL constraints are named after how it was made
  -- (PARTITION OF or ATTACH), which no plan can change: partitions are read without them.
  AND ((con.conislocal AND con.conparentid = 0 AND NOT (con.contype = 'n' AND c.relispartition))
       OR pcon.oid IS NOT NULL)
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = catalog.tables.get_mut(&table) else {
            continue;
        };
        let contype: &str = row.get(3);
        if contype == "n" {
            let column: Option<String> = row.get(11);
            if let Some(c) = t
                .columns
                .iter_mut()
                .find(|c| Some(&c.name) == column.as_ref())
            {
                c.not_null_constraint = Some(NotNull {
                    name: row.get(2),
                    validated: row.get(5),
                });
            }
            continue;
        }
        let Some(kind) = ConstraintKind::from_contype(contype) else {
            continue;
        };
        let ref_schema: Option<String> = row.get(6);
        let name: String = row.get(2);
        let constraint = Constraint {
            name: name.clone(),
            kind,
            definition: row.get(4),
            validated: row.get(5),
            references: ref_schema.map(|s| QualName::new(s, row.get::<_, String>(7))),
            deferrable: row.get(8),
            deferred: row.get(9),
            index_options: row.get::<_, Option<Vec<String>>>(10).unwrap_or_default(),
        };
        match row.get::<_, Option<String>>(12) {
            Some(parent_schema) => {
                let parent = QualName::new(parent_schema, row.get::<_, String>(13));
                t.inherited_keys.insert(
                    name,
                    super::InheritedKey {
                        constraint,
                        parent: (parent, row.get(14)),
                    },
                );
            }
            None => {
                t.constraints.insert(name, constraint);
            }
        }
    }
}
