//! Objects PostgreSQL will not let go of: a constraint or index that depends on something
//! being dropped (a primary key under a foreign key, an enum type being recreated under a
//! partial index) is dropped first and, if the desired state keeps it, created again.

use super::{Change, Context};
use crate::catalog::ObjectId;
use std::collections::BTreeSet;

fn seeds(changes: &[Change]) -> BTreeSet<ObjectId> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::DropConstraint { table, constraint } => Some(ObjectId::Constraint {
                table: table.clone(),
                name: constraint.name.clone(),
            }),
            Change::DropIndex { index } => Some(ObjectId::Index {
                name: index.name.clone(),
            }),
            Change::RecreateEnum { from, .. } => Some(ObjectId::Type {
                name: from.name.clone(),
            }),
            Change::DropEnum { enum_type } => Some(ObjectId::Type {
                name: enum_type.name.clone(),
            }),
            _ => None,
        })
        .collect()
}

pub(super) fn recreate(ctx: &Context, changes: &mut Vec<Change>) {
    let mut dropped = seeds(changes);
    loop {
        let mut more: Vec<(ObjectId, Vec<Change>)> = Vec::new();
        let hit = |id: &ObjectId| {
            !dropped.contains(id) && ctx.from.deps_of(id).any(|d| dropped.contains(d))
        };
        for (name, table) in &ctx.from.tables {
            if ctx.dropped_tables.contains(name) {
                continue;
            }
            for c in table.constraints.values() {
                let id = ObjectId::Constraint {
                    table: name.clone(),
                    name: c.name.clone(),
                };
                if !hit(&id) {
                    continue;
                }
                let mut found = vec![Change::DropConstraint {
                    table: name.clone(),
                    constraint: c.clone(),
                }];
                if let Some(keep) = ctx
                    .to
                    .tables
                    .get(name)
                    .and_then(|t| t.constraints.get(&c.name))
                {
                    found.push(Change::AddConstraint {
                        table: name.clone(),
                        constraint: keep.clone(),
                    });
                }
                more.push((id, found));
            }
        }
        for index in ctx.from.indexes.values() {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            if ctx.dropped_tables.contains(&index.table) || !hit(&id) {
                continue;
            }
            let mut found = vec![Change::DropIndex {
                index: index.clone(),
            }];
            if let Some(keep) = ctx.to.indexes.get(&index.name) {
                found.push(Change::CreateIndex {
                    index: keep.clone(),
                });
            }
            more.push((id, found));
        }
        if more.is_empty() {
            break;
        }
        for (id, found) in more {
            dropped.insert(id);
            changes.extend(found);
        }
    }
}
