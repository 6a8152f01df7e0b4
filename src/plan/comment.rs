use super::{Action, Ctx, Deps, Step, step};
use crate::catalog::{ObjectId, quote_ident, quote_literal};
use crate::diff::CommentChange;

/// How COMMENT ON names an object.
pub(super) fn target(ctx: &Ctx, id: &ObjectId) -> String {
    match id {
        ObjectId::Schema { name } => format!("SCHEMA {}", quote_ident(name)),
        ObjectId::Extension { name } => format!("EXTENSION {}", quote_ident(name)),
        ObjectId::Type { name }
            if ctx.to.domains.contains_key(name) || ctx.from.domains.contains_key(name) =>
        {
            format!("DOMAIN {name}")
        }
        ObjectId::Type { name } => format!("TYPE {name}"),
        ObjectId::Sequence { name } => format!("SEQUENCE {name}"),
        ObjectId::Table { name } => format!("TABLE {name}"),
        ObjectId::View { name } => {
            let view = ctx.to.views.get(name).or_else(|| ctx.from.views.get(name));
            format!("{} {name}", view.map(|v| v.keyword()).unwrap_or("VIEW"))
        }
        ObjectId::Column { table, column } => format!("COLUMN {table}.{}", quote_ident(column)),
        ObjectId::Constraint { table, name } => {
            format!("CONSTRAINT {} ON {table}", quote_ident(name))
        }
        ObjectId::Index { name } => format!("INDEX {name}"),
        ObjectId::Function { name, args }
            if ctx
                .to
                .aggregates
                .contains_key(&(name.clone(), args.clone()))
                || ctx
                    .from
                    .aggregates
                    .contains_key(&(name.clone(), args.clone())) =>
        {
            format!("AGGREGATE {name}({args})")
        }
        ObjectId::Function { name, args } => {
            let keyword = ctx
                .to
                .functions
                .get(&(name.clone(), args.clone()))
                .or_else(|| ctx.from.functions.get(&(name.clone(), args.clone())))
                .map(|f| f.keyword())
                .unwrap_or("FUNCTION");
            format!("{keyword} {name}({args})")
        }
        ObjectId::Trigger { table, name } => format!("TRIGGER {} ON {table}", quote_ident(name)),
        ObjectId::Collation { name } => format!("COLLATION {name}"),
        ObjectId::Policy { table, name } => format!("POLICY {} ON {table}", quote_ident(name)),
        ObjectId::Role { name } => format!("ROLE {}", quote_ident(name)),
    }
}

pub(super) fn steps(ctx: &Ctx, change: &CommentChange) -> Vec<Step> {
    let CommentChange::Set { object, comment } = change;
    let text = comment
        .as_deref()
        .map(quote_literal)
        .unwrap_or_else(|| "NULL".into());
    vec![step(
        format!("COMMENT ON {} IS {text};", target(ctx, object)),
        object,
        if comment.is_some() {
            Action::Comment
        } else {
            Action::Uncomment
        },
        Deps {
            requires: vec![object.clone()],
            ..Deps::default()
        },
    )]
}
