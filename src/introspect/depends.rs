use crate::catalog::{Catalog, ObjectId, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let kind: &str = row.get(0);
        let table = QualName::new(row.get::<_, String>(1), row.get::<_, String>(2));
        let sub: Option<String> = row.get(3);
        let from = match kind {
            "column" => ObjectId::Column {
                table,
                column: sub.unwrap_or_default(),
            },
            "constraint" => ObjectId::Constraint {
                table,
                name: sub.unwrap_or_default(),
            },
            "trigger" => ObjectId::Trigger {
                table,
                name: sub.unwrap_or_default(),
            },
            "policy" => ObjectId::Policy {
                table,
                name: sub.unwrap_or_default(),
            },
            "function" => ObjectId::Function {
                name: table,
                args: sub.unwrap_or_default(),
            },
            "view" => ObjectId::View { name: table },
            "type" => ObjectId::Type { name: table },
            _ => ObjectId::Index { name: table },
        };
        let ref_kind: &str = row.get(4);
        let ref_name = QualName::new(row.get::<_, String>(5), row.get::<_, String>(6));
        let ref_sub: Option<String> = row.get(7);
        let to = match ref_kind {
            "sequence" => ObjectId::Sequence { name: ref_name },
            "table" => ObjectId::Table { name: ref_name },
            "view" => ObjectId::View { name: ref_name },
            "column" => ObjectId::Column {
                table: ref_name,
                column: ref_sub.clone().unwrap_or_default(),
            },
            "index" => ObjectId::Index { name: ref_name },
            "constraint" => ObjectId::Constraint {
                table: ref_name,
                name: ref_sub.unwrap_or_default(),
            },
            "extension" => ObjectId::Extension {
                name: ref_name.name,
            },
            "type" => ObjectId::Type { name: ref_name },
            "function" => ObjectId::Function {
                name: ref_name,
                args: ref_sub.unwrap_or_default(),
            },
            "collation" => ObjectId::Collation { name: ref_name },
            other => match ObjectId::from_address(other, ref_name, ref_sub) {
                Some(id) => id,
                // A kind the engine does not manage: nothing of ours orders against it.
                None => continue,
            },
        };
        // A policy's expressions over its own table's columns do matter: PostgreSQL
        // refuses to retype or drop them while the policy exists.
        let policy = matches!(from, ObjectId::Policy { .. });
        if !policy && owner_of(&from) == owner_of(&to) && owner_of(&to).is_some() {
            // A table's parts depending on the table itself say nothing about order.
            continue;
        }
        catalog.depends.entry(from).or_default().insert(to);
    }
}

fn owner_of(id: &ObjectId) -> Option<&QualName> {
    match id {
        ObjectId::Column { table, .. }
        | ObjectId::Constraint { table, .. }
        | ObjectId::Trigger { table, .. }
        | ObjectId::Policy { table, .. } => Some(table),
        ObjectId::Table { name } => Some(name),
        _ => None,
    }
}
