//! Points each step of a plan at the place in the desired-state files that it serves
//! (`Step::source`), for the JSON plan and code-scanning annotations.

use crate::catalog::ObjectId;
use crate::plan::{Action, Plan, SourceLocation, Target};
use crate::source::{Facet, SourceMap};

/// Sets `source` on every step the files place: a grant or revoke at the GRANT about
/// its object, a comment at the COMMENT, an owner at the ALTER … OWNER, default
/// privileges at the ALTER DEFAULT PRIVILEGES of their schema; anything else (and those
/// when no such statement exists) where the object is declared, or the nearest object
/// around it that the files hold.
pub(super) fn locate(plan: &mut Plan, map: &SourceMap) {
    for step in &mut plan.steps {
        let facet = match step.action {
            Action::Grant | Action::Revoke => Facet::Granted,
            Action::Comment | Action::Uncomment => Facet::Commented,
            Action::Owner => Facet::Owned,
            _ => Facet::Declared,
        };
        let found = match &step.target {
            Target::Object(id) => map.find(id, facet),
            Target::ColumnPrivileges { table } => map.find(
                &ObjectId::Table {
                    name: table.clone(),
                },
                Facet::Granted,
            ),
            Target::DefaultPrivileges { schema, .. } => map.default_privileges(schema.as_deref()),
        };
        step.source = found.map(|(file, line)| SourceLocation {
            file: file.display().to_string(),
            line,
        });
    }
}
