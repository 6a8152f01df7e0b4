//! Roles the desired state declares: created when missing, attributes and memberships
//! altered. Roles are cluster-wide and never dropped here.

use super::Change;
use crate::catalog::{ObjectId, Role, quote_ident};
use crate::diff::Context;
use crate::plan::{Action, Deps, Hazard, Step, step};
use std::collections::{BTreeMap, BTreeSet};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RoleChange {
    Create {
        role: crate::catalog::Role,
    },
    /// Only with `--drop-roles`.
    Drop {
        role: crate::catalog::Role,
    },
    /// Attributes (LOGIN, BYPASSRLS, CONNECTION LIMIT …).
    Alter {
        from: crate::catalog::Role,
        to: crate::catalog::Role,
    },
    GrantMembership {
        role: String,
        member: String,
        admin: bool,
    },
    /// `admin_only`: REVOKE ADMIN OPTION FOR, the membership stays. `cascade`: with the
    /// memberships granted on that option.
    RevokeMembership {
        role: String,
        member: String,
        admin_only: bool,
        cascade: bool,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    for (name, want) in &ctx.to.roles {
        let have = ctx.from.roles.get(name);
        match have {
            None if want.declared => {
                out.push(Change::Role(RoleChange::Create { role: want.clone() }))
            }
            Some(have) if want.declared && !want.attributes_sql(have).is_empty() => {
                out.push(Change::Role(RoleChange::Alter {
                    from: have.clone(),
                    to: want.clone(),
                }))
            }
            _ => {}
        }
        let had = have.map(|h| h.member_of.clone()).unwrap_or_default();
        for (role, &admin) in &want.member_of {
            match had.get(role) {
                Some(&was) if was == admin || (was && !want.declared) => {}
                Some(&was) if was && !admin => {
                    out.push(Change::Role(RoleChange::RevokeMembership {
                        role: role.clone(),
                        member: name.clone(),
                        admin_only: true,
                        cascade: false,
                    }))
                }
                _ => out.push(Change::Role(RoleChange::GrantMembership {
                    role: role.clone(),
                    member: name.clone(),
                    admin,
                })),
            }
        }
        if want.declared {
            for role in had.keys().filter(|r| !want.member_of.contains_key(*r)) {
                out.push(Change::Role(RoleChange::RevokeMembership {
                    role: role.clone(),
                    member: name.clone(),
                    admin_only: false,
                    cascade: false,
                }));
            }
        }
    }
    through_grantors(ctx, out);
}

/// From PostgreSQL 16, a membership a member granted on its ADMIN OPTION is revoked only
/// by that member, and the option cannot be revoked while it stands. So where a role's
/// memberships are to lose anything and some were passed on, the passers' ADMIN OPTION is
/// revoked with CASCADE first, and what the desired state keeps (for roles it does not
/// declare: what they had) is granted again.
fn through_grantors(ctx: &Context, out: &mut Vec<Change>) {
    let revoked: BTreeSet<String> = out
        .iter()
        .filter_map(|c| match c {
            Change::Role(RoleChange::RevokeMembership { role, .. }) => Some(role.clone()),
            _ => None,
        })
        .collect();
    for role in revoked {
        let passers: BTreeMap<&String, &BTreeSet<String>> = ctx
            .from
            .roles
            .iter()
            .filter_map(|(n, r)| r.passed_on.get(&role).map(|m| (n, m)))
            .collect();
        if passers.is_empty() {
            continue;
        }
        // The cascade does what a passer's own REVOKE ADMIN OPTION would.
        out.retain(|c| {
            !matches!(c, Change::Role(RoleChange::RevokeMembership { role: r, member, admin_only: true, .. })
                if *r == role && passers.contains_key(member))
        });
        let mut first: Vec<Change> = passers
            .keys()
            .map(|p| {
                Change::Role(RoleChange::RevokeMembership {
                    role: role.clone(),
                    member: (*p).clone(),
                    admin_only: true,
                    cascade: true,
                })
            })
            .collect();
        first.append(out);
        *out = first;
        let lost: BTreeSet<&String> = passers
            .keys()
            .copied()
            .chain(passers.values().flat_map(|m| m.iter()))
            .collect();
        for member in lost {
            let admin = match ctx.to.roles.get(member) {
                Some(want) if want.declared || want.member_of.contains_key(&role) => {
                    want.member_of.get(&role).copied()
                }
                _ => ctx
                    .from
                    .roles
                    .get(member)
                    .and_then(|had| had.member_of.get(&role).copied()),
            };
            let planned = out.iter().any(|c| {
                matches!(c, Change::Role(RoleChange::GrantMembership { role: r, member: m, .. })
                    if *r == role && m == member)
            });
            // A passer keeps the membership itself (only its option went).
            let keeps = passers.contains_key(member) && admin == Some(false);
            if let Some(admin) = admin.filter(|_| !planned && !keeps) {
                out.push(Change::Role(RoleChange::GrantMembership {
                    role: role.clone(),
                    member: member.clone(),
                    admin,
                }));
            }
        }
    }
}

/// Roles the current side has and the desired side neither declares nor uses: only
/// there when `--drop-roles` put them in, after every other step.
pub(crate) fn drops(ctx: &Context, out: &mut Vec<Change>) {
    let used = ctx.to.role_names();
    for (name, role) in &ctx.from.roles {
        if !used.contains(name)
            && !ctx.to.roles.contains_key(name)
            && *name != ctx.from.current_user
        {
            out.push(Change::Role(RoleChange::Drop { role: role.clone() }));
        }
    }
}

/// A role's memberships change after the CASCADE that takes the passed-on ones.
fn membership_order(role: &str, cascade: bool) -> Deps {
    let mark = format!("memberships cascade {role}");
    match cascade {
        true => Deps {
            marks: vec![mark],
            ..Deps::default()
        },
        false => Deps {
            after: vec![mark],
            ..Deps::default()
        },
    }
}

fn id(name: &str) -> ObjectId {
    ObjectId::Role { name: name.into() }
}

/// Roles carry no comment or privilege the engine manages: nothing to report.
pub(super) fn created(_: &RoleChange) -> Vec<ObjectId> {
    vec![]
}

pub(super) fn steps(_ctx: &Context, change: &RoleChange) -> Vec<Step> {
    let s = match change {
        RoleChange::Create { role } => {
            let attrs = role.attributes_sql(&Role::new(role.name.clone()));
            let mut sql = format!("CREATE ROLE {}", quote_ident(&role.name));
            for a in &attrs {
                sql.push(' ');
                sql.push_str(a);
            }
            sql.push(';');
            step(
                sql,
                &id(&role.name),
                Action::Create,
                Deps {
                    creates: vec![id(&role.name)],
                    ..Deps::default()
                },
            )
            // Only a role that can log in opens a way in. A NOLOGIN role (BYPASSRLS or
            // any other attribute included: attributes are not inherited) is used only
            // by its members through SET ROLE, and each membership is a GRANT step of
            // its own that carries the hazard.
            .hazard_if(
                role.login,
                Hazard::AuthzUpdate,
                format!("new role {} can log in", quote_ident(&role.name)),
            )
        }
        RoleChange::Drop { role } => {
            let mut s = step(
                format!("DROP ROLE {};", quote_ident(&role.name)),
                &id(&role.name),
                Action::Drop,
                Deps {
                    drops: vec![id(&role.name)],
                    ..Deps::default()
                },
            )
            .hazard(
                Hazard::AuthzUpdate,
                format!("role {} is dropped", quote_ident(&role.name)),
            );
            // After every grant, owner and policy change that lets go of the role.
            s.deps.after.push("*".into());
            s
        }
        RoleChange::Alter { from, to } => step(
            format!(
                "ALTER ROLE {} {};",
                quote_ident(&to.name),
                to.attributes_sql(from).join(" ")
            ),
            &id(&to.name),
            Action::Alter,
            Deps::default(),
        )
        .hazard(
            Hazard::AuthzUpdate,
            format!(
                "attributes of role {} change: {}",
                quote_ident(&to.name),
                to.attributes_sql(from).join(" ")
            ),
        ),
        RoleChange::GrantMembership {
            role,
            member,
            admin,
        } => step(
            format!(
                "GRANT {} TO {}{};",
                quote_ident(role),
                quote_ident(member),
                if *admin { " WITH ADMIN OPTION" } else { "" }
            ),
            &id(member),
            Action::Grant,
            Deps {
                requires: vec![id(role), id(member)],
                ..membership_order(role, false)
            },
        )
        .hazard(
            Hazard::AuthzUpdate,
            format!(
                "{} gains the privileges of {}",
                quote_ident(member),
                quote_ident(role)
            ),
        ),
        RoleChange::RevokeMembership {
            role,
            member,
            admin_only,
            cascade,
        } => step(
            format!(
                "REVOKE {}{} FROM {}{};",
                if *admin_only { "ADMIN OPTION FOR " } else { "" },
                quote_ident(role),
                quote_ident(member),
                if *cascade { " CASCADE" } else { "" }
            ),
            &id(member),
            Action::Revoke,
            membership_order(role, *cascade),
        )
        .hazard(
            Hazard::AuthzUpdate,
            format!(
                "{} loses {} of {}",
                quote_ident(member),
                if *admin_only {
                    "the admin option"
                } else {
                    "the privileges"
                },
                quote_ident(role)
            ),
        ),
    };
    vec![s]
}
