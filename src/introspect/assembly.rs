//! Builds the catalog from the catalog queries' rows as each query's rows arrive, so that
//! a query's raw rows are dropped once read rather than all held until the last query is
//! done (at 10,000 tables the rows of all queries took about 130 MB at once).
//!
//! A query's rows are read once those it needs are: a table's columns go into the table,
//! its constraints onto its columns; the operators' and extensions' readers fill the
//! comments, owners and dependencies that the later readers of those add to, in the order
//! the readers have always run. The rows of a query that must wait are kept until then.

use super::{comment, depends, privilege};
use crate::catalog::{Catalog, QualName};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Row;

/// What must be read before a query's rows.
fn needs(name: &str) -> &'static [&'static str] {
    match name {
        "columns" => &["tables"],
        "constraints" => &["tables", "columns"],
        "privileges" | "owners" | "default_privileges" | "comments" | "depends" => {
            &["operators", "extensions"]
        }
        _ => &[],
    }
}

/// The three queries whose rows `privilege::read` takes together.
const PRIVILEGES: [&str; 3] = ["privileges", "owners", "default_privileges"];

pub(super) struct Assembly {
    catalog: Catalog,
    waiting: BTreeMap<&'static str, Vec<Row>>,
    read: BTreeSet<&'static str>,
}

impl Assembly {
    /// An empty catalog of a server of this version, read by this user.
    pub fn new(version: (i32, String)) -> Assembly {
        Assembly {
            catalog: Catalog {
                server_version: version.0,
                current_user: version.1,
                ..Catalog::default()
            },
            waiting: BTreeMap::new(),
            read: BTreeSet::new(),
        }
    }

    /// The rows of query `name`: read now if what it needs is read, with whatever was
    /// waiting for it; else kept.
    pub fn take(&mut self, name: &'static str, rows: Vec<Row>) {
        self.waiting.insert(name, rows);
        loop {
            let ready: Vec<&'static str> = self
                .waiting
                .keys()
                .copied()
                .filter(|n| needs(n).iter().all(|d| self.read.contains(d)))
                .filter(|n| {
                    !PRIVILEGES.contains(n)
                        || PRIVILEGES.iter().all(|p| self.waiting.contains_key(p))
                })
                .collect();
            if ready.is_empty() {
                return;
            }
            for name in ready {
                if self.read.contains(name) {
                    continue;
                }
                self.read_one(name);
            }
        }
    }

    fn read_one(&mut self, name: &'static str) {
        let mut rows = |n: &'static str| self.waiting.remove(n).unwrap_or_default();
        let catalog = &mut self.catalog;
        if PRIVILEGES.contains(&name) {
            let (p, o, d) = (
                rows("privileges"),
                rows("owners"),
                rows("default_privileges"),
            );
            privilege::read(catalog, &p, &o, &d);
            self.read.extend(PRIVILEGES);
            return;
        }
        let set = rows(name);
        if let Some(r) = crate::catalog::READERS.iter().find(|r| r.name == name) {
            (r.read)(catalog, &set);
        } else {
            match name {
                "identity_sequences" => {
                    catalog.identity_sequences = set
                        .iter()
                        .map(|row| QualName::new(row.get::<_, String>(0), row.get::<_, String>(1)))
                        .collect();
                }
                "comments" => comment::read(catalog, &set),
                "depends" => depends::read(catalog, &set),
                "unsupported" => {
                    catalog.unsupported = set.iter().map(|row| (row.get(0), row.get(1))).collect();
                }
                other => unreachable!("a catalog query without a reader: {other}"),
            }
        }
        self.read.insert(name);
    }

    /// The catalog, once every query's rows are read.
    pub fn finish(self) -> Catalog {
        debug_assert!(
            self.waiting.is_empty(),
            "rows left unread: {:?}",
            self.waiting.keys()
        );
        self.catalog
    }
}
