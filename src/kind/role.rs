//! Roles the desired state declares: created when missing, attributes and memberships
//! altered. Roles are cluster-wide and never dropped here.

use super::Change;
use crate::catalog::{ObjectId, Role, quote_ident};
use crate::diff::Context;
use crate::plan::{Action, Deps, Hazard, Step, step};

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
    /// `admin_only`: REVOKE ADMIN OPTION FOR, the membership stays.
    RevokeMembership {
        role: String,
        member: String,
        admin_only: bool,
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
                ..Deps::default()
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
        } => step(
            format!(
                "REVOKE {}{} FROM {};",
                if *admin_only { "ADMIN OPTION FOR " } else { "" },
                quote_ident(role),
                quote_ident(member)
            ),
            &id(member),
            Action::Revoke,
            Deps::default(),
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
