//! `ObjectId`: names any object of the catalog, for dependencies, comments, privileges
//! and the plan's ordering.

use super::{QualName, quote_ident};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Identifies one object across both catalogs; used for dependencies and plan ordering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectId {
    Schema {
        name: String,
    },
    Extension {
        name: String,
    },
    Type {
        name: QualName,
    },
    Sequence {
        name: QualName,
    },
    Table {
        name: QualName,
    },
    Column {
        table: QualName,
        column: String,
    },
    Constraint {
        table: QualName,
        name: String,
    },
    Index {
        name: QualName,
    },
    Function {
        name: QualName,
        args: String,
    },
    Trigger {
        table: QualName,
        name: String,
    },
    View {
        name: QualName,
    },
    Collation {
        name: QualName,
    },
    Policy {
        table: QualName,
        name: String,
    },
    Role {
        name: String,
    },
    /// An operator: its name and its argument types as PostgreSQL identifies them
    /// (`pg_catalog.text, pg_catalog.text`; a prefix operator has only its right one).
    Operator {
        name: QualName,
        args: String,
    },
}

impl ObjectId {
    /// The kind's name, as the first word of the object's description.
    pub fn kind(&self) -> &'static str {
        match self {
            ObjectId::Schema { .. } => "schema",
            ObjectId::Extension { .. } => "extension",
            ObjectId::Type { .. } => "type",
            ObjectId::Sequence { .. } => "sequence",
            ObjectId::Table { .. } => "table",
            ObjectId::Column { .. } => "column",
            ObjectId::Constraint { .. } => "constraint",
            ObjectId::Index { .. } => "index",
            ObjectId::Function { .. } => "function",
            ObjectId::Trigger { .. } => "trigger",
            ObjectId::View { .. } => "view",
            ObjectId::Collation { .. } => "collation",
            ObjectId::Policy { .. } => "policy",
            ObjectId::Role { .. } => "role",
            ObjectId::Operator { .. } => "operator",
        }
    }

    /// The object PostgreSQL identifies by an address (`pg_identify_object_as_address`:
    /// its type, the schema and name, the arguments joined by `, `), for the kinds read
    /// that way; `None` for a kind the engine does not manage.
    pub fn from_address(kind: &str, name: QualName, args: Option<String>) -> Option<ObjectId> {
        match kind {
            "operator" => Some(ObjectId::Operator {
                name,
                args: args.unwrap_or_default(),
            }),
            _ => None,
        }
    }

    /// How SQL names the object after `COMMENT ON` or `ALTER`, where the kind alone says
    /// it (`Catalog::sql_reference` refines a type into a domain, a view into a
    /// materialized one, a function into a procedure or aggregate).
    pub fn sql_reference(&self) -> String {
        match self {
            ObjectId::Schema { name } => format!("SCHEMA {}", quote_ident(name)),
            ObjectId::Extension { name } => format!("EXTENSION {}", quote_ident(name)),
            ObjectId::Type { name } => format!("TYPE {name}"),
            ObjectId::Sequence { name } => format!("SEQUENCE {name}"),
            ObjectId::Table { name } => format!("TABLE {name}"),
            ObjectId::View { name } => format!("VIEW {name}"),
            ObjectId::Column { table, column } => format!("COLUMN {table}.{}", quote_ident(column)),
            ObjectId::Constraint { table, name } => {
                format!("CONSTRAINT {} ON {table}", quote_ident(name))
            }
            ObjectId::Index { name } => format!("INDEX {name}"),
            ObjectId::Function { name, args } => format!("FUNCTION {name}({args})"),
            ObjectId::Trigger { table, name } => {
                format!("TRIGGER {} ON {table}", quote_ident(name))
            }
            ObjectId::Collation { name } => format!("COLLATION {name}"),
            ObjectId::Policy { table, name } => format!("POLICY {} ON {table}", quote_ident(name)),
            ObjectId::Role { name } => format!("ROLE {}", quote_ident(name)),
            ObjectId::Operator { name, args } => {
                let args = if args.contains(',') {
                    args.clone()
                } else {
                    format!("NONE, {args}")
                };
                format!("OPERATOR {} ({args})", operator_name(name))
            }
        }
    }

    /// The schema the object lives in (none for schemas themselves and extensions).
    /// The object in a schema this one is or belongs to (a column's, constraint's,
    /// trigger's or policy's table), which `--exclude` patterns are matched against.
    pub fn qualified(&self) -> Option<&QualName> {
        match self {
            ObjectId::Schema { .. } | ObjectId::Extension { .. } | ObjectId::Role { .. } => None,
            ObjectId::Type { name }
            | ObjectId::Sequence { name }
            | ObjectId::Table { name }
            | ObjectId::Index { name }
            | ObjectId::View { name }
            | ObjectId::Function { name, .. }
            | ObjectId::Operator { name, .. }
            | ObjectId::Collation { name } => Some(name),
            ObjectId::Column { table, .. }
            | ObjectId::Constraint { table, .. }
            | ObjectId::Trigger { table, .. }
            | ObjectId::Policy { table, .. } => Some(table),
        }
    }

    pub fn schema(&self) -> Option<&str> {
        match self {
            ObjectId::Schema { name } => Some(name),
            _ => self.qualified().map(|q| q.schema.as_str()),
        }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectId::Schema { name } => write!(f, "schema {}", quote_ident(name)),
            ObjectId::Extension { name } => write!(f, "extension {}", quote_ident(name)),
            ObjectId::Type { name } => write!(f, "type {name}"),
            ObjectId::Sequence { name } => write!(f, "sequence {name}"),
            ObjectId::Table { name } => write!(f, "table {name}"),
            ObjectId::Column { table, column } => {
                write!(f, "column {table}.{}", quote_ident(column))
            }
            ObjectId::Constraint { table, name } => {
                write!(f, "constraint {} on {table}", quote_ident(name))
            }
            ObjectId::Index { name } => write!(f, "index {name}"),
            ObjectId::Function { name, args } => write!(f, "function {name}({args})"),
            ObjectId::Collation { name } => write!(f, "collation {name}"),
            ObjectId::View { name } => write!(f, "view {name}"),
            ObjectId::Trigger { table, name } => {
                write!(f, "trigger {} on {table}", quote_ident(name))
            }
            ObjectId::Policy { table, name } => {
                write!(f, "policy {} on {table}", quote_ident(name))
            }
            ObjectId::Role { name } => write!(f, "role {}", quote_ident(name)),
            ObjectId::Operator { name, args } => {
                write!(f, "operator {}({args})", operator_name(name))
            }
        }
    }
}

/// An operator's `schema.symbol`: the schema quoted, the symbol never (it is not an
/// identifier).
pub(crate) fn operator_name(name: &QualName) -> String {
    format!("{}.{}", quote_ident(&name.schema), name.name)
}
