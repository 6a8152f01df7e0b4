use super::Change;
use super::IndexChange;
use crate::catalog::{Constraint, ConstraintKind, QualName, Table};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintChange {
    Add {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    Drop {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    Validate {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
    /// Deferrability of a foreign key, changed in place.
    AlterDeferrable {
        table: crate::catalog::QualName,
        constraint: crate::catalog::Constraint,
    },
}

/// What it takes to turn constraint `old` into `new`; `None` when it must be recreated.
fn in_place(table: &QualName, old: &Constraint, new: &Constraint) -> Option<Vec<Change>> {
    if old.kind != new.kind || old.base_rule() != new.base_rule() {
        return None;
    }
    // A validated constraint cannot be made NOT VALID again.
    if old.validated && !new.validated {
        return None;
    }
    let mut out = Vec::new();
    if (old.deferrable, old.deferred) != (new.deferrable, new.deferred) {
        // ALTER CONSTRAINT changes deferrability of foreign keys only.
        if new.kind != ConstraintKind::ForeignKey {
            return None;
        }
        out.push(Change::Constraint(ConstraintChange::AlterDeferrable {
            table: table.clone(),
            constraint: new.clone(),
        }));
    }
    if old.index_options != new.index_options {
        out.push(Change::Index(IndexChange::AlterOptions {
            index: QualName::new(table.schema.clone(), new.name.clone()),
            from: old.index_options.clone(),
            to: new.index_options.clone(),
        }));
    }
    if new.validated && !old.validated {
        out.push(Change::Constraint(ConstraintChange::Validate {
            table: table.clone(),
            constraint: new.clone(),
        }));
    }
    Some(out)
}

pub(super) fn diff(f: &Table, t: &Table, out: &mut Vec<Change>) {
    for (name, old) in &f.constraints {
        let keep = t
            .constraints
            .get(name)
            .is_some_and(|new| in_place(&t.name, old, new).is_some());
        if !keep {
            out.push(Change::Constraint(ConstraintChange::Drop {
                table: f.name.clone(),
                constraint: old.clone(),
            }));
        }
    }
    for (name, new) in &t.constraints {
        match f
            .constraints
            .get(name)
            .and_then(|old| in_place(&t.name, old, new))
        {
            Some(changes) => out.extend(changes),
            None => out.push(Change::Constraint(ConstraintChange::Add {
                table: t.name.clone(),
                constraint: new.clone(),
            })),
        }
    }
}
