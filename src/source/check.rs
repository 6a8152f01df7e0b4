//! Statements whose effect the engine would not see are refused before anything runs:
//! an unknown kind is reported with its location, never silently dropped. Statements that
//! create objects the introspector reports as unsupported (views, functions …) are let
//! through: the plan names those objects instead.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType as O;

fn is(t: i32, kinds: &[O]) -> bool {
    kinds.iter().any(|k| *k as i32 == t)
}

/// Objects whose comments the introspector reads back.
fn managed_comment(t: i32) -> bool {
    is(
        t,
        &[
            O::ObjectSchema,
            O::ObjectTable,
            O::ObjectView,
            O::ObjectMatview,
            O::ObjectColumn,
            O::ObjectTabconstraint,
            O::ObjectIndex,
            O::ObjectSequence,
            O::ObjectType,
            O::ObjectDomain,
            O::ObjectFunction,
            O::ObjectProcedure,
            O::ObjectAggregate,
            O::ObjectRoutine,
            O::ObjectTrigger,
            O::ObjectPolicy,
            O::ObjectCollation,
            O::ObjectForeignTable,
            O::ObjectOperator,
            O::ObjectExtension,
        ],
    )
}

fn managed_grant(t: i32) -> bool {
    is(
        t,
        &[
            O::ObjectTable,
            O::ObjectSequence,
            O::ObjectFunction,
            O::ObjectProcedure,
            O::ObjectRoutine,
            O::ObjectSchema,
            O::ObjectType,
            O::ObjectDomain,
        ],
    )
}

fn managed_owner(t: i32) -> bool {
    is(
        t,
        &[
            O::ObjectSchema,
            O::ObjectFunction,
            O::ObjectProcedure,
            O::ObjectRoutine,
            O::ObjectAggregate,
            O::ObjectType,
            O::ObjectDomain,
            O::ObjectCollation,
            O::ObjectOperator,
        ],
    )
}

/// Whether the statement is about data, not schema (`INSERT INTO schema_migrations …` at
/// the end of a Rails `structure.sql`): skipped with a warning, as `seeds/` is the place
/// for data.
pub fn data_statement(node: &NodeEnum) -> bool {
    matches!(
        node,
        NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::MergeStmt(_)
            | NodeEnum::CopyStmt(_)
            | NodeEnum::TruncateStmt(_)
    )
}

/// `Some(reason)` when the statement is not managed.
pub fn unmanaged(node: &NodeEnum) -> Option<String> {
    let what = match node {
        NodeEnum::CreateSchemaStmt(_)
        | NodeEnum::CreateStmt(_)
        | NodeEnum::CreateEnumStmt(_)
        | NodeEnum::AlterEnumStmt(_)
        | NodeEnum::CreateSeqStmt(_)
        | NodeEnum::AlterSeqStmt(_)
        | NodeEnum::IndexStmt(_)
        | NodeEnum::CreateExtensionStmt(_)
        | NodeEnum::AlterExtensionStmt(_)
        | NodeEnum::VariableSetStmt(_)
        | NodeEnum::VariableShowStmt(_)
        | NodeEnum::SelectStmt(_)
        | NodeEnum::DoStmt(_)
        | NodeEnum::DropStmt(_)
        | NodeEnum::RenameStmt(_)
        | NodeEnum::AlterObjectSchemaStmt(_)
        | NodeEnum::TransactionStmt(_)
        // Reported by introspection as unsupported kinds, with their names.
        | NodeEnum::ViewStmt(_)
        | NodeEnum::CreateTableAsStmt(_)
        | NodeEnum::CreateFunctionStmt(_)
        | NodeEnum::AlterFunctionStmt(_)
        | NodeEnum::CreateTrigStmt(_)
        | NodeEnum::CreatePolicyStmt(_)
        | NodeEnum::AlterPolicyStmt(_)
        | NodeEnum::CreateDomainStmt(_)
        | NodeEnum::AlterDomainStmt(_)
        | NodeEnum::CompositeTypeStmt(_)
        | NodeEnum::CreateRangeStmt(_)
        | NodeEnum::DefineStmt(_)
        | NodeEnum::RuleStmt(_)
        | NodeEnum::CreateForeignTableStmt(_)
        | NodeEnum::AlterTableStmt(_) => return None,
        NodeEnum::CommentStmt(c) => {
            if managed_comment(c.objtype) {
                return None;
            }
            "COMMENT on this kind of object"
        }
        NodeEnum::GrantStmt(g) => {
            if managed_grant(g.objtype) {
                return None;
            }
            "GRANT/REVOKE on this kind of object (databases, languages, large objects, \
             tablespaces, foreign servers, parameters)"
        }
        NodeEnum::AlterDefaultPrivilegesStmt(d) => {
            if d.action.as_ref().is_some_and(|g| managed_grant(g.objtype)) {
                return None;
            }
            "ALTER DEFAULT PRIVILEGES on this kind of object"
        }
        NodeEnum::AlterOwnerStmt(o) => {
            if managed_owner(o.object_type) {
                return None;
            }
            "ALTER … OWNER TO on this kind of object"
        }
        NodeEnum::DropRoleStmt(_) => {
            return Some(
                "DROP ROLE: a desired state declares the roles it wants; roles it leaves out \
                 are dropped only with --drop-roles"
                    .into(),
            );
        }
        NodeEnum::AlterRoleSetStmt(_) => "ALTER ROLE … SET (role settings)",
        NodeEnum::CreateStatsStmt(_) => "CREATE STATISTICS",
        NodeEnum::CreatePublicationStmt(_) | NodeEnum::AlterPublicationStmt(_) => "publications",
        NodeEnum::CreateSubscriptionStmt(_) => "subscriptions",
        NodeEnum::CreateEventTrigStmt(_) => "event triggers",
        NodeEnum::SecLabelStmt(_) => "SECURITY LABEL",
        NodeEnum::CreateCastStmt(_) => "CREATE CAST",
        NodeEnum::CreateOpClassStmt(_) | NodeEnum::CreateOpFamilyStmt(_) => "operator classes",
        NodeEnum::CreateFdwStmt(_)
        | NodeEnum::CreateForeignServerStmt(_)
        | NodeEnum::CreateUserMappingStmt(_) => "foreign data wrappers and servers",
        NodeEnum::CreateTableSpaceStmt(_) => "tablespaces",
        NodeEnum::CreateConversionStmt(_) => "conversions",
        NodeEnum::CreateTransformStmt(_) => "transforms",
        NodeEnum::AlterTsconfigurationStmt(_) | NodeEnum::AlterTsdictionaryStmt(_) => {
            "text search configurations"
        }
        _ => return Some("this kind of statement is not managed".into()),
    };
    Some(format!("{what} is not managed yet"))
}
