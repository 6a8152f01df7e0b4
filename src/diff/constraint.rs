use super::Change;
use crate::catalog::Table;

pub(super) fn diff(f: &Table, t: &Table, out: &mut Vec<Change>) {
    for (name, old) in &f.constraints {
        let keep = t.constraints.get(name).is_some_and(|new| {
            new.kind == old.kind && new.rule() == old.rule() && (new.validated || !old.validated)
        });
        if !keep {
            out.push(Change::DropConstraint {
                table: f.name.clone(),
                constraint: old.clone(),
            });
        }
    }
    for (name, new) in &t.constraints {
        match f.constraints.get(name) {
            Some(old)
                if old.kind == new.kind
                    && old.rule() == new.rule()
                    && (new.validated || !old.validated) =>
            {
                if new.validated && !old.validated {
                    out.push(Change::ValidateConstraint {
                        table: t.name.clone(),
                        constraint: new.clone(),
                    });
                }
            }
            _ => out.push(Change::AddConstraint {
                table: t.name.clone(),
                constraint: new.clone(),
            }),
        }
    }
}
