use super::Change;
use crate::catalog::{Extension, ObjectId, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionChange {
    Create {
        extension: crate::catalog::Extension,
    },
    Drop {
        extension: crate::catalog::Extension,
    },
    SetSchema {
        from: crate::catalog::Extension,
        to: crate::catalog::Extension,
    },
    /// `ALTER EXTENSION … UPDATE TO` the version the files name.
    Update {
        from: crate::catalog::Extension,
        to: crate::catalog::Extension,
    },
}

/// Extensions are database-wide: one missing from the desired state is dropped only when
/// it lives in a schema the engine manages.
pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |e: &Extension| {
        vec![ExtensionChange::Create {
            extension: e.clone(),
        }]
    };
    // Only an extension whose schema is managed is dropped.
    let drop = |e: &Extension| {
        if ctx.scope.contains(&e.schema) {
            vec![ExtensionChange::Drop {
                extension: e.clone(),
            }]
        } else {
            vec![]
        }
    };
    let alter = |from: &Extension, to: &Extension| {
        let mut out = Vec::new();
        if from.schema != to.schema {
            out.push(ExtensionChange::SetSchema {
                from: from.clone(),
                to: to.clone(),
            });
        }
        if to.version_pinned && from.version != to.version {
            out.push(ExtensionChange::Update {
                from: from.clone(),
                to: to.clone(),
            });
        }
        out
    };
    keyed(
        out,
        &ctx.from.extensions,
        &ctx.to.extensions,
        create,
        drop,
        alter,
    );
}

/// An extension's comment and members come with it: nothing to report.
pub(super) fn created(_: &ExtensionChange) -> Vec<ObjectId> {
    vec![]
}

pub(super) fn steps(_ctx: &Context, change: &ExtensionChange) -> Vec<Step> {
    let schema = |s: &str| ObjectId::Schema {
        name: s.to_string(),
    };
    match change {
        ExtensionChange::Create { extension: e } => {
            let id = ObjectId::Extension {
                name: e.name.clone(),
            };
            let version = if e.version_pinned {
                format!(" VERSION {}", crate::catalog::quote_literal(&e.version))
            } else {
                String::new()
            };
            vec![step(
                format!(
                    "CREATE EXTENSION {} WITH SCHEMA {}{version};",
                    quote_ident(&e.name),
                    quote_ident(&e.schema)
                ),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&e.schema)],
                    ..Deps::default()
                },
            )]
        }
        ExtensionChange::Drop { extension: e } => {
            let id = ObjectId::Extension {
                name: e.name.clone(),
            };
            vec![
                step(
                    format!("DROP EXTENSION {};", quote_ident(&e.name)),
                    &id,
                    Action::Drop,
                    Deps {
                        drops: vec![id.clone()],
                        releases: vec![schema(&e.schema)],
                        ..Deps::default()
                    },
                )
                .hazard(
                    Hazard::DeletesData,
                    format!(
                        "the objects of extension {} go with it, with their data",
                        quote_ident(&e.name)
                    ),
                ),
            ]
        }
        ExtensionChange::SetSchema { from, to } => {
            let id = ObjectId::Extension {
                name: to.name.clone(),
            };
            vec![step(
                format!(
                    "ALTER EXTENSION {} SET SCHEMA {};",
                    quote_ident(&to.name),
                    quote_ident(&to.schema)
                ),
                &id,
                Action::Alter,
                Deps {
                    creates: vec![id.clone()],
                    requires: vec![schema(&to.schema)],
                    releases: vec![schema(&from.schema)],
                    ..Deps::default()
                },
            )]
        }
        ExtensionChange::Update { from, to } => {
            let id = ObjectId::Extension {
                name: to.name.clone(),
            };
            vec![
                step(
                    format!(
                        "ALTER EXTENSION {} UPDATE TO {};",
                        quote_ident(&to.name),
                        crate::catalog::quote_literal(&to.version)
                    ),
                    &id,
                    Action::Alter,
                    Deps {
                        creates: vec![id.clone()],
                        ..Deps::default()
                    },
                )
                // An update script may change the extension's objects (and their data).
                .hazard(
                    Hazard::UntrackableDependencies,
                    format!(
                        "the update script of {} from {} to {} changes its objects as it sees fit",
                        quote_ident(&to.name),
                        from.version,
                        to.version
                    ),
                ),
            ]
        }
    }
}
