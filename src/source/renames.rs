//! `-- @renamed from old_name` annotations: written on the line before a CREATE TABLE,
//! CREATE INDEX or CREATE TYPE (the object itself), or in a CREATE TABLE beside a column or
//! constraint (at the end of its line, or alone on the line before it). They turn a drop
//! and a create into a rename, so the data stays.

use crate::catalog::{QualName, Rename};
use pg_query::NodeEnum;

const MARK: &str = "-- @renamed from ";

/// The annotations in `text`: (byte offset, whether the comment stands alone on its line,
/// the old name).
pub(super) fn annotations(text: &str) -> Vec<(usize, bool, String)> {
    marked(text, MARK, |name| {
        if let Some(n) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
            n.replace("\"\"", "\"")
        } else if let Some(n) = name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
            // An enum label.
            n.replace("''", "'")
        } else {
            name.to_lowercase()
        }
    })
}

/// The comments `mark` starts in `text`: (byte offset, whether the comment stands alone on
/// its line, `value` of what follows the mark, trimmed).
fn marked(text: &str, mark: &str, value: impl Fn(&str) -> String) -> Vec<(usize, bool, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(i) = line.find(mark) {
            let rest = line[i + mark.len()..].trim();
            out.push((at + i, line[..i].trim().is_empty(), value(rest)));
        }
        at += line.len();
    }
    out
}

fn qual(rv: &pg_query::protobuf::RangeVar, default_schema: &str) -> QualName {
    let schema = if rv.schemaname.is_empty() {
        default_schema.to_string()
    } else {
        rv.schemaname.clone()
    };
    QualName::new(schema, rv.relname.clone())
}

/// The renames that the annotations at `marks` (file offsets) say about one statement
/// spanning `start..end`, whose parse tree's locations count from `base`. `Err` for an annotation that names nothing renamable.
pub(super) fn renames(
    node: &NodeEnum,
    text: &str,
    (start, end, base): (usize, usize, usize),
    marks: &[(usize, bool, String)],
    default_schema: &str,
) -> Result<Vec<Rename>, String> {
    let mut out = Vec::new();
    for (at, alone, old) in marks {
        let inside = *at >= start && *at < end;
        let rename = match (node, inside) {
            (NodeEnum::CreateStmt(s), false) => s.relation.as_ref().map(|rv| {
                let new = qual(rv, default_schema);
                Rename::Table {
                    from: QualName::new(new.schema.clone(), old.clone()),
                    to: new.name,
                }
            }),
            (NodeEnum::IndexStmt(s), false) => s.relation.as_ref().map(|rv| {
                let table = qual(rv, default_schema);
                Rename::Index {
                    from: QualName::new(table.schema, old.clone()),
                    to: s.idxname.clone(),
                }
            }),
            (NodeEnum::CreateEnumStmt(_), false)
            | (NodeEnum::CompositeTypeStmt(_), false)
            | (NodeEnum::CreateDomainStmt(_), false) => {
                type_name(node).map(|(schema, name)| Rename::Type {
                    from: QualName::new(
                        schema.unwrap_or_else(|| default_schema.to_string()),
                        old.clone(),
                    ),
                    to: name,
                })
            }
            (NodeEnum::CreateEnumStmt(_), true) => {
                let (schema, name) = type_name(node).ok_or("CREATE TYPE without a name")?;
                enum_label(&text[start..end], start, *at, *alone).map(|label| Rename::EnumValue {
                    name: QualName::new(schema.unwrap_or_else(|| default_schema.to_string()), name),
                    from: old.clone(),
                    to: label,
                })
            }
            (NodeEnum::CreateStmt(s), true) => {
                let table = s
                    .relation
                    .as_ref()
                    .map(|rv| qual(rv, default_schema))
                    .ok_or("CREATE TABLE without a name")?;
                element_at(s, base, *at, *alone).map(|(column, name)| {
                    if column {
                        Rename::Column {
                            table: table.clone(),
                            from: old.clone(),
                            to: name.clone(),
                        }
                    } else {
                        Rename::Constraint {
                            table: table.clone(),
                            from: old.clone(),
                            to: name.clone(),
                        }
                    }
                })
            }
            _ => None,
        };
        out.push(rename.ok_or_else(|| {
            format!("\"@renamed from {old}\" names nothing that can be renamed here (tables, columns, constraints, indexes and types can)")
        })?);
    }
    Ok(out)
}

/// The element of a CREATE TABLE (whose tree's locations count from `base`) that an
/// annotation at file offset `at` sits beside: the next one when the comment stands alone
/// on its line, else the last one before it. (whether it is a column, its name)
fn element_at(
    s: &pg_query::protobuf::CreateStmt,
    base: usize,
    at: usize,
    alone: bool,
) -> Option<(bool, String)> {
    // (location, is a column, name) of each element.
    let elements: Vec<(usize, bool, String)> = s
        .table_elts
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::ColumnDef(c)) => {
                Some((base + c.location.max(0) as usize, true, c.colname.clone()))
            }
            Some(NodeEnum::Constraint(c)) if !c.conname.is_empty() => {
                Some((base + c.location.max(0) as usize, false, c.conname.clone()))
            }
            _ => None,
        })
        .collect();
    let target = if alone {
        elements.iter().filter(|e| e.0 > at).min_by_key(|e| e.0)
    } else {
        elements.iter().filter(|e| e.0 < at).max_by_key(|e| e.0)
    };
    target.map(|(_, column, name)| (*column, name.clone()))
}

const USING: &str = "-- @using ";

/// `-- @using EXPRESSION` annotations in `text`: (byte offset, whether the comment stands
/// alone on its line, the expression).
pub(super) fn using_annotations(text: &str) -> Vec<(usize, bool, String)> {
    marked(text, USING, str::to_string)
}

/// The columns that `-- @using` annotations inside one CREATE TABLE (spanning
/// `start..end`, locations counting from `base`) give a conversion expression: when the
/// column's type changes, its values are converted with it (`USING expression`) instead
/// of a cast PostgreSQL may not have. `Err` for one beside no column.
pub(super) fn usings(
    node: &NodeEnum,
    (start, end, base): (usize, usize, usize),
    marks: &[(usize, bool, String)],
    default_schema: &str,
) -> Result<Vec<(crate::catalog::ObjectId, String)>, String> {
    let mut out = Vec::new();
    for (at, alone, expression) in marks {
        let found = match node {
            NodeEnum::CreateStmt(s) if *at >= start && *at < end => s
                .relation
                .as_ref()
                .map(|rv| qual(rv, default_schema))
                .zip(element_at(s, base, *at, *alone).filter(|(column, _)| *column)),
            _ => None,
        };
        let Some((table, (_, column))) = found else {
            return Err(format!(
                "\"@using {expression}\" is not beside a column of a CREATE TABLE"
            ));
        };
        if expression.is_empty() {
            return Err(format!(
                "\"@using\" beside column {column} gives no expression"
            ));
        }
        out.push((
            crate::catalog::ObjectId::Column { table, column },
            expression.clone(),
        ));
    }
    Ok(out)
}

fn type_name(node: &NodeEnum) -> Option<(Option<String>, String)> {
    let names: Vec<String> = match node {
        NodeEnum::CreateEnumStmt(s) => s
            .type_name
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect(),
        NodeEnum::CreateDomainStmt(s) => s
            .domainname
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect(),
        NodeEnum::CompositeTypeStmt(s) => {
            let rv = s.typevar.as_ref()?;
            vec![rv.schemaname.clone(), rv.relname.clone()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect()
        }
        _ => return None,
    };
    match names.as_slice() {
        [name] => Some((None, name.clone())),
        [schema, name] => Some((Some(schema.clone()), name.clone())),
        _ => None,
    }
}

/// The enum label that an annotation at file offset `at` sits beside, in the statement
/// `sql` that starts at file offset `start`: the next label when the comment stands alone
/// on its line, else the last one before it.
fn enum_label(sql: &str, start: usize, at: usize, alone: bool) -> Option<String> {
    let tokens = pg_query::scan(sql).ok()?.tokens;
    let labels: Vec<(usize, String)> = tokens
        .iter()
        .filter(|t| t.token == pg_query::protobuf::Token::Sconst as i32)
        .filter_map(|t| {
            let text = sql.get(t.start.max(0) as usize..t.end.max(0) as usize)?;
            let value = text
                .strip_prefix('\'')?
                .strip_suffix('\'')?
                .replace("''", "'");
            Some((start + t.start.max(0) as usize, value))
        })
        .collect();
    let found = if alone {
        labels.iter().find(|(p, _)| *p > at)
    } else {
        labels.iter().rev().find(|(p, _)| *p < at)
    };
    found.map(|(_, v)| v.clone())
}
