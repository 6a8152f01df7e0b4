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
mod exclude;
mod extension;
mod function;
mod index;
mod keywords;
mod object_id;
mod operator;
pub(crate) mod pairs;
mod policy;
mod privilege;
mod rename;
mod role;
mod role_names;
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
pub use exclude::Exclusions;
pub use extension::Extension;
pub use function::Function;
pub use index::Index;
pub use object_id::ObjectId;
pub use operator::Operator;
pub use policy::Policy;
pub use privilege::{Acl, AclKind, DefaultAclKey, Grant, GrantedBy, PRIVILEGE_ORDER, merged};
pub use rename::Rename;
pub use role::{Grantee, Role};
pub use schema::Schema;
pub use sequence::{Sequence, SequenceOptions};
pub use table::{
    Column, ColumnStorage, Generated, Identity, InheritedKey, NotNull, ReplicaIdentity, Table,
};
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
    reader("operators", operator::QUERY, operator::read),
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
    /// Keyed by name and argument types (as in [`ObjectId::Operator`]).
    #[serde(default, with = "pairs")]
    pub operators: BTreeMap<(QualName, String), Operator>,
    /// Keyed by table and trigger name.
    #[serde(with = "pairs")]
    pub triggers: BTreeMap<(QualName, String), Trigger>,
    /// Privileges that differ from the built-in default, by object.
    #[serde(default, with = "pairs")]
    pub privileges: BTreeMap<ObjectId, Acl>,
    /// The whole ACL with grantors, of the objects where a role other than the owner
    /// granted something (grantors are not compared: `privileges` is what is managed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", with = "pairs")]
    pub granted_by: BTreeMap<ObjectId, BTreeSet<GrantedBy>>,
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
    /// `-- @using` annotations of the desired state: a column → the expression that
    /// converts its values when its type changes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub usings: BTreeMap<ObjectId, String>,
    /// Objects of kinds the engine does not manage yet, reported rather than ignored:
    /// (schema, description).
    pub unsupported: Vec<(String, String)>,
}

impl Catalog {
    /// Whether the object is in this catalog.
    pub fn contains(&self, id: &ObjectId) -> bool {
        match id {
            ObjectId::Schema { name } => self.schemas.contains_key(name),
            ObjectId::Extension { name } => self.extensions.contains_key(name),
            ObjectId::Type { name } => {
                self.enums.contains_key(name)
                    || self.domains.contains_key(name)
                    || self.composites.contains_key(name)
            }
            ObjectId::Sequence { name } => {
                self.sequences.contains_key(name) || self.identity_sequences.contains(name)
            }
            ObjectId::Table { name } => self.tables.contains_key(name),
            ObjectId::Column { table, column } => {
                self.tables
                    .get(table)
                    .is_some_and(|t| t.column(column).is_some())
                    || self
                        .views
                        .get(table)
                        .is_some_and(|v| v.columns.iter().any(|(c, _)| c == column))
            }
            ObjectId::Constraint { table, name } => self
                .tables
                .get(table)
                .is_some_and(|t| t.constraints.contains_key(name)),
            ObjectId::Index { name } => self.indexes.contains_key(name),
            ObjectId::View { name } => self.views.contains_key(name),
            ObjectId::Function { name, args } => {
                let key = (name.clone(), args.clone());
                self.functions.contains_key(&key) || self.aggregates.contains_key(&key)
            }
            ObjectId::Trigger { table, name } => {
                self.triggers.contains_key(&(table.clone(), name.clone()))
            }
            ObjectId::Policy { table, name } => {
                self.policies.contains_key(&(table.clone(), name.clone()))
            }
            ObjectId::Collation { name } => self.collations.contains_key(name),
            ObjectId::Role { name } => self.roles.contains_key(name),
            ObjectId::Operator { name, args } => {
                self.operators.contains_key(&(name.clone(), args.clone()))
            }
        }
    }

    /// How SQL names the object, with the keyword this catalog's form of it takes
    /// (`DOMAIN`, `MATERIALIZED VIEW`, `PROCEDURE`, `AGGREGATE`); `None` when the object
    /// is not here.
    pub fn sql_reference(&self, id: &ObjectId) -> Option<String> {
        if !self.contains(id) {
            return None;
        }
        Some(match id {
            ObjectId::Type { name } if self.domains.contains_key(name) => format!("DOMAIN {name}"),
            ObjectId::View { name } => format!("{} {name}", self.views[name].keyword()),
            ObjectId::Function { name, args } => {
                let key = (name.clone(), args.clone());
                let keyword = match self.functions.get(&key) {
                    Some(f) => f.keyword(),
                    None => "AGGREGATE",
                };
                format!("{keyword} {name}({args})")
            }
            other => other.sql_reference(),
        })
    }

    /// The schemas the desired state creates or puts objects in: every schema it has, and
    /// `public` only when something lives there (every new database has an empty `public`).
    pub fn used_schemas(&self) -> BTreeSet<String> {
        let mut used: BTreeSet<String> = self
            .schemas
            .keys()
            .filter(|s| s.as_str() != "public")
            .cloned()
            .collect();
        if self.object_schemas().any(|s| s == "public") {
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
                default_comment: None,
                version_pinned: false,
            },
        );
        c
    }

    /// Keeps only what lives in `scope` (extensions are database-wide and all kept).
    pub fn restrict(&mut self, scope: &BTreeSet<String>) {
        self.retain_objects(&|s| scope.contains(s), &|q| scope.contains(&q.schema));
    }

    /// Keeps the schemas `schema_kept` accepts and the objects in schemas that
    /// `object_kept` accepts, with what belongs to them: a table's indexes, triggers and
    /// policies, an object's privileges, owner and comment. Extensions and roles stay.
    pub(crate) fn retain_objects(
        &mut self,
        schema_kept: &dyn Fn(&str) -> bool,
        object_kept: &dyn Fn(&QualName) -> bool,
    ) {
        let id_kept = |id: &ObjectId| match id {
            ObjectId::Schema { name } => schema_kept(name),
            _ => id.qualified().is_none_or(object_kept),
        };
        // Every field is named: a new kind's map cannot be forgotten here.
        let Catalog {
            server_version: _,
            current_user: _,
            schemas,
            extensions: _,
            enums,
            collations,
            domains,
            composites,
            sequences,
            tables,
            indexes,
            views,
            functions,
            aggregates,
            operators,
            triggers,
            privileges,
            granted_by,
            identity_sequences,
            owners,
            default_privileges,
            roles: _,
            policies,
            comments,
            depends: _,
            renames: _,
            usings: _,
            unsupported,
        } = self;
        schemas.retain(|k, _| schema_kept(k));
        enums.retain(|k, _| object_kept(k));
        domains.retain(|k, _| object_kept(k));
        collations.retain(|k, _| object_kept(k));
        composites.retain(|k, _| object_kept(k));
        sequences.retain(|k, _| object_kept(k));
        tables.retain(|k, _| object_kept(k));
        indexes.retain(|k, i| object_kept(k) && object_kept(&i.table));
        functions.retain(|(k, _), _| object_kept(k));
        views.retain(|k, _| object_kept(k));
        aggregates.retain(|(k, _), _| object_kept(k));
        operators.retain(|(k, _), _| object_kept(k));
        triggers.retain(|(k, _), _| object_kept(k));
        policies.retain(|(k, _), _| object_kept(k));
        privileges.retain(|id, _| id_kept(id));
        granted_by.retain(|id, _| id_kept(id));
        owners.retain(|id, _| id_kept(id));
        identity_sequences.retain(|q| object_kept(q));
        default_privileges.retain(|k, _| k.schema.as_deref().is_none_or(schema_kept));
        comments.retain(|id, _| id_kept(id));
        unsupported.retain(|(s, description)| {
            schema_kept(s)
                && exclude::unsupported_name(s, description).is_none_or(|q| object_kept(&q))
        });
    }

    /// The schemas of the objects in schemas (not of the schemas themselves).
    fn object_schemas(&self) -> impl Iterator<Item = &str> {
        // Every field is named: a new kind's map cannot be forgotten here.
        let Catalog {
            server_version: _,
            current_user: _,
            schemas: _,
            extensions,
            enums,
            collations,
            domains,
            composites,
            sequences,
            tables,
            indexes,
            views,
            functions,
            aggregates,
            operators,
            triggers,
            privileges: _,
            granted_by: _,
            identity_sequences: _,
            owners: _,
            default_privileges: _,
            roles: _,
            policies,
            comments: _,
            depends: _,
            renames: _,
            usings: _,
            unsupported,
        } = self;
        let named = enums
            .keys()
            .chain(collations.keys())
            .chain(domains.keys())
            .chain(composites.keys())
            .chain(sequences.keys())
            .chain(tables.keys())
            .chain(indexes.keys())
            .chain(views.keys())
            .chain(functions.keys().map(|(q, _)| q))
            .chain(aggregates.keys().map(|(q, _)| q))
            .chain(operators.keys().map(|(q, _)| q))
            .chain(triggers.keys().map(|(q, _)| q))
            .chain(policies.keys().map(|(q, _)| q))
            .map(|q| q.schema.as_str());
        named
            .chain(extensions.values().map(|e| e.schema.as_str()))
            .chain(unsupported.iter().map(|(s, _)| s.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty() && self.object_schemas().next().is_none()
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
        hex::encode(json_sha256(self).expect("catalog serializes"))
    }
}

/// The SHA-256 of `value` serialised as JSON, streamed into the hash: a catalog or plan of
/// 10,000 tables is tens of megabytes of JSON that need never be held.
pub fn json_sha256<T: Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    use sha2::{Digest, Sha256};
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    serde_json::to_writer(&mut h, value)?;
    Ok(h.0.finalize().to_vec())
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
