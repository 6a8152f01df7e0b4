use super::{Change, Context, keyed};
use crate::catalog::Extension;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionChange {
    Create {
        extension: crate::catalog::Extension,
    },
    Drop {
        extension: crate::catalog::Extension,
    },
    SetSchema {
        from: crate::catalog::Extension,
        to: crate::catalog::Extension,
    },
}

/// Extensions are database-wide: one missing from the desired state is dropped only when
/// it lives in a schema the engine manages.
pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |e: &Extension| {
        vec![ExtensionChange::Create {
            extension: e.clone(),
        }]
    };
    // Only an extension whose schema is managed is dropped.
    let drop = |e: &Extension| {
        if ctx.scope.contains(&e.schema) {
            vec![ExtensionChange::Drop {
                extension: e.clone(),
            }]
        } else {
            vec![]
        }
    };
    let alter = |f: &Extension, t: &Extension| {
        if f.schema != t.schema {
            vec![ExtensionChange::SetSchema {
                from: f.clone(),
                to: t.clone(),
            }]
        } else {
            vec![]
        }
    };
    keyed(
        out,
        &ctx.from.extensions,
        &ctx.to.extensions,
        create,
        drop,
        alter,
    );
}
