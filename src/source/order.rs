//! Orders statements so that every object is created before the statements that use it,
//! whatever file it is in; otherwise file order (by path, then position) is kept.

use super::Statement;
use super::analyze::{Name, Space};
use crate::error::{Error, Result};
use crate::graph::{Order, permute};
use std::collections::BTreeMap;

pub(super) const DEFAULT_PATH: &[&str] = &["public"];

/// The schema an unqualified name resolves to for a statement: for creations the first
/// schema of its search_path; for references the first schema where some statement creates
/// that name (unknown names are left alone: they are built-ins or come from extensions).
fn schemas_of(stmt: &Statement) -> Vec<String> {
    match &stmt.search_path {
        Some(p) => p.clone(),
        None => DEFAULT_PATH.iter().map(|s| s.to_string()).collect(),
    }
}

type Key = (Space, String, String);

fn created_key(stmt: &Statement, n: &Name) -> Key {
    let schema = match (&n.schema, n.space) {
        (_, Space::Schema | Space::Extension) => String::new(),
        (Some(s), _) => s.clone(),
        (None, _) => schemas_of(stmt).into_iter().next().unwrap_or_default(),
    };
    (n.space, schema, n.name.clone())
}

pub fn order(statements: Vec<Statement>) -> Result<Vec<Statement>> {
    let mut creators: BTreeMap<Key, usize> = BTreeMap::new();
    for (i, s) in statements.iter().enumerate() {
        for n in &s.creates {
            creators.entry(created_key(s, n)).or_insert(i);
        }
    }
    let extensions: Vec<usize> = creators
        .iter()
        .filter(|((space, _, _), _)| *space == Space::Extension)
        .map(|(_, &i)| i)
        .collect();
    let mut graph = Order::new(statements.len());
    for (i, s) in statements.iter().enumerate() {
        let mut deps: Vec<usize> = Vec::new();
        let mut before: Vec<usize> = Vec::new();
        for r in &s.references {
            let candidates: Vec<Key> = match (&r.schema, r.space) {
                (_, Space::Schema | Space::Extension) => {
                    vec![(r.space, String::new(), r.name.clone())]
                }
                (Some(schema), _) => vec![(r.space, schema.clone(), r.name.clone())],
                (None, _) => schemas_of(s)
                    .into_iter()
                    .map(|schema| (r.space, schema, r.name.clone()))
                    .collect(),
            };
            if let Some(&c) = candidates.iter().find_map(|k| creators.get(k)) {
                // A teardown written before the creation of what it names (a `--clean`
                // header) stays before it: moved after, it would remove it.
                if s.teardown && c > i {
                    before.push(c);
                } else {
                    deps.push(c);
                }
            }
        }
        // Extensions bring types and functions nobody declares: everything that is not a
        // schema or an extension itself (or a teardown, which keeps its place) waits for
        // them.
        let is_setup = s
            .creates
            .iter()
            .any(|n| matches!(n.space, Space::Schema | Space::Extension));
        if !is_setup && !s.teardown {
            deps.extend(extensions.iter().copied());
        }
        for d in deps {
            graph.before(d, i);
        }
        for c in before {
            graph.before(i, c);
        }
    }
    let order = graph.sort().map_err(|members| {
        let names: Vec<String> = members
            .iter()
            .map(|&i| {
                let s = &statements[i];
                format!("{}:{}", s.path.display(), s.line)
            })
            .collect();
        Error::Cycle(format!(
            "statements that reference each other: {}",
            names.join(", ")
        ))
    })?;
    Ok(permute(statements, &order))
}
