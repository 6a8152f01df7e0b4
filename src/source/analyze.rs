//! What each statement creates and references, read from its parse tree. References are
//! collected by walking the whole tree (as JSON, so that no node kind is missed): every
//! relation, type name and function call, plus `nextval('seq')` / `'x'::regclass` strings.

use pg_query::NodeEnum;
use serde_json::Value;

/// The kinds of names that statements create and reference; relations (tables, views,
/// sequences, indexes) share one namespace in PostgreSQL, as do types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Space {
    Schema,
    Relation,
    Type,
    Function,
    Extension,
    /// Table members, named by table and member (see `objects::member`).
    Trigger,
    Policy,
    Constraint,
    Operator,
}

/// A possibly unqualified name as written in a statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    pub space: Space,
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub(super) fn new(space: Space, parts: &[String]) -> Option<Name> {
        let (schema, name) = match parts {
            [name] => (None, name.clone()),
            [schema, name] => (Some(schema.clone()), name.clone()),
            [_db, schema, name] => (Some(schema.clone()), name.clone()),
            _ => return None,
        };
        Some(Name {
            space,
            schema,
            name,
        })
    }

    fn unqualified(space: Space, name: &str) -> Name {
        Name {
            space,
            schema: None,
            name: name.to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub creates: Vec<Name>,
    pub references: Vec<Name>,
    /// `Some(path)` for `SET search_path`; `Some(vec![])` resets nothing but clears it.
    pub sets_search_path: Option<Option<Vec<String>>>,
    /// An `IF EXISTS` statement that may remove what it names: it is not moved after the
    /// creation of those objects when it comes before it in its file.
    pub teardown: bool,
}

pub(super) fn names(list: &[pg_query::Node]) -> Vec<String> {
    list.iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn range_var(rv: &pg_query::protobuf::RangeVar) -> Name {
    Name {
        space: Space::Relation,
        schema: (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()),
        name: rv.relname.clone(),
    }
}

/// What `node` creates and references; `tree` is the node as JSON.
pub fn analyze(node: &NodeEnum, tree: &Value) -> Analysis {
    let mut a = Analysis::default();
    match node {
        NodeEnum::CreateSchemaStmt(s) => a
            .creates
            .push(Name::unqualified(Space::Schema, &s.schemaname)),
        NodeEnum::CreateStmt(s) => {
            if let Some(rv) = &s.relation {
                a.creates.push(range_var(rv));
                a.creates.push(Name {
                    space: Space::Type,
                    ..range_var(rv)
                });
            }
        }
        NodeEnum::CreateSeqStmt(s) => a.creates.extend(s.sequence.as_ref().map(range_var)),
        NodeEnum::ViewStmt(s) => a.creates.extend(s.view.as_ref().map(range_var)),
        NodeEnum::CreateTableAsStmt(s) => {
            if let Some(rel) = s.into.as_ref().and_then(|i| i.rel.as_ref()) {
                a.creates.push(range_var(rel));
            }
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
            a.creates.push(Name {
                space: Space::Relation,
                schema: s
                    .relation
                    .as_ref()
                    .filter(|r| !r.schemaname.is_empty())
                    .map(|r| r.schemaname.clone()),
                name: s.idxname.clone(),
            });
        }
        NodeEnum::CreateEnumStmt(s) => a
            .creates
            .extend(Name::new(Space::Type, &names(&s.type_name))),
        NodeEnum::CreateDomainStmt(s) => a
            .creates
            .extend(Name::new(Space::Type, &names(&s.domainname))),
        NodeEnum::CompositeTypeStmt(s) => {
            if let Some(rv) = &s.typevar {
                a.creates.push(Name {
                    space: Space::Type,
                    ..range_var(rv)
                });
            }
        }
        NodeEnum::CreateRangeStmt(s) => a
            .creates
            .extend(Name::new(Space::Type, &names(&s.type_name))),
        NodeEnum::CreateFunctionStmt(s) => {
            a.creates
                .extend(Name::new(Space::Function, &names(&s.funcname)));
            // A SQL body is checked at creation: what it names must exist first.
            a.references.extend(super::body::references(s));
        }
        NodeEnum::CreateExtensionStmt(s) => {
            a.creates
                .push(Name::unqualified(Space::Extension, &s.extname));
            for opt in &s.options {
                if let Some(NodeEnum::DefElem(d)) = &opt.node
                    && d.defname == "schema"
                    && let Some(NodeEnum::String(v)) = d.arg.as_ref().and_then(|n| n.node.as_ref())
                {
                    a.references.push(Name::unqualified(Space::Schema, &v.sval));
                }
            }
        }
        NodeEnum::DefineStmt(s)
            if s.kind == pg_query::protobuf::ObjectType::ObjectOperator as i32 =>
        {
            a.creates
                .extend(Name::new(Space::Operator, &names(&s.defnames)));
            // FUNCTION = name is parsed as a type name: it names the function. A
            // COMMUTATOR or NEGATOR is made as a shell if missing, so it orders nothing.
            for d in &s.definition {
                if let Some(NodeEnum::DefElem(d)) = &d.node
                    && matches!(d.defname.as_str(), "function" | "procedure")
                    && let Some(NodeEnum::TypeName(t)) =
                        d.arg.as_ref().and_then(|n| n.node.as_ref())
                {
                    a.references
                        .extend(Name::new(Space::Function, &names(&t.names)));
                }
            }
        }
        NodeEnum::CreateTrigStmt(s) => {
            // EXECUTE FUNCTION names the function without calling it.
            a.references
                .extend(Name::new(Space::Function, &names(&s.funcname)));
        }
        NodeEnum::VariableSetStmt(s) if s.name.eq_ignore_ascii_case("search_path") => {
            // kind 1 = VAR_SET_VALUE; anything else (DEFAULT, RESET) restores the default.
            a.sets_search_path = Some(if s.kind == 1 {
                Some(search_path_values(&s.args))
            } else {
                None
            });
        }
        _ => {}
    }
    super::objects::analyze(node, &mut a);
    walk(tree, &mut a.references);
    // The schema of every qualified name is referenced too.
    let schemas: Vec<Name> = a
        .creates
        .iter()
        .chain(a.references.iter())
        .filter_map(|n| n.schema.as_deref())
        .map(|s| Name::unqualified(Space::Schema, s))
        .collect();
    a.references.extend(schemas);
    let creates = a.creates.clone();
    a.references.retain(|r| !creates.contains(r));
    a.references.sort();
    a.references.dedup();
    a
}

fn search_path_values(args: &[pg_query::Node]) -> Vec<String> {
    args.iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(pg_query::protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|s| {
            // `SET search_path = 'a, b'` passes one string holding a list.
            s.split(',')
                .map(|p| p.trim().trim_matches('"').to_string())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn json_names(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|n| n.pointer("/node/String/sval")?.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn string_const(v: &Value) -> Option<&str> {
    v.pointer("/node/AConst/val/Sval/sval")?.as_str()
}

/// `'schema.name'` as used by regclass literals (quotes respected, case folded otherwise).
fn parse_regclass(s: &str) -> Option<Name> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c if quoted => cur.push(c),
            c => cur.extend(c.to_lowercase()),
        }
    }
    parts.push(cur);
    Name::new(Space::Relation, &parts)
}

pub(super) fn walk(v: &Value, out: &mut Vec<Name>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("relname") && map.contains_key("schemaname") {
                let rel = map["relname"].as_str().unwrap_or("");
                if !rel.is_empty() {
                    let schema = map["schemaname"].as_str().filter(|s| !s.is_empty());
                    out.push(Name {
                        space: Space::Relation,
                        schema: schema.map(String::from),
                        name: rel.to_string(),
                    });
                }
            }
            if map.contains_key("names") && map.contains_key("typemod") {
                let parts = json_names(&map["names"]);
                if let Some(n) = Name::new(Space::Type, &parts) {
                    // `regclass` casts of string literals name relations.
                    out.push(n);
                }
            }
            if map.contains_key("funcname") && map.contains_key("agg_star") {
                let parts = json_names(&map["funcname"]);
                let last = parts.last().map(String::as_str).unwrap_or("");
                if matches!(last, "nextval" | "currval" | "setval")
                    && let Some(arg) = map["args"].as_array().and_then(|a| a.first())
                    && let Some(s) = string_const(arg)
                {
                    out.extend(parse_regclass(s));
                }
                out.extend(Name::new(Space::Function, &parts));
            }
            // An operator in an expression (`a === b`, `a OPERATOR(app.===) b`).
            if (map.contains_key("lexpr") || map.contains_key("rexpr"))
                && let Some(name) = map.get("name")
            {
                out.extend(Name::new(Space::Operator, &json_names(name)));
            }
            // ObjectWithArgs: a function named by GRANT, COMMENT, ALTER … OWNER.
            if map.contains_key("objname") && map.contains_key("objfuncargs") {
                out.extend(Name::new(Space::Function, &json_names(&map["objname"])));
            }
            if let (Some(arg), Some(tn)) = (map.get("arg"), map.get("type_name"))
                && json_names(&tn["names"]).last().map(String::as_str) == Some("regclass")
                && let Some(s) = string_const(arg)
            {
                out.extend(parse_regclass(s));
            }
            map.values().for_each(|x| walk(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
        _ => {}
    }
}
