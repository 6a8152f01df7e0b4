//! Which statements of a desired state may be loaded at the same time over several
//! connections, and which must wait for which.
//!
//! Loading over several connections must give the database that loading the statements
//! one by one in their order gives, byte for byte of catalog. Each statement is given the
//! objects it touches, each either read or written; of two statements touching one object
//! where at least one writes it, the later (in load order) waits for the earlier. What is
//! not known to be safe waits for everything before it and holds back everything after it
//! (a barrier), and a state that changes session settings between its statements is loaded
//! over one connection only. Specifically:
//!
//! - Statements run at once are of a short list of kinds (creations, `ALTER TABLE`,
//!   `COMMENT`, `GRANT` on an object …); any other is a barrier (`DO`, `DROP`, renames,
//!   extensions, default privileges, event triggers, statements about schemas,
//!   `CREATE INDEX CONCURRENTLY`, and teardowns).
//! - Relations are written by whatever names them: a statement that names a table locks it
//!   (a foreign key locks both tables), so two such statements running at once could wait
//!   on each other or update the same catalog row.
//! - PostgreSQL names some objects itself (`t_pkey`, `t_a_key`, `t_a_seq`, `t_a_idx`,
//!   the array type `_t`, with a number appended when the name is taken), so which name an
//!   object gets depends on what exists when it is made. Every such name starts with the
//!   table's name (cut only past its 28th character), so every statement that makes or
//!   names a relation or type also writes its *family*: the name without its leading
//!   underscores, up to its first underscore or fourth character. Two names PostgreSQL
//!   could choose alike have one family, and their statements keep their order.
//! - A name written without its schema may resolve into any schema of its search path:
//!   it touches the object of that name in each.

use super::Statement;
use super::analyze::{Analysis, Name, Space, range_var};
use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ObjectType};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// What one statement touches (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub(super) struct Access {
    /// Waits for every statement before it; every statement after it waits for it.
    barrier: bool,
    /// Changes a session setting that later statements depend on.
    session: bool,
    /// `SET search_path`: each statement's own path is set before it runs anyway.
    pub(super) path: bool,
    /// The objects touched, hashed, each with whether it is written.
    keys: Vec<(u64, bool)>,
    /// Relations that change with one another: an index or a sequence owned by a column
    /// with its table (`ALTER TABLE … OWNER TO` changes them all).
    links: Vec<(u64, u64)>,
    /// Tables with partitions or children: a statement that changes one changes them.
    parents: Vec<u64>,
}

/// How a state's statements may be loaded over several connections.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// For each statement in load order, the earlier statements it waits for.
    pub(super) after: Vec<Vec<u32>>,
    /// The leading session settings (`SET client_min_messages …`, pg_dump's header): every
    /// connection runs them first.
    pub(super) prelude: usize,
    /// Whether several connections may be used at all: not when a session setting changes
    /// after the first statement that is not one.
    pub(super) parallel: bool,
}

fn key(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// The family of a relation or type name (see the module's documentation).
fn family(name: &str) -> &str {
    let name = name.trim_start_matches('_');
    let end = name
        .char_indices()
        .take(4)
        .find(|(_, c)| *c == '_')
        .map(|(i, _)| i)
        .or_else(|| name.char_indices().nth(4).map(|(i, _)| i))
        .unwrap_or(name.len());
    &name[..end]
}

fn space_tag(space: Space) -> &'static str {
    match space {
        // Tables are types as well: one namespace for both.
        Space::Relation | Space::Type => "relation",
        Space::Schema => "schema",
        Space::Function => "function",
        Space::Extension => "extension",
        Space::Trigger => "trigger",
        Space::Policy => "policy",
        Space::Constraint => "constraint",
        Space::Operator => "operator",
    }
}

fn at_subtype(cmd: &pg_query::Node) -> Option<AlterTableType> {
    match &cmd.node {
        Some(NodeEnum::AlterTableCmd(c)) => AlterTableType::try_from(c.subtype).ok(),
        _ => None,
    }
}

/// The kinds of objects whose names the analysis reads where `COMMENT`, `GRANT` and
/// `ALTER … OWNER` name them (see `objects::named_object` and the tree walk).
fn named_kind(objtype: i32) -> bool {
    use ObjectType as O;
    matches!(
        ObjectType::try_from(objtype),
        Ok(O::ObjectTable
            | O::ObjectView
            | O::ObjectMatview
            | O::ObjectSequence
            | O::ObjectIndex
            | O::ObjectForeignTable
            | O::ObjectType
            | O::ObjectDomain
            | O::ObjectColumn
            | O::ObjectRule
            | O::ObjectTrigger
            | O::ObjectPolicy
            | O::ObjectTabconstraint
            | O::ObjectFunction
            | O::ObjectProcedure
            | O::ObjectRoutine
            | O::ObjectAggregate)
    )
}

/// What a statement alters that the analysis does not read as a name (it orders nothing
/// by it): an enum's or a domain's type.
fn altered(node: &NodeEnum) -> Option<Name> {
    let list = match node {
        NodeEnum::AlterEnumStmt(s) => &s.type_name,
        NodeEnum::AlterDomainStmt(s) => &s.type_name,
        _ => return None,
    };
    Name::new(Space::Type, &super::analyze::names(list))
}

/// The statement kinds that may run beside others; anything else is a barrier.
fn concurrent_kind(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::IndexStmt(s) => !s.concurrent,
        NodeEnum::CommentStmt(s) => named_kind(s.objtype),
        NodeEnum::GrantStmt(s) => {
            // Only GRANT … ON an object, not ON ALL … IN SCHEMA.
            s.targtype == pg_query::protobuf::GrantTargetType::AclTargetObject as i32
                && named_kind(s.objtype)
        }
        NodeEnum::AlterOwnerStmt(s) => named_kind(s.object_type),
        // Tables made of others: their parents change with them (see `parents`).
        NodeEnum::CreateStmt(s) => s.inh_relations.is_empty() && s.partspec.is_none(),
        NodeEnum::AlterTableStmt(s) => !s.cmds.iter().any(|c| {
            matches!(
                at_subtype(c),
                Some(
                    AlterTableType::AtAttachPartition
                        | AlterTableType::AtDetachPartition
                        | AlterTableType::AtDetachPartitionFinalize
                        | AlterTableType::AtAddInherit
                        | AlterTableType::AtDropInherit
                )
            )
        }),
        // Its elements are made in it, not where their names would resolve here.
        NodeEnum::CreateSchemaStmt(s) => s.schema_elts.is_empty(),
        NodeEnum::CreateSeqStmt(_)
        | NodeEnum::AlterSeqStmt(_)
        | NodeEnum::ViewStmt(_)
        | NodeEnum::CreateTableAsStmt(_)
        | NodeEnum::CreateEnumStmt(_)
        | NodeEnum::AlterEnumStmt(_)
        | NodeEnum::CreateDomainStmt(_)
        | NodeEnum::AlterDomainStmt(_)
        | NodeEnum::CompositeTypeStmt(_)
        | NodeEnum::CreateFunctionStmt(_)
        | NodeEnum::AlterFunctionStmt(_)
        | NodeEnum::CreateTrigStmt(_)
        | NodeEnum::CreatePolicyStmt(_)
        | NodeEnum::AlterPolicyStmt(_)
        | NodeEnum::RuleStmt(_) => true,
        _ => false,
    }
}

/// The code of a `DO` block.
fn do_body(d: &pg_query::protobuf::DoStmt) -> String {
    d.args
        .iter()
        .filter_map(|a| match &a.node {
            Some(NodeEnum::DefElem(e)) if e.defname == "as" => {
                match e.arg.as_ref()?.node.as_ref() {
                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// Whether a statement may change a session setting later statements see (`SET
/// search_path` is not asked: each statement's own path is set before it runs).
fn session(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::VariableSetStmt(_) => true,
        // `SELECT set_config(…)`, or a function that sets one.
        NodeEnum::SelectStmt(_) | NodeEnum::CallStmt(_) => true,
        NodeEnum::DoStmt(d) => do_body(d)
            .to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| matches!(w, "set" | "reset" | "set_config")),
        _ => false,
    }
}

/// The relations a statement makes its table's parents (or makes a parent itself), and
/// the index or sequence it ties to a table.
fn ties(node: &NodeEnum) -> (Vec<Name>, Vec<(Name, Name)>) {
    let owned_by = |seq: &Option<pg_query::protobuf::RangeVar>, options: &[pg_query::Node]| {
        let mut links = Vec::new();
        for o in options {
            if let Some(NodeEnum::DefElem(d)) = &o.node
                && d.defname == "owned_by"
                && let Some(arg) = &d.arg
                && let Some(seq) = seq
            {
                let mut column = super::objects::strings(arg);
                column.pop();
                links.extend(Name::new(Space::Relation, &column).map(|t| (range_var(seq), t)));
            }
        }
        links
    };
    match node {
        NodeEnum::CreateStmt(s) => {
            let mut parents: Vec<Name> = s
                .inh_relations
                .iter()
                .filter_map(|n| match &n.node {
                    Some(NodeEnum::RangeVar(r)) => Some(range_var(r)),
                    _ => None,
                })
                .collect();
            if s.partspec.is_some() {
                parents.extend(s.relation.as_ref().map(range_var));
            }
            (parents, Vec::new())
        }
        NodeEnum::AlterTableStmt(s) => {
            let attach = s.cmds.iter().any(|c| {
                matches!(
                    at_subtype(c),
                    Some(AlterTableType::AtAttachPartition | AlterTableType::AtAddInherit)
                )
            });
            let parents = match attach {
                true => s.relation.as_ref().map(range_var).into_iter().collect(),
                false => Vec::new(),
            };
            (parents, Vec::new())
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
            let links = s
                .relation
                .as_ref()
                .map(|r| {
                    let table = range_var(r);
                    let index = Name {
                        name: s.idxname.clone(),
                        ..table.clone()
                    };
                    (index, table)
                })
                .into_iter()
                .collect();
            (Vec::new(), links)
        }
        NodeEnum::CreateSeqStmt(s) => (Vec::new(), owned_by(&s.sequence, &s.options)),
        NodeEnum::AlterSeqStmt(s) => (Vec::new(), owned_by(&s.sequence, &s.options)),
        _ => (Vec::new(), Vec::new()),
    }
}

/// The schemas `n` may be in: its own; else, when the statement makes it, the first of
/// `path`, and when it names it, any of them.
fn schemas_of<'a>(n: &'a Name, created: bool, path: &[&'a str]) -> Vec<&'a str> {
    match (&n.schema, n.space) {
        (_, Space::Schema | Space::Extension) => vec![""],
        (Some(s), _) => vec![s.as_str()],
        (None, _) if created => path.iter().take(1).copied().collect(),
        (None, _) => path.to_vec(),
    }
}

/// What `node` (analysed as `analysis`, run with `search_path`) touches.
pub(super) fn access(
    node: &NodeEnum,
    analysis: &Analysis,
    search_path: &Option<Vec<String>>,
) -> Access {
    let path: Vec<&str> = match search_path {
        Some(p) => p.iter().map(String::as_str).collect(),
        None => super::order::DEFAULT_PATH.to_vec(),
    };
    let relation_keys = |n: &Name| -> Vec<u64> {
        schemas_of(n, false, &path)
            .into_iter()
            .map(|s| key(&["relation", s, &n.name]))
            .collect()
    };
    let (parent_names, tie_names) = ties(node);
    let parents = parent_names.iter().flat_map(relation_keys).collect();
    let mut links = Vec::new();
    for (a, b) in &tie_names {
        for x in relation_keys(a) {
            links.extend(relation_keys(b).into_iter().map(|y| (x, y)));
        }
    }
    if analysis.sets_search_path.is_some() {
        return Access {
            path: true,
            ..Default::default()
        };
    }
    let session = session(node);
    if analysis.teardown || !concurrent_kind(node) {
        return Access {
            barrier: true,
            session,
            parents,
            ..Default::default()
        };
    }
    let creates = !analysis.creates.is_empty();
    let mut keys = Vec::new();
    let mut touch = |n: &Name, write: bool, created: bool| {
        for schema in schemas_of(n, created, &path) {
            keys.push((key(&[space_tag(n.space), schema, &n.name]), write));
            if matches!(n.space, Space::Relation | Space::Type) && write {
                keys.push((key(&["family", schema, family(&n.name)]), true));
            }
        }
    };
    for n in &analysis.creates {
        touch(n, true, true);
    }
    // An index without a name takes one from its table, which is among the references:
    // written, with its family.
    for n in &analysis.references {
        let write = match n.space {
            Space::Relation | Space::Trigger | Space::Policy | Space::Constraint => true,
            // Statements about schemas are barriers.
            Space::Schema => false,
            // What a statement that creates nothing names is what it alters.
            Space::Type | Space::Function | Space::Operator | Space::Extension => !creates,
        };
        touch(n, write, false);
    }
    if let Some(n) = altered(node) {
        touch(&n, true, false);
    }
    Access {
        barrier: false,
        session,
        path: false,
        keys,
        links,
        parents,
    }
}

impl Schedule {
    /// The schedule of `statements`, in load order, given what each touches.
    pub(super) fn of(statements: &[Statement]) -> Schedule {
        let accesses: Vec<&Access> = statements.iter().map(|s| &s.access).collect();
        let prelude = accesses.iter().take_while(|a| a.session || a.path).count();
        let parallel = !accesses[prelude..].iter().any(|a| a.session);
        // Relations tied to others, both ways, and tables with partitions or children.
        let mut tied: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut parents: std::collections::HashSet<u64> = Default::default();
        for a in &accesses {
            for &(x, y) in &a.links {
                tied.entry(x).or_default().push(y);
                tied.entry(y).or_default().push(x);
            }
            parents.extend(a.parents.iter().copied());
        }
        let mut after: Vec<Vec<u32>> = Vec::with_capacity(statements.len());
        // Per object: its last writer, and who read it since.
        let mut objects: HashMap<u64, (Option<u32>, Vec<u32>)> = HashMap::new();
        let mut last_barrier: Option<u32> = None;
        let mut since_barrier: Vec<u32> = Vec::new();
        for (i, a) in accesses.iter().enumerate() {
            let i = i as u32;
            let mut deps: Vec<u32> = Vec::new();
            if (i as usize) < prelude || a.path {
                after.push(deps);
                continue;
            }
            let mut keys = a.keys.clone();
            for &(k, write) in &a.keys {
                if write && let Some(others) = tied.get(&k) {
                    keys.extend(others.iter().map(|&o| (o, true)));
                }
            }
            let barrier = a.barrier || keys.iter().any(|(k, w)| *w && parents.contains(k));
            deps.extend(last_barrier);
            if barrier {
                deps.append(&mut since_barrier);
                objects.clear();
                last_barrier = Some(i);
            } else {
                for (k, write) in keys {
                    let (writer, readers) = objects.entry(k).or_default();
                    deps.extend(*writer);
                    if write {
                        deps.append(readers);
                        *writer = Some(i);
                    } else {
                        readers.push(i);
                    }
                }
                since_barrier.push(i);
            }
            deps.sort_unstable();
            deps.dedup();
            deps.retain(|&d| d != i);
            after.push(deps);
        }
        Schedule {
            after,
            prelude,
            parallel,
        }
    }
}

#[cfg(test)]
mod tests;
