use super::QualName;
use serde::{Deserialize, Serialize};

/// A function or procedure. `definition` is `pg_get_functiondef()` read with an empty
/// `search_path`: a complete `CREATE OR REPLACE` statement (language, volatility,
/// strictness, security, parallel safety, cost/rows, SET configuration, body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: QualName,
    /// The input argument types: with the name, what identifies the function.
    pub arg_types: String,
    /// `pg_get_function_identity_arguments()`: the signature with parameter names.
    pub identity_args: String,
    /// How many trailing parameters have defaults.
    pub defaults: i16,
    /// `pg_get_function_arguments()`: with names, modes and defaults.
    pub arguments: String,
    /// `pg_get_function_result()`; `None` for procedures.
    pub result: Option<String>,
    pub is_procedure: bool,
    pub language: String,
    pub definition: String,
}

impl Function {
    /// `schema.name(identity args)`, how DROP and COMMENT name it.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args)
    }

    pub fn keyword(&self) -> &'static str {
        if self.is_procedure {
            "PROCEDURE"
        } else {
            "FUNCTION"
        }
    }
}
