//! Privileges as PostgreSQL stores them (`aclitem[]`), exploded into one entry per grantee
//! and privilege. An object whose ACL is the built-in default has none stored: the
//! default is made explicit when comparing, so NULL and an equal explicit ACL agree.

use super::{Grantee, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    /// `SELECT`, `INSERT`, `USAGE` … as `aclexplode()` names them.
    pub privilege: String,
    /// WITH GRANT OPTION.
    pub grantable: bool,
}

pub type Acl = BTreeSet<Grant>;

/// The ACL of `grants` that may come from several grantors: what a grantee may do is the
/// union of what each gave it, so a privilege held both with and without the grant option
/// is one entry, with it.
pub fn merged(grants: impl IntoIterator<Item = Grant>) -> Acl {
    let mut acl: Acl = grants.into_iter().collect();
    let with_option: BTreeSet<(Grantee, String)> = acl
        .iter()
        .filter(|g| g.grantable)
        .map(|g| (g.grantee.clone(), g.privilege.clone()))
        .collect();
    acl.retain(|g| g.grantable || !with_option.contains(&(g.grantee.clone(), g.privilege.clone())));
    acl
}

/// One ACL entry with the role that granted it (`None`: the owner, or a superuser, which
/// PostgreSQL records as the owner). Kept only for objects where a grantee passed a
/// privilege on WITH GRANT OPTION: revoking such a grant option needs CASCADE, and
/// a privilege another role granted is revoked only through that role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GrantedBy {
    pub grantor: Option<String>,
    pub grant: Grant,
}

/// The kinds of objects that carry privileges, as far as their defaults go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AclKind {
    Schema,
    /// Tables, views, materialized views.
    Table,
    Sequence,
    /// Functions, procedures, aggregates.
    Function,
    /// Enums, domains, composite types.
    Type,
    Column,
}

impl AclKind {
    pub fn of(id: &ObjectId) -> Option<AclKind> {
        Some(match id {
            ObjectId::Schema { .. } => AclKind::Schema,
            ObjectId::Table { .. } | ObjectId::View { .. } => AclKind::Table,
            ObjectId::Sequence { .. } => AclKind::Sequence,
            ObjectId::Function { .. } => AclKind::Function,
            ObjectId::Type { .. } => AclKind::Type,
            ObjectId::Column { .. } => AclKind::Column,
            _ => return None,
        })
    }

    /// `pg_default_acl.defaclobjtype` of the kind, for those default privileges cover.
    pub fn default_acl_type(self) -> Option<&'static str> {
        Some(match self {
            AclKind::Table => "r",
            AclKind::Sequence => "S",
            AclKind::Function => "f",
            AclKind::Type => "T",
            AclKind::Schema => "n",
            AclKind::Column => return None,
        })
    }

    pub fn from_default_acl_type(t: &str) -> Option<AclKind> {
        Some(match t {
            "r" => AclKind::Table,
            "S" => AclKind::Sequence,
            "f" => AclKind::Function,
            "T" => AclKind::Type,
            "n" => AclKind::Schema,
            _ => return None,
        })
    }

    /// `ON TABLES`, `ON SEQUENCES` … of ALTER DEFAULT PRIVILEGES.
    pub fn default_acl_keyword(self) -> &'static str {
        match self {
            AclKind::Table | AclKind::Column => "TABLES",
            AclKind::Sequence => "SEQUENCES",
            AclKind::Function => "FUNCTIONS",
            AclKind::Type => "TYPES",
            AclKind::Schema => "SCHEMAS",
        }
    }

    /// `acldefault()`: what an object of this kind grants when its ACL is NULL.
    pub fn default_acl(self, server_version: i32) -> Acl {
        let owner: &[&str] = match self {
            AclKind::Schema => &["USAGE", "CREATE"],
            AclKind::Table if server_version >= 170000 => &[
                "INSERT",
                "SELECT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
                "MAINTAIN",
            ],
            AclKind::Table => &[
                "INSERT",
                "SELECT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
            ],
            AclKind::Sequence => &["USAGE", "SELECT", "UPDATE"],
            AclKind::Function => &["EXECUTE"],
            AclKind::Type => &["USAGE"],
            AclKind::Column => &[],
        };
        let public: &[&str] = match self {
            AclKind::Function => &["EXECUTE"],
            AclKind::Type => &["USAGE"],
            _ => &[],
        };
        let grant = |grantee: Grantee, p: &&str| Grant {
            grantee,
            privilege: p.to_string(),
            grantable: false,
        };
        owner
            .iter()
            .map(|p| grant(Grantee::Owner, p))
            .chain(public.iter().map(|p| grant(Grantee::Public, p)))
            .collect()
    }
}

/// The order privileges are written in.
pub const PRIVILEGE_ORDER: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
    "MAINTAIN",
    "USAGE",
    "CREATE",
    "EXECUTE",
];

/// Default privileges: `ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] … ON kind`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultAclKey {
    pub role: String,
    pub schema: Option<String>,
    pub kind: AclKind,
}
