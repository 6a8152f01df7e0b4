//! The Engine's side of the independent pg_dump check ([`super::dump`]): which pg_dump
//! to run, and the live database's dump when it is comparable with the shadow's.

use super::{Engine, Source, dump, validate};
use crate::catalog::Catalog;
use crate::db;
use crate::error::Result;
use std::collections::BTreeSet;

impl Engine {
    /// The pg_dump for the independent check, when it is to run, with the shadow
    /// server's major version it is chosen for (that major, or the oldest newer one).
    /// Without one the check is skipped, and the user told.
    pub(super) async fn dump_tool(&mut self) -> Result<Option<(std::path::PathBuf, u32)>> {
        let major = self.shadow().await?.major().await?;
        Ok(match dump::tool(major) {
            Ok(tool) => Some((tool, major)),
            Err(why) => {
                tracing::warn!(
                    "the independent pg_dump check is skipped: {why}; the engine's own reading \
                     of the databases is still compared"
                );
                None
            }
        })
    }

    /// The live database's dump for the independent check, when it can be compared with
    /// the shadow server's: the same major version on both (expressions and defaults are
    /// written by the server, and differ between versions). The live and desired dumps
    /// are kept to the scope, less what `--exclude` names, once for all comparisons.
    pub(super) async fn dump_check_for(
        &self,
        from: &Source,
        from_catalog: &Catalog,
        desired_catalog: &Catalog,
        (pg_dump, shadow_major): (std::path::PathBuf, u32),
        mut desired: dump::Dump,
        scope: &BTreeSet<String>,
    ) -> Result<Option<validate::DumpCheck>> {
        desired.keep(scope, &self.exclude);
        let mut check = validate::DumpCheck {
            pg_dump,
            live: None,
            desired,
        };
        let desired_major = desired_catalog.server_version as u32 / 10000;
        if desired_major != 0 && desired_major != shadow_major {
            tracing::warn!(
                "the independent pg_dump check is skipped: the desired database is \
                 PostgreSQL {desired_major} and the shadow server {shadow_major}"
            );
            return Ok(None);
        }
        if let Source::Database(url) = from {
            let live_major = from_catalog.server_version as u32 / 10000;
            if live_major == shadow_major {
                let list: Vec<String> = scope.iter().cloned().collect();
                let mut live = match &self.kept {
                    Some(kept) => kept.dump(&check.pg_dump, url, &list).await?,
                    None => dump::take(&check.pg_dump, &db::parse(url)?, Some(&list)).await?,
                };
                live.keep(scope, &self.exclude);
                check.live = Some(live);
            } else {
                tracing::warn!(
                    "pg_dump's view of the database (PostgreSQL {live_major}) is not compared \
                     with the copy the plan is replayed on (PostgreSQL {shadow_major}); pass \
                     --dev-url to a PostgreSQL {live_major} server for the whole check"
                );
            }
        }
        Ok(Some(check))
    }
}
