use crate::catalog::{Catalog, ObjectId, QualName};
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let kind: &str = row.get(0);
        let schema: String = row.get(1);
        let name: String = row.get(2);
        let sub: Option<String> = row.get(3);
        let q = QualName::new(schema.clone(), name.clone());
        let id = match kind {
            "column" => ObjectId::Column {
                table: q,
                column: sub.unwrap_or_default(),
            },
            "sequence" => ObjectId::Sequence { name: q },
            "index" => ObjectId::Index { name: q },
            "view" => ObjectId::View { name: q },
            "table" => ObjectId::Table { name: q },
            "constraint" => ObjectId::Constraint {
                table: q,
                name: sub.unwrap_or_default(),
            },
            "type" => ObjectId::Type { name: q },
            "function" => ObjectId::Function {
                name: q,
                args: sub.unwrap_or_default(),
            },
            "policy" => ObjectId::Policy {
                table: q,
                name: sub.unwrap_or_default(),
            },
            "collation" => ObjectId::Collation { name: q },
            "trigger" => ObjectId::Trigger {
                table: q,
                name: sub.unwrap_or_default(),
            },
            _ => ObjectId::Schema { name: schema },
        };
        catalog.comments.insert(id, row.get(4));
    }
}
