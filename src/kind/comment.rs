use super::{
    AggregateChange, Change, CollationChange, ColumnChange, CompositeChange, ConstraintChange,
    DomainChange, EnumChange, FunctionChange, IndexChange, PolicyChange, SchemaChange,
    SequenceChange, TableChange, TriggerChange, ViewChange,
};
use crate::catalog::{ObjectId, quote_ident, quote_literal};
use crate::diff::Context;
use crate::plan::{Action, Deps, Step, step};
use std::collections::BTreeSet;

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

/// Objects that the other changes create (or create again): a comment they should carry
/// must be set, whatever the current database says.
pub(super) fn created(changes: &[Change]) -> BTreeSet<ObjectId> {
    let mut out = BTreeSet::new();
    for c in changes {
        match c {
            Change::Schema(SchemaChange::Create { name }) => {
                out.insert(ObjectId::Schema { name: name.clone() });
            }
            Change::Enum(EnumChange::Create { enum_type }) => {
                out.insert(ObjectId::Type {
                    name: enum_type.name.clone(),
                });
            }
            Change::Enum(EnumChange::Recreate { to, .. }) => {
                out.insert(ObjectId::Type {
                    name: to.name.clone(),
                });
            }
            Change::Domain(DomainChange::Create { domain }) => {
                out.insert(ObjectId::Type {
                    name: domain.name.clone(),
                });
            }
            Change::Composite(CompositeChange::Create { composite }) => {
                out.insert(ObjectId::Type {
                    name: composite.name.clone(),
                });
            }
            Change::Sequence(SequenceChange::Create { sequence }) => {
                out.insert(ObjectId::Sequence {
                    name: sequence.name.clone(),
                });
            }
            Change::Table(TableChange::Create { table }) => {
                out.insert(ObjectId::Table {
                    name: table.name.clone(),
                });
                for col in &table.columns {
                    out.insert(ObjectId::Column {
                        table: table.name.clone(),
                        column: col.name.clone(),
                    });
                }
            }
            Change::Column(ColumnChange::Add { table, column }) => {
                out.insert(ObjectId::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                });
            }
            Change::Constraint(ConstraintChange::Add { table, constraint }) => {
                out.insert(ObjectId::Constraint {
                    table: table.clone(),
                    name: constraint.name.clone(),
                });
            }
            Change::Index(IndexChange::Create { index })
            | Change::Index(IndexChange::Replace { to: index, .. }) => {
                out.insert(ObjectId::Index {
                    name: index.name.clone(),
                });
            }
            Change::Function(FunctionChange::Create { function }) => {
                out.insert(ObjectId::Function {
                    name: function.name.clone(),
                    args: function.arg_types.clone(),
                });
            }
            Change::View(ViewChange::Create { view }) => {
                out.insert(ObjectId::View {
                    name: view.name.clone(),
                });
                for (col, _) in &view.columns {
                    out.insert(ObjectId::Column {
                        table: view.name.clone(),
                        column: col.clone(),
                    });
                }
            }
            Change::Aggregate(AggregateChange::Create {
                aggregate,
                replace: false,
            }) => {
                out.insert(ObjectId::Function {
                    name: aggregate.name.clone(),
                    args: aggregate.arg_types.clone(),
                });
            }
            Change::Collation(CollationChange::Create { collation }) => {
                out.insert(ObjectId::Collation {
                    name: collation.name.clone(),
                });
            }
            Change::Trigger(TriggerChange::Create { trigger }) => {
                out.insert(ObjectId::Trigger {
                    table: trigger.table.clone(),
                    name: trigger.name.clone(),
                });
            }
            Change::Policy(PolicyChange::Create { policy })
            | Change::Policy(PolicyChange::Recreate { to: policy, .. }) => {
                out.insert(ObjectId::Policy {
                    table: policy.table.clone(),
                    name: policy.name.clone(),
                });
            }
            _ => {}
        }
    }
    // Inline constraints of new tables are created with them.
    for c in changes {
        if let Change::Table(TableChange::Create { table }) = c {
            for name in table.constraints.keys() {
                out.insert(ObjectId::Constraint {
                    table: table.name.clone(),
                    name: name.clone(),
                });
            }
        }
    }
    out
}

/// Whether the object is still there after the plan (its comment then must go by hand).
pub(super) fn survives(ctx: &Context, id: &ObjectId) -> bool {
    let to = ctx.to;
    match id {
        ObjectId::Schema { name } => to.schemas.contains_key(name),
        ObjectId::Type { name } => {
            to.enums.contains_key(name)
                || to.domains.contains_key(name)
                || to.composites.contains_key(name)
        }
        ObjectId::Sequence { name } => {
            to.sequences.contains_key(name) || to.identity_sequences.contains(name)
        }
        ObjectId::Table { name } => to.tables.contains_key(name),
        ObjectId::Column { table, column } => {
            to.tables
                .get(table)
                .is_some_and(|t| t.column(column).is_some())
                || to
                    .views
                    .get(table)
                    .is_some_and(|v| v.columns.iter().any(|(c, _)| c == column))
        }
        ObjectId::Constraint { table, name } => to
            .tables
            .get(table)
            .is_some_and(|t| t.constraints.contains_key(name)),
        ObjectId::Index { name } => to.indexes.contains_key(name),
        ObjectId::View { name } => to.views.contains_key(name),
        ObjectId::Function { name, args } => {
            let key = (name.clone(), args.clone());
            to.functions.contains_key(&key) || to.aggregates.contains_key(&key)
        }
        ObjectId::Trigger { table, name } => {
            to.triggers.contains_key(&(table.clone(), name.clone()))
        }
        ObjectId::Policy { table, name } => {
            to.policies.contains_key(&(table.clone(), name.clone()))
        }
        ObjectId::Collation { name } => to.collations.contains_key(name),
        _ => false,
    }
}

pub(crate) fn diff(ctx: &Context, changes: &mut Vec<Change>) {
    let created = created(changes);
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
        if !ctx.to.comments.contains_key(id) && survives(ctx, id) && !created.contains(id) {
            out.push(Change::Comment(CommentChange::Set {
                object: id.clone(),
                comment: None,
            }));
        }
    }
    changes.extend(out);
}

/// How COMMENT ON names an object.
pub(super) fn target(ctx: &Context, id: &ObjectId) -> String {
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

pub(super) fn steps(ctx: &Context, change: &CommentChange) -> Vec<Step> {
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
