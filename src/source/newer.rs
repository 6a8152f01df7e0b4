//! Syntax of a newer PostgreSQL than the shadow server. The files are parsed with
//! PostgreSQL 18's grammar (pg_query), so a statement the shadow server then calls a
//! syntax error is one its older grammar does not know: the error says so, and which
//! release brought what the statement uses, when a word of it shows that.

/// Words that show syntax a major release brought: (words, release, what they are).
const NEWER: &[(&str, u32, &str)] = &[
    ("VIRTUAL", 18, "VIRTUAL generated columns"),
    ("WITHOUT OVERLAPS", 18, "temporal keys (WITHOUT OVERLAPS)"),
    ("PERIOD", 18, "temporal foreign keys (PERIOD)"),
    ("NOT ENFORCED", 18, "NOT ENFORCED constraints"),
    ("JSON_TABLE", 17, "JSON_TABLE"),
    ("MAINTAIN", 17, "the MAINTAIN privilege"),
    ("SYSTEM_USER", 16, "SYSTEM_USER"),
    ("STORAGE", 16, "STORAGE in a column definition"),
    ("NULLS NOT DISTINCT", 15, "NULLS NOT DISTINCT"),
    ("MERGE", 15, "MERGE"),
];

/// The newest major release whose grammar pg_query parses with.
const PARSER_MAJOR: u32 = 18;

/// What to tell about a statement (`sql`) the shadow server (major `shadow`) refused as
/// a syntax error, though it parsed with the newer grammar.
pub(crate) fn hint(sql: &str, shadow: u32) -> Option<String> {
    if shadow >= PARSER_MAJOR {
        return None;
    }
    let words: Vec<String> = sql
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    let text = format!(" {} ", words.join(" "));
    let found = NEWER
        .iter()
        .filter(|(_, release, _)| *release > shadow)
        .find(|(w, _, _)| text.contains(&format!(" {w} ")));
    Some(match found {
        Some((_, release, what)) => format!(
            "{what} came with PostgreSQL {release}; the shadow server is PostgreSQL {shadow}: \
             pass --dev-url to a PostgreSQL {release} server"
        ),
        None => format!(
            "the statement parses as PostgreSQL {PARSER_MAJOR} syntax, which the shadow server \
             (PostgreSQL {shadow}) does not know: pass --dev-url to a newer server"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn names_the_release_that_brought_the_syntax() {
        let sql = "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)";
        assert_eq!(
            hint(sql, 15).as_deref(),
            Some(
                "VIRTUAL generated columns came with PostgreSQL 18; the shadow server is \
                 PostgreSQL 15: pass --dev-url to a PostgreSQL 18 server"
            )
        );
        let unique = "CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT";
        assert!(
            hint(unique, 14)
                .unwrap()
                .starts_with("NULLS NOT DISTINCT came with PostgreSQL 15")
        );
        // Known to the shadow: not the reason; the generic hint stays.
        assert!(
            hint(unique, 15)
                .unwrap()
                .starts_with("the statement parses as")
        );
        // A server with the parser's grammar has no excuse to give.
        assert_eq!(hint(sql, 18), None);
        // Words match whole: a column named virtual_seats is not VIRTUAL.
        assert!(
            hint("CREATE TABLE t (virtual_seats int", 15)
                .unwrap()
                .starts_with("the statement parses as")
        );
    }
}
