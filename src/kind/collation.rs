use super::Change;
use crate::catalog::{Collation, ObjectId, quote_literal};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Step, create_step, drop_step};

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
pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
    let alter = |from: &Collation, to: &Collation| {
        if from == to {
            vec![]
        } else {
            [drop(from), create(to)].concat()
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

fn create_sql(c: &Collation) -> String {
    let mut opts = vec![format!("provider = {}", c.provider)];
    match (&c.locale, &c.ctype) {
        (Some(l), Some(t)) if l == t => opts.push(format!("locale = {}", quote_literal(l))),
        (Some(l), Some(t)) => {
            opts.push(format!("lc_collate = {}", quote_literal(l)));
            opts.push(format!("lc_ctype = {}", quote_literal(t)));
        }
        (Some(l), None) => opts.push(format!("locale = {}", quote_literal(l))),
        _ => {}
    }
    if !c.deterministic {
        opts.push("deterministic = false".into());
    }
    if let Some(r) = &c.rules {
        opts.push(format!("rules = {}", quote_literal(r)));
    }
    format!("CREATE COLLATION {} ({});", c.name, opts.join(", "))
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &CollationChange) -> Vec<ObjectId> {
    match change {
        CollationChange::Create { collation } => vec![ObjectId::Collation {
            name: collation.name.clone(),
        }],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &CollationChange) -> Vec<Step> {
    match change {
        CollationChange::Create { collation: c } => {
            let id = ObjectId::Collation {
                name: c.name.clone(),
            };
            vec![create_step(ctx, create_sql(c), &id, Action::Create)]
        }
        CollationChange::Drop { collation: c } => {
            let id = ObjectId::Collation {
                name: c.name.clone(),
            };
            vec![drop_step(ctx, format!("DROP COLLATION {};", c.name), &id)]
        }
    }
}
