use super::{Change, Context, keyed};
use crate::catalog::Function;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionChange {
    Create {
        function: crate::catalog::Function,
    },
    Drop {
        function: crate::catalog::Function,
    },
    /// CREATE OR REPLACE: same signature and result, new body or attributes.
    Replace {
        from: crate::catalog::Function,
        to: crate::catalog::Function,
    },
}

/// CREATE OR REPLACE keeps the object (and what depends on it) when the parameters (names,
/// types, modes) and the result type stay, and no default is taken away; anything else
/// needs the function dropped first.
fn replaceable(f: &Function, t: &Function) -> bool {
    f.identity_args == t.identity_args
        && f.result == t.result
        && f.is_procedure == t.is_procedure
        && t.defaults >= f.defaults
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |f: &Function| {
        vec![FunctionChange::Create {
            function: f.clone(),
        }]
    };
    let drop = |f: &Function| {
        vec![FunctionChange::Drop {
            function: f.clone(),
        }]
    };
    let alter = |f: &Function, t: &Function| {
        if f == t {
            vec![]
        } else if replaceable(f, t) {
            vec![FunctionChange::Replace {
                from: f.clone(),
                to: t.clone(),
            }]
        } else {
            [drop(f), create(t)].concat()
        }
    };
    keyed(
        out,
        &ctx.from.functions,
        &ctx.to.functions,
        create,
        drop,
        alter,
    );
}
