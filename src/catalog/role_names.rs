//! The roles a catalog names, and the renaming of the user it was read as.

use super::{Acl, Catalog, Grantee};
use std::collections::BTreeSet;

impl Catalog {
    /// Every role name the catalog uses: roles it declares and their memberships, policy
    /// roles, grantees and owners.
    pub fn role_names(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.roles.keys().cloned().collect();
        for r in self.roles.values() {
            out.extend(r.member_of.keys().cloned());
        }
        for p in self.policies.values() {
            out.extend(p.roles.iter().filter_map(|g| g.role()).map(String::from));
        }
        for acl in self
            .privileges
            .values()
            .chain(self.default_privileges.values())
        {
            out.extend(
                acl.iter()
                    .filter_map(|g| g.grantee.role())
                    .map(String::from),
            );
        }
        out.extend(self.owners.values().cloned());
        out.extend(self.default_privileges.keys().map(|k| k.role.clone()));
        out.remove(&self.current_user);
        out
    }

    /// Makes the desired state, read back as the shadow server's user, read as if `to`
    /// had loaded it: that user's name becomes `to` wherever it appears.
    pub fn rename_current_user(&mut self, to: &str) {
        let from = std::mem::replace(&mut self.current_user, to.to_string());
        if from == to || from.is_empty() {
            return;
        }
        let rename = |name: &mut String| {
            if *name == from {
                *name = to.to_string();
            }
        };
        let rename_grantee = |g: &mut Grantee| {
            if let Grantee::Role(r) = g
                && *r == from
            {
                *r = to.to_string();
            }
        };
        self.owners.values_mut().for_each(rename);
        self.owners.retain(|_, o| o != to);
        let fix_acl = |acl: &mut Acl| {
            *acl = std::mem::take(acl)
                .into_iter()
                .map(|mut g| {
                    rename_grantee(&mut g.grantee);
                    g
                })
                .collect();
        };
        self.privileges.values_mut().for_each(fix_acl);
        for rows in self.granted_by.values_mut() {
            *rows = std::mem::take(rows)
                .into_iter()
                .map(|mut r| {
                    r.grantor.as_mut().map(rename);
                    rename_grantee(&mut r.grant.grantee);
                    r
                })
                .collect();
        }
        self.default_privileges = std::mem::take(&mut self.default_privileges)
            .into_iter()
            .map(|(mut k, mut acl)| {
                rename(&mut k.role);
                fix_acl(&mut acl);
                (k, acl)
            })
            .collect();
        for p in self.policies.values_mut() {
            p.roles.iter_mut().for_each(rename_grantee);
            p.roles.sort();
        }
    }
}
