use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A standalone index (indexes that back a constraint belong to the constraint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: QualName,
    pub table: QualName,
    /// `pg_get_indexdef()` with an empty `search_path`: covers method, opclasses, order,
    /// INCLUDE, predicate, NULLS NOT DISTINCT and storage parameters.
    pub definition: String,
    pub unique: bool,
    /// False after a failed `CREATE INDEX CONCURRENTLY`: such an index is rebuilt.
    pub valid: bool,
    /// Storage parameters (`reloptions`), which ALTER INDEX can change in place.
    pub options: Vec<String>,
    /// A partition's copy of its parent's index: it comes and goes with the parent's
    /// (and stays behind, as an index of its own, when the partition is detached).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inherited: bool,
    /// The partitioned index an inherited copy belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<QualName>,
    /// Statistics targets set on its (expression) columns: (column number, target).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<(i16, i32)>,
}

impl Index {
    /// The partition indexes that belong to this partitioned index in `catalog`: they are
    /// created (or adopted) with it and dropped with it.
    pub fn children<'a>(&'a self, catalog: &'a super::Catalog) -> impl Iterator<Item = &'a Index> {
        catalog
            .indexes
            .values()
            .filter(move |i| i.parent.as_ref() == Some(&self.name))
    }

    /// The definition without its storage parameters.
    pub fn shape(&self) -> String {
        if self.options.is_empty() {
            return self.definition.clone();
        }
        let with = format!(" WITH ({})", super::options_sql(&self.options));
        self.definition.replacen(&with, "", 1)
    }
}

/// The catalog query that reads the indexes in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Standalone indexes of plain tables and materialized views: those backing a primary key, unique or exclusion
-- constraint are part of the constraint.
SELECT n.nspname::text, ic.relname::text, c.relname::text,
       pg_catalog.pg_get_indexdef(i.indexrelid), i.indisunique, i.indisvalid,
       ic.reloptions::text[],
       -- A partition's copy of its parent's index, managed through the parent's.
       ic.relispartition,
       -- That parent index: dropping it drops the copy, creating it makes (or adopts) one.
       pn.nspname::text, pc.relname::text,
       -- Statistics targets set on the index's columns (expressions only can have one).
       ARRAY(SELECT a.attnum::int FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0 ORDER BY a.attnum),
       ARRAY(SELECT a.attstattarget::int FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0 ORDER BY a.attnum)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_inherits inh ON ic.relispartition AND inh.inhrelid = ic.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let schema: String = row.get(0);
        let name = QualName::new(schema.clone(), row.get::<_, String>(1));
        let parent: (Option<String>, Option<String>) = (row.get(8), row.get(9));
        catalog.indexes.insert(
            name.clone(),
            Index {
                name,
                table: QualName::new(schema, row.get::<_, String>(2)),
                // A partitioned table's index is printed `ON ONLY`, which would create it
                // for the parent alone: created plainly, it cascades to the partitions.
                definition: row.get::<_, String>(3).replacen(" ON ONLY ", " ON ", 1),
                unique: row.get(4),
                valid: row.get(5),
                options: row.get::<_, Option<Vec<String>>>(6).unwrap_or_default(),
                inherited: row.get(7),
                parent: match parent {
                    (Some(schema), Some(name)) => Some(QualName::new(schema, name)),
                    _ => None,
                },
                statistics: row
                    .get::<_, Vec<i32>>(10)
                    .into_iter()
                    .zip(row.get::<_, Vec<i32>>(11))
                    .map(|(n, t)| (n as i16, t))
                    .collect(),
            },
        );
    }
}
