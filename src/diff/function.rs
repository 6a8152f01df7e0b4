use super::{Change, Context, split_keys};
use crate::catalog::Function;

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
    let (gone, new, both) = split_keys(&ctx.from.functions, &ctx.to.functions);
    for key in new {
        out.push(Change::CreateFunction {
            function: ctx.to.functions[key].clone(),
        });
    }
    for key in gone {
        out.push(Change::DropFunction {
            function: ctx.from.functions[key].clone(),
        });
    }
    for key in both {
        let (f, t) = (&ctx.from.functions[key], &ctx.to.functions[key]);
        if f == t {
            continue;
        }
        if replaceable(f, t) {
            out.push(Change::ReplaceFunction {
                from: f.clone(),
                to: t.clone(),
            });
        } else {
            out.push(Change::DropFunction {
                function: f.clone(),
            });
            out.push(Change::CreateFunction {
                function: t.clone(),
            });
        }
    }
}
