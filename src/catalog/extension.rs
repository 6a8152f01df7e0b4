use serde::{Deserialize, Serialize};

/// An installed extension. The version is recorded for reports but not diffed: the shadow
/// server may ship another default version than the live one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub schema: String,
    pub version: String,
}
