use super::{Catalog, QualName};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// Sequence parameters, shared by standalone sequences and identity columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl SequenceOptions {
    fn type_bounds(data_type: &str) -> (i64, i64) {
        match data_type {
            "smallint" => (i16::MIN as i64, i16::MAX as i64),
            "integer" => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        }
    }

    /// The options that differ from what PostgreSQL would choose by default, as SQL
    /// clauses: `AS` is left out, callers decide whether the type must be spelled.
    pub fn non_default_clauses(&self) -> Vec<String> {
        let (tmin, tmax) = Self::type_bounds(&self.data_type);
        let (dmin, dmax) = if self.increment > 0 {
            (1, tmax)
        } else {
            (tmin, -1)
        };
        let dstart = if self.increment > 0 {
            self.min
        } else {
            self.max
        };
        let mut out = Vec::new();
        if self.increment != 1 {
            out.push(format!("INCREMENT BY {}", self.increment));
        }
        if self.min != dmin {
            out.push(format!("MINVALUE {}", self.min));
        }
        if self.max != dmax {
            out.push(format!("MAXVALUE {}", self.max));
        }
        if self.start != dstart {
            out.push(format!("START WITH {}", self.start));
        }
        if self.cache != 1 {
            out.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            out.push("CYCLE".into());
        }
        out
    }

    /// Every clause, for `ALTER SEQUENCE` where the old values must be overwritten.
    pub fn all_clauses(&self) -> Vec<String> {
        vec![
            format!("AS {}", self.data_type),
            format!("INCREMENT BY {}", self.increment),
            format!("MINVALUE {}", self.min),
            format!("MAXVALUE {}", self.max),
            format!("START WITH {}", self.start),
            format!("CACHE {}", self.cache),
            if self.cycle { "CYCLE" } else { "NO CYCLE" }.into(),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: QualName,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualName, String)>,
}

/// The catalog query that reads the sequences in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Standalone sequences (identity sequences belong to their column) with OWNED BY.
SELECT n.nspname::text, c.relname::text,
       pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
       s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       own.nspname::text, own.relname::text, own.attname::text
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT tn.nspname, tc.relname, ta.attname
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
    JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.deptype = 'a' AND d.refobjsubid > 0
    LIMIT 1
) own ON true
WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2
"#;

/// Reads sequence options from `first`.. (type, start, increment, min, max, cache, cycle);
/// `None` when the type column is NULL (a column without identity).
pub(crate) fn options(row: &Row, first: usize) -> Option<SequenceOptions> {
    let data_type: Option<String> = row.get(first);
    Some(SequenceOptions {
        data_type: data_type?,
        start: row.get(first + 1),
        increment: row.get(first + 2),
        min: row.get(first + 3),
        max: row.get(first + 4),
        cache: row.get(first + 5),
        cycle: row.get(first + 6),
    })
}

pub(crate) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let owner: Option<String> = row.get(9);
        let owned_by = owner.map(|schema| {
            (
                QualName::new(schema, row.get::<_, String>(10)),
                row.get::<_, String>(11),
            )
        });
        catalog.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options: options(row, 2).expect("sequence has a type"),
                owned_by,
            },
        );
    }
}
