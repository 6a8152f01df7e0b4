//! What PostgreSQL does when a column changes type: whether it needs a USING clause,
//! whether it rewrites the table, whether it can fail on existing rows. Built-in types
//! only; anything unknown is treated as the risky case.

/// The type without typmod or array brackets: `character varying` for
/// `character varying(20)`.
fn base_type(t: &str) -> &str {
    let t = t.trim_end_matches("[]");
    match t.find('(') {
        Some(i) => t[..i].trim_end(),
        None => t,
    }
}

/// The typmod arguments: `[8, 2]` for `numeric(8,2)`.
fn typmods(t: &str) -> Vec<u32> {
    t.split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(args, _)| {
            args.split(',')
                .filter_map(|a| a.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn is_array(t: &str) -> bool {
    t.ends_with("[]")
}

const INTEGERS: &[&str] = &["smallint", "integer", "bigint"];
const NUMERIC: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "real",
    "double precision",
];
const STRING: &[&str] = &["text", "character varying", "character"];

/// Whether PostgreSQL converts `from` to `to` without a USING clause (an implicit or
/// assignment cast exists); otherwise the plan spells the cast.
pub(super) fn needs_using(from: &str, to: &str) -> bool {
    if is_array(from) != is_array(to) {
        return true;
    }
    let (f, t) = (base_type(from), base_type(to));
    if f == t || STRING.contains(&t) || NUMERIC.contains(&f) && NUMERIC.contains(&t) {
        return false;
    }
    !(f.starts_with("timestamp") && t.starts_with("timestamp"))
}

/// Whether the on-disk representation stays (no rewrite): a longer or removed length
/// limit, more numeric precision at the same scale, varchar to text.
pub(super) fn binary_compatible(from: &str, to: &str) -> bool {
    if is_array(from) != is_array(to) {
        return false;
    }
    let (f, t) = (base_type(from), base_type(to));
    let (a, b) = (typmods(from), typmods(to));
    match (f, t) {
        ("character varying", "text") | ("text", "character varying") => b.is_empty(),
        ("character varying", "character varying") => {
            b.is_empty() || (!a.is_empty() && b[0] >= a[0])
        }
        ("numeric", "numeric") => {
            b.is_empty() || (a.len() == 2 && b.len() == 2 && a[1] == b[1] && b[0] >= a[0])
        }
        _ => from == to,
    }
}

/// Whether every value of `from` converts to `to` without error.
pub(super) fn safe_widening(from: &str, to: &str) -> bool {
    if binary_compatible(from, to) {
        return true;
    }
    if is_array(from) != is_array(to) {
        return false;
    }
    let (f, t) = (base_type(from), base_type(to));
    let rank = |s: &str| INTEGERS.iter().position(|x| *x == s);
    match (rank(f), rank(t)) {
        (Some(a), Some(b)) => return b >= a,
        (Some(_), None) if t == "numeric" => return typmods(to).is_empty(),
        _ => {}
    }
    (f == "real" && t == "double precision")
        || (t == "text" || t == "character varying" && typmods(to).is_empty())
}

/// Whether a default is evaluated per row when a column is added (so every existing row
/// gets its own value and the table is rewritten): volatile built-ins and sequences.
pub(super) fn volatile_default(expr: &str) -> bool {
    const VOLATILE: &[&str] = &[
        "nextval(",
        "gen_random_uuid(",
        "gen_random_bytes(",
        "uuidv7(",
        "uuid_generate_v",
        "random(",
        "clock_timestamp(",
        "timeofday(",
        "statement_timestamp(",
        "txid_current(",
        "setseed(",
    ];
    VOLATILE.iter().any(|f| expr.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts() {
        assert!(!needs_using("integer", "bigint"));
        assert!(!needs_using("character varying(10)", "text"));
        assert!(!needs_using("integer", "text"));
        assert!(needs_using("text", "integer"));
        assert!(!needs_using(
            "character varying(10)",
            "character varying(20)"
        ));
        assert!(binary_compatible(
            "character varying(10)",
            "character varying(20)"
        ));
        assert!(!binary_compatible(
            "character varying(20)",
            "character varying(10)"
        ));
        assert!(binary_compatible("numeric(5,2)", "numeric(8,2)"));
        assert!(!binary_compatible("numeric(5,2)", "numeric(8,3)"));
        assert!(!binary_compatible("integer", "bigint"));
        assert!(safe_widening("integer", "bigint"));
        assert!(!safe_widening("bigint", "integer"));
        assert!(safe_widening("integer", "text"));
        assert!(!safe_widening("text", "integer"));
        assert!(volatile_default("nextval('s'::regclass)"));
        assert!(!volatile_default("now()"));
        assert_eq!(base_type("numeric(5,2)"), "numeric");
    }
}
