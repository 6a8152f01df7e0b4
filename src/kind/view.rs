use super::Change;
use crate::catalog::{ObjectId, View, options_sql};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, option_statements, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ViewChange {
    Create {
        view: crate::catalog::View,
    },
    Drop {
        view: crate::catalog::View,
    },
    /// CREATE OR REPLACE VIEW: same leading columns, new query or options.
    Replace {
        from: crate::catalog::View,
        to: crate::catalog::View,
    },
    AlterOptions {
        from: crate::catalog::View,
        to: crate::catalog::View,
    },
    /// Materialized view filled (or emptied, WITH NO DATA).
    Refresh {
        view: crate::catalog::View,
    },
}

/// CREATE OR REPLACE VIEW may only append columns: the old ones must keep their names
/// and types, in order.
fn replaceable(from: &View, to: &View) -> bool {
    !from.materialized
        && !to.materialized
        && from.columns.len() <= to.columns.len()
        && from.columns.iter().zip(&to.columns).all(|(a, b)| a == b)
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |v: &View| vec![ViewChange::Create { view: v.clone() }];
    let drop = |v: &View| vec![ViewChange::Drop { view: v.clone() }];
    let alter = |from: &View, to: &View| {
        if from == to {
            return vec![];
        }
        let same_query = from.definition == to.definition && from.columns == to.columns;
        if same_query && from.materialized == to.materialized {
            let mut out = Vec::new();
            if from.options != to.options {
                out.push(ViewChange::AlterOptions {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            if from.populated != to.populated {
                out.push(ViewChange::Refresh { view: to.clone() });
            }
            out
        } else if replaceable(from, to) {
            vec![ViewChange::Replace {
                from: from.clone(),
                to: to.clone(),
            }]
        } else {
            [drop(from), create(to)].concat()
        }
    };
    keyed(out, &ctx.from.views, &ctx.to.views, create, drop, alter);
}

fn id_of(v: &View) -> ObjectId {
    ObjectId::View {
        name: v.name.clone(),
    }
}

fn create_sql(v: &View, replace: bool) -> String {
    let with = if v.options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", options_sql(&v.options))
    };
    let mut sql = format!(
        "CREATE {}{}{} AS\n{}",
        if replace { "OR REPLACE " } else { "" },
        v.keyword(),
        format_args!(" {}{with}", v.name),
        v.query()
    );
    if v.materialized {
        sql.push_str(if v.populated {
            "\nWITH DATA"
        } else {
            "\nWITH NO DATA"
        });
    }
    sql.push(';');
    sql
}

/// Objects this change creates (or creates again): a new view and its columns.
pub(super) fn created(change: &ViewChange) -> Vec<ObjectId> {
    let ViewChange::Create { view } = change else {
        return vec![];
    };
    let mut out = vec![id_of(view)];
    out.extend(view.columns.iter().map(|(c, _)| ObjectId::Column {
        table: view.name.clone(),
        column: c.clone(),
    }));
    out
}

pub(super) fn steps(ctx: &Context, change: &ViewChange) -> Vec<Step> {
    match change {
        ViewChange::Create { view: v } => {
            let id = id_of(v);
            let step = step(
                create_sql(v, false),
                &id,
                Action::Create,
                Deps {
                    // Views and tables share names: a table of this name goes first.
                    creates: vec![
                        id.clone(),
                        ObjectId::Table {
                            name: v.name.clone(),
                        },
                    ],
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    // A view dropped around a change is back before any step outside a
                    // transaction (an index built CONCURRENTLY) starts.
                    restores: ctx.from.views.contains_key(&v.name),
                    ..Deps::default()
                },
            );
            // Filling a materialized view runs its whole query.
            vec![if v.materialized && v.populated {
                step.long_running()
            } else {
                step
            }]
        }
        ViewChange::Drop { view: v } => {
            let id = id_of(v);
            let mut drops = vec![
                id.clone(),
                ObjectId::Table {
                    name: v.name.clone(),
                },
            ];
            // A materialized view's indexes go with it.
            drops.extend(
                ctx.from
                    .indexes
                    .values()
                    .filter(|i| i.table == v.name)
                    .map(|i| ObjectId::Index {
                        name: i.name.clone(),
                    }),
            );
            let dropped_for_good = !ctx.to.views.contains_key(&v.name);
            vec![
                step(
                    format!("DROP {} {};", v.keyword(), v.name),
                    &id,
                    Action::Drop,
                    Deps {
                        drops,
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                .hazard_if(
                    dropped_for_good && ctx.named_in_bodies(&v.name),
                    Hazard::UntrackableDependencies,
                    format!("a function body of the desired state names {}", v.name),
                ),
            ]
        }
        ViewChange::Replace { to, .. } => {
            let id = id_of(to);
            let keep = ctx.requires(std::slice::from_ref(&id));
            let released = ctx.released_by_alter(&id);
            // CREATE OR REPLACE VIEW sets the whole options list, removed ones included.
            vec![step(
                create_sql(to, true),
                &id,
                Action::Alter,
                Deps {
                    creates: vec![id.clone()],
                    requires: keep,
                    releases: released,
                    ..Deps::default()
                },
            )]
        }
        ViewChange::AlterOptions { from, to } => {
            let id = id_of(to);
            let kind = if to.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            option_statements(&format!("{kind} {}", to.name), &from.options, &to.options)
                .into_iter()
                .map(|sql| step(sql, &id, Action::Alter, Deps::default()))
                .collect()
        }
        ViewChange::Refresh { view: v } => {
            let id = id_of(v);
            vec![
                step(
                    format!(
                        "REFRESH MATERIALIZED VIEW {}{};",
                        v.name,
                        if v.populated { "" } else { " WITH NO DATA" }
                    ),
                    &id,
                    Action::Alter,
                    Deps {
                        requires: ctx.requires(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                .long_running(),
            ]
        }
    }
}
