//! The access summary of a plan: for each role and table whose access changes, what the
//! role could do before and what it can do after, command by command, with row level
//! security taken into account.

use crate::catalog::{Acl, Catalog, Grantee, ObjectId, Policy, QualName};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What one role may do with one table for one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No privilege.
    None,
    /// Privilege on some columns only.
    Columns,
    /// Every row.
    All,
    /// Rows the policies let through.
    Policy,
    /// Privilege, but row level security is on and no policy applies: no rows.
    NoRows,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::None => "—",
            Level::Columns => "some columns",
            Level::All => "all rows",
            Level::Policy => "rows by policy",
            Level::NoRows => "no rows (RLS)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub select: Level,
    pub insert: Level,
    pub update: Level,
    pub delete: Level,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessChange {
    /// A role name, or `PUBLIC`.
    pub role: String,
    pub table: String,
    pub before: Access,
    pub after: Access,
}

const COMMANDS: [(&str, &str); 4] = [
    ("SELECT", "SELECT"),
    ("INSERT", "INSERT"),
    ("UPDATE", "UPDATE"),
    ("DELETE", "DELETE"),
];

/// The roles whose privileges `role` uses: itself, PUBLIC, and the roles it inherits.
fn roles_of(catalog: &Catalog, role: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([role.to_string()]);
    let mut todo = vec![role.to_string()];
    while let Some(r) = todo.pop() {
        let Some(def) = catalog.roles.get(&r) else {
            continue;
        };
        if !def.inherit {
            continue;
        }
        for m in def.member_of.keys() {
            if out.insert(m.clone()) {
                todo.push(m.clone());
            }
        }
    }
    out
}

fn owner_of(catalog: &Catalog, id: &ObjectId) -> String {
    catalog
        .owners
        .get(id)
        .cloned()
        .unwrap_or_else(|| catalog.current_user.clone())
}

fn access(catalog: &Catalog, table: &QualName, is_view: bool, role: &Grantee) -> Option<Access> {
    let id = if is_view {
        ObjectId::View {
            name: table.clone(),
        }
    } else {
        ObjectId::Table {
            name: table.clone(),
        }
    };
    let t = catalog.tables.get(table);
    if t.is_none() && !catalog.views.contains_key(table) {
        return None;
    }
    let owner = owner_of(catalog, &id);
    let mine: BTreeSet<String> = match role {
        Grantee::Role(r) => roles_of(catalog, r),
        _ => BTreeSet::new(),
    };
    let holds = |g: &Grantee| match g {
        Grantee::Public => true,
        Grantee::Owner => mine.contains(&owner),
        Grantee::Role(r) => mine.contains(r),
    };
    let acl = crate::diff::effective_acl(catalog, &id);
    let columns: Vec<&Acl> = column_acls(catalog, table).collect();
    let is_owner = matches!(role, Grantee::Role(r) if *r == owner);
    let bypass = matches!(role, Grantee::Role(r)
        if catalog.roles.get(r).is_some_and(|d| d.bypassrls || d.superuser));
    let rls = t.is_some_and(|t| t.rls && (!is_owner || t.force_rls)) && !bypass;
    let level = |privilege: &str, command: &str| -> Level {
        let table_wide = acl
            .iter()
            .any(|g| g.privilege == privilege && holds(&g.grantee));
        let some_columns = columns.iter().any(|a| {
            a.iter()
                .any(|g| g.privilege == privilege && holds(&g.grantee))
        });
        let base = if table_wide {
            Level::All
        } else if some_columns {
            Level::Columns
        } else {
            return Level::None;
        };
        if !rls {
            return base;
        }
        let applies = policies_on(catalog, table).any(|p| {
            p.permissive
                && (p.command == "ALL" || p.command == command)
                && p.roles.iter().any(holds)
        });
        if applies {
            Level::Policy
        } else {
            Level::NoRows
        }
    };
    let [s, i, u, d] = COMMANDS.map(|(p, c)| level(p, c));
    Some(Access {
        select: s,
        insert: i,
        update: u,
        delete: d,
    })
}

/// The policies of one table (a range of the ordered map, not a scan of every policy).
fn policies_on<'a>(c: &'a Catalog, table: &'a QualName) -> impl Iterator<Item = &'a Policy> {
    c.policies
        .range((table.clone(), String::new())..)
        .take_while(move |((t, _), _)| t == table)
        .map(|(_, p)| p)
}

/// The column privileges of one table, likewise.
fn column_acls<'a>(c: &'a Catalog, table: &'a QualName) -> impl Iterator<Item = &'a Acl> {
    let start = ObjectId::Column {
        table: table.clone(),
        column: String::new(),
    };
    c.privileges
        .range(start..)
        .take_while(move |(k, _)| matches!(k, ObjectId::Column { table: t, .. } if t == table))
        .map(|(_, a)| a)
}

/// Everyone named in a table's privileges or policies, on either side.
fn subjects(catalogs: [&Catalog; 2], table: &QualName) -> BTreeSet<Grantee> {
    let mut out = BTreeSet::from([Grantee::Public]);
    for c in catalogs {
        let whole = [
            ObjectId::Table {
                name: table.clone(),
            },
            ObjectId::View {
                name: table.clone(),
            },
        ];
        let acls = whole
            .iter()
            .filter_map(|id| c.privileges.get(id))
            .chain(column_acls(c, table));
        for acl in acls {
            out.extend(acl.iter().map(|g| g.grantee.clone()));
        }
        for p in policies_on(c, table) {
            out.extend(p.roles.iter().cloned());
        }
        let [as_table, as_view] = whole;
        let id = if c.views.contains_key(table) {
            as_view
        } else {
            as_table
        };
        out.insert(Grantee::Role(owner_of(c, &id)));
    }
    out.remove(&Grantee::Owner);
    out.retain(|g| !matches!(g, Grantee::Role(r) if r.is_empty()));
    out
}

pub fn summarize(from: &Catalog, to: &Catalog) -> Vec<AccessChange> {
    let mut tables: BTreeMap<&QualName, bool> = BTreeMap::new();
    for c in [from, to] {
        tables.extend(c.tables.keys().map(|k| (k, false)));
        tables.extend(c.views.keys().map(|k| (k, true)));
    }
    let none = Access {
        select: Level::None,
        insert: Level::None,
        update: Level::None,
        delete: Level::None,
    };
    let mut out = Vec::new();
    for (table, is_view) in tables {
        for who in subjects([from, to], table) {
            let before = access(from, table, is_view, &who);
            let after = access(to, table, is_view, &who);
            // Tables that come or go: their access changes with them, not by a grant.
            let (Some(before), Some(after)) = (before, after) else {
                let after = after.unwrap_or(none);
                if before.is_none()
                    && after != none
                    && !matches!(who, Grantee::Role(ref r) if *r == to.current_user)
                {
                    out.push(AccessChange {
                        role: name(&who),
                        table: table.to_string(),
                        before: none,
                        after,
                    });
                }
                continue;
            };
            if before != after {
                out.push(AccessChange {
                    role: name(&who),
                    table: table.to_string(),
                    before,
                    after,
                });
            }
        }
    }
    out
}

fn name(g: &Grantee) -> String {
    match g {
        Grantee::Role(r) => r.clone(),
        _ => "PUBLIC".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::View;

    /// A view handed to another owner gives that owner every privilege on it: the summary
    /// must name the view's owner, read under the view's own id.
    #[test]
    fn a_view_owner_is_a_subject() {
        let name = QualName::new("app", "report");
        let mut from = Catalog {
            current_user: "deployer".into(),
            ..Catalog::default()
        };
        from.views.insert(
            name.clone(),
            View {
                name: name.clone(),
                materialized: false,
                definition: " SELECT 1 AS one;".into(),
                columns: vec![("one".into(), "integer".into())],
                options: Vec::new(),
                populated: true,
            },
        );
        let mut to = from.clone();
        to.owners
            .insert(ObjectId::View { name: name.clone() }, "report_owner".into());
        let changes = summarize(&from, &to);
        let owner = changes
            .iter()
            .find(|c| c.role == "report_owner")
            .expect("the new owner is in the summary");
        assert_eq!(owner.after.select, Level::All);
        assert_eq!(owner.before.select, Level::None);
    }
}
