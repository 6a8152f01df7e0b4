//! Catalog × Catalog → typed changes. Each change keeps the objects it was computed from,
//! so that the plan can render SQL, attach hazards and derive ordering without looking
//! anything up again. Output order is deterministic (catalog maps are ordered); the final
//! order is the plan's job.

mod aggregate;
mod collation;
mod column;
mod comment;
mod constraint;
mod dependents;
mod domain;
mod enum_type;
mod extension;
mod function;
mod index;
mod policy;
mod privilege;
mod role;
mod schema;
mod sequence;
mod table;
mod trigger;
mod view;

use crate::catalog::Role;
use crate::catalog::{
    Aggregate, Catalog, Collation, Column, CompositeType, Constraint, Domain, EnumType, Extension,
    Function, Index, Policy, QualName, Sequence, Table, Trigger, View,
};
pub(crate) use privilege::effective as effective_acl;
pub(crate) use role::is_powerful;
use serde::Serialize;
use std::collections::BTreeSet;

// Changes are made once per plan and moved, never copied in bulk: boxing the large
// variants would buy nothing but indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    CreateRole {
        role: Role,
    },
    /// Only with `--drop-roles`.
    DropRole {
        role: Role,
    },
    /// Attributes (LOGIN, BYPASSRLS, CONNECTION LIMIT …).
    AlterRole {
        from: Role,
        to: Role,
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
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    AlterExtensionSchema {
        from: Extension,
        to: Extension,
    },
    CreateEnum {
        enum_type: EnumType,
    },
    DropEnum {
        enum_type: EnumType,
    },
    /// Labels appended in place; each with the label it goes before or after.
    AddEnumValue {
        name: QualName,
        value: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// Labels removed or reordered: PostgreSQL cannot do that in place.
    RecreateEnum {
        from: EnumType,
        to: EnumType,
    },
    CreateCollation {
        collation: Collation,
    },
    DropCollation {
        collation: Collation,
    },
    CreateDomain {
        domain: Domain,
    },
    DropDomain {
        domain: Domain,
    },
    /// Default, NOT NULL and CHECK constraints changed in place.
    AlterDomain {
        from: Domain,
        to: Domain,
    },
    CreateComposite {
        composite: CompositeType,
    },
    DropComposite {
        composite: CompositeType,
    },
    AlterComposite {
        from: CompositeType,
        to: CompositeType,
    },
    CreateSequence {
        sequence: Sequence,
    },
    DropSequence {
        sequence: Sequence,
    },
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    CreateTable {
        table: Table,
    },
    DropTable {
        table: Table,
    },
    /// A table becomes a partition (ATTACH PARTITION checks its rows).
    AttachPartition {
        table: QualName,
        parent: QualName,
        bound: String,
    },
    DetachPartition {
        table: QualName,
        parent: QualName,
    },
    /// INHERIT (`add`) or NO INHERIT a parent.
    SetInherit {
        table: QualName,
        parent: QualName,
        add: bool,
    },
    SetLogged {
        table: QualName,
        unlogged: bool,
    },
    AddColumn {
        table: QualName,
        column: Column,
    },
    DropColumn {
        table: QualName,
        column: Column,
    },
    AlterColumn {
        table: QualName,
        from: Column,
        to: Column,
    },
    AddConstraint {
        table: QualName,
        constraint: Constraint,
    },
    DropConstraint {
        table: QualName,
        constraint: Constraint,
    },
    ValidateConstraint {
        table: QualName,
        constraint: Constraint,
    },
    /// Deferrability of a foreign key, changed in place.
    AlterConstraintDeferrable {
        table: QualName,
        constraint: Constraint,
    },
    CreateFunction {
        function: Function,
    },
    DropFunction {
        function: Function,
    },
    /// CREATE OR REPLACE: same signature and result, new body or attributes.
    ReplaceFunction {
        from: Function,
        to: Function,
    },
    /// `replace`: CREATE OR REPLACE AGGREGATE.
    CreateAggregate {
        aggregate: Aggregate,
        replace: bool,
    },
    DropAggregate {
        aggregate: Aggregate,
    },
    CreateView {
        view: View,
    },
    DropView {
        view: View,
    },
    /// CREATE OR REPLACE VIEW: same leading columns, new query or options.
    ReplaceView {
        from: View,
        to: View,
    },
    AlterViewOptions {
        from: View,
        to: View,
    },
    /// Materialized view filled (or emptied, WITH NO DATA).
    RefreshView {
        view: View,
    },
    CreateTrigger {
        trigger: Trigger,
    },
    DropTrigger {
        trigger: Trigger,
    },
    SetTriggerEnabled {
        trigger: Trigger,
    },
    /// ENABLE/DISABLE and FORCE/NO FORCE ROW LEVEL SECURITY: (enabled, forced).
    SetRowSecurity {
        table: QualName,
        from: (bool, bool),
        to: (bool, bool),
    },
    CreatePolicy {
        policy: Policy,
    },
    DropPolicy {
        policy: Policy,
    },
    /// ALTER POLICY: roles, USING or WITH CHECK.
    AlterPolicy {
        from: Policy,
        to: Policy,
    },
    /// Command or kind changed: dropped and created in one step, so that there is no
    /// moment without the policy.
    RecreatePolicy {
        from: Policy,
        to: Policy,
    },
    /// A column default that must be dropped and set again around the recreation of
    /// something it uses (a function whose result type changes, say).
    ResetDefault {
        table: QualName,
        column: Column,
    },
    /// GRANT and REVOKE on one object (`new`: created by this plan).
    SetPrivileges {
        object: crate::catalog::ObjectId,
        from: crate::catalog::Acl,
        to: crate::catalog::Acl,
        new: bool,
    },
    /// GRANT and REVOKE on columns of one table, written together.
    SetColumnPrivileges {
        table: QualName,
        /// Column → (current ACL, desired ACL).
        columns: std::collections::BTreeMap<String, (crate::catalog::Acl, crate::catalog::Acl)>,
        new: bool,
    },
    /// ALTER … OWNER TO (`None`: the role that applies the plan).
    SetOwner {
        object: crate::catalog::ObjectId,
        owner: Option<String>,
        new: bool,
    },
    /// ALTER DEFAULT PRIVILEGES.
    SetDefaultPrivileges {
        key: crate::catalog::DefaultAclKey,
        from: crate::catalog::Acl,
        to: crate::catalog::Acl,
    },
    /// A comment set (or removed, `None`).
    SetComment {
        object: crate::catalog::ObjectId,
        comment: Option<String>,
    },
    /// Storage parameters of an index (standalone or behind a constraint).
    AlterIndexOptions {
        index: QualName,
        from: Vec<String>,
        to: Vec<String>,
    },
    CreateIndex {
        index: Index,
    },
    /// A changed index on a table with rows: built under a temporary name, then swapped
    /// in, so that queries never run without it.
    ReplaceIndex {
        from: Index,
        to: Index,
    },
    DropIndex {
        index: Index,
    },
}

/// What the diff needs besides the two catalogs.
pub struct Context<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    /// Schemas the engine manages in this run.
    pub scope: &'a BTreeSet<String>,
    /// Tables that are dropped (their parts go with them).
    pub dropped_tables: BTreeSet<QualName>,
    /// Tables that are created (their parts come with them).
    pub created_tables: BTreeSet<QualName>,
}

/// Computes the changes that turn `from` into `to` within `scope`.
pub fn diff(from: &Catalog, to: &Catalog, scope: &BTreeSet<String>) -> Vec<Change> {
    let ctx = Context {
        from,
        to,
        scope,
        dropped_tables: from
            .tables
            .keys()
            .filter(|k| !to.tables.contains_key(*k))
            .cloned()
            .collect(),
        created_tables: to
            .tables
            .keys()
            .filter(|k| !from.tables.contains_key(*k))
            .cloned()
            .collect(),
    };
    let mut changes = Vec::new();
    role::diff(&ctx, &mut changes);
    schema::diff(&ctx, &mut changes);
    privilege::diff_defaults(&ctx, &mut changes);
    extension::diff(&ctx, &mut changes);
    enum_type::diff(&ctx, &mut changes);
    collation::diff(&ctx, &mut changes);
    domain::diff(&ctx, &mut changes);
    sequence::diff(&ctx, &mut changes);
    table::diff(&ctx, &mut changes);
    index::diff(&ctx, &mut changes);
    function::diff(&ctx, &mut changes);
    aggregate::diff(&ctx, &mut changes);
    view::diff(&ctx, &mut changes);
    trigger::diff(&ctx, &mut changes);
    policy::diff(&ctx, &mut changes);
    // Each pass may make the other find more (a view over a function over a column).
    loop {
        let before = changes.len();
        dependents::recreate_views(&ctx, &mut changes);
        dependents::recreate(&ctx, &mut changes);
        let changed = dependents::changed_objects(&ctx, &changes);
        policy::recreate(&ctx, &changed, &mut changes);
        if changes.len() == before {
            break;
        }
    }
    split_blocked_swaps(&ctx, &mut changes);
    absorb_recreated_enum_defaults(&mut changes);
    comment::diff(&ctx, &mut changes);
    privilege::diff(&ctx, &mut changes);
    role::drops(&ctx, &mut changes);
    changes
}

/// An index swap waits for nothing: one whose index stands on something this plan drops
/// or retypes is dropped before that change and created after it instead.
fn split_blocked_swaps(ctx: &Context, changes: &mut Vec<Change>) {
    let changed = dependents::changed_objects(ctx, changes);
    let mut out = Vec::with_capacity(changes.len());
    for c in changes.drain(..) {
        match c {
            Change::ReplaceIndex { from, to }
                if {
                    let id = crate::catalog::ObjectId::Index {
                        name: from.name.clone(),
                    };
                    ctx.from
                        .deps_of(&id)
                        .any(|d| *d != id && changed.contains(d))
                } =>
            {
                out.push(Change::DropIndex { index: from });
                out.push(Change::CreateIndex { index: to });
            }
            other => out.push(other),
        }
    }
    *changes = out;
}

/// A column whose enum type is recreated gets its desired default back from the recreation
/// itself (the old default names the old type); a separate default change would only
/// fight it.
fn absorb_recreated_enum_defaults(changes: &mut Vec<Change>) {
    let recreated: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RecreateEnum { from, .. } => Some(from.name.to_string()),
            _ => None,
        })
        .collect();
    if recreated.is_empty() {
        return;
    }
    let of_enum = |t: &str| recreated.contains(t.trim_end_matches("[]"));
    changes.retain_mut(|c| match c {
        Change::AlterColumn { from, to, .. }
            if of_enum(&from.data_type) && of_enum(&to.data_type) =>
        {
            from.default = to.default.clone();
            from != to
        }
        _ => true,
    });
}

/// Keys present on only one side, and on both, of two ordered maps.
pub(crate) fn split_keys<'a, K: Ord, A, B>(
    from: &'a std::collections::BTreeMap<K, A>,
    to: &'a std::collections::BTreeMap<K, B>,
) -> (Vec<&'a K>, Vec<&'a K>, Vec<&'a K>) {
    let only_from = from.keys().filter(|k| !to.contains_key(*k)).collect();
    let only_to = to.keys().filter(|k| !from.contains_key(*k)).collect();
    let both = from.keys().filter(|k| to.contains_key(*k)).collect();
    (only_from, only_to, both)
}
