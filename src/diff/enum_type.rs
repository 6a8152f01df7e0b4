use super::{Change, Context, keyed};
use crate::catalog::EnumType;

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

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
fn alter(f: &EnumType, t: &EnumType) -> Vec<EnumChange> {
    if f.labels == t.labels {
        return vec![];
    }
    let kept: Vec<&String> = t.labels.iter().filter(|l| f.labels.contains(l)).collect();
    if kept.len() != f.labels.len() || kept.iter().zip(&f.labels).any(|(a, b)| *a != b) {
        return vec![EnumChange::Recreate {
            from: f.clone(),
            to: t.clone(),
        }];
    }
    let mut out = Vec::new();
    for (i, label) in t.labels.iter().enumerate() {
        if f.labels.contains(label) {
            continue;
        }
        // Anchor on the next old label if any (labels added later in this loop are
        // already in place when this one runs, since steps keep this order).
        let before = t.labels[i + 1..].iter().find(|l| f.labels.contains(l));
        let after = if before.is_none() && i > 0 {
            Some(t.labels[i - 1].clone())
        } else {
            None
        };
        out.push(EnumChange::AddValue {
            name: t.name.clone(),
            value: label.clone(),
            before: before.cloned(),
            after,
        });
    }
    out
}
