use super::{Action, Ctx, Step, create_step, drop_step};
use crate::catalog::{Collation, ObjectId, quote_literal};
use crate::diff::CollationChange;

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

pub(super) fn steps(ctx: &Ctx, change: &CollationChange) -> Vec<Step> {
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
