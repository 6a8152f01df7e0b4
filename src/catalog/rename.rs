use super::{QualName, quote_ident};
use serde::{Deserialize, Serialize};

/// What a `-- @renamed from old_name` annotation in the desired state says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rename {
    Table {
        from: QualName,
        to: String,
    },
    Column {
        table: QualName,
        from: String,
        to: String,
    },
    Index {
        from: QualName,
        to: String,
    },
    Constraint {
        table: QualName,
        from: String,
        to: String,
    },
    Type {
        from: QualName,
        to: String,
    },
    /// A label of an enum type (named as the desired state names the type).
    EnumValue {
        name: QualName,
        from: String,
        to: String,
    },
}

impl Rename {
    /// The statement that renames the object.
    pub fn sql(&self) -> String {
        match self {
            Rename::Table { from, to } => {
                format!("ALTER TABLE {from} RENAME TO {};", quote_ident(to))
            }
            Rename::Column { table, from, to } => format!(
                "ALTER TABLE {table} RENAME COLUMN {} TO {};",
                quote_ident(from),
                quote_ident(to)
            ),
            Rename::Index { from, to } => {
                format!("ALTER INDEX {from} RENAME TO {};", quote_ident(to))
            }
            Rename::Constraint { table, from, to } => format!(
                "ALTER TABLE {table} RENAME CONSTRAINT {} TO {};",
                quote_ident(from),
                quote_ident(to)
            ),
            Rename::Type { from, to } => {
                format!("ALTER TYPE {from} RENAME TO {};", quote_ident(to))
            }
            Rename::EnumValue { name, from, to } => format!(
                "ALTER TYPE {name} RENAME VALUE {} TO {};",
                super::quote_literal(from),
                super::quote_literal(to)
            ),
        }
    }

    /// The object as it is called once renamed, for the plan's step.
    pub fn id(&self) -> super::ObjectId {
        use super::ObjectId;
        let renamed =
            |from: &QualName, to: &str| QualName::new(from.schema.clone(), to.to_string());
        match self {
            Rename::Table { from, to } => ObjectId::Table {
                name: renamed(from, to),
            },
            Rename::Column { table, to, .. } => ObjectId::Column {
                table: table.clone(),
                column: to.clone(),
            },
            Rename::Index { from, to } => ObjectId::Index {
                name: renamed(from, to),
            },
            Rename::Constraint { table, to, .. } => ObjectId::Constraint {
                table: table.clone(),
                name: to.clone(),
            },
            Rename::Type { from, to } => ObjectId::Type {
                name: renamed(from, to),
            },
            Rename::EnumValue { name, .. } => ObjectId::Type { name: name.clone() },
        }
    }
}
