//! Identity columns: the sequence PostgreSQL makes for one (its name, given in `SEQUENCE
//! NAME` when not the default), the clause that declares it, its changes in place, and
//! the values it continues from when a column becomes an identity or a serial again.

use crate::catalog::{Column, Identity, ObjectId, QualName, quote_ident};
use crate::plan::{Action, Deps, Step, step};

/// The name PostgreSQL gives an identity column's sequence (`ChooseRelationName`), when
/// short enough not to be truncated; a taken name would get a number appended instead.
fn default_sequence_name(table: &QualName, column: &str) -> Option<String> {
    let name = format!("{}_{column}_seq", table.name);
    (name.len() <= 63).then_some(name)
}

/// The identity column's sequence, when its name is known.
pub(crate) fn identity_sequence(table: &QualName, c: &Column) -> Option<ObjectId> {
    let identity = c.identity.as_ref()?;
    let name = if identity.sequence.is_empty() {
        default_sequence_name(table, &c.name)?
    } else {
        identity.sequence.clone()
    };
    Some(ObjectId::Sequence {
        name: QualName::new(table.schema.clone(), name),
    })
}

pub(super) fn identity_sql(table: &QualName, column: &str, identity: &Identity) -> String {
    let mut opts = Vec::new();
    // Named only when not the default: a name PostgreSQL would choose itself stays
    // implicit, as in the files most people write.
    if !identity.sequence.is_empty()
        && default_sequence_name(table, column).as_deref() != Some(identity.sequence.as_str())
    {
        let name = QualName::new(table.schema.clone(), identity.sequence.clone());
        opts.push(format!("SEQUENCE NAME {name}"));
    }
    opts.extend(identity.options.non_default_clauses());
    format!(
        "GENERATED {} AS IDENTITY{}",
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        },
        if opts.is_empty() {
            String::new()
        } else {
            format!(" ({})", opts.join(" "))
        }
    )
}

/// The steps that change the identity of column `from` into `to`'s (not its drop, which
/// comes first among the column's steps).
pub(super) fn alter(table: &QualName, from: &Column, to: &Column) -> Vec<Step> {
    let id = ObjectId::Column {
        table: table.clone(),
        column: to.name.clone(),
    };
    let prefix = format!("ALTER TABLE {table} ALTER COLUMN {}", quote_ident(&to.name));
    let plain = |sql: String| step(sql, &id, Action::Alter, Deps::default());
    let mut out = Vec::new();
    match (&from.identity, &to.identity) {
        (None, Some(new)) => {
            // After the drop of a sequence of the same name (a serial's), so that the
            // new one gets the name and not `…_seq1`.
            out.push(step(
                format!("{prefix} ADD {};", identity_sql(table, &to.name, new)),
                &id,
                Action::Alter,
                Deps {
                    creates: identity_sequence(table, to).into_iter().collect(),
                    ..Deps::default()
                },
            ));
            // The column name is taken literally, the table name parsed as SQL.
            let sequence = format!(
                "pg_catalog.pg_get_serial_sequence({}, {})",
                crate::catalog::quote_literal(&table.to_string()),
                crate::catalog::quote_literal(&to.name)
            );
            out.extend(continue_sequence(table, to, &sequence));
        }
        (Some(old), Some(new)) if old != new => {
            if let (Some(before), Some(after)) =
                (identity_sequence(table, from), identity_sequence(table, to))
                && before != after
                && let (
                    ObjectId::Sequence { name: old_name },
                    ObjectId::Sequence { name: new_name },
                ) = (&before, &after)
            {
                out.push(step(
                    format!(
                        "ALTER SEQUENCE {old_name} RENAME TO {};",
                        quote_ident(&new_name.name)
                    ),
                    &id,
                    Action::Alter,
                    Deps {
                        drops: vec![before.clone()],
                        creates: vec![after.clone()],
                        ..Deps::default()
                    },
                ));
            }
            let mut parts = Vec::new();
            if old.always != new.always {
                parts.push(format!(
                    "SET GENERATED {}",
                    if new.always { "ALWAYS" } else { "BY DEFAULT" }
                ));
            }
            let before = old.options.all_clauses();
            for clause in new.options.all_clauses() {
                if !before.contains(&clause) && !clause.starts_with("AS ") {
                    parts.push(match clause.as_str() {
                        "NO CYCLE" => "SET NO CYCLE".to_string(),
                        other => format!("SET {other}"),
                    });
                }
            }
            if !parts.is_empty() {
                out.push(plain(format!("{prefix} {};", parts.join(" "))));
            }
        }
        _ => {}
    }
    out
}

/// A column that becomes an identity (or a serial again) keeps its values: the new
/// sequence continues after the largest one instead of handing out 1 again, which the
/// column's unique index would refuse. `sequence` is SQL giving the sequence's regclass.
pub(super) fn continue_sequence(table: &QualName, c: &Column, sequence: &str) -> Option<Step> {
    let (start, increment) = match &c.identity {
        Some(i) => (i.options.start, i.options.increment),
        None => (1, 1),
    };
    if increment <= 0 {
        return None;
    }
    let col = quote_ident(&c.name);
    let id = ObjectId::Column {
        table: table.clone(),
        column: c.name.clone(),
    };
    // setval is strict: on an empty table (max is NULL) nothing is set.
    Some(step(
        format!(
            "SELECT pg_catalog.setval({sequence}, max({col})) FROM {table} \
             HAVING max({col}) >= {start};"
        ),
        &id,
        Action::Alter,
        Deps::default(),
    ))
}
