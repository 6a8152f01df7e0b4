//! Unchanged inputs: a validated plan whose two sides have not changed since an earlier run
//! on the warm server is that run's plan, kept ([`crate::cluster::warm::templates`]). The
//! nightly drift job's and a re-run's usual case costs a fingerprint of each database and
//! a hash of the files instead of reads, loads and a replay.
//!
//! The plan's key is made of:
//! - each side: a database's fingerprint ([`crate::introspect::fingerprint`], which no DDL
//!   escapes), with, for the current database, the roles the desired state names (their
//!   attributes and memberships are part of the plan); files by their paths and content;
//! - what shapes a plan besides them: the schemas added, `--drop-roles`, the pg_dump
//!   check, the service's scope, the schemas and objects excluded, this executable.
//!
//! The roles the desired state names are known only once it is read: they are kept under
//! a key of the desired side alone (they depend on nothing else), and the plan's key is
//! computed with them. The data probes of a plan read rows, not definitions: they run
//! again on every use of a kept plan.

use super::kept::Kept;
use super::{Engine, Source};
use crate::cluster::warm::templates;
use crate::error::Result;
use crate::plan::Plan;

impl Engine {
    /// [`Engine::plan`] through the plans the warm server keeps: the kept one when both
    /// sides are unchanged, else planned and kept.
    pub(super) async fn plan_reusing(
        &mut self,
        kept: &Kept,
        (from, to): (&Source, &Source),
        extra: &[String],
        dumps: bool,
    ) -> Result<Plan> {
        let options = format!(
            "{extra:?} drop_roles={} dumps={dumps} service={:?} excluded_schemas={:?} \
             exclude={:?}",
            self.drop_roles,
            self.service_scope,
            self.exclude_schemas,
            self.exclude.texts()
        );
        let desired = side(kept, to, &[]).await?;
        let roles_key = templates::key(&[
            b"plan roles",
            templates::build_identity().as_bytes(),
            desired.as_bytes(),
            options.as_bytes(),
        ]);
        if let Some(roles) = kept.states.get_as::<Vec<String>>("roles", &roles_key) {
            let key = plan_key(&side(kept, from, &roles).await?, &desired, &options);
            if let Some(mut plan) = kept.states.get_as::<Plan>("plan", &key) {
                tracing::debug!("plan: both sides unchanged since an earlier run ({key})");
                for step in &mut plan.steps {
                    step.failing_rows = None;
                    step.probe_failure = None;
                }
                self.probe(from, &mut plan).await?;
                return Ok(plan);
            }
        }
        let (plan, _) = self.plan_and_dumps(from, to, extra, dumps).await?;
        // The current database's fingerprint with the roles it was read with was taken
        // before that read (`Kept` keeps the first of a run): the plan is at least as new
        // as its key.
        let roles = match from {
            Source::Database(url) => kept.roles_read(url).await,
            _ => Vec::new(),
        };
        let key = plan_key(&side(kept, from, &roles).await?, &desired, &options);
        kept.states.put_as("roles", &roles_key, &roles);
        kept.states.put_as("plan", &key, &plan);
        let mut plan = plan;
        self.probe(from, &mut plan).await?;
        Ok(plan)
    }
}

fn plan_key(current: &str, desired: &str, options: &str) -> String {
    templates::key(&[
        b"plan",
        templates::build_identity().as_bytes(),
        current.as_bytes(),
        desired.as_bytes(),
        options.as_bytes(),
    ])
}

/// One side of a plan as a key's part: a database's fingerprint (with `roles`), files'
/// paths and content, or `empty`.
async fn side(kept: &Kept, source: &Source, roles: &[String]) -> Result<String> {
    Ok(match source {
        Source::Empty => "empty".into(),
        Source::Database(url) => format!("database {}", kept.fingerprint(url, roles).await?),
        Source::Files(paths) => {
            let files = crate::source::read_files(paths)?;
            let parts: Vec<&[u8]> = files
                .iter()
                .flat_map(|f| [f.path.as_os_str().as_encoded_bytes(), f.text.as_bytes()])
                .collect();
            format!("files {}", templates::key(&parts))
        }
    })
}
