//! Objects PostgreSQL will not let go of: a constraint or index that depends on something
//! being dropped (a primary key under a foreign key, an enum type being recreated under a
//! partial index) is dropped first and, if the desired state keeps it, created again.

use super::{Change, Context};
use super::{
    ColumnChange, ConstraintChange, DomainChange, EnumChange, FunctionChange, IndexChange,
    OperatorChange, TableChange, TriggerChange, ViewChange,
};
use crate::catalog::ObjectId;
use std::collections::BTreeSet;

fn seeds(changes: &[Change]) -> BTreeSet<ObjectId> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Constraint(ConstraintChange::Drop { table, constraint }) => {
                Some(ObjectId::Constraint {
                    table: table.clone(),
                    name: constraint.name.clone(),
                })
            }
            Change::Index(IndexChange::Drop { index })
            | Change::Index(IndexChange::Replace { from: index, .. }) => Some(ObjectId::Index {
                name: index.name.clone(),
            }),
            Change::Enum(EnumChange::Recreate { from, .. }) => Some(ObjectId::Type {
                name: from.name.clone(),
            }),
            Change::Enum(EnumChange::Drop { enum_type }) => Some(ObjectId::Type {
                name: enum_type.name.clone(),
            }),
            Change::Domain(DomainChange::Drop { domain }) => Some(ObjectId::Type {
                name: domain.name.clone(),
            }),
            Change::Function(FunctionChange::Drop { function }) => Some(ObjectId::Function {
                name: function.name.clone(),
                args: function.arg_types.clone(),
            }),
            Change::Operator(OperatorChange::Drop { operator }) => Some(operator.id()),
            Change::Trigger(TriggerChange::Drop { trigger }) => Some(ObjectId::Trigger {
                table: trigger.table.clone(),
                name: trigger.name.clone(),
            }),
            _ => None,
        })
        .collect()
}

pub(super) fn recreate(ctx: &Context, changes: &mut Vec<Change>) {
    let mut dropped = seeds(changes);
    let replaced: BTreeSet<ObjectId> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Function(FunctionChange::Replace { to, .. }) => Some(ObjectId::Function {
                name: to.name.clone(),
                args: to.arg_types.clone(),
            }),
            _ => None,
        })
        .collect();
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
                let mut found = vec![Change::Constraint(ConstraintChange::Drop {
                    table: name.clone(),
                    constraint: c.clone(),
                })];
                if let Some(keep) = ctx
                    .to
                    .tables
                    .get(name)
                    .and_then(|t| t.constraints.get(&c.name))
                {
                    found.push(Change::Constraint(ConstraintChange::Add {
                        table: name.clone(),
                        constraint: keep.clone(),
                    }));
                }
                more.push((id, found));
            }
        }
        for index in ctx.from.indexes.values() {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            // An index over a function whose body changes holds values the old body
            // computed: it is built again.
            let stale =
                !dropped.contains(&id) && ctx.from.deps_of(&id).any(|d| replaced.contains(d));
            // A partition's copy follows its parent's index.
            if index.inherited || ctx.dropped_tables.contains(&index.table) || !(hit(&id) || stale)
            {
                continue;
            }
            // A swap cannot wait for what it stands on to change: it is dropped first.
            changes.retain(
                |c| !matches!(c, Change::Index(IndexChange::Replace { from, .. }) if from.name == index.name),
            );
            let mut found = vec![Change::Index(IndexChange::Drop {
                index: index.clone(),
            })];
            if let Some(keep) = ctx.to.indexes.get(&index.name) {
                found.push(Change::Index(IndexChange::Create {
                    index: keep.clone(),
                }));
            }
            more.push((id, found));
        }
        // A generated column computed by something dropped (a function whose signature
        // changes) is dropped and added again: its values are derived, none are lost.
        for (name, table) in &ctx.from.tables {
            if ctx.dropped_tables.contains(name) {
                continue;
            }
            for col in table.columns.iter().filter(|c| c.generated.is_some()) {
                let id = ObjectId::Column {
                    table: name.clone(),
                    column: col.name.clone(),
                };
                let dropped_already = changes.iter().any(|c| {
                    matches!(c, Change::Column(ColumnChange::Drop { table: t, column })
                        if t == name && column.name == col.name)
                });
                if dropped_already || !hit(&id) {
                    continue;
                }
                changes.retain(|c| {
                    !matches!(c, Change::Column(ColumnChange::Alter { table: t, to, .. })
                        if t == name && to.name == col.name)
                });
                let mut found = vec![Change::Column(ColumnChange::Drop {
                    table: name.clone(),
                    column: col.clone(),
                })];
                if let Some(keep) = ctx.to.tables.get(name).and_then(|t| t.column(&col.name)) {
                    found.push(Change::Column(ColumnChange::Add {
                        table: name.clone(),
                        column: keep.clone(),
                    }));
                }
                more.push((id, found));
            }
        }
        for trigger in ctx.from.triggers.values() {
            let id = ObjectId::Trigger {
                table: trigger.table.clone(),
                name: trigger.name.clone(),
            };
            if ctx.dropped_tables.contains(&trigger.table) || !hit(&id) {
                continue;
            }
            let mut found = vec![Change::Trigger(TriggerChange::Drop {
                trigger: trigger.clone(),
            })];
            if let Some(keep) = ctx
                .to
                .triggers
                .get(&(trigger.table.clone(), trigger.name.clone()))
            {
                found.push(Change::Trigger(TriggerChange::Create {
                    trigger: keep.clone(),
                }));
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
            Change::Column(ColumnChange::Alter { table, to, .. }) => {
                Some((table.clone(), to.name.clone()))
            }
            Change::Column(ColumnChange::ResetDefault { table, column }) => {
                Some((table.clone(), column.name.clone()))
            }
            Change::Column(ColumnChange::Drop { table, column }) => {
                Some((table.clone(), column.name.clone()))
            }
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
                changes.push(Change::Column(ColumnChange::ResetDefault {
                    table: name.clone(),
                    column: keep.clone(),
                }));
            }
        }
    }
}

/// What the changes drop or change the type of: whatever depends on one of these must
/// go first and come back after.
pub(super) fn changed_objects(ctx: &Context, changes: &[Change]) -> BTreeSet<ObjectId> {
    let mut dropped: BTreeSet<ObjectId> = BTreeSet::new();
    for c in changes.iter() {
        match c {
            Change::Column(ColumnChange::Alter { table, from, to })
                if from.data_type != to.data_type || from.collation != to.collation =>
            {
                dropped.insert(ObjectId::Column {
                    table: table.clone(),
                    column: from.name.clone(),
                });
            }
            Change::Column(ColumnChange::Drop { table, column }) => {
                dropped.insert(ObjectId::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                });
            }
            Change::Table(TableChange::Drop { table }) => {
                dropped.insert(ObjectId::Table {
                    name: table.name.clone(),
                });
                for col in &table.columns {
                    dropped.insert(ObjectId::Column {
                        table: table.name.clone(),
                        column: col.name.clone(),
                    });
                }
            }
            Change::View(ViewChange::Drop { view }) => {
                dropped.insert(ObjectId::View {
                    name: view.name.clone(),
                });
            }
            // Every column of a recreated domain changes type.
            Change::Domain(DomainChange::Recreate { from, .. }) => {
                for (table, col, _) in crate::kind::domain::columns_of(ctx.from, &from.name) {
                    dropped.insert(ObjectId::Column {
                        table: table.clone(),
                        column: col.name.clone(),
                    });
                }
            }
            // Every column of a recreated enum type changes type.
            Change::Enum(EnumChange::Recreate { from, .. }) => {
                let (t, a) = (from.name.to_string(), format!("{}[]", from.name));
                for table in ctx.from.tables.values() {
                    for col in table
                        .columns
                        .iter()
                        .filter(|c| c.data_type == t || c.data_type == a)
                    {
                        dropped.insert(ObjectId::Column {
                            table: table.name.clone(),
                            column: col.name.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    dropped.extend(seeds(changes));
    dropped
}

/// Views over something that goes away or changes type must be dropped first and created
/// again after (PostgreSQL refuses both while the view exists); so must views over those
/// views, across schemas. Indexes of re-created materialized views come back with them.
pub(super) fn recreate_views(ctx: &Context, changes: &mut Vec<Change>) {
    let mut dropped = changed_objects(ctx, changes);
    let mut recreated: BTreeSet<crate::catalog::QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::View(ViewChange::Drop { view }) => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    loop {
        let mut functions = Vec::new();
        for f in ctx.from.functions.values() {
            let id = ObjectId::Function {
                name: f.name.clone(),
                args: f.arg_types.clone(),
            };
            if dropped.contains(&id) || !ctx.from.deps_of(&id).any(|d| dropped.contains(d)) {
                continue;
            }
            // Replaced by a body that no longer needs what changes: the replacement,
            // ordered before the change, is enough.
            let replaced_clear = changes.iter().any(|c| {
                matches!(c, Change::Function(FunctionChange::Replace { to, .. })
                    if to.name == f.name && to.arg_types == f.arg_types)
            }) && !ctx.to.deps_of(&id).any(|d| dropped.contains(d));
            if replaced_clear {
                continue;
            }
            functions.push((id, f.clone()));
        }
        for (id, f) in functions {
            // Replaced in place no more: dropped before what it stands on changes.
            changes.retain(|c| {
                !matches!(c, Change::Function(FunctionChange::Replace { to, .. }) | Change::Function(FunctionChange::Create { function: to })
                    if to.name == f.name && to.arg_types == f.arg_types)
            });
            dropped.insert(id);
            changes.push(Change::Function(FunctionChange::Drop {
                function: f.clone(),
            }));
            if let Some(keep) = ctx.to.functions.get(&(f.name.clone(), f.arg_types.clone())) {
                changes.push(Change::Function(FunctionChange::Create {
                    function: keep.clone(),
                }));
            }
        }
        let mut more = Vec::new();
        for view in ctx.from.views.values() {
            let id = ObjectId::View {
                name: view.name.clone(),
            };
            if recreated.contains(&view.name) || !ctx.from.deps_of(&id).any(|d| dropped.contains(d))
            {
                continue;
            }
            more.push(view.clone());
        }
        if more.is_empty() {
            break;
        }
        for view in more {
            // A view that was to be replaced in place is re-created instead.
            changes.retain(|c| !matches!(c, Change::View(ViewChange::Replace { to, .. }) | Change::View(ViewChange::AlterOptions { to, .. }) | Change::View(ViewChange::Refresh { view: to }) if to.name == view.name));
            dropped.insert(ObjectId::View {
                name: view.name.clone(),
            });
            recreated.insert(view.name.clone());
            changes.push(Change::View(ViewChange::Drop { view: view.clone() }));
            if let Some(keep) = ctx.to.views.get(&view.name) {
                changes.push(Change::View(ViewChange::Create { view: keep.clone() }));
            }
        }
    }
    // Indexes on dropped materialized views go with them; the desired ones come back.
    changes
        .retain(|c| !matches!(c, Change::Index(IndexChange::Drop { index }) if recreated.contains(&index.table)));
    let created: BTreeSet<crate::catalog::QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Index(IndexChange::Create { index }) => Some(index.name.clone()),
            _ => None,
        })
        .collect();
    for index in ctx.to.indexes.values() {
        if recreated.contains(&index.table) && !created.contains(&index.name) {
            changes.push(Change::Index(IndexChange::Create {
                index: index.clone(),
            }));
        }
    }
}
