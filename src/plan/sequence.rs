use super::{Action, Ctx, Deps, Hazard, Step, step};
use crate::catalog::{ObjectId, Sequence, quote_ident};
use crate::diff::SequenceChange;

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

pub(super) fn steps(ctx: &Ctx, change: &SequenceChange) -> Vec<Step> {
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
                .hazard(Hazard::DeletesData),
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
                    .hazard_if(narrower, Hazard::DataDependent),
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
