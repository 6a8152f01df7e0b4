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
            Change::DropFunction { function } => Some(ObjectId::Function {
                name: function.name.clone(),
                args: function.identity_args.clone(),
            }),
            Change::DropTrigger { trigger } => Some(ObjectId::Trigger {
                table: trigger.table.clone(),
                name: trigger.name.clone(),
            }),
            _ => None,
        })
        .collect()
}

pub(super) fn recreate(ctx: &Context, changes: &mut Vec<Change>) {
    let mut dropped = seeds(changes);
    reset_defaults(ctx, &dropped, changes);
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
        for trigger in ctx.from.triggers.values() {
            let id = ObjectId::Trigger {
                table: trigger.table.clone(),
                name: trigger.name.clone(),
            };
            if ctx.dropped_tables.contains(&trigger.table) || !hit(&id) {
                continue;
            }
            let mut found = vec![Change::DropTrigger {
                trigger: trigger.clone(),
            }];
            if let Some(keep) = ctx
                .to
                .triggers
                .get(&(trigger.table.clone(), trigger.name.clone()))
            {
                found.push(Change::CreateTrigger {
                    trigger: keep.clone(),
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

/// Column defaults that use something dropped and created again, on columns no other
/// change touches: dropped before, set again after.
fn reset_defaults(ctx: &Context, dropped: &BTreeSet<ObjectId>, changes: &mut Vec<Change>) {
    let touched: BTreeSet<(crate::catalog::QualName, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { table, to, .. } => Some((table.clone(), to.name.clone())),
            Change::DropColumn { table, column } => Some((table.clone(), column.name.clone())),
            _ => None,
        })
        .collect();
    for (name, table) in &ctx.from.tables {
        if ctx.dropped_tables.contains(name) {
            continue;
        }
        for col in table.columns.iter().filter(|c| c.default.is_some()) {
            let id = ObjectId::Column {
                table: name.clone(),
                column: col.name.clone(),
            };
            // Enum recreation restores defaults itself: only functions matter here.
            let uses_dropped = ctx
                .from
                .deps_of(&id)
                .any(|d| matches!(d, ObjectId::Function { .. }) && dropped.contains(d));
            if touched.contains(&(name.clone(), col.name.clone())) || !uses_dropped {
                continue;
            }
            if let Some(keep) = ctx.to.tables.get(name).and_then(|t| t.column(&col.name)) {
                changes.push(Change::ResetDefault {
                    table: name.clone(),
                    column: keep.clone(),
                });
            }
        }
    }
}
