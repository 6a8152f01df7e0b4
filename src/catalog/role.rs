use super::quote_ident;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Who a privilege or a policy is for. `Owner` stands for the object's owner whoever it
/// is, so that privileges compare equal when only the owner's name differs (ALTER OWNER
/// moves them along).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    Owner,
    Public,
    Role(String),
}

impl Grantee {
    /// The grantee as SQL names it (never `Owner`: callers resolve it first).
    pub fn sql(&self) -> String {
        match self {
            Grantee::Owner => "CURRENT_USER".into(),
            Grantee::Public => "PUBLIC".into(),
            Grantee::Role(r) => quote_ident(r),
        }
    }

    pub fn role(&self) -> Option<&str> {
        match self {
            Grantee::Role(r) => Some(r),
            _ => None,
        }
    }
}

/// A cluster role as the desired state declares it. Passwords are never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub superuser: bool,
    pub createdb: bool,
    pub createrole: bool,
    pub inherit: bool,
    pub login: bool,
    pub replication: bool,
    pub bypassrls: bool,
    /// -1: no limit.
    pub connection_limit: i32,
    /// False for a role the desired state only grants memberships to: its attributes
    /// are not managed.
    #[serde(default)]
    pub declared: bool,
    /// Roles this role is a member of, with whether it holds ADMIN OPTION.
    pub member_of: BTreeMap<String, bool>,
    /// Memberships this role granted under its ADMIN OPTION: role → members. Read from
    /// PostgreSQL 16 on, where revoking that option needs CASCADE and a membership is
    /// revoked only by its grantor.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub passed_on: BTreeMap<String, BTreeSet<String>>,
}

impl Role {
    /// A role as CREATE ROLE makes it when nothing else is said.
    pub fn new(name: impl Into<String>) -> Role {
        Role {
            name: name.into(),
            superuser: false,
            createdb: false,
            createrole: false,
            inherit: true,
            login: false,
            replication: false,
            bypassrls: false,
            connection_limit: -1,
            declared: true,
            member_of: BTreeMap::new(),
            passed_on: BTreeMap::new(),
        }
    }

    /// The attribute keywords that make `self` out of a default role (for CREATE ROLE)
    /// or out of `from` (for ALTER ROLE).
    pub fn attributes_sql(&self, from: &Role) -> Vec<String> {
        let flag = |on: bool, was: bool, yes: &str, no: &str, out: &mut Vec<String>| {
            if on != was {
                out.push(if on { yes } else { no }.to_string());
            }
        };
        let mut out = Vec::new();
        flag(
            self.superuser,
            from.superuser,
            "SUPERUSER",
            "NOSUPERUSER",
            &mut out,
        );
        flag(
            self.createdb,
            from.createdb,
            "CREATEDB",
            "NOCREATEDB",
            &mut out,
        );
        flag(
            self.createrole,
            from.createrole,
            "CREATEROLE",
            "NOCREATEROLE",
            &mut out,
        );
        flag(self.inherit, from.inherit, "INHERIT", "NOINHERIT", &mut out);
        flag(self.login, from.login, "LOGIN", "NOLOGIN", &mut out);
        flag(
            self.replication,
            from.replication,
            "REPLICATION",
            "NOREPLICATION",
            &mut out,
        );
        flag(
            self.bypassrls,
            from.bypassrls,
            "BYPASSRLS",
            "NOBYPASSRLS",
            &mut out,
        );
        if self.connection_limit != from.connection_limit {
            out.push(format!("CONNECTION LIMIT {}", self.connection_limit));
        }
        out
    }
}
