use super::{Ctx, Deps, Hazard, Step, step};
use crate::catalog::{Index, ObjectId};
use crate::diff::Change;

fn columns_of(ctx_table: Option<&crate::catalog::Table>, index: &Index) -> Vec<ObjectId> {
    ctx_table
        .map(|t| {
            t.columns
                .iter()
                .map(|c| ObjectId::Column {
                    table: index.table.clone(),
                    column: c.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    match change {
        Change::CreateIndex { index } => {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: index.table.clone(),
            });
            // Columns added or retyped in this plan come first.
            requires.extend(columns_of(ctx.to.tables.get(&index.table), index));
            vec![
                step(
                    format!("{};", index.definition),
                    &id,
                    "create",
                    Deps {
                        creates: vec![id.clone()],
                        requires,
                        ..Deps::default()
                    },
                )
                .hazard_if(ctx.existing(&index.table), Hazard::IndexBuild)
                .long_running(),
            ]
        }
        Change::DropIndex { index } => {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            let mut releases = ctx.releases(std::slice::from_ref(&id));
            // Before any of its columns is dropped (which would drop the index silently).
            releases.extend(columns_of(ctx.from.tables.get(&index.table), index));
            vec![
                step(
                    format!("DROP INDEX {};", index.name),
                    &id,
                    "drop",
                    Deps {
                        drops: vec![id.clone()],
                        releases,
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::IndexDropped),
            ]
        }
        _ => unreachable!("index change"),
    }
}
