//! NOT NULL on a column. Before PostgreSQL 18 it is a column property; from 18 on it is
//! also a named constraint that can be NOT VALID, renamed and validated.

use super::{Hazard, Step};
use crate::catalog::{Column, NotNull, QualName, quote_ident};

/// Steps that make `t`'s NOT NULL hold, run after type changes; `plain` builds a step.
pub(crate) fn set(
    table: &QualName,
    f: &Column,
    t: &Column,
    plain: &dyn Fn(String) -> Step,
    online: bool,
) -> Vec<Step> {
    let c = quote_ident(&t.name);
    let mut out = Vec::new();
    let add = |nn: &NotNull| {
        let sql = format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} NOT NULL {c}{};",
            quote_ident(&nn.name),
            if nn.validated { "" } else { " NOT VALID" }
        );
        let step = plain(sql).hazard(Hazard::AccessExclusiveLock, format!("locks {table}"));
        if nn.validated {
            step.hazard(
                Hazard::DataDependent,
                format!("fails if {c} of {table} holds a NULL"),
            )
            .long_running()
        } else {
            step
        }
    };
    if !t.not_null {
        return out;
    }
    if !f.not_null && online && named(table, t).is_none() {
        // The rows are checked by a CHECK constraint validated under a lock that lets
        // writes go on; SET NOT NULL then trusts it instead of scanning under an ACCESS
        // EXCLUSIVE lock.
        let mut base = t.name.clone();
        while base.len() > 63 - "_profe_not_null".len() {
            base.pop();
        }
        let check = quote_ident(&format!("{base}_profe_not_null"));
        out.push(plain(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;"
        )));
        out.push(
            plain(format!("ALTER TABLE {table} VALIDATE CONSTRAINT {check};"))
                .hazard(
                    Hazard::DataDependent,
                    format!("fails if {c} of {table} holds a NULL"),
                )
                .long_running()
                .non_transactional()
                .probe(Some(super::probe::nulls(table, &t.name))),
        );
        out.push(plain(format!(
            "ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;"
        )));
        out.push(plain(format!(
            "ALTER TABLE {table} DROP CONSTRAINT {check};"
        )));
        return out;
    }
    if !f.not_null {
        out.push(match named(table, t) {
            Some(nn) => add(nn),
            None => plain(format!(
                "ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;"
            ))
            .probe(Some(super::probe::nulls(table, &t.name)))
            .hazard(
                Hazard::DataDependent,
                format!("fails if {c} of {table} holds a NULL"),
            )
            .hazard(
                Hazard::AccessExclusiveLock,
                format!("locks {table} while every row is checked"),
            )
            .long_running(),
        });
        return out;
    }
    if let (Some(a), Some(b)) = (&f.not_null_constraint, &t.not_null_constraint) {
        if a.validated && !b.validated {
            // Cannot be made NOT VALID in place: dropped and added again, unchecked.
            out.push(plain(format!(
                "ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL;"
            )));
            out.push(add(b));
            return out;
        }
        if a.name != b.name {
            out.push(plain(format!(
                "ALTER TABLE {table} RENAME CONSTRAINT {} TO {};",
                quote_ident(&a.name),
                quote_ident(&b.name)
            )));
        }
        if !a.validated && b.validated {
            out.push(
                plain(format!(
                    "ALTER TABLE {table} VALIDATE CONSTRAINT {};",
                    quote_ident(&b.name)
                ))
                .hazard(
                    Hazard::DataDependent,
                    format!("fails if {c} of {table} holds a NULL"),
                )
                .long_running(),
            );
        }
    }
    out
}

/// `NOT NULL` as written in a column definition.
pub(crate) fn clause(table: &QualName, c: &Column) -> String {
    match (named(table, c), c.not_null) {
        (_, false) => String::new(),
        (Some(nn), true) => format!(" CONSTRAINT {} NOT NULL", quote_ident(&nn.name)),
        (None, true) => " NOT NULL".into(),
    }
}

/// The column's NOT NULL constraint when it must be spelled out: it has a name other than
/// the one PostgreSQL would choose, or it is NOT VALID.
fn named<'a>(table: &QualName, c: &'a Column) -> Option<&'a NotNull> {
    let nn = c.not_null_constraint.as_ref()?;
    let default = format!("{}_{}_not_null", table.name, c.name);
    (nn.name != default || !nn.validated).then_some(nn)
}
