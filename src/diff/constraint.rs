use super::Change;
use crate::catalog::{Constraint, ConstraintKind, QualName, Table};

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
        out.push(Change::AlterConstraintDeferrable {
            table: table.clone(),
            constraint: new.clone(),
        });
    }
    if old.index_options != new.index_options {
        out.push(Change::AlterIndexOptions {
            index: QualName::new(table.schema.clone(), new.name.clone()),
            from: old.index_options.clone(),
            to: new.index_options.clone(),
        });
    }
    if new.validated && !old.validated {
        out.push(Change::ValidateConstraint {
            table: table.clone(),
            constraint: new.clone(),
        });
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
            out.push(Change::DropConstraint {
                table: f.name.clone(),
                constraint: old.clone(),
            });
        }
    }
    for (name, new) in &t.constraints {
        match f
            .constraints
            .get(name)
            .and_then(|old| in_place(&t.name, old, new))
        {
            Some(changes) => out.extend(changes),
            None => out.push(Change::AddConstraint {
                table: t.name.clone(),
                constraint: new.clone(),
            }),
        }
    }
}
