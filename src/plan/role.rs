use super::{Action, Deps, Hazard, Step, step};
use crate::catalog::{ObjectId, Role, quote_ident};
use crate::diff::RoleChange;

fn id(name: &str) -> ObjectId {
    ObjectId::Role { name: name.into() }
}

pub(super) fn steps(change: &RoleChange) -> Vec<Step> {
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
            .hazard_if(crate::diff::is_powerful(role), Hazard::AuthzUpdate)
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
            .hazard(Hazard::AuthzUpdate);
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
        .hazard(Hazard::AuthzUpdate),
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
        .hazard(Hazard::AuthzUpdate),
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
        .hazard(Hazard::AuthzUpdate),
    };
    vec![s]
}
