//! Roles in the desired state. They are cluster-wide, so their statements are not run in
//! the shadow database: CREATE ROLE, ALTER ROLE and GRANT role TO role are read into the
//! role model here, and every role the files name is created there as a placeholder
//! (inside the loading transaction, which is rolled back) so that the files load.

use crate::catalog::Role;
use pg_query::NodeEnum;
use pg_query::protobuf::{DefElem, Node, RoleSpecType, RoleStmtType};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Roles declared by CREATE ROLE (with their attributes and memberships), plus members
/// of GRANT role TO role that the files do not declare (their attributes are not managed:
/// only the granted memberships are ensured).
#[derive(Debug, Clone, Default)]
pub struct DesiredRoles {
    pub declared: BTreeMap<String, Role>,
    /// Memberships of undeclared roles: member → roles granted (with ADMIN OPTION).
    pub granted: BTreeMap<String, BTreeMap<String, bool>>,
    /// Every role name the files mention anywhere (policies, grants, owners …).
    pub mentioned: BTreeSet<String>,
}

/// Whether the statement is about roles (and so is not run in the shadow database).
pub fn is_role_statement(node: &NodeEnum) -> bool {
    matches!(
        node,
        NodeEnum::CreateRoleStmt(_) | NodeEnum::AlterRoleStmt(_) | NodeEnum::GrantRoleStmt(_)
    )
}

fn role_name(spec: &pg_query::protobuf::RoleSpec) -> Option<String> {
    (spec.roletype == RoleSpecType::RolespecCstring as i32).then(|| spec.rolename.clone())
}

fn node_role(n: &Node) -> Option<String> {
    match &n.node {
        Some(NodeEnum::RoleSpec(r)) => role_name(r),
        Some(NodeEnum::AccessPriv(p)) => Some(p.priv_name.clone()),
        Some(NodeEnum::String(s)) => Some(s.sval.clone()),
        _ => None,
    }
}

fn list_roles(arg: &Option<Box<Node>>) -> Vec<String> {
    match arg.as_deref().and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::List(l)) => l.items.iter().filter_map(node_role).collect(),
        _ => Vec::new(),
    }
}

fn bool_arg(d: &DefElem) -> bool {
    match d.arg.as_deref().and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::Boolean(b)) => b.boolval,
        Some(NodeEnum::Integer(i)) => i.ival != 0,
        _ => true,
    }
}

fn int_arg(d: &DefElem) -> Option<i32> {
    match d.arg.as_deref().and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::Integer(i)) => Some(i.ival),
        _ => None,
    }
}

impl DesiredRoles {
    /// Every role name the desired state uses.
    pub fn all_names(&self) -> BTreeSet<String> {
        let mut out = self.mentioned.clone();
        out.extend(self.declared.keys().cloned());
        out.extend(self.granted.keys().cloned());
        for m in self
            .declared
            .values()
            .map(|r| &r.member_of)
            .chain(self.granted.values())
        {
            out.extend(m.keys().cloned());
        }
        out
    }

    /// The roles as the desired catalog carries them: declared ones, and members of
    /// granted roles that are not declared (only their memberships are managed).
    pub fn catalog_roles(&self) -> BTreeMap<String, Role> {
        let mut out = self.declared.clone();
        for (member, of) in &self.granted {
            let mut r = Role::new(member.clone());
            r.declared = false;
            r.member_of = of.clone();
            out.insert(member.clone(), r);
        }
        out
    }

    /// Every role name in the statement's tree.
    pub fn mention(&mut self, node: &NodeEnum) {
        self.mention_in(node, &serde_json::to_value(node).unwrap_or(Value::Null));
    }

    /// [`DesiredRoles::mention`] with the statement's tree already turned into JSON (the
    /// costly part of reading a statement, done once for every use).
    pub fn mention_in(&mut self, node: &NodeEnum, tree: &Value) {
        fn walk(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    if let (Some(Value::Number(t)), Some(Value::String(n))) =
                        (m.get("roletype"), m.get("rolename"))
                        && t.as_i64() == Some(RoleSpecType::RolespecCstring as i64)
                    {
                        out.insert(n.clone());
                    }
                    m.values().for_each(|x| walk(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        walk(tree, &mut self.mentioned);
        if let NodeEnum::GrantRoleStmt(g) = node {
            self.mentioned
                .extend(g.granted_roles.iter().filter_map(node_role));
        }
        if let NodeEnum::CreateRoleStmt(c) = node {
            self.mentioned.insert(c.role.clone());
        }
    }

    /// Applies one role statement; `Err` explains what cannot be declared.
    pub fn apply(&mut self, node: &NodeEnum) -> Result<(), String> {
        self.mention(node);
        match node {
            NodeEnum::CreateRoleStmt(c) => {
                if self.declared.contains_key(&c.role) {
                    return Err(format!("role {:?} is created twice", c.role));
                }
                let mut role = Role::new(c.role.clone());
                role.login = c.stmt_type == RoleStmtType::RolestmtUser as i32;
                let options: Vec<&DefElem> = defelems(&c.options);
                self.set_options(&mut role, &options)?;
                // ROLE/ADMIN: the listed roles become members of this one.
                for d in &options {
                    let admin = d.defname == "adminmembers";
                    if admin || d.defname == "rolemembers" {
                        for m in list_roles(&d.arg) {
                            self.grant(&c.role, &m, admin);
                        }
                    }
                }
                self.declared.insert(c.role.clone(), role);
                Ok(())
            }
            NodeEnum::AlterRoleStmt(a) => {
                let name = a
                    .role
                    .as_ref()
                    .and_then(role_name)
                    .ok_or("ALTER ROLE must name a role")?;
                let mut role = self
                    .declared
                    .remove(&name)
                    .ok_or_else(|| format!("ALTER ROLE {name:?}: the role is not created by the desired state (declare it with CREATE ROLE)"))?;
                let options = defelems(&a.options);
                let result = self.set_options(&mut role, &options);
                self.declared.insert(name, role);
                result
            }
            NodeEnum::GrantRoleStmt(g) => {
                if !g.is_grant {
                    return Err("REVOKE of a role membership: leave the GRANT out instead".into());
                }
                let opts = defelems(&g.opt);
                if let Some(d) = opts.iter().find(|d| d.defname != "admin") {
                    return Err(format!(
                        "GRANT role … WITH {} is not managed (only ADMIN OPTION is)",
                        d.defname.to_uppercase()
                    ));
                }
                let admin = opts.iter().any(|d| d.defname == "admin" && bool_arg(d));
                for granted in g.granted_roles.iter().filter_map(node_role) {
                    for member in g.grantee_roles.iter().filter_map(node_role) {
                        self.grant(&granted, &member, admin);
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn grant(&mut self, granted: &str, member: &str, admin: bool) {
        self.mentioned.insert(member.to_string());
        let map = match self.declared.get_mut(member) {
            Some(r) => &mut r.member_of,
            None => self.granted.entry(member.to_string()).or_default(),
        };
        let e = map.entry(granted.to_string()).or_insert(false);
        *e |= admin;
    }

    fn set_options(&mut self, role: &mut Role, options: &[&DefElem]) -> Result<(), String> {
        for d in options {
            match d.defname.as_str() {
                "superuser" => role.superuser = bool_arg(d),
                "createdb" => role.createdb = bool_arg(d),
                "createrole" => role.createrole = bool_arg(d),
                "inherit" => role.inherit = bool_arg(d),
                "canlogin" => role.login = bool_arg(d),
                "isreplication" => role.replication = bool_arg(d),
                "bypassrls" => role.bypassrls = bool_arg(d),
                "connectionlimit" => role.connection_limit = int_arg(d).unwrap_or(-1),
                "addroleto" => {
                    for r in list_roles(&d.arg) {
                        role.member_of.entry(r.clone()).or_insert(false);
                        self.mentioned.insert(r);
                    }
                }
                "rolemembers" | "adminmembers" => {}
                "password" | "encryptedPassword" | "unencryptedPassword" | "validUntil" => {
                    return Err(format!(
                        "role {:?}: passwords (and VALID UNTIL) are not part of the desired state: set them outside the repository",
                        role.name
                    ));
                }
                other => {
                    return Err(format!(
                        "role {:?}: option {other} is not managed",
                        role.name
                    ));
                }
            }
        }
        Ok(())
    }
}

fn defelems(list: &[Node]) -> Vec<&DefElem> {
    list.iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::DefElem(d)) => Some(&**d),
            _ => None,
        })
        .collect()
}
