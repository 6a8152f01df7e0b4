use super::{Change, IndexChange};
use crate::catalog::{Constraint, ConstraintKind, ObjectId, QualName, Table, quote_ident};
use crate::diff::Context;
use crate::plan::{Action, Deps, Hazard, Step, column_ids, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintChange {
    Add {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    Drop {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    Validate {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    /// Deferrability of a foreign key, changed in place.
    AlterDeferrable {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
}

/// What it takes to turn constraint `old` into `new`; `None` when it must be recreated.
fn in_place(table: &QualName, old: &Constraint, new: &Constraint) -> Option<Vec<Change>> {
    if old.kind != new.kind || old.base_rule() != new.base_rule() {
        return None;
    }
    // A validated constraint cannot be made NOT VALID again.
    if old.validated && !new.validated {
        return None;
    }
    let mut out = Vec::new();
    if (old.deferrable, old.deferred) != (new.deferrable, new.deferred) {
        // ALTER CONSTRAINT changes deferrability of foreign keys only.
        if new.kind != ConstraintKind::ForeignKey {
            return None;
        }
        out.push(Change::Constraint(ConstraintChange::AlterDeferrable {
            table: table.clone(),
            constraint: new.clone(),
        }));
    }
    if old.index_options != new.index_options {
        out.push(Change::Index(IndexChange::AlterOptions {
            index: QualName::new(table.schema.clone(), new.name.clone()),
            from: old.index_options.clone(),
            to: new.index_options.clone(),
        }));
    }
    if new.validated && !old.validated {
        out.push(Change::Constraint(ConstraintChange::Validate {
            table: table.clone(),
            constraint: new.clone(),
        }));
    }
    Some(out)
}

pub(crate) fn diff(from: &Table, to: &Table, out: &mut Vec<Change>) {
    for (name, old) in &from.constraints {
        let keep = to
            .constraints
            .get(name)
            .is_some_and(|new| in_place(&to.name, old, new).is_some());
        // A key of the same form becomes the copy of its new parent's when its table is
        // attached (ATTACH PARTITION adopts it).
        let adopted = to
            .inherited_keys
            .get(name)
            .is_some_and(|k| k.constraint.definition == old.definition);
        if !keep && !adopted {
            out.push(Change::Constraint(ConstraintChange::Drop {
                table: from.name.clone(),
                constraint: old.clone(),
            }));
        }
    }
    for (name, new) in &to.constraints {
        match from
            .constraints
            .get(name)
            .and_then(|old| in_place(&to.name, old, new))
        {
            Some(changes) => out.extend(changes),
            None => out.push(Change::Constraint(ConstraintChange::Add {
                table: to.name.clone(),
                constraint: new.clone(),
            })),
        }
    }
}

fn index_slot(table: &QualName, name: &str) -> ObjectId {
    ObjectId::Index {
        name: QualName::new(table.schema.clone(), name),
    }
}

/// CHECK and FOREIGN KEY constraints on tables that already have rows are added NOT VALID
/// and validated after (not on partitioned tables, where PostgreSQL refuses NOT VALID).
fn online_check(ctx: &Context, table: &QualName, c: &Constraint) -> bool {
    matches!(c.kind, ConstraintKind::Check | ConstraintKind::ForeignKey)
        && ctx
            .from
            .tables
            .get(table)
            .is_some_and(|t| t.partition_by.is_none())
}

/// For a primary key or unique constraint on a table with rows: the CREATE UNIQUE INDEX
/// CONCURRENTLY that builds its index (plain column lists only, not deferrable).
fn online_unique(ctx: &Context, table: &QualName, c: &Constraint) -> Option<String> {
    let existing = ctx
        .from
        .tables
        .get(table)
        .is_some_and(|t| t.partition_by.is_none());
    if !existing || !c.validated || c.deferrable {
        return None;
    }
    let rest = match c.kind {
        ConstraintKind::PrimaryKey => c.definition.strip_prefix("PRIMARY KEY ")?,
        ConstraintKind::Unique => c.definition.strip_prefix("UNIQUE ")?,
        _ => return None,
    };
    let (nulls, rest) = match rest.strip_prefix("NULLS NOT DISTINCT ") {
        Some(r) => (" NULLS NOT DISTINCT", r),
        None => ("", rest),
    };
    if !rest.starts_with('(') || rest.contains(" WHERE ") || rest.contains(" USING INDEX") {
        return None;
    }
    let with = if c.index_options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", crate::catalog::options_sql(&c.index_options))
    };
    Some(format!(
        "CREATE UNIQUE INDEX CONCURRENTLY {} ON {table} {rest}{nulls}{with};",
        quote_ident(&c.name)
    ))
}

/// VALIDATE CONSTRAINT, alone: inside the transaction that added the constraint it would
/// hold that statement's ACCESS EXCLUSIVE lock while it scans the table.
fn validate(table: &QualName, c: &Constraint) -> Step {
    let id = ObjectId::Constraint {
        table: table.clone(),
        name: c.name.clone(),
    };
    step(
        format!(
            "ALTER TABLE {table} VALIDATE CONSTRAINT {};",
            quote_ident(&c.name)
        ),
        &id,
        Action::Validate,
        Deps {
            creates: vec![id.clone()],
            ..Deps::default()
        },
    )
    .hazard(
        Hazard::DataDependent,
        format!("fails if a row of {table} breaks {}", quote_ident(&c.name)),
    )
    .long_running()
    .non_transactional()
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &ConstraintChange) -> Vec<ObjectId> {
    match change {
        ConstraintChange::Add { table, constraint } => vec![ObjectId::Constraint {
            table: table.clone(),
            name: constraint.name.clone(),
        }],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &ConstraintChange) -> Vec<Step> {
    match change {
        ConstraintChange::Add {
            table,
            constraint: c,
        } => {
            let id = ObjectId::Constraint {
                table: table.clone(),
                name: c.name.clone(),
            };
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: table.clone(),
            });
            requires.extend(column_ids(ctx.to, table));
            if let Some(r) = &c.references {
                requires.push(ObjectId::Table { name: r.clone() });
            }
            let existing = ctx.existing(table);
            let checks_rows = c.validated && existing;
            let mut creates = vec![id.clone()];
            if c.backs_index() {
                // Its index takes the constraint's name among the schema's relations.
                creates.push(index_slot(table, &c.name));
            }
            let add = |definition: String| {
                step(
                    format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {} {definition};",
                        quote_ident(&c.name)
                    ),
                    &id,
                    Action::Create,
                    Deps {
                        creates: creates.clone(),
                        requires: requires.clone(),
                        // A foreign key is bound to a unique index of the table it
                        // references when added: one that goes in this plan goes first.
                        after: c
                            .references
                            .iter()
                            .map(super::index_tree::dropped_mark)
                            .collect(),
                        ..Deps::default()
                    },
                )
            };
            if let Some(index) = online_unique(ctx, table, c) {
                // The index is built without blocking writes, then the constraint takes
                // it over under a brief lock.
                let slot = index_slot(table, &c.name);
                let mut build = step(
                    index,
                    &slot,
                    Action::Create,
                    Deps {
                        // The name is free only once an old holder of it is dropped.
                        creates: vec![slot.clone()],
                        requires: requires.clone(),
                        marks: vec![format!("built {slot}")],
                        ..Deps::default()
                    },
                )
                .hazard(
                    Hazard::IndexBuild,
                    format!(
                        "scans {table} to build the index of {}",
                        quote_ident(&c.name)
                    ),
                )
                .hazard(
                    Hazard::DataDependent,
                    format!(
                        "fails if rows of {table} repeat a key of {}",
                        quote_ident(&c.name)
                    ),
                )
                .long_running()
                .non_transactional()
                .probe(crate::plan::probe::constraint(table, c));
                build.on_failure = crate::plan::OnFailure::drop_index(QualName::new(
                    table.schema.clone(),
                    c.name.clone(),
                ));
                let keyword = if c.kind == ConstraintKind::PrimaryKey {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                };
                let mut attach = add(format!("{keyword} USING INDEX {}", quote_ident(&c.name)));
                attach.deps.after.push(format!("built {slot}"));
                return vec![build, attach];
            }
            if checks_rows && online_check(ctx, table, c) {
                // Added unchecked under a brief lock, then validated in a transaction of
                // its own under a lock that lets reads and writes go on.
                return vec![
                    add(format!("{} NOT VALID", c.full_definition())),
                    validate(table, c).probe(crate::plan::probe::constraint(table, c)),
                ];
            }
            vec![
                add(c.full_definition())
                    .hazard_if(
                        checks_rows,
                        Hazard::DataDependent,
                        format!("fails if a row of {table} breaks {}", quote_ident(&c.name)),
                    )
                    .hazard_if(
                        existing && c.backs_index(),
                        Hazard::IndexBuild,
                        format!(
                            "scans {table} to build the index of {}",
                            quote_ident(&c.name)
                        ),
                    )
                    // Foreign keys take SHARE ROW EXCLUSIVE locks; the others ACCESS EXCLUSIVE.
                    .hazard_if(
                        checks_rows && c.kind != ConstraintKind::ForeignKey,
                        Hazard::AccessExclusiveLock,
                        format!("locks {table} while every row is checked"),
                    )
                    .long_running()
                    .probe(
                        checks_rows
                            .then(|| crate::plan::probe::constraint(table, c))
                            .flatten(),
                    ),
            ]
        }
        ConstraintChange::Drop {
            table,
            constraint: c,
        } => {
            let id = ObjectId::Constraint {
                table: table.clone(),
                name: c.name.clone(),
            };
            let mut releases = ctx.releases(std::slice::from_ref(&id));
            releases.extend(column_ids(ctx.from, table));
            if let Some(r) = &c.references {
                releases.push(ObjectId::Table { name: r.clone() });
            }
            let backs_index = c.backs_index();
            let mut drops = vec![id.clone()];
            if backs_index {
                drops.push(index_slot(table, &c.name));
            }
            vec![
                step(
                    format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {};",
                        quote_ident(&c.name)
                    ),
                    &id,
                    Action::Drop,
                    Deps {
                        drops,
                        releases,
                        // Before its table is attached, whose parent would adopt it.
                        marks: vec![super::index_tree::dropped_mark(table)],
                        ..Deps::default()
                    },
                )
                .hazard_if(
                    backs_index,
                    Hazard::IndexDropped,
                    format!(
                        "queries on {table} lose the index of {}",
                        quote_ident(&c.name)
                    ),
                ),
            ]
        }
        ConstraintChange::Validate {
            table,
            constraint: c,
        } => vec![validate(table, c).probe(crate::plan::probe::constraint(table, c))],
        ConstraintChange::AlterDeferrable {
            table,
            constraint: c,
        } => {
            let id = ObjectId::Constraint {
                table: table.clone(),
                name: c.name.clone(),
            };
            let mode = match (c.deferrable, c.deferred) {
                (false, _) => "NOT DEFERRABLE",
                (true, false) => "DEFERRABLE INITIALLY IMMEDIATE",
                (true, true) => "DEFERRABLE INITIALLY DEFERRED",
            };
            vec![step(
                format!(
                    "ALTER TABLE {table} ALTER CONSTRAINT {} {mode};",
                    quote_ident(&c.name)
                ),
                &id,
                Action::Alter,
                Deps::default(),
            )]
        }
    }
}
