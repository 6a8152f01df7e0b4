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
            // ALTER DOMAIN cannot change the base type: a new domain, whose users follow.
            [drop(from), create(to)].concat()
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
        DomainChange::Create { domain } => vec![type_id(&domain.name)],
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
    }
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
