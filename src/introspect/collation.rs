use crate::catalog::{Catalog, Collation, QualName};
use serde_json::Value;
use tokio_postgres::Row;

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let json: Value = serde_json::from_str(row.get(2)).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(String::from);
        let provider = match text("collprovider").as_deref() {
            Some("i") => "icu",
            Some("b") => "builtin",
            _ => "libc",
        };
        let (locale, ctype) = if provider == "libc" {
            (text("collcollate"), text("collctype"))
        } else {
            // colllocale since 17, colliculocale in 15 and 16, collcollate in 14.
            (
                text("colllocale")
                    .or_else(|| text("colliculocale"))
                    .or_else(|| text("collcollate")),
                None,
            )
        };
        catalog.collations.insert(
            name.clone(),
            Collation {
                name,
                provider: provider.into(),
                locale,
                ctype,
                deterministic: json
                    .get("collisdeterministic")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                rules: text("collicurules"),
            },
        );
    }
}
