use super::{Ctx, Deps, Hazard, Step, column_ids, step};
use crate::catalog::{ObjectId, options_sql, quote_ident};
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
            let key = |o: &String| {
                o.split_once('=')
                    .map(|(k, _)| k.to_string())
                    .unwrap_or_else(|| o.clone())
            };
            let mut steps = Vec::new();
            let set: Vec<String> = to.iter().filter(|o| !from.contains(o)).cloned().collect();
            if !set.is_empty() {
                steps.push(step(
                    format!("ALTER INDEX {index} SET ({});", options_sql(&set)),
                    &id,
                    "alter",
                    Deps::default(),
                ));
            }
            let to_keys: Vec<String> = to.iter().map(key).collect();
            let reset: Vec<String> = from
                .iter()
                .map(key)
                .filter(|k| !to_keys.contains(k))
                .map(|k| quote_ident(&k))
                .collect();
            if !reset.is_empty() {
                steps.push(step(
                    format!("ALTER INDEX {index} RESET ({});", reset.join(", ")),
                    &id,
                    "alter",
                    Deps::default(),
                ));
            }
            steps
        }
        _ => unreachable!("index change"),
    }
}
