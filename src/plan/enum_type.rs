use super::{Action, Ctx, Deps, Hazard, Step, create_step, drop_step, step};
use crate::catalog::{EnumType, ObjectId, QualName, quote_ident, quote_literal};
use crate::diff::EnumChange;

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

pub(super) fn steps(ctx: &Ctx, change: &EnumChange) -> Vec<Step> {
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
                .hazard(Hazard::NonTransactional),
            ]
        }
        EnumChange::Recreate { from, to } => recreate(ctx, from, to),
    }
}

/// Labels removed or reordered: rename the old type away, create the new one, convert every
/// column through text, drop the old type. Fails (and rolls back) if a row holds a removed
/// label, hence DATA_DEPENDENT.
fn recreate(ctx: &Ctx, from: &EnumType, to: &EnumType) -> Vec<Step> {
    let id = type_id(&to.name);
    let old_name = format!("{}__profe_old", from.name.name);
    let old = QualName::new(from.name.schema.clone(), old_name.clone());
    let mut steps = vec![step(
        format!(
            "ALTER TYPE {} RENAME TO {};",
            from.name,
            quote_ident(&old_name)
        ),
        &id,
        Action::Alter,
        Deps {
            drops: vec![id.clone()],
            ..Deps::default()
        },
    )];
    steps.push(step(
        format!("CREATE TYPE {} AS ENUM ({});", to.name, labels(to)),
        &id,
        Action::Alter,
        Deps {
            creates: vec![id.clone()],
            ..Deps::default()
        },
    ));
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
            .hazard(Hazard::DataDependent)
            .hazard(Hazard::TableRewrite)
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
