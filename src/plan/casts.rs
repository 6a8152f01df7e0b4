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
pub(crate) fn needs_using(from: &str, to: &str) -> bool {
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
pub(crate) fn binary_compatible(from: &str, to: &str) -> bool {
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
pub(crate) fn safe_widening(from: &str, to: &str) -> bool {
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

/// A condition true for the values of column `c` (already quoted) that the change from
/// `from` to `to` cannot convert: out of range for a smaller integer, longer than a new
/// length limit, too many digits for a new precision, or (PostgreSQL 16 and later) text
/// that is no valid input for the new type. None when no cheap exact test is known.
pub(crate) fn failing_cast(c: &str, from: &str, to: &str, server_version: i32) -> Option<String> {
    if is_array(from) || is_array(to) {
        return None;
    }
    let (f, t) = (base_type(from), base_type(to));
    let (number, text) = (NUMERIC.contains(&f), STRING.contains(&f));
    let limit = typmods(to);
    let range = match t {
        "smallint" => Some((i16::MIN as i64, i16::MAX as i64)),
        "integer" => Some((i32::MIN as i64, i32::MAX as i64)),
        "bigint" => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let (Some((min, max)), true) = (range, number) {
        // Conversions from fractional types round; NaN and infinities fail too.
        let v = if INTEGERS.contains(&f) {
            c.to_string()
        } else {
            format!("round({c}::numeric)")
        };
        return Some(format!("{v} NOT BETWEEN {min} AND {max}"));
    }
    if matches!(t, "character varying" | "character") && limit.len() == 1 && text {
        // Storing a longer string fails unless what is cut off is only spaces.
        return Some(format!(
            "pg_catalog.length(pg_catalog.rtrim({c}::text, ' ')) > {}",
            limit[0]
        ));
    }
    if t == "numeric" && !limit.is_empty() && number {
        let (p, s) = (limit[0] as i64, limit.get(1).copied().unwrap_or(0) as i64);
        return Some(format!(
            "{c}::numeric <> 'NaN' AND pg_catalog.abs(pg_catalog.round({c}::numeric, {s})) >= 1e{}",
            p - s
        ));
    }
    if text && server_version >= 160000 {
        // A text value converts through the new type's input function.
        return Some(format!(
            "NOT pg_catalog.pg_input_is_valid({c}::text, {})",
            crate::catalog::quote_literal(to)
        ));
    }
    None
}

/// Whether a default is evaluated per row when a column is added (so every existing row
/// gets its own value and the table is rewritten): volatile built-ins and sequences.
pub(crate) fn volatile_default(expr: &str) -> bool {
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
    fn failing_casts() {
        let probe = |f, t| failing_cast("x", f, t, 150000);
        assert_eq!(
            probe("bigint", "integer").as_deref(),
            Some("x NOT BETWEEN -2147483648 AND 2147483647")
        );
        assert_eq!(
            probe("character varying(40)", "character varying(10)").as_deref(),
            Some("pg_catalog.length(pg_catalog.rtrim(x::text, ' ')) > 10")
        );
        assert!(
            probe("numeric(12,2)", "numeric(6,2)")
                .unwrap()
                .contains(">= 1e4")
        );
        assert_eq!(probe("text", "integer"), None);
        assert!(
            failing_cast("x", "text", "integer", 160000)
                .unwrap()
                .contains("pg_input_is_valid(x::text, 'integer')")
        );
        assert_eq!(probe("integer[]", "smallint[]"), None);
    }

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
