use super::Change;
use super::identity::{continue_sequence, identity_sequence, identity_sql};
use crate::catalog::{Column, ObjectId, QualName, Table, quote_ident};
use crate::diff::Context;
use crate::plan::casts::{binary_compatible, needs_using, safe_widening, volatile_default};
use crate::plan::{Action, Deps, Hazard, Step, step};

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
fn alterable(from: &Column, to: &Column, server_version: i32) -> bool {
    match (&from.generated, &to.generated) {
        (None, None) => true,
        // A plain column cannot become generated.
        (None, Some(_)) => false,
        // DROP EXPRESSION keeps the stored values (not possible for virtual columns).
        (Some(g), None) => !g.is_virtual,
        (Some(a), Some(b)) => {
            a.is_virtual == b.is_virtual
                && (a.expression == b.expression || server_version >= 170000)
                && from.data_type == to.data_type
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

pub(crate) fn diff(ctx: &Context, from: &Table, to: &Table, out: &mut Vec<Change>) {
    // A table that starts inheriting keeps its own copies of its parents' columns (they
    // merge); one that stops keeps them too. Neither is a drop or an add.
    let gains = inherited(ctx.to, &to.inherits);
    let keeps = inherited(ctx.from, &from.inherits);
    for col in &from.columns {
        if to.column(&col.name).is_none() && !gains.contains(&col.name) {
            out.push(Change::Column(ColumnChange::Drop {
                table: from.name.clone(),
                column: col.clone(),
            }));
        }
    }
    for col in &to.columns {
        match from.column(&col.name) {
            None if keeps.contains(&col.name) => {
                // It stays, as the parent's column was (PostgreSQL 18 keeps the parent's
                // NOT NULL constraint name); whatever else differs is altered.
                if let Some(kept) = kept_column(ctx, from, &col.name)
                    && &kept != col
                {
                    out.push(Change::Column(ColumnChange::Alter {
                        table: to.name.clone(),
                        from: kept,
                        to: col.clone(),
                    }));
                }
            }
            None => match as_created(col) {
                Some(created) => {
                    out.push(Change::Column(ColumnChange::Add {
                        table: to.name.clone(),
                        column: created.clone(),
                    }));
                    out.push(Change::Column(ColumnChange::Alter {
                        table: to.name.clone(),
                        from: created,
                        to: col.clone(),
                    }));
                }
                None => out.push(Change::Column(ColumnChange::Add {
                    table: to.name.clone(),
                    column: col.clone(),
                })),
            },
            Some(old) if old == col => {}
            Some(old) if alterable(old, col, ctx.from.server_version) => {
                out.push(Change::Column(ColumnChange::Alter {
                    table: to.name.clone(),
                    from: old.clone(),
                    to: col.clone(),
                }))
            }
            Some(old) => {
                out.push(Change::Column(ColumnChange::Drop {
                    table: from.name.clone(),
                    column: old.clone(),
                }));
                let created = as_created(col).unwrap_or_else(|| col.clone());
                out.push(Change::Column(ColumnChange::Add {
                    table: to.name.clone(),
                    column: created.clone(),
                }));
                if &created != col {
                    out.push(Change::Column(ColumnChange::Alter {
                        table: to.name.clone(),
                        from: created,
                        to: col.clone(),
                    }));
                }
            }
        }
    }
}

/// The column as ADD COLUMN or CREATE TABLE makes it, when that is not yet `col`: a NOT
/// VALID NOT NULL, a statistics target, a storage mode and a compression method are set
/// by an ALTER afterwards.
pub(super) fn as_created(col: &Column) -> Option<Column> {
    let mut created = col.clone();
    if col
        .not_null_constraint
        .as_ref()
        .is_some_and(|nn| !nn.validated)
    {
        created.not_null = false;
        created.not_null_constraint = None;
    }
    created.statistics = None;
    created.storage = None;
    created.compression = None;
    (created != *col).then_some(created)
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

/// A column as written in CREATE TABLE or ADD COLUMN.
pub(super) fn column_sql(table: &QualName, c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            g.expression,
            if g.is_virtual { "VIRTUAL" } else { "STORED" }
        ));
    }
    if let Some(identity) = &c.identity {
        s.push(' ');
        s.push_str(&identity_sql(table, &c.name, identity));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s.push_str(&crate::plan::not_null::clause(table, c));
    s
}

fn col_id(table: &QualName, column: &str) -> ObjectId {
    ObjectId::Column {
        table: table.clone(),
        column: column.to_string(),
    }
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &ColumnChange) -> Vec<ObjectId> {
    match change {
        ColumnChange::Add { table, column } => vec![col_id(table, &column.name)],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &ColumnChange) -> Vec<Step> {
    match change {
        ColumnChange::Add { table, column } => {
            let id = col_id(table, &column.name);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: table.clone(),
            });
            let existing = ctx.existing(table);
            let mut out = vec![
                step(
                    format!(
                        "ALTER TABLE {table} ADD COLUMN {};",
                        column_sql(table, column)
                    ),
                    &id,
                    Action::Create,
                    Deps {
                        creates: std::iter::once(id.clone())
                            .chain(identity_sequence(table, column))
                            .collect(),
                        requires,
                        ..Deps::default()
                    },
                )
                // NOT NULL without a default fails on a table that has rows.
                .hazard_if(
                    existing
                        && column.not_null
                        && column.default.is_none()
                        && column.identity.is_none()
                        && column.generated.is_none(),
                    Hazard::DataDependent,
                    format!("fails if {table} has rows: NOT NULL without a default"),
                )
                // A stored generated column or a volatile default is computed for every
                // existing row: the table is rewritten.
                .hazard_if(
                    existing
                        && (column.generated.as_ref().is_some_and(|g| !g.is_virtual)
                            || column.default.as_deref().is_some_and(volatile_default)
                            || column.identity.is_some()),
                    Hazard::TableRewrite,
                    format!(
                        "rewrites {table}: every row gets a value computed for {}",
                        quote_ident(&column.name)
                    ),
                ),
            ];
            partition_order(ctx, table, &mut out);
            out
        }
        ColumnChange::Drop { table, column } => {
            let id = col_id(table, &column.name);
            // An inheritance child that keeps the column as its own: the parent's copy
            // alone goes (a plain DROP COLUMN would drop the child's too, with its data).
            let only = ctx
                .to
                .tables
                .values()
                .any(|t| t.inherits.contains(table) && t.column(&column.name).is_some());
            let mut out = vec![
                step(
                    format!(
                        "ALTER TABLE {}{table} DROP COLUMN {};",
                        if only { "ONLY " } else { "" },
                        quote_ident(&column.name)
                    ),
                    &id,
                    Action::Drop,
                    Deps {
                        drops: vec![id.clone()],
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                // A generated column's values derive from the other columns: none are lost.
                .hazard_if(
                    column.generated.is_none(),
                    Hazard::DeletesData,
                    format!("the values of {id} are lost"),
                ),
            ];
            partition_order(ctx, table, &mut out);
            out
        }
        ColumnChange::Alter { table, from, to } => alter(ctx, table, from, to),
        ColumnChange::ResetDefault { table, column } => {
            let id = col_id(table, &column.name);
            let prefix = format!(
                "ALTER TABLE {table} ALTER COLUMN {}",
                quote_ident(&column.name)
            );
            let mut steps = vec![step(
                format!("{prefix} DROP DEFAULT;"),
                &id,
                Action::Alter,
                Deps {
                    releases: ctx.releases(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )];
            if let Some(d) = &column.default {
                steps.push(step(
                    format!("{prefix} SET DEFAULT {d};"),
                    &id,
                    Action::Alter,
                    Deps {
                        requires: ctx.requires(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                ));
            }
            steps
        }
    }
}

/// PostgreSQL casts the old default along with the column; when that cast might fail the
/// default is dropped first and set again afterwards.
fn reset_default(from: &Column, to: &Column) -> bool {
    from.default.is_some()
        && from.data_type != to.data_type
        && !safe_widening(&from.data_type, &to.data_type)
}

/// Whether altering `from` into `to` sets or drops the column's default (which recurses to
/// a partitioned table's partitions).
pub(super) fn default_rewritten(from: &Column, to: &Column) -> bool {
    from.default != to.default || reset_default(from, to)
}

/// Orders the steps that change `table`'s columns: marked, for the partitions' own
/// settings to follow; after the parent's when `table` is a partition; after the detach
/// of its partitions that leave (the change would reach them too).
fn partition_order(ctx: &Context, table: &QualName, steps: &mut [Step]) {
    let parent = super::partition::parent_of(ctx, table).map(super::partition::columns_mark);
    // A partition that leaves its parent: its own changes once it is out.
    let left = ctx
        .from
        .tables
        .get(table)
        .and_then(|t| t.partition_of.as_ref())
        .filter(|_| parent.is_none())
        .map(|(p, _)| super::partition::detached_mark(p));
    for s in steps {
        s.deps.marks.push(super::partition::columns_mark(table));
        s.deps.after.extend(parent.clone());
        s.deps.after.extend(left.clone());
        s.deps.after.push(super::partition::detached_mark(table));
    }
}

fn alter(ctx: &Context, table: &QualName, from: &Column, to: &Column) -> Vec<Step> {
    let mut out = alter_steps(ctx, table, from, to);
    partition_order(ctx, table, &mut out);
    out
}

fn alter_steps(ctx: &Context, table: &QualName, from: &Column, to: &Column) -> Vec<Step> {
    let id = col_id(table, &to.name);
    let c = quote_ident(&to.name);
    let prefix = format!("ALTER TABLE {table} ALTER COLUMN {c}");
    let mut out: Vec<Step> = Vec::new();
    let plain = |sql: String| step(sql, &id, Action::Alter, Deps::default());
    let type_changes = from.data_type != to.data_type || from.collation != to.collation;
    let reset_default = reset_default(from, to);
    if (reset_default || to.default.is_none()) && from.default.is_some() {
        out.push(plain(format!("{prefix} DROP DEFAULT;")));
    }
    if from.identity.is_some() && to.identity.is_none() {
        // The sequence goes with it: a sequence of the same name (a serial's) is created
        // after.
        out.push(step(
            format!("{prefix} DROP IDENTITY;"),
            &id,
            Action::Alter,
            Deps {
                drops: identity_sequence(table, from).into_iter().collect(),
                ..Deps::default()
            },
        ));
    }
    if from.generated.is_some() && to.generated.is_none() {
        out.push(plain(format!("{prefix} DROP EXPRESSION;")));
    }
    if type_changes {
        let mut sql = format!("{prefix} TYPE {}", to.data_type);
        if let Some(coll) = &to.collation {
            sql.push_str(&format!(" COLLATE {coll}"));
        }
        // The desired state's own conversion (`-- @using`) first; one enum into another
        // has no cast but goes through its labels' text.
        let given = ctx.to.usings.get(&id);
        let is_enum =
            |c: &crate::catalog::Catalog, t: &str| c.enums.keys().any(|k| k.to_string() == t);
        // (the USING expression, the probe counting the rows it would fail on)
        let cast_probe = || {
            crate::plan::probe::cast(
                table,
                &to.name,
                &from.data_type,
                &to.data_type,
                ctx.from.server_version,
            )
        };
        let (conversion, probe) = match given {
            Some(expression) => (
                Some(expression.clone()),
                Some(crate::plan::probe::converted(
                    table,
                    expression,
                    &to.data_type,
                    to.not_null,
                )),
            ),
            None if is_enum(ctx.from, &from.data_type) && is_enum(ctx.to, &to.data_type) => (
                Some(format!("{c}::text::{}", to.data_type)),
                ctx.to
                    .enums
                    .values()
                    .find(|e| e.name.to_string() == to.data_type)
                    .map(|e| crate::plan::probe::labels(table, &to.name, &e.labels)),
            ),
            None if needs_using(&from.data_type, &to.data_type) => {
                (Some(format!("{c}::{}", to.data_type)), cast_probe())
            }
            None => (None, cast_probe()),
        };
        if let Some(conversion) = &conversion {
            sql.push_str(&format!(" USING {conversion}"));
        }
        sql.push(';');
        // A collation change alone keeps the data as it is (indexes on it are rebuilt).
        let rewrite = !binary_compatible(&from.data_type, &to.data_type);
        let may_fail = !safe_widening(&from.data_type, &to.data_type);
        out.push(
            step(
                sql,
                &id,
                Action::Alter,
                Deps {
                    creates: vec![id.clone()],
                    ..Deps::default()
                },
            )
            .hazard(
                Hazard::AccessExclusiveLock,
                format!("locks {table} while {c} changes type"),
            )
            .hazard_if(
                rewrite,
                Hazard::TableRewrite,
                format!(
                    "rewrites {table}: type change {} → {}",
                    from.data_type, to.data_type
                ),
            )
            .hazard_if(
                may_fail,
                Hazard::DataDependent,
                format!(
                    "fails if a value of {c} does not cast from {} to {}",
                    from.data_type, to.data_type
                ),
            )
            .probe(probe.filter(|_| may_fail || given.is_some()))
            .long_running(),
        );
    }
    if let (Some(a), Some(b)) = (&from.generated, &to.generated)
        && a.expression != b.expression
    {
        out.push(
            plain(format!("{prefix} SET EXPRESSION AS ({});", b.expression))
                .hazard(
                    Hazard::TableRewrite,
                    format!("rewrites {table}: {c} is computed again for every row"),
                )
                .hazard(
                    Hazard::AccessExclusiveLock,
                    format!("locks {table} during the rewrite"),
                ),
        );
    }
    let online = ctx
        .from
        .tables
        .get(table)
        .is_some_and(|to| to.partition_by.is_none());
    out.extend(crate::plan::not_null::set(table, from, to, &plain, online));
    out.extend(super::identity::alter(table, from, to));
    if let Some(d) = &to.default
        && (from.default != to.default || reset_default)
    {
        out.push(step(
            format!("{prefix} SET DEFAULT {d};"),
            &id,
            Action::Alter,
            Deps {
                requires: ctx.requires(std::slice::from_ref(&id)),
                ..Deps::default()
            },
        ));
        // An identity that becomes a serial: its new sequence continues the values.
        if from.identity.is_some()
            && let Some(sequence) = d.strip_prefix("nextval(").and_then(|s| s.strip_suffix(")"))
        {
            out.extend(continue_sequence(table, to, sequence));
        }
    }
    if from.not_null && !to.not_null {
        out.push(plain(format!("{prefix} DROP NOT NULL;")));
    }
    // Catalog changes only: they apply to what is analyzed or stored from now on.
    if from.statistics != to.statistics {
        let target = to.statistics.unwrap_or(-1);
        out.push(plain(format!("{prefix} SET STATISTICS {target};")));
    }
    if from.storage != to.storage {
        // Back to the type's mode by its name: SET STORAGE DEFAULT is PostgreSQL 16's.
        let mode = match (&to.storage, &from.storage) {
            (Some(s), _) => Some(&s.mode),
            (None, s) => s.as_ref().map(|s| &s.type_default),
        };
        if let Some(mode) = mode {
            out.push(plain(format!("{prefix} SET STORAGE {mode};")));
        }
    }
    if from.compression != to.compression {
        let method = to.compression.as_deref().unwrap_or("DEFAULT");
        out.push(plain(format!("{prefix} SET COMPRESSION {method};")));
    }
    // Statistics, storage and compression are the column's settings, not its definition:
    // nothing standing on it is affected, and a new column gets them after it is added.
    let settings_only = Column {
        statistics: to.statistics,
        storage: to.storage.clone(),
        compression: to.compression.clone(),
        ..from.clone()
    } == *to;
    // Completing a column this plan creates (a NOT VALID NOT NULL after CREATE TABLE or
    // ADD COLUMN): nothing stands on it yet, and it must exist first.
    let completes = ctx
        .from
        .tables
        .get(table)
        .and_then(|t| t.column(&to.name))
        .is_none();
    if settings_only || completes {
        for s in &mut out {
            s.deps.requires.push(id.clone());
        }
        return out;
    }
    // The whole alteration needs what the new column needs and frees what the old one did.
    // The column is "dropped" at the first step and "created" at the last, so that what
    // stands on it (constraints, indexes) goes first and comes back after.
    // What a step of the group itself drops (an identity's sequence) is required later,
    // by the step that uses it, not from the start.
    let dropped_here: Vec<ObjectId> = out.iter().flat_map(|s| s.deps.drops.clone()).collect();
    if let Some(first) = out.first_mut() {
        first.deps.drops.push(id.clone());
        first.deps.requires.extend(
            ctx.requires(std::slice::from_ref(&id))
                .into_iter()
                .filter(|r| !dropped_here.contains(r)),
        );
        first.deps.requires.push(ObjectId::Table {
            name: table.clone(),
        });
    }
    // What the old column used (a serial's sequence) is released before a new identity
    // takes the same sequence name.
    let created_here = out.iter().position(|s| {
        s.deps
            .creates
            .iter()
            .any(|c| matches!(c, ObjectId::Sequence { .. }))
    });
    let release_at = match created_here {
        Some(k) if k > 0 => Some(k - 1),
        _ => out.len().checked_sub(1),
    };
    if let Some(at) = release_at {
        out[at].deps.releases.extend(ctx.released_by_alter(&id));
    }
    if let Some(last) = out.last_mut() {
        last.deps.creates.push(id.clone());
    }
    out
}
