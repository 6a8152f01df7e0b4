use super::{Action, Ctx, Deps, Hazard, Step, column::column_sql, step};
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::TableChange;

pub(super) fn steps(ctx: &Ctx, change: &TableChange) -> Vec<Step> {
    match change {
        TableChange::Create { table } => {
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
            let partitioning = table
                .partition_by
                .as_ref()
                .map(|k| format!(" PARTITION BY {k}"))
                .unwrap_or_default();
            let sql = match &table.partition_of {
                Some((parent, bound)) => {
                    let constraints: Vec<String> = table
                        .constraints
                        .values()
                        .map(|c| {
                            format!(
                                "CONSTRAINT {} {}",
                                quote_ident(&c.name),
                                c.full_definition()
                            )
                        })
                        .collect();
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
                        let parents: Vec<String> =
                            table.inherits.iter().map(|p| p.to_string()).collect();
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
            if let Some((parent, _)) = &table.partition_of {
                requires.push(ObjectId::Table {
                    name: parent.clone(),
                });
                // Its columns are the parent's: new ones arrive with the parent.
                parts.retain(|p| !matches!(p, ObjectId::Column { .. }));
            }
            vec![step(
                sql,
                &id,
                Action::Create,
                Deps {
                    requires,
                    creates: parts,
                    ..Deps::default()
                },
            )]
        }
        TableChange::Drop { table } => {
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
            vec![
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
                .hazard(Hazard::DeletesData)
                .hazard_if(
                    !ctx.to.tables.contains_key(&table.name) && ctx.named_in_bodies(&table.name),
                    Hazard::UntrackableDependencies,
                ),
            ]
        }
        TableChange::SetLogged { table, unlogged } => {
            let id = ObjectId::Table {
                name: table.clone(),
            };
            vec![
                step(
                    format!(
                        "ALTER TABLE {table} SET {};",
                        if *unlogged { "UNLOGGED" } else { "LOGGED" }
                    ),
                    &id,
                    Action::Alter,
                    Deps::default(),
                )
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::AccessExclusiveLock)
                .long_running(),
            ]
        }
        TableChange::AttachPartition {
            table,
            parent,
            bound,
        } => {
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
                        ..Deps::default()
                    },
                )
                // Every row is checked against the bound.
                .hazard(Hazard::DataDependent)
                .long_running(),
            ]
        }
        TableChange::SetInherit { table, parent, add } => {
            let id = ObjectId::Table {
                name: table.clone(),
            };
            let parent_id = ObjectId::Table {
                name: parent.clone(),
            };
            let (sql, deps) = if *add {
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
            vec![step(sql, &id, Action::Alter, deps).hazard(Hazard::AccessExclusiveLock)]
        }
        TableChange::DetachPartition { table, parent } => {
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
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::AccessExclusiveLock),
            ]
        }
    }
}
