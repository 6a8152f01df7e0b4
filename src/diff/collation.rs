use super::{Change, Context, keyed};
use crate::catalog::Collation;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum CollationChange {
    Create {
        collation: crate::catalog::Collation,
    },
    Drop {
        collation: crate::catalog::Collation,
    },
}

/// ALTER COLLATION changes nothing that matters here: a changed collation is a new one.
pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |c: &Collation| {
        vec![CollationChange::Create {
            collation: c.clone(),
        }]
    };
    let drop = |c: &Collation| {
        vec![CollationChange::Drop {
            collation: c.clone(),
        }]
    };
    // Collations cannot be altered: a changed one is dropped and created again.
    let alter = |f: &Collation, t: &Collation| {
        if f == t {
            vec![]
        } else {
            [drop(f), create(t)].concat()
        }
    };
    keyed(
        out,
        &ctx.from.collations,
        &ctx.to.collations,
        create,
        drop,
        alter,
    );
}
