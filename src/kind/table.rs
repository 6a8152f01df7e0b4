use super::column::column_sql;
use super::{Change, ColumnChange, ConstraintChange};
use crate::catalog::{ConstraintKind, ObjectId, QualName, Table, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    Create {
        table: crate::catalog::Table,
    },
    Drop {
        table: crate::catalog::Table,
    },
    /// A table becomes a partition (ATTACH PARTITION checks its rows).
    AttachPartition {
        table: crate::catalog::QualName,
        parent: crate::catalog::QualName,
        bound: String,
    },
    DetachPartition {
        table: crate::catalog::QualName,
        parent: crate::catalog::QualName,
    },
    /// INHERIT (`add`) or NO INHERIT a parent.
    SetInherit {
        table: crate::catalog::QualName,
        parent: crate::catalog::QualName,
        add: bool,
    },
    SetLogged {
        table: crate::catalog::QualName,
        unlogged: bool,
    },
    /// Storage parameters set and reset in place.
    SetOptions {
        table: crate::catalog::QualName,
        from: Vec<String>,
        to: Vec<String>,
    },
    /// REPLICA IDENTITY, for a new table or a changed one, or again after the index it
    /// names was rebuilt (a new index does not carry the old one's mark).
    SetReplicaIdentity {
        table: crate::catalog::QualName,
        identity: crate::catalog::ReplicaIdentity,
    },
}

/// Constraints that can be written inside CREATE TABLE: foreign keys are added after all
/// tables exist (that is what breaks reference cycles), NOT VALID ones with ALTER TABLE.
fn inline(c: &crate::catalog::Constraint) -> bool {
    c.kind != ConstraintKind::ForeignKey && c.validated
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    keyed(
        out,
        &ctx.from.tables,
        &ctx.to.tables,
        |t| create(ctx, t),
        |t| drop_changes(ctx, t),
        |f, t| alter(ctx, f, t),
    );
}

/// A new table with its inline constraints; NOT NULLs that must be validated and the
/// other constraints follow as changes of their own.
fn create(ctx: &Context, full: &Table) -> Vec<Change> {
    let name = &full.name;
    let mut out = Vec::new();
    let mut table = full.clone();
    table.constraints.retain(|_, c| inline(c));
    let mut later = Vec::new();
    if full.partition_of.is_some() {
        // A partition's columns come from its parent; its own settings are its overrides.
        super::partition::diff(ctx, None, full, &mut later);
    } else {
        for col in table.columns.iter_mut() {
            if let Some(created) = super::column::as_created(col) {
                later.push(Change::Column(ColumnChange::Alter {
                    table: name.clone(),
                    from: created.clone(),
                    to: col.clone(),
                }));
                *col = created;
            }
        }
    }
    out.push(Change::Table(TableChange::Create { table }));
    out.extend(later);
    for c in full.constraints.values().filter(|c| !inline(c)) {
        out.push(Change::Constraint(ConstraintChange::Add {
            table: name.clone(),
            constraint: c.clone(),
        }));
    }
    out.extend(replica_identity(full));
    out
}

/// REPLICA IDENTITY of a new table, set once it (and the index it names) exists.
fn replica_identity(table: &Table) -> Option<Change> {
    (!table.replica_identity.is_default()).then(|| {
        Change::Table(TableChange::SetReplicaIdentity {
            table: table.name.clone(),
            identity: table.replica_identity.clone(),
        })
    })
}

/// Tables whose REPLICA IDENTITY names an index (or constraint) that this plan drops and
/// creates again: the new one is marked again (the diff of the table alone sees no change).
pub(crate) fn replica_identity_after_rebuilds(ctx: &Context, changes: &mut Vec<Change>) {
    // A replaced index hands its mark to its new form itself (see `index::replace`).
    let created: std::collections::BTreeSet<ObjectId> = changes
        .iter()
        .filter(|c| !matches!(c, Change::Index(super::IndexChange::Replace { .. })))
        .flat_map(Change::created)
        .collect();
    let mut more = Vec::new();
    for (name, table) in &ctx.to.tables {
        let crate::catalog::ReplicaIdentity::Index(index) = &table.replica_identity else {
            continue;
        };
        let already = changes.iter().any(|c| {
            matches!(c, Change::Table(TableChange::SetReplicaIdentity { table: t, .. }
                | TableChange::Create { table: Table { name: t, .. } }) if t == name)
        });
        if !already && created.contains(&identity_index(ctx, name, index)) {
            more.extend(replica_identity(table));
        }
    }
    changes.extend(more);
}

/// The object behind a REPLICA IDENTITY index: a constraint's, or a standalone index.
fn identity_index(ctx: &Context, table: &QualName, index: &str) -> ObjectId {
    let of_constraint = ctx
        .to
        .tables
        .get(table)
        .is_some_and(|t| t.constraints.contains_key(index));
    if of_constraint {
        ObjectId::Constraint {
            table: table.clone(),
            name: index.to_string(),
        }
    } else {
        ObjectId::Index {
            name: QualName::new(table.schema.clone(), index.to_string()),
        }
    }
}

/// The changes that drop `table`: foreign keys to other dropped tables first, on their own.
pub(super) fn drop_changes(ctx: &Context, table: &Table) -> Vec<Change> {
    let name = &table.name;
    let mut out = Vec::new();
    let mut table = table.clone();
    // A foreign key to another dropped (or recreated) table is dropped first, on its own:
    // otherwise two tables that reference each other could not be dropped in any order.
    let split: Vec<String> = table
        .constraints
        .values()
        .filter(|c| {
            c.references.as_ref().is_some_and(|r| {
                r != name && (ctx.dropped_tables.contains(r) || ctx.recreated.contains(r))
            })
        })
        .map(|c| c.name.clone())
        .collect();
    for c in split {
        let constraint = table.constraints.remove(&c).expect("present");
        out.push(Change::Constraint(ConstraintChange::Drop {
            table: name.clone(),
            constraint,
        }));
    }
    out.push(Change::Table(TableChange::Drop { table }));
    out
}

fn alter(ctx: &Context, from: &Table, to: &Table) -> Vec<Change> {
    let name = &to.name;
    let mut out = Vec::new();
    if from.partition_of != to.partition_of {
        if let Some((parent, _)) = &from.partition_of {
            out.push(Change::Table(TableChange::DetachPartition {
                table: name.clone(),
                parent: parent.clone(),
            }));
        }
        if let Some((parent, bound)) = &to.partition_of {
            out.push(Change::Table(TableChange::AttachPartition {
                table: name.clone(),
                parent: parent.clone(),
                bound: bound.clone(),
            }));
        }
    }
    for parent in from.inherits.iter().filter(|p| !to.inherits.contains(p)) {
        out.push(Change::Table(TableChange::SetInherit {
            table: name.clone(),
            parent: parent.clone(),
            add: false,
        }));
    }
    for parent in to.inherits.iter().filter(|p| !from.inherits.contains(p)) {
        out.push(Change::Table(TableChange::SetInherit {
            table: name.clone(),
            parent: parent.clone(),
            add: true,
        }));
    }
    if from.unlogged != to.unlogged {
        out.push(Change::Table(TableChange::SetLogged {
            table: name.clone(),
            unlogged: to.unlogged,
        }));
    }
    // A partition's columns are its parent's (ATTACH needs them to match already), but
    // for settings of their own.
    if to.partition_of.is_none() {
        let detached = super::partition::as_detached(ctx, from);
        super::column::diff(ctx, &detached, to, &mut out);
        super::constraint::diff(&detached, to, &mut out);
    } else {
        super::partition::diff(ctx, Some(from), to, &mut out);
        super::constraint::diff(from, to, &mut out);
    }
    if from.options != to.options {
        out.push(Change::Table(TableChange::SetOptions {
            table: name.clone(),
            from: from.options.clone(),
            to: to.options.clone(),
        }));
    }
    if from.replica_identity != to.replica_identity {
        out.push(Change::Table(TableChange::SetReplicaIdentity {
            table: name.clone(),
            identity: to.replica_identity.clone(),
        }));
    }
    out
}

/// Objects this change creates (or creates again): a new table, its columns and its
/// inline constraints.
pub(super) fn created(change: &TableChange) -> Vec<ObjectId> {
    let TableChange::Create { table } = change else {
        return vec![];
    };
    let name = &table.name;
    let mut out = vec![ObjectId::Table { name: name.clone() }];
    out.extend(table.columns.iter().map(|c| ObjectId::Column {
        table: name.clone(),
        column: c.name.clone(),
    }));
    out.extend(table.constraints.keys().map(|c| ObjectId::Constraint {
        table: name.clone(),
        name: c.clone(),
    }));
    out
}

pub(super) fn steps(ctx: &Context, change: &TableChange) -> Vec<Step> {
    match change {
        TableChange::Create { table } => create_table(ctx, table),
        TableChange::Drop { table } => drop_table(ctx, table),
        TableChange::SetLogged { table, unlogged } => set_logged(table, *unlogged),
        TableChange::AttachPartition {
            table,
            parent,
            bound,
        } => super::partition::attach(table, parent, bound),
        TableChange::SetInherit { table, parent, add } => set_inherit(table, parent, *add),
        TableChange::DetachPartition { table, parent } => super::partition::detach(table, parent),
        TableChange::SetOptions { table, from, to } => set_options(table, from, to),
        TableChange::SetReplicaIdentity { table, identity } => {
            set_replica_identity(ctx, table, identity)
        }
    }
}

/// CREATE TABLE with its columns and inline constraints (a partition: PARTITION OF).
fn create_table(ctx: &Context, table: &Table) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.name.clone(),
    };
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_sql(&table.name, c))
        .collect();
    lines.extend(table.constraints.values().map(|c| {
        format!(
            "CONSTRAINT {} {}",
            quote_ident(&c.name),
            c.full_definition()
        )
    }));
    let mut partitioning = table
        .partition_by
        .as_ref()
        .map(|k| format!(" PARTITION BY {k}"))
        .unwrap_or_default();
    if !table.options.is_empty() {
        partitioning.push_str(&format!(
            " WITH ({})",
            crate::catalog::options_sql(&table.options)
        ));
    }
    let sql = match &table.partition_of {
        Some((parent, bound)) => {
            let mut constraints = super::partition::inline(ctx, table);
            constraints.extend(table.constraints.values().map(|c| {
                format!(
                    "CONSTRAINT {} {}",
                    quote_ident(&c.name),
                    c.full_definition()
                )
            }));
            let inner = if constraints.is_empty() {
                String::new()
            } else {
                format!(" (\n    {}\n)", constraints.join(",\n    "))
            };
            format!(
                "CREATE TABLE {} PARTITION OF {parent}{inner}\n    {bound}{partitioning};",
                table.name
            )
        }
        None => {
            let inherits = if table.inherits.is_empty() {
                String::new()
            } else {
                let parents: Vec<String> = table.inherits.iter().map(|p| p.to_string()).collect();
                format!(" INHERITS ({})", parents.join(", "))
            };
            format!(
                "CREATE {}TABLE {} (\n    {}\n){inherits}{partitioning};",
                if table.unlogged { "UNLOGGED " } else { "" },
                table.name,
                lines.join(",\n    ")
            )
        }
    };
    let mut parts = ctx.to.table_parts(table);
    let mut requires = ctx.requires(&parts);
    requires.extend(
        table
            .inherits
            .iter()
            .map(|p| ObjectId::Table { name: p.clone() }),
    );
    let mut after = Vec::new();
    if let Some((parent, _)) = &table.partition_of {
        requires.push(ObjectId::Table {
            name: parent.clone(),
        });
        // Its columns are the parent's: new ones arrive with the parent, and it copies
        // their settings as the parent's changes leave them.
        parts.retain(|p| !matches!(p, ObjectId::Column { .. }));
        after.push(super::partition::columns_mark(parent));
    }
    vec![step(
        sql,
        &id,
        Action::Create,
        Deps {
            requires,
            creates: parts,
            after,
            ..Deps::default()
        },
    )]
}

/// DROP TABLE, after what stands on it and before what it stood on.
fn drop_table(ctx: &Context, table: &Table) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.name.clone(),
    };
    let parts = ctx.from.table_parts(table);
    // The split-off foreign keys are not parts any more: leave their references out.
    let mut all = parts.clone();
    all.extend(
        ctx.from
            .tables
            .get(&table.name)
            .map(|t| {
                t.constraints
                    .keys()
                    .filter(|n| !table.constraints.contains_key(*n))
                    .map(|n| ObjectId::Constraint {
                        table: table.name.clone(),
                        name: n.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let mut releases: Vec<ObjectId> = ctx
        .releases(&parts)
        .into_iter()
        .filter(|d| !all.contains(d))
        .collect();
    // A child goes before its parents (a partition's would take it along).
    releases.extend(
        table
            .inherits
            .iter()
            .map(|p| ObjectId::Table { name: p.clone() }),
    );
    if let Some((parent, _)) = &table.partition_of {
        releases.push(ObjectId::Table {
            name: parent.clone(),
        });
    }
    let mut drops = all;
    drops.extend(
        ctx.from
            .indexes
            .values()
            .filter(|i| i.table == table.name)
            .map(|i| ObjectId::Index {
                name: i.name.clone(),
            }),
    );
    // A partition of a table that foreign keys reference cannot be dropped while they
    // reach into it: it is detached first, which checks that no row references its rows
    // (before any is lost), and leaves it a table of its own.
    let mut out: Vec<Step> = table
        .partition_of
        .as_ref()
        .filter(|(parent, _)| {
            ctx.to.tables.contains_key(parent) && super::partition::referenced(ctx, parent)
        })
        .map(|(parent, _)| {
            super::partition::detach(&table.name, parent)
                .into_iter()
                .map(|s| {
                    s.hazard(
                        Hazard::DataDependent,
                        format!(
                            "fails if a foreign key to {parent} references a row of {}",
                            table.name
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.push(
        step(
            format!("DROP TABLE {};", table.name),
            &id,
            Action::Drop,
            Deps {
                drops,
                releases,
                ..Deps::default()
            },
        )
        .hazard(
            Hazard::DeletesData,
            format!("the rows of {} are lost", table.name),
        )
        .hazard_if(
            !ctx.to.tables.contains_key(&table.name) && ctx.named_in_bodies(&table.name),
            Hazard::UntrackableDependencies,
            format!("a function body of the desired state names {}", table.name),
        ),
    );
    out
}

fn set_logged(table: &QualName, unlogged: bool) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    vec![
        step(
            format!(
                "ALTER TABLE {table} SET {};",
                if unlogged { "UNLOGGED" } else { "LOGGED" }
            ),
            &id,
            Action::Alter,
            Deps::default(),
        )
        .hazard(
            Hazard::TableRewrite,
            format!(
                "rewrites {table}: SET {}",
                if unlogged { "UNLOGGED" } else { "LOGGED" }
            ),
        )
        .hazard(
            Hazard::AccessExclusiveLock,
            format!("locks {table} during the rewrite"),
        )
        .long_running(),
    ]
}

fn set_inherit(table: &QualName, parent: &QualName, add: bool) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    let parent_id = ObjectId::Table {
        name: parent.clone(),
    };
    let (sql, deps) = if add {
        (
            format!("ALTER TABLE {table} INHERIT {parent};"),
            Deps {
                requires: vec![parent_id],
                ..Deps::default()
            },
        )
    } else {
        (
            format!("ALTER TABLE {table} NO INHERIT {parent};"),
            Deps {
                releases: vec![parent_id],
                ..Deps::default()
            },
        )
    };
    vec![step(sql, &id, Action::Alter, deps).hazard(
        Hazard::AccessExclusiveLock,
        format!("locks {table} and {parent}"),
    )]
}

/// ALTER TABLE … REPLICA IDENTITY, once the index it names exists (a brief catalog
/// change: the rows are not read).
fn set_replica_identity(
    ctx: &Context,
    table: &QualName,
    identity: &crate::catalog::ReplicaIdentity,
) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    let mut requires = vec![id.clone()];
    if let crate::catalog::ReplicaIdentity::Index(index) = identity {
        requires.push(identity_index(ctx, table, index));
    }
    vec![step(
        format!("ALTER TABLE {table} REPLICA IDENTITY {};", identity.sql()),
        &id,
        Action::Alter,
        Deps {
            requires,
            ..Deps::default()
        },
    )]
}

/// ALTER TABLE … SET (…) / RESET (…): a brief lock, the rows are not read (new values
/// apply to pages written from now on).
fn set_options(table: &QualName, from: &[String], to: &[String]) -> Vec<Step> {
    let id = ObjectId::Table {
        name: table.clone(),
    };
    crate::plan::option_statements(&format!("TABLE {table}"), from, to)
        .into_iter()
        .map(|sql| step(sql, &id, Action::Alter, Deps::default()))
        .collect()
}
