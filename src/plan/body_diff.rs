//! For review: unified diffs of the function and view bodies a plan changes.

use crate::catalog::ObjectId;
use crate::diff::Change;
use crate::diff::{FunctionChange, ViewChange};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyDiff {
    pub object: String,
    /// Unified diff, current → desired.
    pub diff: String,
}

fn unified(from: &str, to: &str) -> String {
    let line_end = |s: &str| {
        if s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (from, to) = (line_end(from), line_end(to));
    similar::TextDiff::from_lines(&from, &to)
        .unified_diff()
        .context_radius(3)
        .header("current", "desired")
        .to_string()
}

/// Bodies replaced in place or dropped and created again, by object.
pub(super) fn body_diffs(changes: &[Change]) -> Vec<BodyDiff> {
    let mut old: BTreeMap<ObjectId, &str> = BTreeMap::new();
    let mut new: BTreeMap<ObjectId, &str> = BTreeMap::new();
    for c in changes {
        let function = |f: &crate::catalog::Function| ObjectId::Function {
            name: f.name.clone(),
            args: f.arg_types.clone(),
        };
        let view = |v: &crate::catalog::View| ObjectId::View {
            name: v.name.clone(),
        };
        match c {
            Change::Function(FunctionChange::Replace { from, to }) => {
                old.insert(function(from), &from.definition);
                new.insert(function(to), &to.definition);
            }
            Change::Function(FunctionChange::Drop { function: f }) => {
                old.insert(function(f), &f.definition);
            }
            Change::Function(FunctionChange::Create { function: f }) => {
                new.insert(function(f), &f.definition);
            }
            Change::View(ViewChange::Replace { from, to }) => {
                old.insert(view(from), &from.definition);
                new.insert(view(to), &to.definition);
            }
            Change::View(ViewChange::Drop { view: v }) => {
                old.insert(view(v), &v.definition);
            }
            Change::View(ViewChange::Create { view: v }) => {
                new.insert(view(v), &v.definition);
            }
            _ => {}
        }
    }
    old.iter()
        .filter_map(|(id, from)| {
            let to = new.get(id)?;
            (from != to).then(|| BodyDiff {
                object: id.to_string(),
                diff: unified(from, to),
            })
        })
        .collect()
}
