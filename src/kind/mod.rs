//! The object kinds. Each module holds one kind's knowledge past the catalog: its change
//! type (what can happen to an object of the kind), its diff (two catalogs → changes) and
//! its steps (a change → SQL with hazards and ordering facts). The generic machinery the
//! modules plug into stays in `diff` (the keyed walk, recreation of dependents) and `plan`
//! (steps, ordering, rendering).

use crate::plan::{Ctx, Step};

/// The object kinds, declared once: each kind's module, the `Change` variant that carries
/// the kind's change type, the conversion into it, and the dispatch of a change to the
/// module's `steps`. A new kind is one line here (and its module).
macro_rules! kinds {
    ($($variant:ident($module:ident::$ty:ident)),* $(,)?) => {
        $(pub(crate) mod $module;
        pub use $module::$ty;)*

        /// A change of one object kind; the kind's own type says which (each kind's module
        /// defines its type and its `steps` matches it completely).
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
            /// The steps that carry out this change, from its kind's module.
            pub(crate) fn steps(&self, ctx: &Ctx) -> Vec<Step> {
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
    Sequence(sequence::SequenceChange),
    Table(table::TableChange),
    Column(column::ColumnChange),
    Constraint(constraint::ConstraintChange),
    Function(function::FunctionChange),
    Aggregate(aggregate::AggregateChange),
    View(view::ViewChange),
    Trigger(trigger::TriggerChange),
    Policy(policy::PolicyChange),
    Privilege(privilege::PrivilegeChange),
    Comment(comment::CommentChange),
    Index(index::IndexChange),
);
