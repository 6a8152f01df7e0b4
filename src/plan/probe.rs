//! Data probes: for a step that may fail on existing rows, a cheap read-only query that
//! counts the rows that would make it fail. `plan` against a live database runs them and
//! reports the counts in the plan.

use crate::catalog::{Constraint, ConstraintKind, QualName, quote_ident, quote_literal};

/// The text between the first parenthesis of `s` and its match.
fn parenthesized(s: &str) -> Option<&str> {
    let open = s.find('(')?;
    let mut depth = 0;
    for (i, ch) in s[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[open + 1..open + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Rows where `column` is NULL (SET NOT NULL).
pub(crate) fn nulls(table: &QualName, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {table} WHERE {} IS NULL",
        quote_ident(column)
    )
}

/// Rows whose `column` value the type change from `from` to `to` cannot convert.
pub(crate) fn cast(
    table: &QualName,
    column: &str,
    from: &str,
    to: &str,
    server_version: i32,
) -> Option<String> {
    let cond = super::casts::failing_cast(&quote_ident(column), from, to, server_version)?;
    Some(format!("SELECT count(*) FROM {table} WHERE {cond}"))
}

/// Rows the desired state's own conversion (`-- @using`) cannot convert: the query
/// converts every row (an error of the server's is the answer: a value it cannot take)
/// and counts those it turns NULL when the column is to be NOT NULL. `count()` of the
/// converted value makes the server compute it for each row.
pub(crate) fn converted(table: &QualName, using: &str, to: &str, not_null: bool) -> String {
    let value = format!("count(({using})::{to})");
    if not_null {
        format!("SELECT count(*) - {value} FROM {table}")
    } else {
        format!("SELECT least({value}, 0) FROM {table}")
    }
}

/// Rows whose `column` (of one enum type, going to another through its text) holds a
/// label the new type lacks (`labels`: the new type's).
pub(crate) fn labels(table: &QualName, column: &str, labels: &[String]) -> String {
    let list: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
    format!(
        "SELECT count(*) FROM {table} WHERE {}::text <> ALL (ARRAY[{}]::text[])",
        quote_ident(column),
        list.join(", ")
    )
}

/// Rows that break the constraint: failing CHECK rows, duplicated keys, orphan references.
pub(crate) fn constraint(table: &QualName, c: &Constraint) -> Option<String> {
    let rule = c.rule();
    match c.kind {
        ConstraintKind::Check => {
            let expr = rule.strip_prefix("CHECK ")?;
            let expr = expr.strip_suffix(" NO INHERIT").unwrap_or(expr);
            Some(format!("SELECT count(*) FROM {table} WHERE NOT {expr}"))
        }
        ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
            if rule.contains(" WHERE ") {
                return None;
            }
            let cols = parenthesized(rule)?;
            let not_null: Vec<String> = cols
                .split(", ")
                .map(|c| format!("{c} IS NOT NULL"))
                .collect();
            Some(format!(
                "SELECT COALESCE(sum(n), 0)::bigint FROM (SELECT count(*) AS n FROM {table} \
                 WHERE {} GROUP BY {cols} HAVING count(*) > 1) d",
                not_null.join(" AND ")
            ))
        }
        ConstraintKind::ForeignKey => {
            let cols: Vec<&str> = parenthesized(rule)?.split(", ").collect();
            let after = &rule[rule.find(" REFERENCES ")? + " REFERENCES ".len()..];
            let target = &after[..after.find('(')?];
            let refs: Vec<&str> = parenthesized(after)?.split(", ").collect();
            if cols.len() != refs.len() {
                return None;
            }
            let present: Vec<String> = cols.iter().map(|c| format!("c.{c} IS NOT NULL")).collect();
            let join: Vec<String> = cols
                .iter()
                .zip(&refs)
                .map(|(c, r)| format!("p.{r} = c.{c}"))
                .collect();
            Some(format!(
                "SELECT count(*) FROM {table} c WHERE {} AND NOT EXISTS \
                 (SELECT 1 FROM {target} p WHERE {})",
                present.join(" AND "),
                join.join(" AND ")
            ))
        }
        _ => None,
    }
}
