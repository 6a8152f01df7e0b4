use super::Change;
use crate::catalog::{ObjectId, Trigger, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Step, column_ids, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerChange {
    Create { trigger: crate::catalog::Trigger },
    Drop { trigger: crate::catalog::Trigger },
    SetEnabled { trigger: crate::catalog::Trigger },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |t: &Trigger| vec![TriggerChange::Create { trigger: t.clone() }];
    // A dropped table takes its triggers with it.
    let drop = |t: &Trigger| {
        if ctx.dropped_tables.contains(&t.table) {
            vec![]
        } else {
            vec![TriggerChange::Drop { trigger: t.clone() }]
        }
    };
    let alter = |from: &Trigger, to: &Trigger| {
        if from.definition != to.definition {
            vec![
                TriggerChange::Drop {
                    trigger: from.clone(),
                },
                TriggerChange::Create {
                    trigger: to.clone(),
                },
            ]
        } else if from.enabled != to.enabled {
            vec![TriggerChange::SetEnabled {
                trigger: to.clone(),
            }]
        } else {
            vec![]
        }
    };
    keyed(
        out,
        &ctx.from.triggers,
        &ctx.to.triggers,
        create,
        drop,
        alter,
    );
}

fn id_of(t: &Trigger) -> ObjectId {
    ObjectId::Trigger {
        table: t.table.clone(),
        name: t.name.clone(),
    }
}

fn enabled_sql(t: &Trigger) -> Option<String> {
    let mode = match t.enabled.as_str() {
        "D" => "DISABLE",
        "R" => "ENABLE REPLICA",
        "A" => "ENABLE ALWAYS",
        _ => "ENABLE",
    };
    Some(format!(
        "ALTER TABLE {} {mode} TRIGGER {};",
        t.table,
        quote_ident(&t.name)
    ))
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &TriggerChange) -> Vec<ObjectId> {
    match change {
        TriggerChange::Create { trigger } => vec![id_of(trigger)],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &TriggerChange) -> Vec<Step> {
    match change {
        TriggerChange::Create { trigger: t } => {
            let id = id_of(t);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: t.table.clone(),
            });
            // WHEN and UPDATE OF name columns: those added in this plan come first.
            requires.extend(column_ids(ctx.to, &t.table));
            let mut steps = vec![step(
                format!("{};", t.definition),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    ..Deps::default()
                },
            )];
            if t.enabled != "O" {
                steps.extend(
                    enabled_sql(t).map(|sql| step(sql, &id, Action::Create, Deps::default())),
                );
            }
            steps
        }
        TriggerChange::Drop { trigger: t } => {
            let id = id_of(t);
            let mut releases = ctx.releases(std::slice::from_ref(&id));
            releases.extend(column_ids(ctx.from, &t.table));
            // Before its view is dropped (a table that goes takes its triggers with it).
            releases.push(ObjectId::View {
                name: t.table.clone(),
            });
            vec![step(
                format!("DROP TRIGGER {} ON {};", quote_ident(&t.name), t.table),
                &id,
                Action::Drop,
                Deps {
                    drops: vec![id.clone()],
                    releases,
                    ..Deps::default()
                },
            )]
        }
        TriggerChange::SetEnabled { trigger: t } => {
            let id = id_of(t);
            enabled_sql(t)
                .map(|sql| step(sql, &id, Action::Alter, Deps::default()))
                .into_iter()
                .collect()
        }
    }
}

/// A view dropped and created again (not replaced in place) loses its triggers with it:
/// those the desired state keeps are created again after it, with their comments (the
/// comment pass sees them created).
pub(crate) fn recreate_on_rebuilt_views(ctx: &Context, changes: &mut Vec<Change>) {
    let dropped: std::collections::BTreeSet<&crate::catalog::QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::View(super::view::ViewChange::Drop { view }) => Some(&view.name),
            _ => None,
        })
        .collect();
    let created = super::created_by(changes);
    let again: Vec<Change> = ctx
        .to
        .triggers
        .values()
        .filter(|t| {
            dropped.contains(&t.table)
                && ctx
                    .from
                    .triggers
                    .contains_key(&(t.table.clone(), t.name.clone()))
                && !created.contains(&id_of(t))
        })
        .map(|t| Change::Trigger(TriggerChange::Create { trigger: t.clone() }))
        .collect();
    changes.extend(again);
}
