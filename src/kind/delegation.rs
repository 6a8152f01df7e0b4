//! Privileges passed on by their grantees (a role holding one WITH GRANT OPTION granted it
//! further). Grantors are not compared, the effective ACL is; but they decide how an ACL
//! can be changed:
//!
//! - revoking a grant option its holder used fails ("dependent privileges exist") unless
//!   it CASCADEs;
//! - a REVOKE run by the owner removes only the owner's grants: a privilege another role
//!   granted stays, silently.
//!
//! So when a privilege that roles other than the owner granted is to be revoked from
//! anyone, the owner's grantees who passed it on lose its grant option with CASCADE,
//! which removes every grant made under it, and the plan grants again, as the owner, what
//! the desired state keeps. Objects the plan creates get their grantors' grants as they
//! are (the replay's copy of the current schema needs them to behave as the database).

use crate::catalog::{Acl, Grant, GrantedBy, Grantee, merged, quote_ident};
use std::collections::BTreeSet;

/// What is revoked with CASCADE: (grantee, privilege).
pub(super) type Cascades = Vec<(Grantee, String)>;

/// The ACL `from` is left with once the grant options that were passed on, of each
/// privilege about to be revoked from someone, are revoked with CASCADE; and those
/// revocations.
pub(super) fn cascade(from: &Acl, to: &Acl, rows: &BTreeSet<GrantedBy>) -> (Acl, Cascades) {
    let revoked = |p: &str| {
        from.iter().filter(|g| g.privilege == p).any(|had| {
            !to.iter().any(|want| {
                want.grantee == had.grantee
                    && want.privilege == p
                    && (want.grantable || !had.grantable)
            })
        })
    };
    let passed_on: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.grantor.is_some())
        .map(|r| r.grant.privilege.as_str())
        .collect();
    let mut left = from.clone();
    let mut cascades = Cascades::new();
    for p in passed_on.into_iter().filter(|p| revoked(p)) {
        let grantors: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.grant.privilege == p)
            .filter_map(|r| r.grantor.as_deref())
            .collect();
        left.retain(|g| g.privilege != p);
        for r in rows
            .iter()
            .filter(|r| r.grantor.is_none() && r.grant.privilege == p)
        {
            let root =
                r.grant.grantable && r.grant.grantee.role().is_some_and(|n| grantors.contains(n));
            if root {
                cascades.push((r.grant.grantee.clone(), p.to_string()));
            }
            left.insert(Grant {
                grantable: r.grant.grantable && !root,
                ..r.grant.clone()
            });
        }
    }
    // Merged as introspection merges what several grantors gave.
    (merged(left), cascades)
}

/// The owner's own grants among `rows` (what a new object gets by plain GRANTs).
pub(super) fn by_owner(rows: &BTreeSet<GrantedBy>) -> Acl {
    rows.iter()
        .filter(|r| r.grantor.is_none())
        .map(|r| r.grant.clone())
        .collect()
}

/// The grants other roles made among `rows`, each run as its grantor (in a DO block that
/// restores the role it found), a grantor's own grant option before what it passes on.
pub(super) fn grants(
    rows: &BTreeSet<GrantedBy>,
    on: &str,
    column: Option<&str>,
    who: &dyn Fn(&Grantee) -> String,
) -> Vec<String> {
    let mut holding: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| r.grantor.is_none() && r.grant.grantable)
        .filter_map(|r| {
            Some((
                r.grant.grantee.role()?.to_string(),
                r.grant.privilege.clone(),
            ))
        })
        .collect();
    let mut pending: Vec<(&str, &Grant)> = rows
        .iter()
        .filter_map(|r| Some((r.grantor.as_deref()?, &r.grant)))
        .collect();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let (mut ready, rest): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(by, g)| holding.contains(&(by.to_string(), g.privilege.clone())));
        pending = rest;
        if ready.is_empty() {
            // A chain PostgreSQL would not have let exist: written anyway, the server's
            // error then names it.
            ready = std::mem::take(&mut pending);
        }
        let grantors: BTreeSet<&str> = ready.iter().map(|(by, _)| *by).collect();
        for by in grantors {
            let body: Vec<String> = ready
                .iter()
                .filter(|(b, _)| *b == by)
                .map(|(_, g)| {
                    let cols = column
                        .map(|c| format!(" ({})", quote_ident(c)))
                        .unwrap_or_default();
                    let option = if g.grantable {
                        " WITH GRANT OPTION"
                    } else {
                        ""
                    };
                    format!(
                        "    GRANT {}{cols} ON {on} TO {}{option};\n",
                        g.privilege,
                        who(&g.grantee)
                    )
                })
                .collect();
            out.push(format!(
                "DO $profe$\nDECLARE\n    was text := pg_catalog.current_setting('role');\nBEGIN\n    \
                 SET LOCAL ROLE {};\n{}    PERFORM pg_catalog.set_config('role', was, true);\nEND\n$profe$;",
                quote_ident(by),
                body.concat()
            ));
        }
        for (_, g) in &ready {
            if g.grantable
                && let Some(r) = g.grantee.role()
            {
                holding.insert((r.to_string(), g.privilege.clone()));
            }
        }
    }
    out
}
