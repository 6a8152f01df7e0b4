//! A catalog as the SQL that creates it from an empty database: what the history records
//! as a version's desired state, what `inspect` writes, and the copy of a current schema
//! that renames and replays are run on.

use super::plan_catalogs;
use crate::catalog::{Catalog, quote_ident};
use crate::error::Result;
use crate::plan::Plan;
use crate::source::DesiredState;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The plan that creates `catalog` from an empty database, and the schemas it uses.
fn creation_plan(catalog: &Catalog) -> Result<(Plan, BTreeSet<String>)> {
    let scope = catalog.used_schemas();
    let mut c = catalog.clone();
    c.restrict(&scope);
    let plan = plan_catalogs(&crate::catalog::Catalog::empty_database(), &c, &scope)?;
    Ok((plan, scope))
}

/// `catalog` as one SQL text that loads back into the same catalog: the creation plan's
/// statements, in order (what the history records as a version's desired state).
pub fn desired_sql(catalog: &Catalog) -> Result<String> {
    let (plan, _) = creation_plan(catalog)?;
    let text: Vec<&str> = plan.steps.iter().map(|s| s.sql.as_str()).collect();
    Ok(text.join("\n"))
}

/// `catalog` as a desired state to load into the shadow server (to rename in, or to replay
/// a plan on), in the creation plan's order.
pub(super) fn current_schema(catalog: &Catalog) -> Result<DesiredState> {
    current_schema_of(desired_sql(catalog)?)
}

/// [`current_schema`] from the SQL [`desired_sql`] wrote.
pub(super) fn current_schema_of(sql: String) -> Result<DesiredState> {
    DesiredState::from_files(vec![crate::source::SourceFile {
        path: PathBuf::from("<the current schema>"),
        text: sql,
    }])
}

/// The catalog as declarative SQL files, one per schema (plus extensions): the creation
/// plan from an empty database, split by the schema of each step's object. Loading
/// orders statements by their references, so the split needs no care for order.
pub fn schema_sql(catalog: &Catalog) -> Result<Vec<(String, String)>> {
    let (plan, scope) = creation_plan(catalog)?;
    let mut files: std::collections::BTreeMap<String, String> = Default::default();
    for step in &plan.steps {
        let file = if step.kind() == "extension" {
            "extensions.sql".to_string()
        } else {
            let schema = scope
                .iter()
                .find(|s| {
                    let q = quote_ident(s);
                    step.object.contains(&format!(" {q}."))
                        || step.object.ends_with(&format!(" {q}"))
                })
                .cloned()
                .unwrap_or_else(|| "public".into());
            format!("{schema}.sql")
        };
        let text = files
            .entry(file)
            .or_insert_with(|| "-- written by profe-migrate inspect\n".into());
        text.push('\n');
        text.push_str(&step.sql);
        text.push('\n');
    }
    Ok(files.into_iter().collect())
}
