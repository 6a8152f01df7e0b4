use super::{Change, Context, keyed};
use crate::catalog::Trigger;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerChange {
    Create { trigger: crate::catalog::Trigger },
    Drop { trigger: crate::catalog::Trigger },
    SetEnabled { trigger: crate::catalog::Trigger },
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |t: &Trigger| vec![TriggerChange::Create { trigger: t.clone() }];
    // A dropped table takes its triggers with it.
    let drop = |t: &Trigger| {
        if ctx.dropped_tables.contains(&t.table) {
            vec![]
        } else {
            vec![TriggerChange::Drop { trigger: t.clone() }]
        }
    };
    let alter = |f: &Trigger, t: &Trigger| {
        if f.definition != t.definition {
            vec![
                TriggerChange::Drop { trigger: f.clone() },
                TriggerChange::Create { trigger: t.clone() },
            ]
        } else if f.enabled != t.enabled {
            vec![TriggerChange::SetEnabled { trigger: t.clone() }]
        } else {
            vec![]
        }
    };
    keyed(
        out,
        &ctx.from.triggers,
        &ctx.to.triggers,
        create,
        drop,
        alter,
    );
}
