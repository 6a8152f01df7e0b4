use super::{Change, Context, keyed};
use crate::catalog::Sequence;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SequenceChange {
    Create {
        sequence: crate::catalog::Sequence,
    },
    Drop {
        sequence: crate::catalog::Sequence,
    },
    Alter {
        from: crate::catalog::Sequence,
        to: crate::catalog::Sequence,
    },
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |s: &Sequence| {
        vec![SequenceChange::Create {
            sequence: s.clone(),
        }]
    };
    let drop = |s: &Sequence| {
        // A sequence OWNED BY a column that goes away is dropped with it by PostgreSQL.
        let goes_with_owner = s.owned_by.as_ref().is_some_and(|(table, column)| {
            ctx.dropped_tables.contains(table)
                || ctx
                    .to
                    .tables
                    .get(table)
                    .and_then(|t| t.column(column))
                    .is_none()
        });
        if goes_with_owner {
            vec![]
        } else {
            vec![SequenceChange::Drop {
                sequence: s.clone(),
            }]
        }
    };
    let alter = |f: &Sequence, t: &Sequence| {
        if f == t {
            vec![]
        } else {
            vec![SequenceChange::Alter {
                from: f.clone(),
                to: t.clone(),
            }]
        }
    };
    keyed(
        out,
        &ctx.from.sequences,
        &ctx.to.sequences,
        create,
        drop,
        alter,
    );
}
