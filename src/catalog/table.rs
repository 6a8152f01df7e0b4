use super::{Catalog, Constraint, QualName, SequenceOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio_postgres::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: QualName,
    /// Columns in attribute order (order is recorded, not reconciled: PostgreSQL can only
    /// append columns, and rewriting a table to reorder them is never worth it).
    pub columns: Vec<Column>,
    pub constraints: BTreeMap<String, Constraint>,
    pub unlogged: bool,
    /// `pg_get_partkeydef()` of a partitioned table: `RANGE (starts_on)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// For a partition: its parent and bound (`FOR VALUES …` or `DEFAULT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<(QualName, String)>,
    /// INHERITS parents, in order. The columns they give are not listed in `columns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualName>,
    /// ENABLE ROW LEVEL SECURITY.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls: bool,
    /// FORCE ROW LEVEL SECURITY (the owner is filtered too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_rls: bool,
    /// Storage parameters (`reloptions`, and the TOAST table's as `toast.…`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// What logical replication writes to identify an updated or deleted row.
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
    /// A partition's copies of its parent's primary key, unique and exclusion constraints,
    /// by name: they come and go with the parent's, but keep names of their own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inherited_keys: BTreeMap<String, InheritedKey>,
}

/// A partition's copy of its parent's key constraint (and of the index behind it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritedKey {
    pub constraint: Constraint,
    /// The parent table's constraint it belongs to: (table, constraint name).
    pub parent: (QualName, String),
}

/// `REPLICA IDENTITY` of a table (`pg_class.relreplident`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key, if any.
    #[default]
    Default,
    /// Every column.
    Full,
    Nothing,
    /// A unique index of the table (a standalone index or a constraint's), by name.
    Index(String),
}

impl ReplicaIdentity {
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The clause after `ALTER TABLE … REPLICA IDENTITY`.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".into(),
            ReplicaIdentity::Full => "FULL".into(),
            ReplicaIdentity::Nothing => "NOTHING".into(),
            ReplicaIdentity::Index(name) => format!("USING INDEX {}", super::quote_ident(name)),
        }
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type()` output, schema-qualified for user types.
    pub data_type: String,
    /// An explicit collation that differs from the type's default. The rare attributes are
    /// boxed: at 10,000 tables a catalog holds 80,000 columns, and inline they made each
    /// about twice its size.
    pub collation: Option<Box<QualName>>,
    pub not_null: bool,
    /// PostgreSQL 18 records NOT NULL as a named constraint that may be NOT VALID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_constraint: Option<NotNull>,
    pub default: Option<String>,
    pub identity: Option<Box<Identity>>,
    pub generated: Option<Box<Generated>>,
    /// `SET STATISTICS` target, when set (0 turns statistics off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE`, when it differs from the type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Box<ColumnStorage>>,
    /// `SET COMPRESSION`, when set: pglz or lz4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
}

/// A column's storage mode set apart from its type's (PLAIN, EXTERNAL, MAIN, EXTENDED),
/// with the type's, which going back to it takes before PostgreSQL 16 (no `SET STORAGE
/// DEFAULT` there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnStorage {
    pub mode: String,
    pub type_default: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotNull {
    pub name: String,
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ALWAYS` or `BY DEFAULT`.
    pub always: bool,
    pub options: SequenceOptions,
    /// The sequence's name (in the table's schema). Empty in hand-built catalogs: the
    /// name PostgreSQL gives by default.
    #[serde(default)]
    pub sequence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub expression: String,
    /// PostgreSQL 18 virtual generated columns; stored otherwise.
    pub is_virtual: bool,
}

/// The catalog query that reads the tables in scope (`$1`: the schemas, or NULL for all).
pub(crate) const QUERY: &str = r#"
-- Plain and partitioned tables, partitions and inheritance children.
SELECT n.nspname::text, c.relname::text, c.relpersistence = 'u',
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
       pn.nspname::text, pc.relname::text,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
       -- INHERITS parents, in order (partitions have theirs above).
       ARRAY(SELECT ipn.nspname::text FROM pg_catalog.pg_inherits ih
             JOIN pg_catalog.pg_class ip ON ip.oid = ih.inhparent
             JOIN pg_catalog.pg_namespace ipn ON ipn.oid = ip.relnamespace
             WHERE ih.inhrelid = c.oid AND NOT c.relispartition ORDER BY ih.inhseqno),
       ARRAY(SELECT ip.relname::text FROM pg_catalog.pg_inherits ih
             JOIN pg_catalog.pg_class ip ON ip.oid = ih.inhparent
             WHERE ih.inhrelid = c.oid AND NOT c.relispartition ORDER BY ih.inhseqno),
       c.relrowsecurity, c.relforcerowsecurity,
       c.relreplident::text,
       (SELECT ic.relname::text FROM pg_catalog.pg_index x
        JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
        WHERE x.indrelid = c.oid AND x.indisreplident),
       ARRAY(SELECT o FROM (SELECT pg_catalog.unnest(c.reloptions) AS o
                            UNION ALL
                            SELECT 'toast.' || pg_catalog.unnest(tc.reloptions)) opts
             ORDER BY o)
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

/// The catalog query that reads the columns in scope (`$1`: the schemas, or NULL for all).
pub(crate) const COLUMNS_QUERY: &str = r#"
-- Columns of plain tables in attribute order, with defaults, identity (and its
-- sequence's options) and generation expressions.
SELECT n.nspname::text, c.relname::text, a.attname::text,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       cn.nspname::text, co.collname::text,
       a.attnotnull,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
       a.attidentity::text, a.attgenerated::text,
       ids.seqtype, ids.seqstart, ids.seqincrement, ids.seqmin, ids.seqmax,
       ids.seqcache, ids.seqcycle, a.attinhcount::int,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::int END,
       CASE WHEN a.attstorage <> t.typstorage THEN
         CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'
                           WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END
       END,
       CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'
                         WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END,
       ids.seqname
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_collation co
       ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN LATERAL (
    SELECT pg_catalog.format_type(s.seqtypid, NULL) AS seqtype, s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcache, s.seqcycle, sc.relname::text AS seqname
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid
    JOIN pg_catalog.pg_class sc ON sc.oid = s.seqrelid
    WHERE a.attidentity <> '' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
    LIMIT 1
) ids ON true
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'profe_migrate')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname, a.attnum
"#;

pub(crate) fn read(catalog: &mut Catalog, tables: &[Row]) {
    for row in tables {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        catalog.tables.insert(
            name.clone(),
            Table {
                name,
                columns: Vec::new(),
                constraints: BTreeMap::new(),
                unlogged: row.get(2),
                partition_by: row.get(3),
                partition_of: row.get::<_, Option<String>>(4).map(|schema| {
                    (
                        QualName::new(schema, row.get::<_, String>(5)),
                        row.get::<_, String>(6),
                    )
                }),
                inherits: row
                    .get::<_, Vec<String>>(7)
                    .into_iter()
                    .zip(row.get::<_, Vec<String>>(8))
                    .map(|(s, n)| QualName::new(s, n))
                    .collect(),
                rls: row.get(9),
                force_rls: row.get(10),
                options: row.get(13),
                replica_identity: match (row.get::<_, String>(11).as_str(), row.get(12)) {
                    ("f", _) => ReplicaIdentity::Full,
                    ("n", _) => ReplicaIdentity::Nothing,
                    ("i", Some(index)) => ReplicaIdentity::Index(index),
                    // USING INDEX whose index was dropped: PostgreSQL then behaves as NOTHING.
                    ("i", None) => ReplicaIdentity::Nothing,
                    _ => ReplicaIdentity::Default,
                },
                inherited_keys: BTreeMap::new(),
            },
        );
    }
}

/// Columns, attached to the tables read before them.
pub(crate) fn read_columns(catalog: &mut Catalog, columns: &[Row]) {
    for row in columns {
        let table = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = catalog.tables.get_mut(&table) else {
            continue;
        };
        // An inheritance child's inherited columns are its parents' (merged ones too:
        // PostgreSQL makes them so whether they were written in the child or not).
        let inherited: i32 = row.get(17);
        if !t.inherits.is_empty() && inherited > 0 {
            continue;
        }
        let coll_schema: Option<String> = row.get(4);
        let expr: Option<String> = row.get(7);
        let identity: String = row.get(8);
        let generated: String = row.get(9);
        let (default, generated) = if generated.is_empty() {
            (expr, None)
        } else {
            (
                None,
                expr.map(|expression| {
                    Box::new(Generated {
                        expression,
                        is_virtual: generated == "v",
                    })
                }),
            )
        };
        let identity = if identity.is_empty() {
            None
        } else {
            super::sequence::options(row, 10).map(|options| {
                Box::new(Identity {
                    always: identity == "a",
                    options,
                    sequence: row.get::<_, Option<String>>(22).unwrap_or_default(),
                })
            })
        };
        t.columns.push(Column {
            name: row.get(2),
            data_type: row.get(3),
            collation: coll_schema.map(|s| Box::new(QualName::new(s, row.get::<_, String>(5)))),
            not_null: row.get(6),
            not_null_constraint: None,
            default,
            identity,
            generated,
            statistics: row.get(18),
            storage: row.get::<_, Option<String>>(19).map(|mode| {
                Box::new(ColumnStorage {
                    mode,
                    type_default: row.get(20),
                })
            }),
            compression: row.get(21),
        });
    }
}
