//! References inside function bodies, which PostgreSQL does not track (except for
//! `BEGIN ATOMIC` bodies): read with pg_query so that a SQL function is created after the
//! tables it uses.

use super::analyze::{Name, Space, walk};
use pg_query::NodeEnum;

/// What a SQL-language function's body names, from its CREATE FUNCTION statement (as
/// written, or as `pg_get_functiondef()` prints it): relations, and functions it calls.
pub struct BodyReferences {
    pub relations: Vec<(Option<String>, String)>,
    pub functions: Vec<(Option<String>, String)>,
}

pub fn body_references(create_function: &str) -> BodyReferences {
    let names = body_names(create_function);
    let pick = |space: Space| {
        names
            .iter()
            .filter(|n| n.space == space)
            .map(|n| (n.schema.clone(), n.name.clone()))
            .collect()
    };
    BodyReferences {
        relations: pick(Space::Relation),
        functions: pick(Space::Function),
    }
}

fn body_names(create_function: &str) -> Vec<Name> {
    let Ok(parsed) = pg_query::parse(create_function, 0) else {
        return Vec::new();
    };
    let mut names = plpgsql_names(create_function);
    for raw in &parsed.protobuf.stmts {
        if let Some(NodeEnum::CreateFunctionStmt(f)) =
            raw.stmt.as_ref().and_then(|s| s.node.as_ref())
        {
            names.extend(references(f));
        }
    }
    names
}

/// Names referenced by the body of a `LANGUAGE sql` function (nothing for others).
pub(super) fn references(f: &pg_query::protobuf::CreateFunctionStmt) -> Vec<Name> {
    let mut out = Vec::new();
    let mut language = String::new();
    let mut body: Option<String> = None;
    for opt in &f.options {
        let Some(NodeEnum::DefElem(d)) = &opt.node else {
            continue;
        };
        let arg = d.arg.as_ref().and_then(|a| a.node.as_ref());
        match (d.defname.as_str(), arg) {
            ("language", Some(NodeEnum::String(s))) => language = s.sval.to_lowercase(),
            ("as", Some(NodeEnum::List(l))) => {
                body = l.items.first().and_then(|i| match &i.node {
                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                    _ => None,
                });
            }
            _ => {}
        }
    }
    if language != "sql" {
        return out;
    }
    if let Some(body) = body
        && let Ok(parsed) = pg_query::parse(&body, 0)
    {
        for raw in &parsed.protobuf.stmts {
            if let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                let tree = serde_json::to_value(node).unwrap_or_default();
                walk(&tree, &mut out);
            }
        }
    }
    out
}

/// Names used by the SQL statements and expressions of a PL/pgSQL body (empty for other
/// languages). Dynamic SQL (EXECUTE of a string) cannot be seen.
fn plpgsql_names(create_function: &str) -> Vec<Name> {
    let mut out = Vec::new();
    let Ok(tree) = pg_query::parse_plpgsql(create_function) else {
        return out;
    };
    let mut queries = Vec::new();
    collect_queries(&tree, &mut queries);
    for q in queries {
        if let Ok(parsed) = pg_query::parse(&q, 0) {
            for raw in &parsed.protobuf.stmts {
                if let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                    let tree = serde_json::to_value(node).unwrap_or_default();
                    walk(&tree, &mut out);
                }
            }
        }
    }
    out
}

fn collect_queries(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(q) = map
                .get("PLpgSQL_expr")
                .and_then(|e| e.get("query"))
                .and_then(|q| q.as_str())
            {
                out.push(q.to_string());
            }
            map.values().for_each(|x| collect_queries(x, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| collect_queries(x, out)),
        _ => {}
    }
}
