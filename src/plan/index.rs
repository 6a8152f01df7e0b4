use super::{Ctx, Deps, Hazard, Step, column_ids, option_statements, step};
use crate::catalog::ObjectId;
use crate::diff::Change;

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
            // Or the materialized view it is on.
            requires.push(ObjectId::View {
                name: index.table.clone(),
            });
            // Columns added or retyped in this plan come first.
            requires.extend(column_ids(ctx.to, &index.table));
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
            releases.extend(column_ids(ctx.from, &index.table));
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
        Change::AlterIndexOptions { index, from, to } => {
            let id = ObjectId::Index {
                name: index.clone(),
            };
            option_statements(&format!("INDEX {index}"), from, to)
                .into_iter()
                .map(|sql| step(sql, &id, "alter", Deps::default()))
                .collect()
        }
        _ => unreachable!("index change"),
    }
}
