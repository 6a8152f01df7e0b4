use super::{QualName, quote_literal};
use serde::{Deserialize, Serialize};

/// An aggregate (CREATE AGGREGATE). Function and type names are as `regproc`/`format_type`
/// print them with an empty `search_path`: schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub name: QualName,
    pub arg_types: String,
    pub identity_args: String,
    /// `(option, value)` pairs in CREATE AGGREGATE order, only those that are set.
    pub options: Vec<(String, String)>,
}

impl Aggregate {
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args)
    }

    pub fn create_sql(&self, replace: bool) -> String {
        let opts: Vec<String> = self
            .options
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        format!(
            "CREATE {}AGGREGATE {} (\n    {}\n);",
            if replace { "OR REPLACE " } else { "" },
            self.signature(),
            opts.join(",\n    ")
        )
    }

    /// Builds the option list from the catalog's fields.
    pub fn option(
        out: &mut Vec<(String, String)>,
        key: &str,
        value: Option<String>,
        literal: bool,
    ) {
        if let Some(v) = value {
            out.push((key.into(), if literal { quote_literal(&v) } else { v }));
        }
    }
}
