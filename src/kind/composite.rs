//! Composite types (CREATE TYPE … AS (…)): created, dropped, and altered in place
//! attribute by attribute.

use super::Change;
use super::domain::{drop_type, type_id};
use crate::catalog::{CompositeType, ObjectId, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub enum CompositeChange {
    Create {
        composite: crate::catalog::CompositeType,
    },
    Drop {
        composite: crate::catalog::CompositeType,
    },
    Alter {
        from: crate::catalog::CompositeType,
        to: crate::catalog::CompositeType,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    keyed(
        out,
        &ctx.from.composites,
        &ctx.to.composites,
        |c: &CompositeType| {
            vec![CompositeChange::Create {
                composite: c.clone(),
            }]
        },
        |c: &CompositeType| {
            vec![CompositeChange::Drop {
                composite: c.clone(),
            }]
        },
        |from: &CompositeType, to: &CompositeType| {
            if from == to {
                vec![]
            } else {
                vec![CompositeChange::Alter {
                    from: from.clone(),
                    to: to.clone(),
                }]
            }
        },
    );
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &CompositeChange) -> Vec<ObjectId> {
    match change {
        CompositeChange::Create { composite } => vec![type_id(&composite.name)],
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &CompositeChange) -> Vec<Step> {
    match change {
        CompositeChange::Create { composite: c } => {
            let id = type_id(&c.name);
            let attrs: Vec<String> = c.attributes.iter().map(attribute).collect();
            vec![step(
                format!(
                    "CREATE TYPE {} AS (\n    {}\n);",
                    c.name,
                    attrs.join(",\n    ")
                ),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )]
        }
        CompositeChange::Drop { composite: c } => drop_type(ctx, &c.name, "TYPE"),
        CompositeChange::Alter { from, to } => alter_composite(ctx, from, to),
    }
}

fn attribute(a: &(String, String, Option<String>)) -> String {
    let mut s = format!("{} {}", quote_ident(&a.0), a.1);
    if let Some(c) = &a.2 {
        s.push_str(&format!(" COLLATE {c}"));
    }
    s
}

/// Attributes are dropped, added and retyped in place (order is kept by appending).
fn alter_composite(ctx: &Context, from: &CompositeType, to: &CompositeType) -> Vec<Step> {
    let id = type_id(&to.name);
    let mut actions = Vec::new();
    for a in &from.attributes {
        if !to.attributes.iter().any(|b| b.0 == a.0) {
            actions.push(format!("DROP ATTRIBUTE {}", quote_ident(&a.0)));
        }
    }
    for b in &to.attributes {
        match from.attributes.iter().find(|a| a.0 == b.0) {
            None => actions.push(format!("ADD ATTRIBUTE {}", attribute(b))),
            Some(a) if a != b => {
                let mut s = format!("ALTER ATTRIBUTE {} TYPE {}", quote_ident(&b.0), b.1);
                if let Some(c) = &b.2 {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                actions.push(s);
            }
            Some(_) => {}
        }
    }
    if actions.is_empty() {
        return Vec::new();
    }
    vec![step(
        format!("ALTER TYPE {} {};", to.name, actions.join(", ")),
        &id,
        Action::Alter,
        Deps {
            requires: ctx.requires(std::slice::from_ref(&id)),
            ..Deps::default()
        },
    )]
}
