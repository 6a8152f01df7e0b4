//! Which `-- @renamed from` annotations apply to a database.

use crate::catalog::Catalog;

/// The `-- @renamed from` annotations that apply: the old name is there and the new one
/// is not (once applied, an annotation left in the files does nothing). Types and tables
/// first, then what the statements name through the tables' new names.
pub(super) fn applicable_renames(from: &Catalog, to: &Catalog) -> Vec<crate::catalog::Rename> {
    use crate::catalog::{QualName, Rename};
    let renamed_table = |t: &QualName| -> QualName {
        to.renames
            .iter()
            .find_map(|r| match r {
                Rename::Table { from: old, to: new }
                    if old.schema == t.schema && *new == t.name =>
                {
                    Some(old.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| t.clone())
    };
    let renamed_type = |t: &QualName| -> QualName {
        to.renames
            .iter()
            .find_map(|r| match r {
                Rename::Type { from: old, to: new } if old.schema == t.schema && *new == t.name => {
                    Some(old.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| t.clone())
    };
    let mut out: Vec<Rename> = to
        .renames
        .iter()
        .filter(|r| match r {
            Rename::Type { from: old, to: new } => {
                let new = QualName::new(old.schema.clone(), new.clone());
                let has = |c: &Catalog, q: &QualName| {
                    c.enums.contains_key(q)
                        || c.domains.contains_key(q)
                        || c.composites.contains_key(q)
                };
                has(from, old) && !has(from, &new) && has(to, &new) && !has(to, old)
            }
            Rename::Table { from: old, to: new } => {
                let new = QualName::new(old.schema.clone(), new.clone());
                from.tables.contains_key(old)
                    && !from.tables.contains_key(&new)
                    && to.tables.contains_key(&new)
                    && !to.tables.contains_key(old)
            }
            Rename::Column {
                table,
                from: old,
                to: new,
            } => {
                let current = from.tables.get(&renamed_table(table));
                let desired = to.tables.get(table);
                current.is_some_and(|t| t.column(old).is_some() && t.column(new).is_none())
                    && desired.is_some_and(|t| t.column(new).is_some() && t.column(old).is_none())
            }
            Rename::Constraint {
                table,
                from: old,
                to: new,
            } => {
                let current = from.tables.get(&renamed_table(table));
                let desired = to.tables.get(table);
                current.is_some_and(|t| {
                    t.constraints.contains_key(old) && !t.constraints.contains_key(new)
                }) && desired.is_some_and(|t| {
                    t.constraints.contains_key(new) && !t.constraints.contains_key(old)
                })
            }
            Rename::EnumValue {
                name,
                from: old,
                to: new,
            } => {
                let current = from.enums.get(&renamed_type(name));
                let desired = to.enums.get(name);
                let has = |e: Option<&crate::catalog::EnumType>, v: &String| {
                    e.is_some_and(|e| e.labels.contains(v))
                };
                has(current, old) && !has(current, new) && has(desired, new) && !has(desired, old)
            }
            Rename::Index { from: old, to: new } => {
                let new = QualName::new(old.schema.clone(), new.clone());
                from.indexes.contains_key(old)
                    && !from.indexes.contains_key(&new)
                    && to.indexes.contains_key(&new)
                    && !to.indexes.contains_key(old)
            }
        })
        .cloned()
        .collect();
    // Names PostgreSQL made up from the old table name (`enrolment_pkey`) follow the
    // table when the desired state has the new table's version of them.
    let mut implied = Vec::new();
    for r in &out {
        let Rename::Table { from: old, to: new } = r else {
            continue;
        };
        let new_table = QualName::new(old.schema.clone(), new.clone());
        let (Some(current), Some(desired)) = (from.tables.get(old), to.tables.get(&new_table))
        else {
            continue;
        };
        let follow = |name: &str| -> Option<String> {
            name.strip_prefix(&format!("{}_", old.name))
                .map(|rest| format!("{new}_{rest}"))
        };
        for name in current.constraints.keys() {
            if let Some(n) = follow(name).filter(|n| {
                desired.constraints.contains_key(n)
                    && !current.constraints.contains_key(n)
                    && !desired.constraints.contains_key(name)
            }) {
                implied.push(Rename::Constraint {
                    table: new_table.clone(),
                    from: name.clone(),
                    to: n,
                });
            }
        }
        for index in from.indexes.values().filter(|i| &i.table == old) {
            let renamed = |n: &String| QualName::new(old.schema.clone(), n.clone());
            if let Some(n) = follow(&index.name.name).filter(|n| {
                to.indexes.contains_key(&renamed(n))
                    && !from.indexes.contains_key(&renamed(n))
                    && !to.indexes.contains_key(&index.name)
            }) {
                implied.push(Rename::Index {
                    from: index.name.clone(),
                    to: n,
                });
            }
        }
    }
    for r in implied {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| match r {
        Rename::Type { .. } => 0,
        Rename::Table { .. } => 1,
        _ => 2,
    });
    out
}
