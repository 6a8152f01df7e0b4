use super::{Ctx, Deps, Hazard, Step, step};
use crate::catalog::{Column, Identity, ObjectId, QualName, quote_ident};
use crate::diff::Change;

fn identity_sql(identity: &Identity) -> String {
    let opts = identity.options.non_default_clauses();
    format!(
        "GENERATED {} AS IDENTITY{}",
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        },
        if opts.is_empty() {
            String::new()
        } else {
            format!(" ({})", opts.join(" "))
        }
    )
}

/// A column as written in CREATE TABLE or ADD COLUMN.
pub(super) fn column_sql(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            g.expression,
            if g.is_virtual { "VIRTUAL" } else { "STORED" }
        ));
    }
    if let Some(identity) = &c.identity {
        s.push(' ');
        s.push_str(&identity_sql(identity));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

/// The type without typmod or array brackets, e.g. `character varying` for
/// `character varying(20)`.
fn base_type(t: &str) -> &str {
    let t = t.trim_end_matches("[]");
    match t.find('(') {
        Some(i) => {
            // `timestamp(3) with time zone` keeps its suffix out of the base name too.
            t[..i].trim_end()
        }
        None => t,
    }
}

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
fn needs_using(from: &str, to: &str) -> bool {
    if from.ends_with("[]") != to.ends_with("[]") {
        return true;
    }
    let (f, t) = (base_type(from), base_type(to));
    if f == t {
        return false;
    }
    if STRING.contains(&t) || NUMERIC.contains(&f) && NUMERIC.contains(&t) {
        return false;
    }
    !(f.starts_with("timestamp") && t.starts_with("timestamp"))
}

/// Whether the change keeps the on-disk representation (no rewrite): a longer or removed
/// length limit on a string type, or varchar to text.
fn binary_compatible(from: &str, to: &str) -> bool {
    let (f, t) = (base_type(from), base_type(to));
    let limit = |s: &str| -> Option<u32> {
        s.split_once('(')
            .and_then(|(_, r)| r.trim_end_matches(')').trim_end_matches("[]").parse().ok())
    };
    match (f, t) {
        ("character varying", "text") => true,
        ("character varying", "character varying") => match (limit(from), limit(to)) {
            (Some(a), Some(b)) => b >= a,
            (_, None) => true,
            _ => false,
        },
        _ => false,
    }
}

fn col_id(table: &QualName, column: &str) -> ObjectId {
    ObjectId::Column {
        table: table.clone(),
        column: column.to_string(),
    }
}

pub(super) fn steps(ctx: &Ctx, change: &Change) -> Vec<Step> {
    match change {
        Change::AddColumn { table, column } => {
            let id = col_id(table, &column.name);
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: table.clone(),
            });
            let existing = ctx.existing(table);
            vec![
                step(
                    format!("ALTER TABLE {table} ADD COLUMN {};", column_sql(column)),
                    &id,
                    "create",
                    Deps {
                        creates: vec![id.clone()],
                        requires,
                        ..Deps::default()
                    },
                )
                // NOT NULL without a default fails on a table that has rows.
                .hazard_if(
                    existing
                        && column.not_null
                        && column.default.is_none()
                        && column.identity.is_none()
                        && column.generated.is_none(),
                    Hazard::DataDependent,
                )
                .hazard_if(
                    existing && column.generated.as_ref().is_some_and(|g| !g.is_virtual),
                    Hazard::TableRewrite,
                ),
            ]
        }
        Change::DropColumn { table, column } => {
            let id = col_id(table, &column.name);
            vec![
                step(
                    format!(
                        "ALTER TABLE {table} DROP COLUMN {};",
                        quote_ident(&column.name)
                    ),
                    &id,
                    "drop",
                    Deps {
                        drops: vec![id.clone()],
                        releases: ctx.releases(std::slice::from_ref(&id)),
                        ..Deps::default()
                    },
                )
                .hazard(Hazard::DeletesData),
            ]
        }
        Change::AlterColumn { table, from, to } => alter(ctx, table, from, to),
        _ => unreachable!("column change"),
    }
}

fn alter(ctx: &Ctx, table: &QualName, f: &Column, t: &Column) -> Vec<Step> {
    let id = col_id(table, &t.name);
    let c = quote_ident(&t.name);
    let prefix = format!("ALTER TABLE {table} ALTER COLUMN {c}");
    let mut out: Vec<Step> = Vec::new();
    let plain = |sql: String| step(sql, &id, "alter", Deps::default());
    let type_changes = f.data_type != t.data_type || f.collation != t.collation;

    if f.default.is_some() && (f.default != t.default || type_changes) {
        out.push(plain(format!("{prefix} DROP DEFAULT;")));
    }
    if f.identity.is_some() && t.identity.is_none() {
        out.push(plain(format!("{prefix} DROP IDENTITY;")));
    }
    if f.generated.is_some() && t.generated.is_none() {
        out.push(plain(format!("{prefix} DROP EXPRESSION;")));
    }
    if type_changes {
        let mut sql = format!("{prefix} TYPE {}", t.data_type);
        if let Some(coll) = &t.collation {
            sql.push_str(&format!(" COLLATE {coll}"));
        }
        let using = needs_using(&f.data_type, &t.data_type);
        if using {
            sql.push_str(&format!(" USING {c}::{}", t.data_type));
        }
        sql.push(';');
        let rewrite = !binary_compatible(&f.data_type, &t.data_type) || f.collation != t.collation;
        out.push(
            step(
                sql,
                &id,
                "alter",
                Deps {
                    creates: vec![id.clone()],
                    ..Deps::default()
                },
            )
            .hazard(Hazard::AccessExclusiveLock)
            .hazard_if(rewrite, Hazard::TableRewrite)
            .hazard_if(using || rewrite, Hazard::DataDependent)
            .long_running(),
        );
    }
    if let (Some(a), Some(b)) = (&f.generated, &t.generated)
        && a.expression != b.expression
    {
        out.push(
            plain(format!("{prefix} SET EXPRESSION AS ({});", b.expression))
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::AccessExclusiveLock),
        );
    }
    if t.not_null && !f.not_null {
        out.push(
            plain(format!("{prefix} SET NOT NULL;"))
                .hazard(Hazard::DataDependent)
                .hazard(Hazard::AccessExclusiveLock)
                .long_running(),
        );
    }
    match (&f.identity, &t.identity) {
        (None, Some(new)) => out.push(plain(format!("{prefix} ADD {};", identity_sql(new)))),
        (Some(old), Some(new)) if old != new => {
            let mut parts = Vec::new();
            if old.always != new.always {
                parts.push(format!(
                    "SET GENERATED {}",
                    if new.always { "ALWAYS" } else { "BY DEFAULT" }
                ));
            }
            let before = old.options.all_clauses();
            for clause in new.options.all_clauses() {
                if !before.contains(&clause) && !clause.starts_with("AS ") {
                    parts.push(match clause.as_str() {
                        "NO CYCLE" => "SET NO CYCLE".to_string(),
                        other => format!("SET {other}"),
                    });
                }
            }
            if !parts.is_empty() {
                out.push(plain(format!("{prefix} {};", parts.join(" "))));
            }
        }
        _ => {}
    }
    if let Some(d) = &t.default
        && (f.default != t.default || type_changes)
    {
        out.push(step(
            format!("{prefix} SET DEFAULT {d};"),
            &id,
            "alter",
            Deps {
                requires: ctx.requires(std::slice::from_ref(&id)),
                ..Deps::default()
            },
        ));
    }
    if f.not_null && !t.not_null {
        out.push(plain(format!("{prefix} DROP NOT NULL;")));
    }
    // The whole alteration needs what the new column needs and frees what the old one did.
    if let Some(first) = out.first_mut() {
        first
            .deps
            .requires
            .extend(ctx.requires(std::slice::from_ref(&id)));
        first.deps.requires.push(ObjectId::Table {
            name: table.clone(),
        });
    }
    if let Some(last) = out.last_mut() {
        last.deps
            .releases
            .extend(ctx.releases(std::slice::from_ref(&id)));
    }
    out
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
        assert!(!binary_compatible("integer", "bigint"));
        assert_eq!(base_type("numeric(5,2)"), "numeric");
    }
}
