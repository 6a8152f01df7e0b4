//! Partitions: attached, detached (keeping what they had from their parent), dropped and
//! created again with a parent whose partitioning changes, and their own column settings.
//!
//! A partition's columns are its parent's (type, collation, identity, generation), but
//! each partition keeps its own default, NOT NULL, statistics target, storage mode and
//! compression method: `CREATE TABLE p_1 PARTITION OF p (priority DEFAULT 10, notes NOT
//! NULL)`, or an ALTER on the partition.
//!
//! The parent's own column changes recurse to every partition (SET and DROP DEFAULT, SET
//! and DROP NOT NULL, SET STATISTICS, SET STORAGE, ADD COLUMN; not SET COMPRESSION), and
//! PARTITION OF copies the parent's default, NOT NULL, storage and compression but not its
//! statistics targets. So a partition's settings are compared with what it will hold after
//! its parent's changes (or its creation), and set after them (`columns of` marks).

use super::{Change, ColumnChange};
use crate::catalog::{Column, ObjectId, QualName, Table, quote_ident};
use crate::diff::Context;
use crate::plan::{Action, Deps, Hazard, Step, step};

/// The mark of the steps that change the columns of `table`: a partition's own settings
/// are set after it.
pub(crate) fn columns_mark(table: &QualName) -> String {
    format!("columns of {table}")
}

/// The mark of the detach of a partition of `parent`: the parent's column changes come
/// after it (they would reach the detached table too).
pub(crate) fn detached_mark(parent: &QualName) -> String {
    format!("detached from {parent}")
}

/// The parent whose column changes `table`'s columns follow, in the desired state.
pub(crate) fn parent_of<'a>(ctx: &'a Context, table: &QualName) -> Option<&'a QualName> {
    ctx.to
        .tables
        .get(table)
        .and_then(|t| t.partition_of.as_ref())
        .map(|(parent, _)| parent)
}

/// The settings changes of partition `to`: `from` is the table before the plan (None for
/// a new partition, created by `create_table` with `inline` overrides).
pub(super) fn diff(ctx: &Context, from: Option<&Table>, to: &Table, out: &mut Vec<Change>) {
    let Some((parent, _)) = &to.partition_of else {
        return;
    };
    let parent_to = ctx.to.tables.get(parent);
    // Only a partition that stays under the same parent follows that parent's changes; a
    // table attached in this plan keeps what it had.
    let same_parent = from.is_some_and(|f| f.partition_of.as_ref().map(|(p, _)| p) == Some(parent));
    let parent_from = ctx.from.tables.get(parent).filter(|_| same_parent);
    for col in &to.columns {
        let pt = parent_to.and_then(|p| p.column(&col.name));
        let before = match from.map(|f| f.column(&col.name)) {
            // A new partition: what PARTITION OF with the inline overrides makes.
            None => match pt {
                Some(pt) => created(pt, col),
                None => continue,
            },
            Some(Some(own)) => match (parent_from.and_then(|p| p.column(&col.name)), pt) {
                (Some(pf), Some(pt)) => after_parent(ctx, own, pf, pt, col),
                _ => own.clone(),
            },
            // A column the parent adds in this plan: the partition gets it as the parent
            // has it (its compression is set on the parent alone).
            Some(None) => match pt {
                Some(pt) => Column {
                    compression: None,
                    ..pt.clone()
                },
                None => continue,
            },
        };
        // Only the settings are the partition's: the rest is compared on the parent.
        let before = Column {
            default: before.default,
            not_null: before.not_null,
            statistics: before.statistics,
            storage: before.storage,
            compression: before.compression,
            ..col.clone()
        };
        if &before != col {
            out.push(Change::Column(ColumnChange::Alter {
                table: to.name.clone(),
                from: before,
                to: col.clone(),
            }));
        }
    }
}

/// The column a new partition gets from PARTITION OF its parent's `pt` with the overrides
/// `inline` writes for `col`.
fn created(pt: &Column, col: &Column) -> Column {
    let mut c = Column {
        statistics: None,
        ..pt.clone()
    };
    if col.default.is_some() {
        c.default = col.default.clone();
    }
    c.not_null |= col.not_null;
    c
}

/// The overrides written inside `CREATE TABLE … PARTITION OF parent (…)`: a default of its
/// own and a NOT NULL the parent does not have (removing either needs an ALTER after).
pub(super) fn inline(ctx: &Context, table: &Table) -> Vec<String> {
    let Some(parent) = table
        .partition_of
        .as_ref()
        .and_then(|(p, _)| ctx.to.tables.get(p))
    else {
        return vec![];
    };
    table
        .columns
        .iter()
        .filter_map(|col| {
            let pt = parent.column(&col.name)?;
            let mut s = String::new();
            if let Some(d) = &col.default
                && col.default != pt.default
            {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            if col.not_null && !pt.not_null {
                s.push_str(" NOT NULL");
            }
            (!s.is_empty()).then(|| format!("{}{s}", quote_ident(&col.name)))
        })
        .collect()
}

/// What the partition's column `own` holds after its parent's column goes from `pf` to
/// `pt` (the recursion of the parent's ALTERs); `col` is the partition's desired column.
fn after_parent(ctx: &Context, own: &Column, pf: &Column, pt: &Column, col: &Column) -> Column {
    let mut c = own.clone();
    if super::column::default_rewritten(pf, pt) {
        c.default = pt.default.clone();
    }
    if pf.not_null != pt.not_null {
        c.not_null = if !pt.not_null && own.not_null && ctx.from.server_version >= 180000 {
            // PostgreSQL 18 keeps a partition's own NOT NULL (not one it only inherited);
            // which it was is not read, so the desired state is written out either way.
            !col.not_null
        } else {
            pt.not_null
        };
    }
    if pf.statistics != pt.statistics {
        c.statistics = pt.statistics;
    }
    if pf.storage != pt.storage {
        c.storage = pt.storage.clone();
    }
    c
}

/// Tables that must be dropped and created again: a partitioned table whose partitioning
/// changes (it cannot be altered), with its partitions at every level (they go with it).
pub(crate) fn recreated(
    from: &crate::catalog::Catalog,
    to: &crate::catalog::Catalog,
) -> std::collections::BTreeSet<QualName> {
    let mut out: std::collections::BTreeSet<QualName> = from
        .tables
        .values()
        .filter(|f| {
            to.tables
                .get(&f.name)
                .is_some_and(|t| t.partition_by != f.partition_by)
        })
        .map(|t| t.name.clone())
        .collect();
    loop {
        let more: Vec<QualName> = from
            .tables
            .values()
            .filter(|t| !out.contains(&t.name))
            .filter(|t| {
                t.partition_of
                    .as_ref()
                    .is_some_and(|(p, _)| out.contains(p))
            })
            .map(|t| t.name.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// The drops of `recreated` tables (their creation comes from a diff that does not see
/// them in the current database).
pub(crate) fn drop_recreated(
    ctx: &Context,
    recreated: &std::collections::BTreeSet<QualName>,
) -> Vec<Change> {
    recreated
        .iter()
        .filter_map(|name| ctx.from.tables.get(name))
        .flat_map(|t| super::table::drop_changes(ctx, t))
        .collect()
}

/// A partition being detached keeps the NOT NULL constraints it inherited, under its
/// parent's names (PostgreSQL 18); partitions are read without those names, so they are
/// predicted here for the columns to be compared. Its keys' copies stay as its own.
pub(super) fn as_detached(ctx: &Context, table: &Table) -> Table {
    let mut table = table.clone();
    // Its copies of its parent's keys stay, as keys of its own.
    for (name, key) in std::mem::take(&mut table.inherited_keys) {
        table.constraints.insert(name, key.constraint);
    }
    if let Some((parent, _)) = &table.partition_of
        && ctx.from.server_version >= 180000
    {
        for col in table.columns.iter_mut().filter(|c| c.not_null) {
            if col.not_null_constraint.is_none() {
                col.not_null_constraint = Some(crate::catalog::NotNull {
                    name: format!("{}_{}_not_null", parent.name, col.name),
                    validated: true,
                });
            }
        }
    }
    table
}

/// Whether a foreign key of the current database references `table` or a table it is a
/// partition of.
pub(super) fn referenced(ctx: &Context, table: &QualName) -> bool {
    let mut at = Some(table);
    while let Some(t) = at {
        let hit = ctx.from.tables.values().any(|other| {
            other
                .constraints
                .values()
                .any(|c| c.references.as_ref() == Some(t))
        });
        if hit {
            return true;
        }
        at = ctx
            .from
            .tables
            .get(t)
            .and_then(|x| x.partition_of.as_ref())
            .map(|(p, _)| p);
    }
    false
}

pub(super) fn attach(table: &QualName, parent: &QualName, bound: &str) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    vec![
        step(
            format!("ALTER TABLE {parent} ATTACH PARTITION {table} {bound};"),
            &id,
            Action::Alter,
            Deps {
                requires: vec![ObjectId::Table {
                    name: parent.clone(),
                }],
                // Its parent's indexes adopt ones of the same form: an index of its own
                // that goes is dropped before. Its columns must match its parent's: both
                // are changed before.
                marks: vec![super::index_tree::attached_mark(table)],
                after: vec![
                    super::index_tree::dropped_mark(table),
                    super::partition::columns_mark(parent),
                    super::partition::columns_mark(table),
                ],
                ..Deps::default()
            },
        )
        // Every row is checked against the bound.
        .hazard(
            Hazard::DataDependent,
            format!("fails if a row of {table} is outside {bound}"),
        )
        .long_running(),
    ]
}

pub(super) fn detach(table: &QualName, parent: &QualName) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    vec![
        step(
            format!("ALTER TABLE {parent} DETACH PARTITION {table};"),
            &id,
            Action::Alter,
            Deps {
                releases: vec![ObjectId::Table {
                    name: parent.clone(),
                }],
                // Before the parent's column changes, which would reach it too.
                marks: vec![super::partition::detached_mark(parent)],
                ..Deps::default()
            },
        )
        .hazard(
            Hazard::AccessExclusiveLock,
            format!("locks {parent} and {table} while {table} leaves it"),
        ),
    ]
}
