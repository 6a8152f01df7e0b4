//! Where each object of the desired state is written: the file and line of the statement
//! that declares it (in a CREATE TABLE, of the column or constraint itself), and of the
//! GRANT, COMMENT, ALTER … OWNER and ALTER DEFAULT PRIVILEGES statements about it. Plans
//! point their steps there, for reviews and code-scanning annotations.
//!
//! Objects are named as the catalog names them ([`ObjectId`]), with two simplifications
//! that the files force: relations (tables, views, sequences, indexes) share one name
//! space, as in PostgreSQL, and functions and operators are named without their argument
//! types (which the files write in their own words): overloads share the first place.

use super::files::LineIndex;
use crate::catalog::{ObjectId, QualName};
use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ConstrType, GrantTargetType, ObjectType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a statement says about an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    /// Creates it (or adds it to a table).
    Declared,
    Granted,
    Commented,
    Owned,
    /// ALTER DEFAULT PRIVILEGES in a schema (keyed by the schema; `""`: everywhere).
    DefaultPrivileges,
}

/// The first place each object is written, per facet.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<PathBuf>,
    /// (facet, object) → (index in `files`, line).
    found: BTreeMap<(Facet, ObjectId), (usize, usize)>,
}

/// Where a statement is: its file, the file's lines, the offset its parse tree's
/// locations count from, where it starts, and the schema its unqualified names create in.
pub(crate) struct At<'a> {
    pub path: &'a Path,
    pub lines: &'a LineIndex<'a>,
    pub base: usize,
    pub start: usize,
    pub schema: &'a str,
}

/// How the map keys an object: one kind for relations, no arguments for routines.
fn key(id: &ObjectId) -> ObjectId {
    match id {
        ObjectId::View { name } | ObjectId::Sequence { name } | ObjectId::Index { name } => {
            ObjectId::Table { name: name.clone() }
        }
        ObjectId::Function { name, .. } => ObjectId::Function {
            name: name.clone(),
            args: String::new(),
        },
        ObjectId::Operator { name, .. } => ObjectId::Operator {
            name: name.clone(),
            args: String::new(),
        },
        other => other.clone(),
    }
}

impl SourceMap {
    /// The place of `id` for `facet`, else where it is declared, else where what holds it
    /// is: a column's (constraint's, trigger's, policy's) table, then the object's schema.
    /// An object the files do not hold (one the plan drops) is placed at the nearest of
    /// those they do.
    pub fn find(&self, id: &ObjectId, facet: Facet) -> Option<(&Path, usize)> {
        let mut keys = vec![(facet, key(id)), (Facet::Declared, key(id))];
        if let ObjectId::Column { table, .. }
        | ObjectId::Constraint { table, .. }
        | ObjectId::Trigger { table, .. }
        | ObjectId::Policy { table, .. } = id
        {
            keys.push((
                Facet::Declared,
                ObjectId::Table {
                    name: table.clone(),
                },
            ));
        }
        if let Some(schema) = id.schema() {
            keys.push((Facet::Declared, schema_id(schema)));
        }
        keys.iter().find_map(|k| self.place(k))
    }

    /// Where the default privileges in `schema` (`None`: everywhere) are set, else where
    /// the schema is declared.
    pub fn default_privileges(&self, schema: Option<&str>) -> Option<(&Path, usize)> {
        let here = (Facet::DefaultPrivileges, schema_id(schema.unwrap_or("")));
        self.place(&here).or_else(|| {
            let schema = schema?;
            self.place(&(Facet::Declared, schema_id(schema)))
        })
    }

    fn place(&self, key: &(Facet, ObjectId)) -> Option<(&Path, usize)> {
        let (file, line) = self.found.get(key)?;
        Some((self.files[*file].as_path(), *line))
    }

    fn put(&mut self, at: &At, facet: Facet, id: ObjectId, offset: usize) {
        if self.files.last().map(PathBuf::as_path) != Some(at.path) {
            self.files.push(at.path.to_path_buf());
        }
        let file = self.files.len() - 1;
        let (line, _) = at.lines.line_col(offset);
        self.found.entry((facet, key(&id))).or_insert((file, line));
    }

    /// Notes what `node`, the statement at `at`, declares or says about objects.
    pub(crate) fn record(&mut self, node: &NodeEnum, at: &At) {
        let here = at.start;
        let rel = |rv: &Option<pg_query::protobuf::RangeVar>| {
            rv.as_ref().map(|r| range_var(r, at.schema))
        };
        match node {
            NodeEnum::CreateSchemaStmt(s) => {
                self.put(at, Facet::Declared, schema_id(&s.schemaname), here)
            }
            NodeEnum::CreateExtensionStmt(s) => self.put(
                at,
                Facet::Declared,
                ObjectId::Extension {
                    name: s.extname.clone(),
                },
                here,
            ),
            NodeEnum::CreateStmt(s) => {
                if let Some(table) = rel(&s.relation) {
                    self.put(at, Facet::Declared, table_id(&table), here);
                    for element in s.table_elts.iter().chain(&s.constraints) {
                        self.table_element(at, &table, element.node.as_ref());
                    }
                }
            }
            NodeEnum::CreateSeqStmt(s) => self.declare_relation(at, rel(&s.sequence)),
            NodeEnum::ViewStmt(s) => self.declare_relation(at, rel(&s.view)),
            NodeEnum::CreateTableAsStmt(s) => {
                let into = s.into.as_ref().and_then(|i| i.rel.clone());
                self.declare_relation(at, rel(&into))
            }
            NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
                // An index lives in its table's schema.
                let schema = rel(&s.relation).map_or(at.schema.to_string(), |t| t.schema);
                let name = QualName {
                    schema,
                    name: s.idxname.clone(),
                };
                self.put(at, Facet::Declared, table_id(&name), here)
            }
            NodeEnum::CreateEnumStmt(s) => self.declare(at, ObjectType::ObjectType, &s.type_name),
            NodeEnum::CreateDomainStmt(s) => {
                self.declare(at, ObjectType::ObjectType, &s.domainname)
            }
            NodeEnum::CreateRangeStmt(s) => self.declare(at, ObjectType::ObjectType, &s.type_name),
            NodeEnum::CompositeTypeStmt(s) => {
                if let Some(t) = rel(&s.typevar) {
                    self.put(at, Facet::Declared, ObjectId::Type { name: t }, here)
                }
            }
            NodeEnum::CreateFunctionStmt(s) => {
                self.declare(at, ObjectType::ObjectFunction, &s.funcname)
            }
            NodeEnum::DefineStmt(s) => {
                if let Ok(kind) = ObjectType::try_from(s.kind) {
                    self.declare(at, kind, &s.defnames)
                }
            }
            NodeEnum::CreateTrigStmt(s) => {
                if let Some(table) = rel(&s.relation) {
                    let name = s.trigname.clone();
                    self.put(at, Facet::Declared, ObjectId::Trigger { table, name }, here)
                }
            }
            NodeEnum::CreatePolicyStmt(s) => {
                if let Some(table) = rel(&s.table) {
                    let name = s.policy_name.clone();
                    self.put(at, Facet::Declared, ObjectId::Policy { table, name }, here)
                }
            }
            NodeEnum::AlterTableStmt(s) => {
                let Some(table) = rel(&s.relation) else {
                    return;
                };
                for cmd in &s.cmds {
                    let Some(NodeEnum::AlterTableCmd(c)) = &cmd.node else {
                        continue;
                    };
                    match AlterTableType::try_from(c.subtype) {
                        Ok(AlterTableType::AtAddColumn | AlterTableType::AtAddConstraint) => {
                            let def = c.def.as_ref().and_then(|d| d.node.as_ref());
                            self.table_element(at, &table, def)
                        }
                        Ok(AlterTableType::AtChangeOwner) => {
                            self.put(at, Facet::Owned, table_id(&table), here)
                        }
                        _ => {}
                    }
                }
            }
            NodeEnum::CommentStmt(s) => {
                for id in objects(s.objtype, s.object.as_deref(), at.schema) {
                    self.put(at, Facet::Commented, id, here)
                }
            }
            NodeEnum::AlterOwnerStmt(s) => {
                for id in objects(s.object_type, s.object.as_deref(), at.schema) {
                    self.put(at, Facet::Owned, id, here)
                }
            }
            NodeEnum::GrantStmt(s) if s.targtype == GrantTargetType::AclTargetObject as i32 => {
                for o in &s.objects {
                    for id in objects(s.objtype, Some(o), at.schema) {
                        self.put(at, Facet::Granted, id, here)
                    }
                }
            }
            NodeEnum::AlterDefaultPrivilegesStmt(s) => {
                let schemas: Vec<String> = s
                    .options
                    .iter()
                    .filter_map(|o| match &o.node {
                        Some(NodeEnum::DefElem(d)) if d.defname == "schemas" => d.arg.as_deref(),
                        _ => None,
                    })
                    .flat_map(strings)
                    .collect();
                if schemas.is_empty() {
                    self.put(at, Facet::DefaultPrivileges, schema_id(""), here)
                }
                for schema in schemas {
                    self.put(at, Facet::DefaultPrivileges, schema_id(&schema), here)
                }
            }
            NodeEnum::CreateRoleStmt(s) => self.put(at, Facet::Declared, role_id(&s.role), here),
            NodeEnum::AlterRoleStmt(s) => {
                if let Some(r) = &s.role {
                    self.put(at, Facet::Declared, role_id(&r.rolename), here)
                }
            }
            NodeEnum::GrantRoleStmt(s) => {
                let granted = s.granted_roles.iter().filter_map(|n| match &n.node {
                    Some(NodeEnum::AccessPriv(p)) => Some(p.priv_name.clone()),
                    _ => None,
                });
                let grantees = s.grantee_roles.iter().filter_map(|n| match &n.node {
                    Some(NodeEnum::RoleSpec(r)) => Some(r.rolename.clone()),
                    _ => None,
                });
                for role in granted.chain(grantees).collect::<Vec<_>>() {
                    self.put(at, Facet::Granted, role_id(&role), here)
                }
            }
            _ => {}
        }
    }

    fn declare_relation(&mut self, at: &At, name: Option<QualName>) {
        if let Some(name) = name {
            self.put(at, Facet::Declared, table_id(&name), at.start)
        }
    }

    /// A CREATE statement of a kind that names its object with a list of names.
    fn declare(&mut self, at: &At, kind: ObjectType, names: &[pg_query::Node]) {
        let parts: Vec<String> = names.iter().flat_map(strings).collect();
        if let Some(id) = object(kind, &parts, at.schema) {
            self.put(at, Facet::Declared, id, at.start)
        }
    }

    /// A column or constraint of a CREATE TABLE or ALTER TABLE … ADD, at its own line.
    /// A constraint left unnamed gets the name PostgreSQL gives it where that is plain
    /// (`t_pkey`, `t_col_key`, `t_col_fkey`, `t_col_check`).
    fn table_element(&mut self, at: &At, table: &QualName, node: Option<&NodeEnum>) {
        let offset = |location: i32| match location {
            l if l >= 0 => at.base + l as usize,
            _ => at.start,
        };
        match node {
            Some(NodeEnum::ColumnDef(c)) => {
                let column = ObjectId::Column {
                    table: table.clone(),
                    column: c.colname.clone(),
                };
                self.put(at, Facet::Declared, column, offset(c.location));
                for k in &c.constraints {
                    if let Some(NodeEnum::Constraint(k)) = &k.node {
                        let name = constraint_name(table, k, std::slice::from_ref(&c.colname));
                        self.constraint(at, table, name, offset(k.location));
                    }
                }
            }
            Some(NodeEnum::Constraint(k)) => {
                let keys: Vec<String> =
                    k.keys.iter().chain(&k.fk_attrs).flat_map(strings).collect();
                let name = constraint_name(table, k, &keys);
                self.constraint(at, table, name, offset(k.location));
            }
            _ => {}
        }
    }

    fn constraint(&mut self, at: &At, table: &QualName, name: Option<String>, offset: usize) {
        if let Some(name) = name {
            let id = ObjectId::Constraint {
                table: table.clone(),
                name,
            };
            self.put(at, Facet::Declared, id, offset)
        }
    }
}

/// A constraint's name: its own, else the one PostgreSQL makes from the table and the
/// columns for the kinds where that is plain (a name too long for 63 bytes is not).
fn constraint_name(
    table: &QualName,
    k: &pg_query::protobuf::Constraint,
    columns: &[String],
) -> Option<String> {
    if !k.conname.is_empty() {
        return Some(k.conname.clone());
    }
    let suffix = match ConstrType::try_from(k.contype).ok()? {
        ConstrType::ConstrPrimary => return Some(format!("{}_pkey", table.name)),
        ConstrType::ConstrUnique => "key",
        ConstrType::ConstrForeign => "fkey",
        ConstrType::ConstrCheck if columns.len() == 1 => "check",
        _ => return None,
    };
    if columns.is_empty() {
        return None;
    }
    let name = format!("{}_{}_{suffix}", table.name, columns.join("_"));
    (name.len() < 64).then_some(name)
}

fn schema_id(name: &str) -> ObjectId {
    ObjectId::Schema {
        name: name.to_string(),
    }
}

fn role_id(name: &str) -> ObjectId {
    ObjectId::Role {
        name: name.to_string(),
    }
}

fn table_id(name: &QualName) -> ObjectId {
    ObjectId::Table { name: name.clone() }
}

fn range_var(rv: &pg_query::protobuf::RangeVar, schema: &str) -> QualName {
    QualName {
        schema: match rv.schemaname.as_str() {
            "" => schema.to_string(),
            s => s.to_string(),
        },
        name: rv.relname.clone(),
    }
}

/// `[schema.]name` (a database name before them is ignored), in `schema` when
/// unqualified.
fn qualified(parts: &[String], schema: &str) -> Option<QualName> {
    match parts {
        [name] => Some(QualName {
            schema: schema.to_string(),
            name: name.clone(),
        }),
        [.., s, name] => Some(QualName {
            schema: s.clone(),
            name: name.clone(),
        }),
        [] => None,
    }
}

/// The names a node spells: a list of strings, a string, a relation, a routine with its
/// arguments, a type name.
fn strings(node: &pg_query::Node) -> Vec<String> {
    let list = |items: &[pg_query::Node]| -> Vec<String> {
        items
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect()
    };
    match &node.node {
        Some(NodeEnum::List(l)) => list(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::ObjectWithArgs(o)) => list(&o.objname),
        Some(NodeEnum::TypeName(t)) => list(&t.names),
        Some(NodeEnum::RangeVar(r)) if r.schemaname.is_empty() => vec![r.relname.clone()],
        Some(NodeEnum::RangeVar(r)) => vec![r.schemaname.clone(), r.relname.clone()],
        _ => Vec::new(),
    }
}

/// The object a kind and its names denote.
fn object(kind: ObjectType, parts: &[String], schema: &str) -> Option<ObjectId> {
    let name = || qualified(parts, schema);
    // A member of a table: the names end with the table's and the member's.
    let member = || {
        let (last, table) = parts.split_last()?;
        Some((qualified(table, schema)?, last.clone()))
    };
    Some(match kind {
        ObjectType::ObjectSchema => schema_id(parts.first()?),
        ObjectType::ObjectExtension => ObjectId::Extension {
            name: parts.first()?.clone(),
        },
        ObjectType::ObjectRole => role_id(parts.first()?),
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectIndex
        | ObjectType::ObjectForeignTable => table_id(&name()?),
        ObjectType::ObjectType | ObjectType::ObjectDomain => ObjectId::Type { name: name()? },
        ObjectType::ObjectCollation => ObjectId::Collation { name: name()? },
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectRoutine
        | ObjectType::ObjectAggregate => ObjectId::Function {
            name: name()?,
            args: String::new(),
        },
        ObjectType::ObjectOperator => ObjectId::Operator {
            name: name()?,
            args: String::new(),
        },
        ObjectType::ObjectColumn
        | ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectTabconstraint => {
            let (table, name) = member()?;
            match kind {
                ObjectType::ObjectColumn => ObjectId::Column {
                    table,
                    column: name,
                },
                ObjectType::ObjectTrigger => ObjectId::Trigger { table, name },
                ObjectType::ObjectPolicy => ObjectId::Policy { table, name },
                _ => ObjectId::Constraint { table, name },
            }
        }
        _ => return None,
    })
}

/// The objects a statement about `objtype` names in `node`.
fn objects(objtype: i32, node: Option<&pg_query::Node>, schema: &str) -> Vec<ObjectId> {
    let (Ok(kind), Some(node)) = (ObjectType::try_from(objtype), node) else {
        return Vec::new();
    };
    object(kind, &strings(node), schema).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::Facet::*;
    use crate::catalog::ObjectId;
    use crate::catalog::testing::{col_id, con_id, fn_id, idx_id, policy_id, qn, table_id};
    use crate::source::{DesiredState, SourceFile};

    const FILE: &str = "\
CREATE SCHEMA app;
SET search_path = app;
CREATE TABLE items (
    id bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    parent_id bigint REFERENCES items (id)
);
ALTER TABLE app.items ADD COLUMN note text;
ALTER TABLE app.items ADD CONSTRAINT items_note CHECK (note <> '');
CREATE INDEX items_name ON items (name);
CREATE FUNCTION app.f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
GRANT SELECT ON app.items TO reader;
COMMENT ON COLUMN app.items.name IS 'the name';
CREATE ROLE reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reader;
CREATE POLICY p ON app.items USING (true);
";

    #[test]
    fn objects_are_found_at_their_own_line_else_at_what_holds_them() {
        let state = DesiredState::from_files(vec![SourceFile {
            path: "schema/app.sql".into(),
            text: FILE.into(),
        }])
        .unwrap();
        let map = &state.locations;
        let line = |id: ObjectId, facet| {
            let (path, line) = map.find(&id, facet)?;
            assert_eq!(path, std::path::Path::new("schema/app.sql"));
            Some(line)
        };
        assert_eq!(line(table_id("app.items"), Declared), Some(3));
        assert_eq!(line(col_id("app.items", "name"), Declared), Some(5));
        assert_eq!(line(col_id("app.items", "note"), Declared), Some(8));
        // Gone from the files: placed at its table, then at its schema.
        assert_eq!(line(col_id("app.items", "gone"), Declared), Some(3));
        assert_eq!(line(table_id("app.gone"), Declared), Some(1));
        assert_eq!(line(table_id("other.gone"), Declared), None);
        // Constraints, named or named as PostgreSQL names them.
        assert_eq!(line(con_id("app.items", "items_pkey"), Declared), Some(4));
        assert_eq!(
            line(con_id("app.items", "items_name_key"), Declared),
            Some(5)
        );
        assert_eq!(
            line(con_id("app.items", "items_parent_id_fkey"), Declared),
            Some(6)
        );
        assert_eq!(line(con_id("app.items", "items_note"), Declared), Some(9));
        assert_eq!(line(idx_id("app.items_name"), Declared), Some(10));
        assert_eq!(line(fn_id("app.f", "integer"), Declared), Some(11));
        // A statement about the object, else its declaration.
        assert_eq!(line(table_id("app.items"), Granted), Some(12));
        assert_eq!(line(table_id("app.items"), Commented), Some(3));
        assert_eq!(line(col_id("app.items", "name"), Commented), Some(13));
        let reader = ObjectId::Role {
            name: "reader".into(),
        };
        assert_eq!(line(reader, Declared), Some(14));
        assert_eq!(line(policy_id("app.items", "p"), Declared), Some(16));
        assert_eq!(map.default_privileges(Some("app")).map(|p| p.1), Some(15));
        assert_eq!(map.default_privileges(None), None);
        let view = ObjectId::View {
            name: qn("app.items_name"),
        };
        assert_eq!(
            line(view, Declared),
            Some(10),
            "relations share one name space"
        );
    }
}
