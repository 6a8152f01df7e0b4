use super::{Change, Context};
use crate::catalog::{Column, Table};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnChange {
    Add {
        table: crate::catalog::QualName,
        column: crate::catalog::Column,
    },
    Drop {
        table: crate::catalog::QualName,
        column: crate::catalog::Column,
    },
    Alter {
        table: crate::catalog::QualName,
        from: crate::catalog::Column,
        to: crate::catalog::Column,
    },
    /// A column default that must be dropped and set again around the recreation of
    /// something it uses (a function whose result type changes, say).
    ResetDefault {
        table: crate::catalog::QualName,
        column: crate::catalog::Column,
    },
}

/// Whether PostgreSQL can turn column `f` into `t` with ALTER COLUMN, or the column must be
/// dropped and added again.
fn alterable(f: &Column, t: &Column, server_version: i32) -> bool {
    match (&f.generated, &t.generated) {
        (None, None) => true,
        // A plain column cannot become generated.
        (None, Some(_)) => false,
        // DROP EXPRESSION keeps the stored values (not possible for virtual columns).
        (Some(g), None) => !g.is_virtual,
        (Some(a), Some(b)) => {
            a.is_virtual == b.is_virtual
                && (a.expression == b.expression || server_version >= 170000)
                && f.data_type == t.data_type
        }
    }
}

/// Column names the parents in `parents` give (in `catalog`).
fn inherited(
    catalog: &crate::catalog::Catalog,
    parents: &[crate::catalog::QualName],
) -> Vec<String> {
    parents
        .iter()
        .filter_map(|p| catalog.tables.get(p))
        .flat_map(|p| p.columns.iter().map(|c| c.name.clone()))
        .collect()
}

pub(super) fn diff(ctx: &Context, f: &Table, t: &Table, out: &mut Vec<Change>) {
    // A table that starts inheriting keeps its own copies of its parents' columns (they
    // merge); one that stops keeps them too. Neither is a drop or an add.
    let gains = inherited(ctx.to, &t.inherits);
    let keeps = inherited(ctx.from, &f.inherits);
    for col in &f.columns {
        if t.column(&col.name).is_none() && !gains.contains(&col.name) {
            out.push(Change::Column(ColumnChange::Drop {
                table: f.name.clone(),
                column: col.clone(),
            }));
        }
    }
    for col in &t.columns {
        match f.column(&col.name) {
            None if keeps.contains(&col.name) => {
                // It stays, as the parent's column was (PostgreSQL 18 keeps the parent's
                // NOT NULL constraint name); whatever else differs is altered.
                if let Some(kept) = kept_column(ctx, f, &col.name)
                    && &kept != col
                {
                    out.push(Change::Column(ColumnChange::Alter {
                        table: t.name.clone(),
                        from: kept,
                        to: col.clone(),
                    }));
                }
            }
            None => match without_invalid_not_null(col) {
                Some(created) => {
                    out.push(Change::Column(ColumnChange::Add {
                        table: t.name.clone(),
                        column: created.clone(),
                    }));
                    out.push(Change::Column(ColumnChange::Alter {
                        table: t.name.clone(),
                        from: created,
                        to: col.clone(),
                    }));
                }
                None => out.push(Change::Column(ColumnChange::Add {
                    table: t.name.clone(),
                    column: col.clone(),
                })),
            },
            Some(old) if old == col => {}
            Some(old) if alterable(old, col, ctx.from.server_version) => {
                out.push(Change::Column(ColumnChange::Alter {
                    table: t.name.clone(),
                    from: old.clone(),
                    to: col.clone(),
                }))
            }
            Some(old) => {
                out.push(Change::Column(ColumnChange::Drop {
                    table: f.name.clone(),
                    column: old.clone(),
                }));
                out.push(Change::Column(ColumnChange::Add {
                    table: t.name.clone(),
                    column: col.clone(),
                }));
            }
        }
    }
}

/// A column whose NOT NULL constraint is NOT VALID (PostgreSQL 18) cannot be created that
/// way: it is created nullable, then the constraint is added. Returns the nullable form.
pub(super) fn without_invalid_not_null(col: &Column) -> Option<Column> {
    let nn = col.not_null_constraint.as_ref()?;
    if nn.validated {
        return None;
    }
    let mut created = col.clone();
    created.not_null = false;
    created.not_null_constraint = None;
    Some(created)
}

/// The column a table keeps from a parent it stops inheriting from.
fn kept_column(ctx: &Context, f: &Table, name: &str) -> Option<Column> {
    let (parent, col) = f
        .inherits
        .iter()
        .filter_map(|p| ctx.from.tables.get(p))
        .find_map(|p| p.column(name).map(|c| (p, c)))?;
    let mut kept = col.clone();
    if kept.not_null && ctx.from.server_version >= 180000 {
        kept.not_null_constraint = Some(crate::catalog::NotNull {
            name: format!("{}_{}_not_null", parent.name.name, name),
            validated: true,
        });
    }
    Some(kept)
}
