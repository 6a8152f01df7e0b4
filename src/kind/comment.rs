use super::Change;
use crate::catalog::{ObjectId, quote_literal};
use crate::diff::Context;
use crate::plan::{Action, Deps, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum CommentChange {
    /// A comment set (or removed, `None`).
    Set {
        object: crate::catalog::ObjectId,
        comment: Option<String>,
    },
}

pub(crate) fn diff(ctx: &Context, changes: &mut Vec<Change>) {
    let created = super::created_by(changes);
    let mut out = Vec::new();
    for (id, text) in &ctx.to.comments {
        let unchanged = ctx.from.comments.get(id) == Some(text) && !created.contains(id);
        if !unchanged {
            out.push(Change::Comment(CommentChange::Set {
                object: id.clone(),
                comment: Some(text.clone()),
            }));
        }
    }
    for id in ctx.from.comments.keys() {
        if !ctx.to.comments.contains_key(id) && ctx.to.contains(id) && !created.contains(id) {
            out.push(Change::Comment(CommentChange::Set {
                object: id.clone(),
                comment: None,
            }));
        }
    }
    changes.extend(out);
}

/// How COMMENT ON (and ALTER … OWNER TO) names an object: as the desired catalog has
/// it, or the current one for an object that goes.
pub(super) fn target(ctx: &Context, id: &ObjectId) -> String {
    ctx.to
        .sql_reference(id)
        .or_else(|| ctx.from.sql_reference(id))
        .unwrap_or_else(|| id.sql_reference())
}

/// Comments are not objects.
pub(super) fn created(_: &CommentChange) -> Vec<ObjectId> {
    vec![]
}

pub(super) fn steps(ctx: &Context, change: &CommentChange) -> Vec<Step> {
    let CommentChange::Set { object, comment } = change;
    // An extension's own comment (from its control file) comes back in place of the
    // user's.
    let restored = match object {
        ObjectId::Extension { name } if comment.is_none() => ctx
            .from
            .extensions
            .get(name)
            .and_then(|e| e.default_comment.as_deref()),
        _ => None,
    };
    let text = comment
        .as_deref()
        .or(restored)
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
