use super::{Ctx, Deps, Hazard, Step, step};
use crate::catalog::{Function, ObjectId};
use crate::diff::Change;

fn id_of(f: &Function) -> ObjectId {
    ObjectId::Function {
        name: f.name.clone(),
        args: f.identity_args.clone(),
    }
}

/// `pg_get_functiondef()` as a statement.
fn create_sql(f: &Function) -> String {
    format!("{};", f.definition.trim_end())
}

/// Tables a SQL-language body reads or writes: PostgreSQL checks them when the function
/// is created, so they must exist first. (PL/pgSQL bodies are only checked when run.)
fn body_tables(ctx: &Ctx, f: &Function) -> Vec<ObjectId> {
    if f.language != "sql" {
        return Vec::new();
    }
    crate::source::body_relations(&f.definition)
        .into_iter()
        .filter_map(|(schema, name)| {
            let found = ctx
                .to
                .tables
                .keys()
                .find(|q| q.name == name && schema.as_ref().is_none_or(|s| *s == q.schema))?;
            Some(ObjectId::Table {
                name: found.clone(),
            })
        })
        .collect()
}

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    match change {
        Change::CreateFunction { function: f } => {
            let id = id_of(f);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.extend(body_tables(ctx, f));
            vec![step(
                create_sql(f),
                &id,
                "create",
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    ..Deps::default()
                },
            )]
        }
        Change::DropFunction { function: f } => {
            let id = id_of(f);
            vec![
                step(
                    format!("DROP {} {};", f.keyword(), f.signature()),
                    &id,
                    "drop",
                    Deps {
                        drops: vec![id.clone()],
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                // Other function bodies may still call it: PostgreSQL does not track that.
                .hazard(Hazard::UntrackableDependencies),
            ]
        }
        Change::ReplaceFunction { to, .. } => {
            let id = id_of(to);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.extend(body_tables(ctx, to));
            vec![step(
                create_sql(to),
                &id,
                "alter",
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    ..Deps::default()
                },
            )]
        }
        _ => unreachable!("function change"),
    }
}
