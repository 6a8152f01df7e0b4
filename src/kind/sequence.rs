use super::Change;
use crate::catalog::{ObjectId, Sequence, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SequenceChange {
    Create {
        sequence: crate::catalog::Sequence,
    },
    Drop {
        sequence: crate::catalog::Sequence,
    },
    Alter {
        from: crate::catalog::Sequence,
        to: crate::catalog::Sequence,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |s: &Sequence| {
        vec![SequenceChange::Create {
            sequence: s.clone(),
        }]
    };
    let drop = |s: &Sequence| {
        // A sequence OWNED BY a column that goes away is dropped with it by PostgreSQL.
        let goes_with_owner = s.owned_by.as_ref().is_some_and(|(table, column)| {
            ctx.dropped_tables.contains(table)
                || ctx
                    .to
                    .tables
                    .get(table)
                    .and_then(|t| t.column(column))
                    .is_none()
        });
        if goes_with_owner {
            vec![]
        } else {
            vec![SequenceChange::Drop {
                sequence: s.clone(),
            }]
        }
    };
    let alter = |from: &Sequence, to: &Sequence| {
        if from == to {
            vec![]
        } else {
            vec![SequenceChange::Alter {
                from: from.clone(),
                to: to.clone(),
            }]
        }
    };
    keyed(
        out,
        &ctx.from.sequences,
        &ctx.to.sequences,
        create,
        drop,
        alter,
    );
}

fn owner_sql(s: &Sequence) -> String {
    match &s.owned_by {
        Some((table, column)) => format!(
            "ALTER SEQUENCE {} OWNED BY {table}.{};",
            s.name,
            quote_ident(column)
        ),
        None => format!("ALTER SEQUENCE {} OWNED BY NONE;", s.name),
    }
}

fn owner_id(s: &Sequence) -> Option<ObjectId> {
    s.owned_by.as_ref().map(|(table, column)| ObjectId::Column {
        table: table.clone(),
        column: column.clone(),
    })
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &SequenceChange) -> Vec<ObjectId> {
    match change {
        SequenceChange::Create { sequence } => vec![ObjectId::Sequence {
            name: sequence.name.clone(),
        }],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &SequenceChange) -> Vec<Step> {
    match change {
        SequenceChange::Create { sequence: s } => {
            let id = ObjectId::Sequence {
                name: s.name.clone(),
            };
            let mut clauses = Vec::new();
            if s.options.data_type != "bigint" {
                clauses.push(format!("AS {}", s.options.data_type));
            }
            clauses.extend(s.options.non_default_clauses());
            let mut sql = format!("CREATE SEQUENCE {}", s.name);
            for c in clauses {
                sql.push(' ');
                sql.push_str(&c);
            }
            sql.push(';');
            let mut steps = vec![step(
                sql,
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )];
            // OWNED BY needs the table, and the table's default may need the sequence.
            if let Some(owner) = owner_id(s) {
                steps.push(step(
                    owner_sql(s),
                    &id,
                    Action::Create,
                    Deps {
                        requires: vec![owner],
                        ..Deps::default()
                    },
                ));
            }
            steps
        }
        SequenceChange::Drop { sequence: s } => {
            let id = ObjectId::Sequence {
                name: s.name.clone(),
            };
            vec![
                step(
                    format!("DROP SEQUENCE {};", s.name),
                    &id,
                    Action::Drop,
                    Deps {
                        drops: vec![id.clone()],
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                .hazard(
                    Hazard::DeletesData,
                    format!("the current value of {} is lost", s.name),
                ),
            ]
        }
        SequenceChange::Alter { from, to } => {
            let id = ObjectId::Sequence {
                name: to.name.clone(),
            };
            let mut steps = Vec::new();
            if from.options != to.options {
                let old = from.options.all_clauses();
                let changed: Vec<String> = to
                    .options
                    .all_clauses()
                    .into_iter()
                    .filter(|c| !old.contains(c))
                    .collect();
                // Narrower bounds or a reversed direction fail when the sequence's current
                // value falls outside them.
                let (a, b) = (&from.options, &to.options);
                let narrower =
                    b.min > a.min || b.max < a.max || (a.increment > 0) != (b.increment > 0);
                steps.push(
                    step(
                        format!("ALTER SEQUENCE {} {};", to.name, changed.join(" ")),
                        &id,
                        Action::Alter,
                        Deps::default(),
                    )
                    .hazard_if(
                        narrower,
                        Hazard::DataDependent,
                        format!(
                            "fails if the current value of {} is outside the new bounds",
                            to.name
                        ),
                    ),
                );
            }
            if from.owned_by != to.owned_by {
                steps.push(step(
                    owner_sql(to),
                    &id,
                    Action::Alter,
                    Deps {
                        requires: owner_id(to).into_iter().collect(),
                        releases: owner_id(from).into_iter().collect(),
                        ..Deps::default()
                    },
                ));
            }
            steps
        }
    }
}
