use super::Change;
use crate::catalog::{Function, ObjectId};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, step};

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
fn replaceable(from: &Function, to: &Function) -> bool {
    from.identity_args == to.identity_args
        && from.result == to.result
        && from.is_procedure == to.is_procedure
        && to.defaults >= from.defaults
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
    let alter = |from: &Function, to: &Function| {
        if from == to {
            vec![]
        } else if replaceable(from, to) {
            vec![FunctionChange::Replace {
                from: from.clone(),
                to: to.clone(),
            }]
        } else {
            [drop(from), create(to)].concat()
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

fn id_of(f: &Function) -> ObjectId {
    ObjectId::Function {
        name: f.name.clone(),
        args: f.arg_types.clone(),
    }
}

/// `pg_get_functiondef()` as a statement.
fn create_sql(f: &Function) -> String {
    format!("{};", f.definition.trim_end())
}

/// What a SQL-language body reads, writes or calls: PostgreSQL checks those when the
/// function is created, so they must exist first. (PL/pgSQL bodies are only checked when
/// they run.)
fn body_deps(ctx: &Context, f: &Function) -> Vec<ObjectId> {
    if f.language != "sql" {
        return Vec::new();
    }
    let refs = crate::source::body_references(&f.definition);
    let matches = |schema: &Option<String>, q: &crate::catalog::QualName, name: &str| {
        q.name == name && schema.as_ref().is_none_or(|s| *s == q.schema)
    };
    let mut out = Vec::new();
    for (schema, name) in &refs.relations {
        out.extend(
            ctx.to
                .tables
                .keys()
                .filter(|q| matches(schema, q, name))
                .map(|q| ObjectId::Table { name: q.clone() }),
        );
        out.extend(
            ctx.to
                .views
                .keys()
                .filter(|q| matches(schema, q, name))
                .map(|q| ObjectId::View { name: q.clone() }),
        );
    }
    for (schema, name) in &refs.functions {
        out.extend(
            ctx.to
                .functions
                .values()
                .filter(|g| matches(schema, &g.name, name) && g.name != f.name)
                .map(id_of),
        );
    }
    out
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &FunctionChange) -> Vec<ObjectId> {
    match change {
        FunctionChange::Create { function } => vec![id_of(function)],
        _ => vec![],
    }
}

/// The mark of the drop of a function named as `f` is (any arguments).
fn name_mark(f: &crate::catalog::Function) -> String {
    format!("function named {}", f.name)
}

pub(super) fn steps(ctx: &Context, change: &FunctionChange) -> Vec<Step> {
    match change {
        FunctionChange::Create { function: f } => {
            let id = id_of(f);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.extend(body_deps(ctx, f));
            vec![step(
                create_sql(f),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    // After the drop of a function of the same name where possible:
                    // while both exist, a call that fits both (one gained a defaulted
                    // argument) is ambiguous ("function … is not unique"). Not where a
                    // policy altered in place needs the new one before the old one goes.
                    rather_after: vec![name_mark(f)],
                    ..Deps::default()
                },
            )]
        }
        FunctionChange::Drop { function: f } => {
            let id = id_of(f);
            vec![
                step(
                    format!("DROP {} {};", f.keyword(), f.signature()),
                    &id,
                    Action::Drop,
                    Deps {
                        drops: vec![id.clone()],
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        marks: vec![name_mark(f)],
                        ..Deps::default()
                    },
                )
                // Other function bodies may still call it: PostgreSQL does not track that.
                .hazard(
                    Hazard::UntrackableDependencies,
                    format!("other function bodies may still call {id}"),
                ),
            ]
        }
        FunctionChange::Replace { to, .. } => {
            let id = id_of(to);
            // What the old body needed and the new one does not (a column about to be
            // dropped, say) is released by the replacement.
            let releases = ctx.released_by_alter(&id);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.extend(body_deps(ctx, to));
            vec![step(
                create_sql(to),
                &id,
                Action::Alter,
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    releases,
                    ..Deps::default()
                },
            )]
        }
    }
}
