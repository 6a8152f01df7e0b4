//! A partition's own column settings. A partition's columns are its parent's (type,
//! collation, identity, generation), but each partition keeps its own default, NOT NULL,
//! statistics target, storage mode and compression method: `CREATE TABLE p_1 PARTITION OF
//! p (priority DEFAULT 10, notes NOT NULL)`, or an ALTER on the partition.
//!
//! The parent's own column changes recurse to every partition (SET and DROP DEFAULT, SET
//! and DROP NOT NULL, SET STATISTICS, SET STORAGE, ADD COLUMN; not SET COMPRESSION), and
//! PARTITION OF copies the parent's default, NOT NULL, storage and compression but not its
//! statistics targets. So a partition's settings are compared with what it will hold after
//! its parent's changes (or its creation), and set after them (`columns of` marks).

use super::{Change, ColumnChange};
use crate::catalog::{Column, QualName, Table, quote_ident};
use crate::diff::Context;

/// The mark of the steps that change the columns of `table`: a partition's own settings
/// are set after it.
pub(crate) fn columns_mark(table: &QualName) -> String {
    format!("columns of {table}")
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
