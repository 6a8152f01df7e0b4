//! The object kinds. Each module holds one kind's knowledge past the catalog: its change
//! type (what can happen to an object of the kind), its diff (two catalogs → changes) and
//! its steps (a change → SQL with hazards and ordering facts). The generic machinery the
//! modules plug into stays in `diff` (the keyed walk, recreation of dependents) and `plan`
//! (steps, ordering, rendering).

use crate::diff::Context;
use crate::plan::Step;

pub(crate) mod aggregate;
pub(crate) mod collation;
pub(crate) mod column;
pub(crate) mod comment;
pub(crate) mod composite;
pub(crate) mod constraint;
pub(crate) mod delegation;
pub(crate) mod domain;
pub(crate) mod enum_type;
pub(crate) mod extension;
pub(crate) mod function;
pub(crate) mod identity;
pub(crate) mod index;
pub(crate) mod index_tree;
pub(crate) mod operator;
pub(crate) mod partition;
pub(crate) mod policy;
pub(crate) mod privilege;
pub(crate) mod role;
pub(crate) mod schema;
pub(crate) mod sequence;
pub(crate) mod table;
pub(crate) mod trigger;
pub(crate) mod view;

/// The object kinds, declared once: the `Change` variant that carries each kind's change
/// type, the conversion into it, and the dispatch of a change to the module's `steps`. A
/// new kind is its module's line above and one line here.
macro_rules! kinds {
    ($($variant:ident($module:ident::$ty:ident)),* $(,)?) => {
        $(pub use $module::$ty;)*

        /// A change of one object kind; the kind's own type says which (each kind's module
        /// defines its type and its `steps` matches it completely).
        // Changes are made once per plan and moved, not copied in bulk: boxing the large
        // ones would buy nothing measurable.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum Change {
            $($variant($ty),)*
        }

        $(impl From<$ty> for Change {
            fn from(c: $ty) -> Change {
                Change::$variant(c)
            }
        })*

        impl Change {
            /// The objects this change creates or creates again, from its kind's module.
            pub(crate) fn created(&self) -> Vec<crate::catalog::ObjectId> {
                match self {
                    $(Change::$variant(c) => $module::created(c),)*
                }
            }

            /// The steps that carry out this change, from its kind's module.
            pub(crate) fn steps(&self, ctx: &Context) -> Vec<Step> {
                match self {
                    $(Change::$variant(c) => $module::steps(ctx, c),)*
                }
            }
        }
    };
}

kinds!(
    Role(role::RoleChange),
    Schema(schema::SchemaChange),
    Extension(extension::ExtensionChange),
    Enum(enum_type::EnumChange),
    Collation(collation::CollationChange),
    Domain(domain::DomainChange),
    Composite(composite::CompositeChange),
    Sequence(sequence::SequenceChange),
    Table(table::TableChange),
    Column(column::ColumnChange),
    Constraint(constraint::ConstraintChange),
    Function(function::FunctionChange),
    Aggregate(aggregate::AggregateChange),
    Operator(operator::OperatorChange),
    View(view::ViewChange),
    Trigger(trigger::TriggerChange),
    Policy(policy::PolicyChange),
    Privilege(privilege::PrivilegeChange),
    Comment(comment::CommentChange),
    Index(index::IndexChange),
);

/// Each kind's diff, in the order their changes are listed (the order ties keep in the
/// plan). A table's diff brings its columns and constraints; comments and privileges are
/// diffed by `diff::diff` once every object's change is known.
pub(crate) fn diff_each(ctx: &crate::diff::Context, out: &mut Vec<Change>) {
    role::diff(ctx, out);
    schema::diff(ctx, out);
    privilege::diff_defaults(ctx, out);
    extension::diff(ctx, out);
    enum_type::diff(ctx, out);
    collation::diff(ctx, out);
    domain::diff(ctx, out);
    composite::diff(ctx, out);
    sequence::diff(ctx, out);
    table::diff(ctx, out);
    index::diff(ctx, out);
    function::diff(ctx, out);
    aggregate::diff(ctx, out);
    operator::diff(ctx, out);
    view::diff(ctx, out);
    trigger::diff(ctx, out);
    policy::diff(ctx, out);
}

/// The objects a plan's changes create or create again: a comment or privilege they should
/// carry is set whatever the current database says.
pub(crate) fn created_by(
    changes: &[Change],
) -> std::collections::BTreeSet<crate::catalog::ObjectId> {
    changes.iter().flat_map(Change::created).collect()
}

#[cfg(test)]
mod tests {
    /// The generic core (ordering, rendering, validation, apply) knows no kind: what a
    /// kind needs is said by its steps (`Deps`, hazards), never by a match on the kind.
    #[test]
    fn the_generic_core_names_no_kind() {
        let core = [
            ("plan/order.rs", include_str!("../plan/order.rs")),
            ("plan/render.rs", include_str!("../plan/render.rs")),
            ("graph.rs", include_str!("../graph.rs")),
            ("apply/mod.rs", include_str!("../apply/mod.rs")),
            (
                "pipeline/validate.rs",
                include_str!("../pipeline/validate.rs"),
            ),
        ];
        for (file, text) in core {
            for needle in ["ObjectId::", "Change::", "crate::kind::"] {
                assert!(!text.contains(needle), "{file} names a kind ({needle})");
            }
        }
    }
}
