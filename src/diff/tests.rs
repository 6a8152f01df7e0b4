//! The changes `diff` finds between small catalogs, one line each (kind, variant, object
//! and what decides the plan), so that a snapshot reads like the list of what happens.

use super::*;
use crate::catalog::Catalog;
use crate::catalog::testing::*;

/// One line per change.
fn label(c: &Change) -> String {
    match c {
        Change::Role(r) => match r {
            RoleChange::Create { role } => format!("role create {}", role.name),
            RoleChange::Drop { role } => format!("role drop {}", role.name),
            RoleChange::Alter { to, .. } => format!("role alter {}", to.name),
            RoleChange::GrantMembership {
                role,
                member,
                admin,
            } => {
                format!("role grant {role} to {member} admin={admin}")
            }
            RoleChange::RevokeMembership {
                role,
                member,
                admin_only,
                ..
            } => {
                format!("role revoke {role} from {member} admin_only={admin_only}")
            }
        },
        Change::Schema(SchemaChange::Create { name }) => format!("schema create {name}"),
        Change::Schema(SchemaChange::Drop { name }) => format!("schema drop {name}"),
        Change::Extension(e) => match e {
            ExtensionChange::Create { extension } => format!("extension create {}", extension.name),
            ExtensionChange::Drop { extension } => format!("extension drop {}", extension.name),
            ExtensionChange::SetSchema { to, .. } => {
                format!("extension set schema {} {}", to.name, to.schema)
            }
            ExtensionChange::Update { to, .. } => {
                format!("extension update {} {}", to.name, to.version)
            }
        },
        Change::Enum(e) => match e {
            EnumChange::Create { enum_type } => format!("enum create {}", enum_type.name),
            EnumChange::Drop { enum_type } => format!("enum drop {}", enum_type.name),
            EnumChange::AddValue {
                name,
                value,
                before,
                after,
            } => {
                format!("enum add value {name} {value:?} before={before:?} after={after:?}")
            }
            EnumChange::Recreate { to, .. } => format!("enum recreate {} {:?}", to.name, to.labels),
        },
        Change::Collation(CollationChange::Create { collation }) => {
            format!("collation create {}", collation.name)
        }
        Change::Collation(CollationChange::Drop { collation }) => {
            format!("collation drop {}", collation.name)
        }
        Change::Domain(d) => match d {
            DomainChange::Create { domain } => format!("domain create {}", domain.name),
            DomainChange::Drop { domain } => format!("domain drop {}", domain.name),
            DomainChange::Alter { to, .. } => format!("domain alter {}", to.name),
            DomainChange::Recreate { to, .. } => format!("domain recreate {}", to.name),
        },
        Change::Operator(o) => match o {
            OperatorChange::Create { operator } => format!("operator create {}", operator.id()),
            OperatorChange::Drop { operator } => format!("operator drop {}", operator.id()),
            OperatorChange::SetEstimators { to, .. } => format!("operator estimators {}", to.id()),
        },
        Change::Composite(c) => match c {
            CompositeChange::Create { composite } => format!("composite create {}", composite.name),
            CompositeChange::Drop { composite } => format!("composite drop {}", composite.name),
            CompositeChange::Alter { to, .. } => format!("composite alter {}", to.name),
        },
        Change::Sequence(s) => match s {
            SequenceChange::Create { sequence } => format!("sequence create {}", sequence.name),
            SequenceChange::Drop { sequence } => format!("sequence drop {}", sequence.name),
            SequenceChange::Alter { to, .. } => format!("sequence alter {}", to.name),
        },
        Change::Table(t) => match t {
            TableChange::Create { table } => {
                format!("table create {} constraints=[{}]", table.name, names(table))
            }
            TableChange::Drop { table } => {
                format!("table drop {} constraints=[{}]", table.name, names(table))
            }
            TableChange::AttachPartition { table, parent, .. } => {
                format!("table attach {table} to {parent}")
            }
            TableChange::DetachPartition { table, parent } => {
                format!("table detach {table} from {parent}")
            }
            TableChange::SetOptions { table, to, .. } => {
                format!("table options {table} {to:?}")
            }
            TableChange::SetReplicaIdentity { table, identity } => {
                format!("table replica identity {table} {}", identity.sql())
            }
            TableChange::SetInherit { table, parent, add } => {
                format!("table inherit {table} from {parent} add={add}")
            }
            TableChange::SetLogged { table, unlogged } => {
                format!("table set logged {table} unlogged={unlogged}")
            }
        },
        Change::Column(c) => match c {
            ColumnChange::Add { table, column } => format!("column add {table}.{}", column.name),
            ColumnChange::Drop { table, column } => format!("column drop {table}.{}", column.name),
            ColumnChange::Alter { table, from, to } => format!(
                "column alter {table}.{} {} -> {} default {:?} -> {:?}",
                to.name, from.data_type, to.data_type, from.default, to.default
            ),
            ColumnChange::ResetDefault { table, column } => {
                format!("column reset default {table}.{}", column.name)
            }
        },
        Change::Constraint(c) => match c {
            ConstraintChange::Add { table, constraint } => {
                format!(
                    "constraint add {table} {}: {}",
                    constraint.name, constraint.definition
                )
            }
            ConstraintChange::Drop { table, constraint } => {
                format!("constraint drop {table} {}", constraint.name)
            }
            ConstraintChange::Validate { table, constraint } => {
                format!("constraint validate {table} {}", constraint.name)
            }
            ConstraintChange::AlterDeferrable { table, constraint } => format!(
                "constraint deferrable {table} {} deferrable={} deferred={}",
                constraint.name, constraint.deferrable, constraint.deferred
            ),
        },
        Change::Function(f) => match f {
            FunctionChange::Create { function } => {
                format!("function create {}", function.signature())
            }
            FunctionChange::Drop { function } => format!("function drop {}", function.signature()),
            FunctionChange::Replace { to, .. } => format!("function replace {}", to.signature()),
        },
        Change::Aggregate(a) => match a {
            AggregateChange::Create { aggregate, replace } => {
                format!(
                    "aggregate create {} replace={replace}",
                    aggregate.signature()
                )
            }
            AggregateChange::Drop { aggregate } => {
                format!("aggregate drop {}", aggregate.signature())
            }
        },
        Change::View(v) => match v {
            ViewChange::Create { view } => format!("view create {}", view.name),
            ViewChange::Drop { view } => format!("view drop {}", view.name),
            ViewChange::Replace { to, .. } => format!("view replace {}", to.name),
            ViewChange::AlterOptions { to, .. } => {
                format!("view options {} {:?}", to.name, to.options)
            }
            ViewChange::Refresh { view } => {
                format!("view refresh {} populated={}", view.name, view.populated)
            }
        },
        Change::Trigger(t) => match t {
            TriggerChange::Create { trigger } => {
                format!("trigger create {} on {}", trigger.name, trigger.table)
            }
            TriggerChange::Drop { trigger } => {
                format!("trigger drop {} on {}", trigger.name, trigger.table)
            }
            TriggerChange::SetEnabled { trigger } => {
                format!(
                    "trigger enabled {} on {} {}",
                    trigger.name, trigger.table, trigger.enabled
                )
            }
        },
        Change::Policy(p) => match p {
            PolicyChange::SetRowSecurity { table, from, to } => {
                format!("policy row security {table} {from:?} -> {to:?}")
            }
            PolicyChange::Create { policy } => {
                format!("policy create {} on {}", policy.name, policy.table)
            }
            PolicyChange::Drop { policy } => {
                format!("policy drop {} on {}", policy.name, policy.table)
            }
            PolicyChange::Alter { to, .. } => format!("policy alter {} on {}", to.name, to.table),
            PolicyChange::Recreate { to, .. } => {
                format!("policy recreate {} on {}", to.name, to.table)
            }
        },
        Change::Privilege(p) => match p {
            PrivilegeChange::SetPrivileges {
                object,
                from,
                to,
                new,
            } => format!(
                "privileges {object} new={new} +{:?} -{:?}",
                to.difference(from).map(grant).collect::<Vec<_>>(),
                from.difference(to).map(grant).collect::<Vec<_>>()
            ),
            PrivilegeChange::SetColumnPrivileges {
                table,
                columns,
                new,
            } => format!(
                "column privileges {table} new={new} {:?}",
                columns.keys().collect::<Vec<_>>()
            ),
            PrivilegeChange::SetOwner { object, owner, new } => {
                format!("owner {object} -> {owner:?} new={new}")
            }
            PrivilegeChange::SetDefaultPrivileges { key, from, to } => format!(
                "default privileges {} {:?} {:?} +{:?} -{:?}",
                key.role,
                key.schema,
                key.kind,
                to.difference(from).map(grant).collect::<Vec<_>>(),
                from.difference(to).map(grant).collect::<Vec<_>>()
            ),
        },
        Change::Comment(CommentChange::Set { object, comment }) => {
            format!("comment {object} {comment:?}")
        }
        Change::Index(i) => match i {
            IndexChange::Create { index } => format!("index create {}", index.name),
            IndexChange::Drop { index } => format!("index drop {}", index.name),
            IndexChange::Replace { to, .. } => format!("index replace {}", to.name),
            IndexChange::AlterOptions { index, from, to } => {
                format!("index options {index} {from:?} -> {to:?}")
            }
            IndexChange::SetStatistics { index, from, to } => {
                format!("index statistics {index} {from:?} -> {to:?}")
            }
            IndexChange::Rename { from, to } => format!("index rename {from} -> {to}"),
            IndexChange::NameChild { name, .. } => format!("index name child {name}"),
        },
    }
}

/// The constraint names of a table, comma separated.
fn names(table: &crate::catalog::Table) -> String {
    let names: Vec<&str> = table.constraints.keys().map(String::as_str).collect();
    names.join(", ")
}

fn grant(g: &crate::catalog::Grant) -> String {
    format!(
        "{}:{}{}",
        g.grantee.sql(),
        g.privilege,
        if g.grantable { "*" } else { "" }
    )
}

/// The changes from `from` to `to` over the schemas either has, one line each.
fn changes(from: &Catalog, to: &Catalog) -> String {
    let mut schemas: Vec<&str> = from.schemas.keys().map(String::as_str).collect();
    schemas.extend(to.schemas.keys().map(String::as_str));
    diff(from, to, &scope(&schemas))
        .iter()
        .map(label)
        .collect::<Vec<_>>()
        .join("\n")
}

fn base() -> Catalog {
    db().with_schema("app")
}

mod kinds;
mod rules;
