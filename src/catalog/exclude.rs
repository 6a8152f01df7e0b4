//! `--exclude PATTERN` (and `exclude` in the configuration): objects the user keeps out of
//! the engine's hands. A pattern is a glob (`*`, `?`, `[…]`) on a schema (`legacy`,
//! `tmp_*`: the whole schema) or on a schema and a name (`app.audit_*`, `*.pg_stat_*`):
//! the object of that name and everything belonging to it (a table's columns,
//! constraints, indexes, triggers, policies, comments and privileges) is left out of both
//! sides, so it is neither created, changed nor dropped.

use super::{Catalog, QualName};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// (schema pattern, name pattern); no name pattern: the whole schema.
    patterns: Vec<(glob::Pattern, Option<glob::Pattern>)>,
    texts: Vec<String>,
}

impl Exclusions {
    /// Parses the patterns; an invalid glob is a usage error naming it.
    pub fn parse(list: &[String]) -> Result<Exclusions> {
        let glob = |p: &str, whole: &str| {
            glob::Pattern::new(p).map_err(|e| {
                Error::Usage(format!("--exclude {whole:?} is not a valid pattern: {e}"))
            })
        };
        let mut patterns = Vec::new();
        for text in list {
            let pattern = match text.split_once('.') {
                Some((schema, name)) if !schema.is_empty() && !name.is_empty() => {
                    (glob(schema, text)?, Some(glob(name, text)?))
                }
                None if !text.is_empty() => (glob(text, text)?, None),
                _ => {
                    return Err(Error::Usage(format!(
                        "--exclude {text:?}: expected SCHEMA or SCHEMA.NAME (globs allowed)"
                    )));
                }
            };
            patterns.push(pattern);
        }
        Ok(Exclusions {
            patterns,
            texts: list.to_vec(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns as given, for messages.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The whole schema is excluded.
    pub fn schema(&self, schema: &str) -> bool {
        self.patterns
            .iter()
            .any(|(s, name)| name.is_none() && s.matches(schema))
    }

    /// The object named `q` is excluded (by its name or its schema).
    pub fn object(&self, q: &QualName) -> bool {
        self.patterns.iter().any(|(s, name)| {
            s.matches(&q.schema) && name.as_ref().is_none_or(|n| n.matches(&q.name))
        })
    }
}

impl Catalog {
    /// Leaves out what `ex` excludes (see the module's documentation).
    pub fn exclude(&mut self, ex: &Exclusions) {
        if !ex.is_empty() {
            self.retain_objects(&|s| !ex.schema(s), &|q| !ex.object(q));
        }
    }
}

/// The object an unsupported-object description (`foreign table app.ft`, `function
/// app.f(integer)`) names.
pub(super) fn unsupported_name(schema: &str, description: &str) -> Option<QualName> {
    let prefix = format!(" {}.", super::quote_ident(schema));
    let rest = &description[description.find(&prefix)? + prefix.len()..];
    let name = match rest.strip_prefix('"') {
        Some(quoted) => {
            let mut name = String::new();
            let mut chars = quoted.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        name.push('"');
                    }
                    '"' => break,
                    c => name.push(c),
                }
            }
            name
        }
        None => rest
            .split(['(', ' '])
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    Some(QualName::new(schema.to_string(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str, n: &str) -> QualName {
        QualName::new(s.to_string(), n.to_string())
    }

    #[test]
    fn patterns_match_schemas_and_names() {
        let ex =
            Exclusions::parse(&["legacy".into(), "app.audit_*".into(), "*.tmp?".into()]).unwrap();
        assert!(ex.schema("legacy") && !ex.schema("app"));
        assert!(ex.object(&q("legacy", "anything")));
        assert!(ex.object(&q("app", "audit_log")) && !ex.object(&q("app", "orders")));
        assert!(ex.object(&q("billing", "tmp1")) && !ex.object(&q("billing", "tmp12")));
    }

    #[test]
    fn unsupported_objects_are_named_from_their_description() {
        assert_eq!(
            unsupported_name("app", "foreign table app.ft"),
            Some(q("app", "ft"))
        );
        assert_eq!(
            unsupported_name("My", r#"window function "My"."f ""x"""(integer)"#),
            Some(q("My", r#"f "x""#))
        );
    }

    #[test]
    fn a_bad_pattern_is_a_usage_error() {
        for bad in ["app.[", ".x", "x.", ""] {
            let e = Exclusions::parse(&[bad.to_string()]).unwrap_err();
            assert_eq!(e.exit_code(), 64, "{bad}: {e}");
        }
    }
}
