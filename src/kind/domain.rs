use super::Change;
use crate::catalog::{Domain, ObjectId, QualName, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, create_step, drop_step, step};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum DomainChange {
    Create {
        domain: crate::catalog::Domain,
    },
    Drop {
        domain: crate::catalog::Domain,
    },
    /// A new base type or collation, which ALTER DOMAIN cannot change: the old domain is
    /// renamed aside, the new one created, the columns of the old one converted to it and
    /// the old one dropped.
    Recreate {
        from: crate::catalog::Domain,
        to: crate::catalog::Domain,
    },
    /// Default, NOT NULL and CHECK constraints changed in place.
    Alter {
        from: crate::catalog::Domain,
        to: crate::catalog::Domain,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |d: &Domain| vec![DomainChange::Create { domain: d.clone() }];
    let drop = |d: &Domain| vec![DomainChange::Drop { domain: d.clone() }];
    let alter = |from: &Domain, to: &Domain| {
        if from == to {
            vec![]
        } else if from.base_type != to.base_type || from.collation != to.collation {
            vec![DomainChange::Recreate {
                from: from.clone(),
                to: to.clone(),
            }]
        } else {
            vec![DomainChange::Alter {
                from: from.clone(),
                to: to.clone(),
            }]
        }
    };
    keyed(out, &ctx.from.domains, &ctx.to.domains, create, drop, alter);
}

pub(super) fn type_id(name: &QualName) -> ObjectId {
    ObjectId::Type { name: name.clone() }
}

fn create_domain(d: &Domain) -> String {
    let mut sql = format!("CREATE DOMAIN {} AS {}", d.name, d.base_type);
    if let Some(c) = &d.collation {
        sql.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(def) = &d.default {
        sql.push_str(&format!(" DEFAULT {def}"));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for (name, (def, valid)) in &d.checks {
        if *valid {
            sql.push_str(&format!("\n    CONSTRAINT {} {def}", quote_ident(name)));
        }
    }
    sql.push(';');
    sql
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &DomainChange) -> Vec<ObjectId> {
    match change {
        DomainChange::Create { domain } | DomainChange::Recreate { to: domain, .. } => {
            vec![type_id(&domain.name)]
        }
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &DomainChange) -> Vec<Step> {
    match change {
        DomainChange::Create { domain: d } => {
            let id = type_id(&d.name);
            let mut steps = vec![create_step(ctx, create_domain(d), &id, Action::Create)];
            // NOT VALID checks cannot be written in CREATE DOMAIN.
            for (name, (def, valid)) in &d.checks {
                if !valid {
                    steps.push(step(
                        format!(
                            "ALTER DOMAIN {} ADD CONSTRAINT {} {def};",
                            d.name,
                            quote_ident(name)
                        ),
                        &id,
                        Action::Create,
                        Deps::default(),
                    ));
                }
            }
            steps
        }
        DomainChange::Drop { domain: d } => drop_type(ctx, &d.name, "DOMAIN"),
        DomainChange::Alter { from, to } => alter_domain(from, to),
        DomainChange::Recreate { from, to } => recreate(ctx, from, to),
    }
}

/// The columns of type `name` (or an array of it) in `catalog`: (table, column, array).
pub(crate) fn columns_of<'a>(
    catalog: &'a crate::catalog::Catalog,
    name: &QualName,
) -> impl Iterator<Item = (&'a QualName, &'a crate::catalog::Column, bool)> {
    let (t, a) = (name.to_string(), format!("{name}[]"));
    catalog.tables.values().flat_map(move |table| {
        let (t, a) = (t.clone(), a.clone());
        table.columns.iter().filter_map(move |c| {
            (c.data_type == t || c.data_type == a).then_some((&table.name, c, c.data_type == a))
        })
    })
}

/// Renames the old domain aside, creates the new one, converts the columns (through the
/// new base type) and drops the old one.
fn recreate(ctx: &Context, from: &Domain, to: &Domain) -> Vec<Step> {
    let id = type_id(&to.name);
    let (old, mut steps) = set_aside("DOMAIN", &from.name, create_domain(to));
    let mut tables: std::collections::BTreeMap<&QualName, Vec<(&crate::catalog::Column, bool)>> =
        std::collections::BTreeMap::new();
    for (table, col, array) in columns_of(ctx.from, &from.name) {
        tables.entry(table).or_default().push((col, array));
    }
    for (table, cols) in tables {
        let mut converts = Vec::new();
        let mut defaults = Vec::new();
        let mut ids = Vec::new();
        for (col, array) in cols {
            let c = quote_ident(&col.name);
            let brackets = if array { "[]" } else { "" };
            if col.default.is_some() {
                converts.push(format!("ALTER COLUMN {c} DROP DEFAULT"));
            }
            converts.push(format!(
                "ALTER COLUMN {c} TYPE {}{brackets} USING {c}::{}{brackets}",
                to.name, to.base_type
            ));
            ids.push(ObjectId::Column {
                table: table.clone(),
                column: col.name.clone(),
            });
            let desired = ctx
                .to
                .tables
                .get(table)
                .and_then(|t| t.column(&col.name))
                .and_then(|c| c.default.as_ref());
            if let Some(d) = desired {
                defaults.push(format!("ALTER COLUMN {c} SET DEFAULT {d}"));
            }
        }
        // What stands on the columns (views, keys, indexes) goes first and comes back
        // after, as for any type change.
        steps.push(
            step(
                format!("ALTER TABLE {table} {};", converts.join(", ")),
                &id,
                Action::Alter,
                Deps {
                    drops: ids.clone(),
                    creates: ids,
                    ..Deps::default()
                },
            )
            .hazard(
                Hazard::DataDependent,
                format!("fails if a value in {table} does not fit {}", to.name),
            )
            .hazard(
                Hazard::TableRewrite,
                format!(
                    "rewrites {table}: its columns of {} are converted",
                    from.name
                ),
            )
            .hazard(Hazard::AccessExclusiveLock, format!("locks {table}"))
            .long_running(),
        );
        if !defaults.is_empty() {
            steps.push(step(
                format!("ALTER TABLE {table} {};", defaults.join(", ")),
                &id,
                Action::Alter,
                Deps::default(),
            ));
        }
    }
    steps.push(step(
        format!("DROP DOMAIN {old};"),
        &id,
        Action::Alter,
        Deps {
            releases: ctx.releases(std::slice::from_ref(&id)),
            ..Deps::default()
        },
    ));
    steps
}

/// A type recreated beside its old form (`keyword`: TYPE or DOMAIN): the old one renamed
/// to `<name>__profe_old` (returned), the new one created by `create`; its columns are
/// converted after, and the old one dropped.
pub(super) fn set_aside(keyword: &str, name: &QualName, create: String) -> (QualName, Vec<Step>) {
    let id = type_id(name);
    let old_name = format!("{}__profe_old", name.name);
    let old = QualName::new(name.schema.clone(), old_name.clone());
    let rename = step(
        format!(
            "ALTER {keyword} {name} RENAME TO {};",
            quote_ident(&old_name)
        ),
        &id,
        Action::Alter,
        Deps {
            drops: vec![id.clone()],
            ..Deps::default()
        },
    );
    let create = step(
        create,
        &id,
        Action::Alter,
        Deps {
            creates: vec![id.clone()],
            ..Deps::default()
        },
    );
    (old, vec![rename, create])
}

pub(super) fn drop_type(ctx: &Context, name: &QualName, keyword: &str) -> Vec<Step> {
    vec![drop_step(
        ctx,
        format!("DROP {keyword} {name};"),
        &type_id(name),
    )]
}

fn alter_domain(from: &Domain, to: &Domain) -> Vec<Step> {
    let id = type_id(&to.name);
    let plain = |sql: String| step(sql, &id, Action::Alter, Deps::default());
    let mut out = Vec::new();
    for (name, (def, valid)) in &from.checks {
        let keep = to
            .checks
            .get(name)
            .is_some_and(|(d, v)| strip(d) == strip(def) && (*v || !valid));
        if !keep {
            out.push(plain(format!(
                "ALTER DOMAIN {} DROP CONSTRAINT {};",
                to.name,
                quote_ident(name)
            )));
        }
    }
    if from.default != to.default {
        out.push(plain(match &to.default {
            Some(d) => format!("ALTER DOMAIN {} SET DEFAULT {d};", to.name),
            None => format!("ALTER DOMAIN {} DROP DEFAULT;", to.name),
        }));
    }
    if from.not_null != to.not_null {
        let step = plain(format!(
            "ALTER DOMAIN {} {} NOT NULL;",
            to.name,
            if to.not_null { "SET" } else { "DROP" }
        ));
        out.push(if to.not_null {
            step.hazard(
                Hazard::DataDependent,
                format!("fails if a column of type {} holds a NULL", to.name),
            )
            .long_running()
        } else {
            step
        });
    }
    for (name, (def, valid)) in &to.checks {
        match from.checks.get(name) {
            Some((d, v)) if strip(d) == strip(def) && (*valid || !v) => {
                if *valid && !v {
                    out.push(
                        plain(format!(
                            "ALTER DOMAIN {} VALIDATE CONSTRAINT {};",
                            to.name,
                            quote_ident(name)
                        ))
                        .hazard(
                            Hazard::DataDependent,
                            format!(
                                "fails if a value of type {} breaks {}",
                                to.name,
                                quote_ident(name)
                            ),
                        )
                        .long_running(),
                    );
                }
            }
            _ => {
                let step = plain(format!(
                    "ALTER DOMAIN {} ADD CONSTRAINT {} {def};",
                    to.name,
                    quote_ident(name)
                ));
                out.push(if *valid {
                    step.hazard(
                        Hazard::DataDependent,
                        format!(
                            "fails if a value of type {} breaks {}",
                            to.name,
                            quote_ident(name)
                        ),
                    )
                    .long_running()
                } else {
                    step
                });
            }
        }
    }
    out
}

fn strip(def: &str) -> &str {
    def.strip_suffix(" NOT VALID").unwrap_or(def)
}
