//! The catalog model: one value per database object, the same for a live database and for
//! the desired state read back from the shadow database. Identifiers are stored raw and
//! quoted only when rendered.
//!
//! Each kind's module holds its struct and how it is read: the catalog query (the same
//! text for every database size) and the function that turns the query's rows into
//! objects; [`READERS`] lists them. Running the queries (connections, snapshot) is
//! `introspect`'s job; nothing here knows of diffs or plans.

mod aggregate;
mod collation;
mod composite;
mod constraint;
mod domain;
mod enum_type;
mod extension;
mod function;
mod index;
mod keywords;
mod pairs;
mod policy;
mod privilege;
mod rename;
mod role;
mod schema;
mod sequence;
mod table;
#[cfg(test)]
pub(crate) mod testing;
mod trigger;
mod view;

pub use aggregate::Aggregate;
pub use collation::Collation;
pub use composite::CompositeType;
pub use constraint::{Constraint, ConstraintKind};
pub use domain::Domain;
pub use enum_type::EnumType;
pub use extension::Extension;
pub use function::Function;
pub use index::Index;
pub use policy::Policy;
pub use privilege::{Acl, AclKind, DefaultAclKey, Grant, PRIVILEGE_ORDER};
pub use rename::Rename;
pub use role::{Grantee, Role};
pub use schema::Schema;
pub use sequence::{Sequence, SequenceOptions};
pub use table::{Column, Generated, Identity, NotNull, Table};
pub use trigger::Trigger;
pub use view::View;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One catalog query and the function that turns its rows into objects of the catalog.
pub(crate) struct Reader {
    pub name: &'static str,
    /// The query; `$1`, where it appears, is the schemas in scope (NULL for all).
    pub sql: &'static str,
    pub read: fn(&mut Catalog, &[tokio_postgres::Row]),
}

/// The object kinds' catalog queries, each kind's query and reader in its own module, in
/// the order their rows are read (a reader may attach to what an earlier one read:
/// columns to their tables). A new kind is one line here.
pub(crate) const READERS: &[Reader] = &[
    reader("schemas", schema::QUERY, schema::read),
    reader("extensions", extension::QUERY, extension::read),
    reader("enums", enum_type::QUERY, enum_type::read),
    reader("collations", collation::QUERY, collation::read),
    reader("domains", domain::QUERY, domain::read),
    reader("composites", composite::QUERY, composite::read),
    reader("sequences", sequence::QUERY, sequence::read),
    reader("tables", table::QUERY, table::read),
    reader("columns", table::COLUMNS_QUERY, table::read_columns),
    reader("constraints", constraint::QUERY, constraint::read),
    reader("indexes", index::QUERY, index::read),
    reader("views", view::QUERY, view::read),
    reader("functions", function::QUERY, function::read),
    reader("triggers", trigger::QUERY, trigger::read),
    reader("policies", policy::QUERY, policy::read),
    reader("aggregates", aggregate::QUERY, aggregate::read),
];

const fn reader(
    name: &'static str,
    sql: &'static str,
    read: fn(&mut Catalog, &[tokio_postgres::Row]),
) -> Reader {
    Reader { name, sql, read }
}

/// A schema-qualified name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualName {
    pub schema: String,
    pub name: String,
}

impl QualName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.name)
        )
    }
}

/// Quotes an identifier exactly when PostgreSQL's `quote_ident()` would.
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && keywords::NON_UNRESERVED_KEYWORDS
            .binary_search(&name)
            .is_err();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Quotes a string literal (standard_conforming_strings on, the default since 9.1).
///
/// A value holding a backslash is written as an escape string (`E'C:\\'`), as
/// PostgreSQL's own `quote_literal()` does: it then means the same whatever
/// `standard_conforming_strings` is, so a step copied out of a plan and run elsewhere
/// cannot be turned into another statement.
pub fn quote_literal(value: &str) -> String {
    if value.contains('\\') {
        format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// Storage parameters as PostgreSQL prints them in definitions: `name=value`, the value
/// quoted unless it is a plain identifier.
pub fn options_sql(options: &[String]) -> String {
    options
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) if quote_ident(v) == v => format!("{k}={v}"),
            Some((k, v)) => format!("{k}={}", quote_literal(v)),
            None => o.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Identifies one object across both catalogs; used for dependencies and plan ordering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectId {
    Schema { name: String },
    Extension { name: String },
    Type { name: QualName },
    Sequence { name: QualName },
    Table { name: QualName },
    Column { table: QualName, column: String },
    Constraint { table: QualName, name: String },
    Index { name: QualName },
    Function { name: QualName, args: String },
    Trigger { table: QualName, name: String },
    View { name: QualName },
    Collation { name: QualName },
    Policy { table: QualName, name: String },
    Role { name: String },
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
        }
    }

    /// The schema the object lives in (none for schemas themselves and extensions).
    pub fn schema(&self) -> Option<&str> {
        match self {
            ObjectId::Schema { name } => Some(name),
            ObjectId::Extension { .. } | ObjectId::Role { .. } => None,
            ObjectId::Type { name }
            | ObjectId::Sequence { name }
            | ObjectId::Table { name }
            | ObjectId::Index { name }
            | ObjectId::View { name }
            | ObjectId::Function { name, .. }
            | ObjectId::Collation { name } => Some(&name.schema),
            ObjectId::Column { table, .. }
            | ObjectId::Constraint { table, .. }
            | ObjectId::Trigger { table, .. }
            | ObjectId::Policy { table, .. } => Some(&table.schema),
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
        }
    }
}

/// A database's schema as far as the engine manages it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// `server_version_num`, e.g. 150018; decides version-dependent SQL.
    pub server_version: i32,
    /// The role that read the catalog; the desired state's objects are owned by it.
    #[serde(default)]
    pub current_user: String,
    pub schemas: BTreeMap<String, Schema>,
    pub extensions: BTreeMap<String, Extension>,
    #[serde(with = "pairs")]
    pub enums: BTreeMap<QualName, EnumType>,
    #[serde(with = "pairs")]
    pub collations: BTreeMap<QualName, Collation>,
    #[serde(with = "pairs")]
    pub domains: BTreeMap<QualName, Domain>,
    #[serde(with = "pairs")]
    pub composites: BTreeMap<QualName, CompositeType>,
    #[serde(with = "pairs")]
    pub sequences: BTreeMap<QualName, Sequence>,
    #[serde(with = "pairs")]
    pub tables: BTreeMap<QualName, Table>,
    #[serde(with = "pairs")]
    pub indexes: BTreeMap<QualName, Index>,
    #[serde(with = "pairs")]
    pub views: BTreeMap<QualName, View>,
    /// Keyed by name and input argument types.
    #[serde(with = "pairs")]
    pub functions: BTreeMap<(QualName, String), Function>,
    /// Keyed like functions (they share a namespace).
    #[serde(with = "pairs")]
    pub aggregates: BTreeMap<(QualName, String), Aggregate>,
    /// Keyed by table and trigger name.
    #[serde(with = "pairs")]
    pub triggers: BTreeMap<(QualName, String), Trigger>,
    /// Privileges that differ from the built-in default, by object.
    #[serde(default, with = "pairs")]
    pub privileges: BTreeMap<ObjectId, Acl>,
    /// Sequences of identity columns (managed with their column; listed for privileges).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub identity_sequences: BTreeSet<QualName>,
    /// Owners other than `current_user`, by object.
    #[serde(default, with = "pairs")]
    pub owners: BTreeMap<ObjectId, String>,
    /// ALTER DEFAULT PRIVILEGES entries (global ones, without a schema, are complete ACLs;
    /// those of a schema add to them).
    #[serde(default, with = "pairs")]
    pub default_privileges: BTreeMap<DefaultAclKey, Acl>,
    /// Roles: on the desired side those its files declare (or grant memberships to); on
    /// the live side the same names as the cluster has them.
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// Row level security policies, keyed by table and policy name.
    #[serde(default, with = "pairs")]
    pub policies: BTreeMap<(QualName, String), Policy>,
    /// Comments, by the object they describe.
    #[serde(with = "pairs")]
    pub comments: BTreeMap<ObjectId, String>,
    /// What each object needs to exist, from `pg_depend` (object → objects it references).
    #[serde(with = "pairs")]
    pub depends: BTreeMap<ObjectId, BTreeSet<ObjectId>>,
    /// `-- @renamed from` annotations of the desired state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renames: Vec<Rename>,
    /// Objects of kinds the engine does not manage yet, reported rather than ignored:
    /// (schema, description).
    pub unsupported: Vec<(String, String)>,
}

impl Catalog {
    /// The schemas the desired state creates or puts objects in: every schema it has, and
    /// `public` only when something lives there (every new database has an empty `public`).
    pub fn used_schemas(&self) -> BTreeSet<String> {
        let mut used: BTreeSet<String> = self
            .schemas
            .keys()
            .filter(|s| s.as_str() != "public")
            .cloned()
            .collect();
        let in_public = |q: &QualName| q.schema == "public";
        if self.tables.keys().any(in_public)
            || self.sequences.keys().any(in_public)
            || self.enums.keys().any(in_public)
            || self.domains.keys().any(in_public)
            || self.collations.keys().any(in_public)
            || self.composites.keys().any(in_public)
            || self.functions.keys().any(|(q, _)| in_public(q))
            || self.views.keys().any(in_public)
            || self.aggregates.keys().any(|(q, _)| in_public(q))
            || self.extensions.values().any(|e| e.schema == "public")
            || self.unsupported.iter().any(|(s, _)| s == "public")
        {
            used.insert("public".into());
        }
        used
    }

    /// An empty database: nothing but the `public` schema every database starts with.
    pub fn empty_database() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        c.comments.insert(
            ObjectId::Schema {
                name: "public".into(),
            },
            "standard public schema".into(),
        );
        // PostgreSQL 15 and later: `public` belongs to pg_database_owner, which may create
        // in it; everyone may use it.
        let public = ObjectId::Schema {
            name: "public".into(),
        };
        c.owners.insert(public.clone(), "pg_database_owner".into());
        let grant = |grantee: Grantee, privilege: &str| Grant {
            grantee,
            privilege: privilege.into(),
            grantable: false,
        };
        c.privileges.insert(
            public,
            [
                grant(Grantee::Owner, "USAGE"),
                grant(Grantee::Owner, "CREATE"),
                grant(Grantee::Public, "USAGE"),
            ]
            .into_iter()
            .collect(),
        );
        c.extensions.insert(
            "plpgsql".into(),
            Extension {
                name: "plpgsql".into(),
                schema: "pg_catalog".into(),
                version: "1.0".into(),
            },
        );
        c
    }

    /// Keeps only what lives in `scope` (extensions are database-wide and all kept).
    pub fn restrict(&mut self, scope: &BTreeSet<String>) {
        self.schemas.retain(|k, _| scope.contains(k));
        self.enums.retain(|k, _| scope.contains(&k.schema));
        self.domains.retain(|k, _| scope.contains(&k.schema));
        self.collations.retain(|k, _| scope.contains(&k.schema));
        self.composites.retain(|k, _| scope.contains(&k.schema));
        self.sequences.retain(|k, _| scope.contains(&k.schema));
        self.tables.retain(|k, _| scope.contains(&k.schema));
        self.indexes.retain(|k, _| scope.contains(&k.schema));
        self.functions.retain(|(k, _), _| scope.contains(&k.schema));
        self.views.retain(|k, _| scope.contains(&k.schema));
        self.aggregates
            .retain(|(k, _), _| scope.contains(&k.schema));
        self.triggers.retain(|(k, _), _| scope.contains(&k.schema));
        self.policies.retain(|(k, _), _| scope.contains(&k.schema));
        self.privileges
            .retain(|id, _| id.schema().is_none_or(|s| scope.contains(s)));
        self.owners
            .retain(|id, _| id.schema().is_none_or(|s| scope.contains(s)));
        self.identity_sequences
            .retain(|q| scope.contains(&q.schema));
        self.default_privileges
            .retain(|k, _| k.schema.as_ref().is_none_or(|s| scope.contains(s)));
        self.comments
            .retain(|id, _| id.schema().is_none_or(|s| scope.contains(s)));
        self.unsupported.retain(|(s, _)| scope.contains(s));
    }

    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.extensions.is_empty()
            && self.enums.is_empty()
            && self.domains.is_empty()
            && self.collations.is_empty()
            && self.composites.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.indexes.is_empty()
            && self.functions.is_empty()
            && self.views.is_empty()
            && self.aggregates.is_empty()
            && self.triggers.is_empty()
            && self.policies.is_empty()
    }

    /// Every role name the catalog uses: roles it declares and their memberships, policy
    /// roles, grantees and owners.
    pub fn role_names(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.roles.keys().cloned().collect();
        for r in self.roles.values() {
            out.extend(r.member_of.keys().cloned());
        }
        for p in self.policies.values() {
            out.extend(p.roles.iter().filter_map(|g| g.role()).map(String::from));
        }
        for acl in self
            .privileges
            .values()
            .chain(self.default_privileges.values())
        {
            out.extend(
                acl.iter()
                    .filter_map(|g| g.grantee.role())
                    .map(String::from),
            );
        }
        out.extend(self.owners.values().cloned());
        out.extend(self.default_privileges.keys().map(|k| k.role.clone()));
        out.remove(&self.current_user);
        out
    }

    /// Makes the desired state, read back as the shadow server's user, read as if `to`
    /// had loaded it: that user's name becomes `to` wherever it appears.
    pub fn rename_current_user(&mut self, to: &str) {
        let from = std::mem::replace(&mut self.current_user, to.to_string());
        if from == to || from.is_empty() {
            return;
        }
        let rename = |name: &mut String| {
            if *name == from {
                *name = to.to_string();
            }
        };
        let rename_grantee = |g: &mut Grantee| {
            if let Grantee::Role(r) = g
                && *r == from
            {
                *r = to.to_string();
            }
        };
        self.owners.values_mut().for_each(rename);
        self.owners.retain(|_, o| o != to);
        let fix_acl = |acl: &mut Acl| {
            *acl = std::mem::take(acl)
                .into_iter()
                .map(|mut g| {
                    rename_grantee(&mut g.grantee);
                    g
                })
                .collect();
        };
        self.privileges.values_mut().for_each(fix_acl);
        self.default_privileges = std::mem::take(&mut self.default_privileges)
            .into_iter()
            .map(|(mut k, mut acl)| {
                rename(&mut k.role);
                fix_acl(&mut acl);
                (k, acl)
            })
            .collect();
        for p in self.policies.values_mut() {
            p.roles.iter_mut().for_each(rename_grantee);
            p.roles.sort();
        }
    }

    /// Dependencies of one object (empty when it has none).
    pub fn deps_of(&self, id: &ObjectId) -> impl Iterator<Item = &ObjectId> {
        self.depends.get(id).into_iter().flatten()
    }

    /// The objects of a table whose dependencies matter for ordering: its columns,
    /// constraints and indexes.
    pub fn table_parts(&self, table: &Table) -> Vec<ObjectId> {
        let mut parts = vec![ObjectId::Table {
            name: table.name.clone(),
        }];
        parts.extend(table.columns.iter().map(|c| ObjectId::Column {
            table: table.name.clone(),
            column: c.name.clone(),
        }));
        parts.extend(table.constraints.keys().map(|n| ObjectId::Constraint {
            table: table.name.clone(),
            name: n.clone(),
        }));
        parts
    }

    /// A stable fingerprint of the catalog, used to refuse a plan whose source changed.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).expect("catalog serializes");
        hex::encode(Sha256::digest(&json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_quote_ident() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_ident("a b"), "\"a b\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("ñandú"), "\"ñandú\"");
        assert_eq!(quote_ident("name"), "name");
        assert_eq!(quote_ident("_x1"), "_x1");
        assert_eq!(quote_ident("pass$fail"), "\"pass$fail\"");
        assert_eq!(quote_ident("1x"), "\"1x\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        // Backslashes: an escape string, the same under either standard_conforming_strings.
        assert_eq!(quote_literal(r"C:\"), r"E'C:\\'");
        assert_eq!(
            quote_literal(r"C:\' ; DROP TABLE public.canary; --"),
            r"E'C:\\'' ; DROP TABLE public.canary; --'"
        );
    }
}
