//! Catalog × Catalog → typed changes. Each change keeps the objects it was computed from,
//! so that the plan can render SQL, attach hazards and derive ordering without looking
//! anything up again. Output order is deterministic (catalog maps are ordered); the final
//! order is the plan's job.

mod column;
mod constraint;
mod dependents;
mod enum_type;
mod extension;
mod index;
mod schema;
mod sequence;
mod table;

use crate::catalog::{
    Catalog, Column, Constraint, EnumType, Extension, Index, QualName, Sequence, Table,
};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
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
    CreateIndex {
        index: Index,
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
    schema::diff(&ctx, &mut changes);
    extension::diff(&ctx, &mut changes);
    enum_type::diff(&ctx, &mut changes);
    sequence::diff(&ctx, &mut changes);
    table::diff(&ctx, &mut changes);
    index::diff(&ctx, &mut changes);
    dependents::recreate(&ctx, &mut changes);
    changes
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
