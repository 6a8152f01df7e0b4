use super::Change;
use crate::catalog::{EnumType, ObjectId, QualName, quote_ident, quote_literal};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, create_step, drop_step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum EnumChange {
    Create {
        enum_type: crate::catalog::EnumType,
    },
    Drop {
        enum_type: crate::catalog::EnumType,
    },
    /// Labels appended in place; each with the label it goes before or after.
    AddValue {
        name: crate::catalog::QualName,
        value: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// Labels removed or reordered: PostgreSQL cannot do that in place.
    Recreate {
        from: crate::catalog::EnumType,
        to: crate::catalog::EnumType,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |e: &EnumType| {
        vec![EnumChange::Create {
            enum_type: e.clone(),
        }]
    };
    let drop = |e: &EnumType| {
        vec![EnumChange::Drop {
            enum_type: e.clone(),
        }]
    };
    keyed(out, &ctx.from.enums, &ctx.to.enums, create, drop, alter);
}

/// Labels added in place where the old ones keep their relative order; otherwise the
/// type is recreated.
fn alter(from: &EnumType, to: &EnumType) -> Vec<EnumChange> {
    if from.labels == to.labels {
        return vec![];
    }
    let kept: Vec<&String> = to
        .labels
        .iter()
        .filter(|l| from.labels.contains(l))
        .collect();
    if kept.len() != from.labels.len() || kept.iter().zip(&from.labels).any(|(a, b)| *a != b) {
        return vec![EnumChange::Recreate {
            from: from.clone(),
            to: to.clone(),
        }];
    }
    let mut out = Vec::new();
    for (i, label) in to.labels.iter().enumerate() {
        if from.labels.contains(label) {
            continue;
        }
        // Anchor on the next old label if any (labels added later in this loop are
        // already in place when this one runs, since steps keep this order).
        let before = to.labels[i + 1..].iter().find(|l| from.labels.contains(l));
        let after = if before.is_none() && i > 0 {
            Some(to.labels[i - 1].clone())
        } else {
            None
        };
        out.push(EnumChange::AddValue {
            name: to.name.clone(),
            value: label.clone(),
            before: before.cloned(),
            after,
        });
    }
    out
}

fn labels(e: &EnumType) -> String {
    e.labels
        .iter()
        .map(|l| quote_literal(l))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_id(name: &QualName) -> ObjectId {
    ObjectId::Type { name: name.clone() }
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &EnumChange) -> Vec<ObjectId> {
    match change {
        EnumChange::Create { enum_type: e } | EnumChange::Recreate { to: e, .. } => {
            vec![type_id(&e.name)]
        }
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &EnumChange) -> Vec<Step> {
    match change {
        EnumChange::Create { enum_type: e } => {
            let id = type_id(&e.name);
            vec![create_step(
                ctx,
                format!("CREATE TYPE {} AS ENUM ({});", e.name, labels(e)),
                &id,
                Action::Create,
            )]
        }
        EnumChange::Drop { enum_type: e } => {
            let id = type_id(&e.name);
            vec![drop_step(ctx, format!("DROP TYPE {};", e.name), &id)]
        }
        EnumChange::AddValue {
            name,
            value,
            before,
            after,
        } => {
            let id = type_id(name);
            let position = match (before, after) {
                (Some(b), _) => format!(" BEFORE {}", quote_literal(b)),
                (None, Some(a)) => format!(" AFTER {}", quote_literal(a)),
                (None, None) => String::new(),
            };
            // A new label cannot be used in the transaction that adds it: run it alone.
            vec![
                step(
                    format!(
                        "ALTER TYPE {name} ADD VALUE {}{position};",
                        quote_literal(value)
                    ),
                    &id,
                    Action::Alter,
                    Deps {
                        creates: vec![id.clone()],
                        ..Deps::default()
                    },
                )
                .non_transactional()
                .hazard(
                    Hazard::NonTransactional,
                    format!("ALTER TYPE … ADD VALUE on {name} cannot run in a transaction"),
                ),
            ]
        }
        EnumChange::Recreate { from, to } => recreate(ctx, from, to),
    }
}

/// Labels removed or reordered: rename the old type away, create the new one, convert every
/// column through text, drop the old type. Fails (and rolls back) if a row holds a removed
/// label, hence DATA_DEPENDENT.
fn recreate(ctx: &Context, from: &EnumType, to: &EnumType) -> Vec<Step> {
    let id = type_id(&to.name);
    let (old, mut steps) = super::domain::set_aside(
        "TYPE",
        &from.name,
        format!("CREATE TYPE {} AS ENUM ({});", to.name, labels(to)),
    );
    let type_sql = to.name.to_string();
    let array_sql = format!("{type_sql}[]");
    for table in ctx.from.tables.values() {
        // One ALTER TABLE per table, so that a table with several such columns is
        // rewritten once.
        let mut converts = Vec::new();
        let mut defaults = Vec::new();
        let mut creates = Vec::new();
        for col in &table.columns {
            let is_array = col.data_type == array_sql;
            if col.data_type != type_sql && !is_array {
                continue;
            }
            let target = if is_array { &array_sql } else { &type_sql };
            let c = quote_ident(&col.name);
            if col.default.is_some() {
                converts.push(format!("ALTER COLUMN {c} DROP DEFAULT"));
            }
            converts.push(format!(
                "ALTER COLUMN {c} TYPE {target} USING {c}::text{}::{target}",
                if is_array { "[]" } else { "" }
            ));
            creates.push(ObjectId::Column {
                table: table.name.clone(),
                column: col.name.clone(),
            });
            // The old default names the old type: the desired one is set again.
            let desired_default = ctx
                .to
                .tables
                .get(&table.name)
                .and_then(|t| t.column(&col.name))
                .and_then(|c| c.default.as_ref());
            if let Some(default) = desired_default {
                defaults.push(format!("ALTER COLUMN {c} SET DEFAULT {default}"));
            }
        }
        if converts.is_empty() {
            continue;
        }
        // Declared as re-creating the columns, so that indexes and constraints that come
        // back over them wait for the conversion.
        steps.push(
            step(
                format!("ALTER TABLE {} {};", table.name, converts.join(", ")),
                &id,
                Action::Alter,
                Deps {
                    // Dropped and created again, as far as what stands on them is
                    // concerned (views over them go first and come back after).
                    drops: creates.clone(),
                    creates,
                    ..Deps::default()
                },
            )
            .hazard(
                Hazard::DataDependent,
                format!(
                    "fails if {} holds a label that {} no longer has",
                    table.name, to.name
                ),
            )
            .hazard(
                Hazard::TableRewrite,
                format!(
                    "rewrites {}: its columns move to the new {}",
                    table.name, to.name
                ),
            )
            .long_running(),
        );
        if !defaults.is_empty() {
            steps.push(step(
                format!("ALTER TABLE {} {};", table.name, defaults.join(", ")),
                &id,
                Action::Alter,
                Deps::default(),
            ));
        }
    }
    steps.push(step(
        format!("DROP TYPE {old};"),
        &id,
        Action::Alter,
        Deps::default(),
    ));
    steps
}
