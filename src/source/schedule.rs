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
use super::analyze::{Analysis, Name, Space};
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

/// The default search path, as the ordering resolves it.
const DEFAULT_PATH: &[&str] = &["public"];

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

/// Whether a statement may change a session setting later statements see. `SET
/// search_path` does not count: each statement's own path is set before it runs.
fn session(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::VariableSetStmt(s) => !s.name.eq_ignore_ascii_case("search_path"),
        // `SELECT set_config(…)`, or a function that sets one.
        NodeEnum::SelectStmt(_) | NodeEnum::CallStmt(_) => true,
        NodeEnum::DoStmt(d) => do_body(d)
            .to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| matches!(w, "set" | "reset" | "set_config")),
        _ => false,
    }
}

/// A name as written: its parts, schema first when given.
type Parts = Vec<String>;

/// The relations a statement makes its table's parents (or makes a parent itself), and
/// the index or sequence it ties to a table, as unresolved names.
fn ties(node: &NodeEnum) -> (Vec<Parts>, Vec<(Parts, Parts)>) {
    let rv = |r: &pg_query::protobuf::RangeVar| -> Vec<String> {
        [r.schemaname.clone(), r.relname.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect()
    };
    let owned_by = |seq: &Option<pg_query::protobuf::RangeVar>, options: &[pg_query::Node]| {
        let mut links = Vec::new();
        for o in options {
            if let Some(NodeEnum::DefElem(d)) = &o.node
                && d.defname == "owned_by"
                && let Some(arg) = &d.arg
                && let Some(seq) = seq
            {
                let mut table = super::objects::strings(arg);
                table.pop(); // the column
                if !table.is_empty() {
                    links.push((rv(seq), table));
                }
            }
        }
        links
    };
    match node {
        NodeEnum::CreateStmt(s) => {
            let mut parents: Vec<Vec<String>> = s
                .inh_relations
                .iter()
                .filter_map(|n| match &n.node {
                    Some(NodeEnum::RangeVar(r)) => Some(rv(r)),
                    _ => None,
                })
                .collect();
            if s.partspec.is_some() {
                parents.extend(s.relation.as_ref().map(rv));
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
            let mut parents = Vec::new();
            if attach {
                parents.extend(s.relation.as_ref().map(rv));
            }
            (parents, Vec::new())
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
            let links = s
                .relation
                .as_ref()
                .map(|r| {
                    let mut index = rv(r);
                    index.pop();
                    index.push(s.idxname.clone());
                    (index, rv(r))
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

/// What `node` (analysed as `analysis`, run with `search_path`) touches.
pub(super) fn access(
    node: &NodeEnum,
    analysis: &Analysis,
    search_path: &Option<Vec<String>>,
    teardown: bool,
) -> Access {
    let path: Vec<&str> = match search_path {
        Some(p) => p.iter().map(String::as_str).collect(),
        None => DEFAULT_PATH.to_vec(),
    };
    // The keys of a relation named by its parts, in each schema it may resolve to.
    let relation_keys = |parts: &[String]| -> Vec<u64> {
        match parts {
            [.., schema, name] => vec![key(&["relation", schema, name])],
            [name] => path.iter().map(|s| key(&["relation", s, name])).collect(),
            [] => Vec::new(),
        }
    };
    let (parent_names, tie_names) = ties(node);
    let parents = parent_names.iter().flat_map(|p| relation_keys(p)).collect();
    let mut links = Vec::new();
    for (a, b) in &tie_names {
        for x in relation_keys(a) {
            links.extend(relation_keys(b).into_iter().map(|y| (x, y)));
        }
    }
    let path_set =
        matches!(node, NodeEnum::VariableSetStmt(s) if s.name.eq_ignore_ascii_case("search_path"));
    let session = session(node);
    if path_set {
        return Access {
            path: true,
            ..Default::default()
        };
    }
    if teardown || !concurrent_kind(node) {
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
        let schemas: Vec<&str> = match (&n.schema, n.space) {
            (_, Space::Schema | Space::Extension) => vec![""],
            (Some(s), _) => vec![s.as_str()],
            // Made in the first schema of the path; found in any of them.
            (None, _) if created => path.iter().take(1).copied().collect(),
            (None, _) => path.clone(),
        };
        for schema in schemas {
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
mod tests {
    use super::*;
    use crate::source::{DesiredState, SourceFile};
    use std::path::PathBuf;

    fn schedule(sql: &str) -> (Vec<String>, Schedule) {
        let state = DesiredState::from_files(vec![SourceFile {
            path: PathBuf::from("t.sql"),
            text: sql.to_string(),
        }])
        .expect("parses");
        let texts = state.statements.iter().map(|s| s.sql.clone()).collect();
        (texts, state.schedule)
    }

    /// Whether the statement starting with `b` waits (directly or not) for the one
    /// starting with `a`.
    fn waits(texts: &[String], s: &Schedule, a: &str, b: &str) -> bool {
        let find = |p: &str| texts.iter().position(|t| t.starts_with(p)).expect(p);
        let (a, b) = (find(a) as u32, find(b));
        let mut todo = vec![b as u32];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(x) = todo.pop() {
            for &d in &s.after[x as usize] {
                if d == a {
                    return true;
                }
                if seen.insert(d) {
                    todo.push(d);
                }
            }
        }
        false
    }

    #[test]
    fn families_hold_the_names_postgresql_chooses() {
        assert_eq!(family("users"), "user");
        assert_eq!(family("users_email_key"), "user");
        assert_eq!(family("_users"), "user");
        assert_eq!(family("a_b"), "a");
        assert_eq!(family("a_b_c_idx"), "a");
        assert_eq!(family("ab"), "ab");
        assert_eq!(family("ab_c_idx"), "ab");
        assert_eq!(family("__x"), "x");
        assert_eq!(family("été_x"), "été");
    }

    #[test]
    fn what_touches_one_object_keeps_its_order() {
        let sql = "CREATE SCHEMA app;
            CREATE TABLE app.t (a int);
            CREATE TABLE app.other (a int);
            ALTER TABLE app.t ADD COLUMN b int;
            ALTER TABLE app.t ADD COLUMN c int;
            CREATE INDEX ON app.t (b);
            CREATE TABLE app.x (id int PRIMARY KEY);
            CREATE TABLE app.y (x_id int REFERENCES app.x);
            CREATE VIEW app.v AS SELECT a FROM app.other;
            COMMENT ON TABLE app.other IS 'o';";
        let (texts, s) = schedule(sql);
        assert!(s.parallel);
        let w = |a, b| waits(&texts, &s, a, b);
        assert!(w(
            "ALTER TABLE app.t ADD COLUMN b",
            "ALTER TABLE app.t ADD COLUMN c"
        ));
        assert!(w("ALTER TABLE app.t ADD COLUMN c", "CREATE INDEX ON app.t"));
        assert!(w("CREATE TABLE app.x", "CREATE TABLE app.y"));
        assert!(w("CREATE VIEW app.v", "COMMENT ON TABLE app.other"));
        assert!(w("CREATE SCHEMA app", "CREATE TABLE app.x"));
        // Different families, no shared object: free to run at once.
        assert!(!w("CREATE TABLE app.t", "CREATE TABLE app.other"));
        assert!(!w("CREATE TABLE app.x", "CREATE VIEW app.v"));
    }

    #[test]
    fn names_postgresql_may_choose_alike_keep_their_order() {
        // `a_b_c_key` is the name of both unique indexes PostgreSQL makes: which table gets
        // `a_b_c_key1` depends on which is made first.
        let sql = "CREATE TABLE a (b_c int UNIQUE);
            CREATE TABLE a_b (c int UNIQUE);
            CREATE TABLE _a (x int);
            CREATE TABLE zz (x int);";
        let (texts, s) = schedule(sql);
        assert!(waits(&texts, &s, "CREATE TABLE a (", "CREATE TABLE a_b"));
        assert!(waits(&texts, &s, "CREATE TABLE a_b", "CREATE TABLE _a"));
        assert!(!waits(&texts, &s, "CREATE TABLE a (", "CREATE TABLE zz"));
    }

    #[test]
    fn unqualified_names_touch_every_schema_of_their_path() {
        let sql = "CREATE SCHEMA a; CREATE SCHEMA b;
            SET search_path = a, b;
            CREATE TABLE b.thing (x int);
            CREATE VIEW v AS SELECT * FROM thing;
            CREATE TABLE a.thing (x int);";
        let (texts, s) = schedule(sql);
        assert!(waits(&texts, &s, "CREATE TABLE b.thing", "CREATE VIEW v"));
        // The view names `thing`, which a.thing would take over: a.thing waits for it
        // or comes before it, as the ordering put them.
        let v = texts
            .iter()
            .position(|t| t.starts_with("CREATE VIEW"))
            .unwrap();
        let a = texts
            .iter()
            .position(|t| t.starts_with("CREATE TABLE a.thing"))
            .unwrap();
        let (first, second) = if v < a {
            ("CREATE VIEW v", "CREATE TABLE a.thing")
        } else {
            ("CREATE TABLE a.thing", "CREATE VIEW v")
        };
        assert!(waits(&texts, &s, first, second));
    }

    #[test]
    fn what_is_not_known_safe_is_a_barrier() {
        let sql = "CREATE TABLE t1 (a int);
            DO $$ BEGIN CREATE TYPE mood AS ENUM ('x'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            CREATE TABLE t2 (a int);
            ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
            CREATE TABLE t3 (a int);
            GRANT USAGE ON SCHEMA public TO PUBLIC;
            CREATE TABLE t4 (a int);";
        let (texts, s) = schedule(sql);
        assert!(s.parallel);
        assert!(waits(&texts, &s, "CREATE TABLE t1", "DO"));
        assert!(waits(&texts, &s, "DO", "CREATE TABLE t2"));
        assert!(waits(&texts, &s, "CREATE TABLE t2", "ALTER DEFAULT"));
        assert!(waits(&texts, &s, "ALTER DEFAULT", "CREATE TABLE t3"));
        assert!(waits(&texts, &s, "GRANT USAGE", "CREATE TABLE t4"));
    }

    #[test]
    fn what_changes_a_parent_changes_its_children() {
        // Columns added to a parent go to its children, after theirs so far; indexes on a
        // partitioned table are made on its partitions, named after them.
        let sql = "CREATE TABLE base (id int);
            CREATE TABLE child (own int) INHERITS (base);
            ALTER TABLE child ADD COLUMN late int;
            ALTER TABLE base ADD COLUMN parent_late int;
            CREATE TABLE ev (at date) PARTITION BY RANGE (at);
            CREATE TABLE x_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE x_2024_at_idx_table (a int);
            CREATE INDEX ON ev (at);
            ALTER SEQUENCE s OWNED BY t.id;";
        let (texts, s) = schedule(sql);
        assert!(waits(&texts, &s, "ALTER TABLE child", "ALTER TABLE base"));
        assert!(waits(
            &texts,
            &s,
            "CREATE TABLE x_2024_at",
            "CREATE INDEX ON ev"
        ));
    }

    #[test]
    fn what_alters_a_type_keeps_its_order() {
        let sql = "CREATE TYPE mood AS ENUM ('low');
            CREATE TABLE uses (m mood);
            ALTER TYPE mood ADD VALUE 'high';
            ALTER TYPE mood ADD VALUE 'mid' BEFORE 'high';
            CREATE DOMAIN pos AS int;
            ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0);
            ALTER DOMAIN pos ADD CONSTRAINT q CHECK (VALUE < 10);";
        let (texts, s) = schedule(sql);
        assert!(waits(
            &texts,
            &s,
            "ALTER TYPE mood ADD VALUE 'high'",
            "ALTER TYPE mood ADD VALUE 'mid'"
        ));
        assert!(waits(
            &texts,
            &s,
            "CREATE TABLE uses",
            "ALTER TYPE mood ADD VALUE 'high'"
        ));
        assert!(waits(
            &texts,
            &s,
            "ALTER DOMAIN pos ADD CONSTRAINT p",
            "ALTER DOMAIN pos ADD CONSTRAINT q"
        ));
    }

    #[test]
    fn session_settings_lead_or_keep_the_load_on_one_connection() {
        let header = "SET client_min_messages = warning;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET check_function_bodies = false;
            CREATE TABLE public.t1 (a int);
            CREATE TABLE public.t2 (a int);";
        let (_, s) = schedule(header);
        assert!(s.parallel);
        assert_eq!(s.prelude, 3);
        let middle = "CREATE TABLE t1 (a int);
            SET default_table_access_method = heap;
            CREATE TABLE t2 (a int);";
        assert!(!schedule(middle).1.parallel);
        let role = "CREATE TABLE t1 (a int); SET ROLE someone; CREATE TABLE t2 (a int);";
        assert!(!schedule(role).1.parallel);
        let setting_do = "CREATE TABLE t1 (a int);
            DO $$ BEGIN PERFORM set_config('x.y', '1', false); END $$;";
        assert!(!schedule(setting_do).1.parallel);
    }
}
