use super::{Ctx, Deps, Hazard, Step, column::column_sql, step};
use crate::catalog::{ObjectId, quote_ident};
use crate::diff::Change;

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    match change {
        Change::CreateTable { table } => {
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
            let sql = format!(
                "CREATE {}TABLE {} (\n    {}\n);",
                if table.unlogged { "UNLOGGED " } else { "" },
                table.name,
                lines.join(",\n    ")
            );
            let parts = ctx.to.table_parts(table);
            vec![step(
                sql,
                &id,
                "create",
                Deps {
                    requires: ctx.requires(&parts),
                    creates: parts,
                    ..Deps::default()
                },
            )]
        }
        Change::DropTable { table } => {
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
            let releases = ctx
                .releases(&parts)
                .into_iter()
                .filter(|d| !all.contains(d))
                .collect();
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
                    "drop",
                    Deps {
                        drops,
                        releases,
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::DeletesData),
            ]
        }
        Change::SetLogged { table, unlogged } => {
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
                    "alter",
                    Deps::default(),
                )
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::AccessExclusiveLock)
                .long_running(),
            ]
        }
        _ => unreachable!("table change"),
    }
}
