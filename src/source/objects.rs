//! References that the tree walk cannot see: objects named by a kind and a list of names
//! (COMMENT ON, ALTER … OWNER TO, GRANT ON SCHEMA, ALTER DEFAULT PRIVILEGES IN SCHEMA), and
//! table members (triggers, policies, constraints), which have no namespace of their own:
//! `ALTER TABLE t DISABLE TRIGGER x` or `COMMENT ON POLICY p ON t` must wait for the
//! statement that creates the member, not only for the table.

use super::analyze::{Analysis, Name, Space};
use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ObjectType};

/// A member of a table, keyed in the table's schema by table and member name.
pub(super) fn member(space: Space, table: &Name, name: &str) -> Name {
    Name {
        space,
        schema: table.schema.clone(),
        // NUL cannot occur in an identifier, so the pair is unambiguous.
        name: format!("{}\u{0}{name}", table.name),
    }
}

pub(super) fn strings(node: &pg_query::Node) -> Vec<String> {
    match &node.node {
        Some(NodeEnum::List(l)) => l
            .items
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect(),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        // An operator (or function) named with its argument types: its name.
        Some(NodeEnum::ObjectWithArgs(o)) => o
            .objname
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn relation(parts: &[String]) -> Option<Name> {
    let (schema, name) = match parts {
        [name] => (None, name.clone()),
        [.., schema, name] => (Some(schema.clone()), name.clone()),
        [] => return None,
    };
    Some(Name {
        space: Space::Relation,
        schema,
        name,
    })
}

/// What an object named by `objtype` and `object` refers to. Types and functions are
/// named by nodes the tree walk already reads.
pub(super) fn named_object(objtype: i32, object: &pg_query::Node) -> Vec<Name> {
    let parts = strings(object);
    let Ok(kind) = ObjectType::try_from(objtype) else {
        return Vec::new();
    };
    let unqualified = |space| {
        parts.first().map(|n| Name {
            space,
            schema: None,
            name: n.clone(),
        })
    };
    match kind {
        ObjectType::ObjectSchema => unqualified(Space::Schema).into_iter().collect(),
        ObjectType::ObjectExtension => unqualified(Space::Extension).into_iter().collect(),
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectIndex
        | ObjectType::ObjectForeignTable => relation(&parts).into_iter().collect(),
        ObjectType::ObjectType | ObjectType::ObjectDomain => relation(&parts)
            .map(|n| Name {
                space: Space::Type,
                ..n
            })
            .into_iter()
            .collect(),
        ObjectType::ObjectOperator => relation(&parts)
            .map(|n| Name {
                space: Space::Operator,
                ..n
            })
            .into_iter()
            .collect(),
        ObjectType::ObjectColumn | ObjectType::ObjectRule if parts.len() > 1 => {
            relation(&parts[..parts.len() - 1]).into_iter().collect()
        }
        ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectTabconstraint
            if parts.len() > 1 =>
        {
            let space = match kind {
                ObjectType::ObjectTrigger => Space::Trigger,
                ObjectType::ObjectPolicy => Space::Policy,
                _ => Space::Constraint,
            };
            let Some(table) = relation(&parts[..parts.len() - 1]) else {
                return Vec::new();
            };
            let m = member(space, &table, &parts[parts.len() - 1]);
            vec![table, m]
        }
        _ => Vec::new(),
    }
}

/// Adds what `node` creates and references among table members and named objects.
pub(super) fn analyze(node: &NodeEnum, a: &mut Analysis) {
    let rel = |rv: &Option<pg_query::protobuf::RangeVar>| {
        rv.as_ref().map(|rv| Name {
            space: Space::Relation,
            schema: (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()),
            name: rv.relname.clone(),
        })
    };
    match node {
        NodeEnum::CreateTrigStmt(s) => {
            if let Some(t) = rel(&s.relation) {
                a.creates.push(member(Space::Trigger, &t, &s.trigname));
            }
        }
        NodeEnum::CreatePolicyStmt(s) => {
            if let Some(t) = rel(&s.table) {
                a.creates.push(member(Space::Policy, &t, &s.policy_name));
            }
        }
        NodeEnum::AlterPolicyStmt(s) => {
            if let Some(t) = rel(&s.table) {
                a.references.push(member(Space::Policy, &t, &s.policy_name));
            }
        }
        NodeEnum::AlterTableStmt(s) => {
            a.teardown = s.missing_ok;
            let Some(t) = rel(&s.relation) else { return };
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(c)) = &cmd.node else {
                    continue;
                };
                match AlterTableType::try_from(c.subtype) {
                    Ok(
                        AlterTableType::AtEnableTrig
                        | AlterTableType::AtEnableAlwaysTrig
                        | AlterTableType::AtEnableReplicaTrig
                        | AlterTableType::AtDisableTrig,
                    ) => a.references.push(member(Space::Trigger, &t, &c.name)),
                    Ok(AlterTableType::AtAddConstraint) => {
                        if let Some(NodeEnum::Constraint(k)) =
                            c.def.as_ref().and_then(|d| d.node.as_ref())
                            && !k.conname.is_empty()
                        {
                            a.creates.push(member(Space::Constraint, &t, &k.conname));
                        }
                    }
                    _ => {}
                }
            }
        }
        // `DROP … IF EXISTS` and `ALTER TABLE IF EXISTS` (a pg_dump `--clean` header):
        // they keep their file order against the statements about the same objects.
        NodeEnum::DropStmt(s) => {
            a.teardown = s.missing_ok;
            for o in &s.objects {
                a.references.extend(named_object(s.remove_type, o));
            }
        }
        NodeEnum::CommentStmt(s) => {
            if let Some(o) = &s.object {
                a.references.extend(named_object(s.objtype, o));
            }
        }
        NodeEnum::AlterOwnerStmt(s) => {
            if let Some(o) = &s.object {
                a.references.extend(named_object(s.object_type, o));
            }
        }
        NodeEnum::GrantStmt(s) => {
            for o in &s.objects {
                a.references.extend(named_object(s.objtype, o));
            }
        }
        NodeEnum::AlterDefaultPrivilegesStmt(s) => {
            for opt in &s.options {
                if let Some(NodeEnum::DefElem(d)) = &opt.node
                    && d.defname == "schemas"
                    && let Some(arg) = &d.arg
                {
                    for schema in strings(arg) {
                        a.references.push(Name {
                            space: Space::Schema,
                            schema: None,
                            name: schema,
                        });
                    }
                }
            }
        }
        _ => {}
    }
}
