use super::{Change, Context, keyed};
use crate::catalog::View;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ViewChange {
    Create {
        view: crate::catalog::View,
    },
    Drop {
        view: crate::catalog::View,
    },
    /// CREATE OR REPLACE VIEW: same leading columns, new query or options.
    Replace {
        from: crate::catalog::View,
        to: crate::catalog::View,
    },
    AlterOptions {
        from: crate::catalog::View,
        to: crate::catalog::View,
    },
    /// Materialized view filled (or emptied, WITH NO DATA).
    Refresh {
        view: crate::catalog::View,
    },
}

/// CREATE OR REPLACE VIEW may only append columns: the old ones must keep their names
/// and types, in order.
fn replaceable(f: &View, t: &View) -> bool {
    !f.materialized
        && !t.materialized
        && f.columns.len() <= t.columns.len()
        && f.columns.iter().zip(&t.columns).all(|(a, b)| a == b)
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |v: &View| vec![ViewChange::Create { view: v.clone() }];
    let drop = |v: &View| vec![ViewChange::Drop { view: v.clone() }];
    let alter = |f: &View, t: &View| {
        if f == t {
            return vec![];
        }
        let same_query = f.definition == t.definition && f.columns == t.columns;
        if same_query && f.materialized == t.materialized {
            let mut out = Vec::new();
            if f.options != t.options {
                out.push(ViewChange::AlterOptions {
                    from: f.clone(),
                    to: t.clone(),
                });
            }
            if f.populated != t.populated {
                out.push(ViewChange::Refresh { view: t.clone() });
            }
            out
        } else if replaceable(f, t) {
            vec![ViewChange::Replace {
                from: f.clone(),
                to: t.clone(),
            }]
        } else {
            [drop(f), create(t)].concat()
        }
    };
    keyed(out, &ctx.from.views, &ctx.to.views, create, drop, alter);
}
