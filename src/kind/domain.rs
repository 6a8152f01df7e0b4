use super::Change;
use crate::catalog::{CompositeType, Domain, ObjectId, QualName, quote_ident};
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
    CreateComposite {
        composite: crate::catalog::CompositeType,
    },
    DropComposite {
        composite: crate::catalog::CompositeType,
    },
    AlterComposite {
        from: crate::catalog::CompositeType,
        to: crate::catalog::CompositeType,
    },
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let create = |d: &Domain| vec![DomainChange::Create { domain: d.clone() }];
    let drop = |d: &Domain| vec![DomainChange::Drop { domain: d.clone() }];
    let alter = |f: &Domain, t: &Domain| {
        if f == t {
            vec![]
        } else if f.base_type != t.base_type || f.collation != t.collation {
            // ALTER DOMAIN cannot change the base type: a new domain, whose users follow.
            [drop(f), create(t)].concat()
        } else {
            vec![DomainChange::Alter {
                from: f.clone(),
                to: t.clone(),
            }]
        }
    };
    keyed(out, &ctx.from.domains, &ctx.to.domains, create, drop, alter);
    keyed(
        out,
        &ctx.from.composites,
        &ctx.to.composites,
        |c: &CompositeType| {
            vec![DomainChange::CreateComposite {
                composite: c.clone(),
            }]
        },
        |c: &CompositeType| {
            vec![DomainChange::DropComposite {
                composite: c.clone(),
            }]
        },
        |f: &CompositeType, t: &CompositeType| {
            if f == t {
                vec![]
            } else {
                vec![DomainChange::AlterComposite {
                    from: f.clone(),
                    to: t.clone(),
                }]
            }
        },
    );
}

fn type_id(name: &QualName) -> ObjectId {
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

fn attribute(a: &(String, String, Option<String>)) -> String {
    let mut s = format!("{} {}", quote_ident(&a.0), a.1);
    if let Some(c) = &a.2 {
        s.push_str(&format!(" COLLATE {c}"));
    }
    s
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
        DomainChange::CreateComposite { composite: c } => {
            let id = type_id(&c.name);
            let attrs: Vec<String> = c.attributes.iter().map(attribute).collect();
            vec![step(
                format!(
                    "CREATE TYPE {} AS (\n    {}\n);",
                    c.name,
                    attrs.join(",\n    ")
                ),
                &id,
                Action::Create,
                Deps {
                    creates: vec![id.clone()],
                    requires: ctx.requires(std::slice::from_ref(&id)),
                    ..Deps::default()
                },
            )]
        }
        DomainChange::DropComposite { composite: c } => drop_type(ctx, &c.name, "TYPE"),
        DomainChange::AlterComposite { from, to } => alter_composite(ctx, from, to),
    }
}

fn drop_type(ctx: &Context, name: &QualName, keyword: &str) -> Vec<Step> {
    vec![drop_step(
        ctx,
        format!("DROP {keyword} {name};"),
        &type_id(name),
    )]
}

fn alter_domain(f: &Domain, t: &Domain) -> Vec<Step> {
    let id = type_id(&t.name);
    let plain = |sql: String| step(sql, &id, Action::Alter, Deps::default());
    let mut out = Vec::new();
    for (name, (def, valid)) in &f.checks {
        let keep = t
            .checks
            .get(name)
            .is_some_and(|(d, v)| strip(d) == strip(def) && (*v || !valid));
        if !keep {
            out.push(plain(format!(
                "ALTER DOMAIN {} DROP CONSTRAINT {};",
                t.name,
                quote_ident(name)
            )));
        }
    }
    if f.default != t.default {
        out.push(plain(match &t.default {
            Some(d) => format!("ALTER DOMAIN {} SET DEFAULT {d};", t.name),
            None => format!("ALTER DOMAIN {} DROP DEFAULT;", t.name),
        }));
    }
    if f.not_null != t.not_null {
        let step = plain(format!(
            "ALTER DOMAIN {} {} NOT NULL;",
            t.name,
            if t.not_null { "SET" } else { "DROP" }
        ));
        out.push(if t.not_null {
            step.hazard(
                Hazard::DataDependent,
                format!("fails if a column of type {} holds a NULL", t.name),
            )
            .long_running()
        } else {
            step
        });
    }
    for (name, (def, valid)) in &t.checks {
        match f.checks.get(name) {
            Some((d, v)) if strip(d) == strip(def) && (*valid || !v) => {
                if *valid && !v {
                    out.push(
                        plain(format!(
                            "ALTER DOMAIN {} VALIDATE CONSTRAINT {};",
                            t.name,
                            quote_ident(name)
                        ))
                        .hazard(
                            Hazard::DataDependent,
                            format!(
                                "fails if a value of type {} breaks {}",
                                t.name,
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
                    t.name,
                    quote_ident(name)
                ));
                out.push(if *valid {
                    step.hazard(
                        Hazard::DataDependent,
                        format!(
                            "fails if a value of type {} breaks {}",
                            t.name,
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

/// Attributes are dropped, added and retyped in place (order is kept by appending).
fn alter_composite(ctx: &Context, f: &CompositeType, t: &CompositeType) -> Vec<Step> {
    let id = type_id(&t.name);
    let mut actions = Vec::new();
    for a in &f.attributes {
        if !t.attributes.iter().any(|b| b.0 == a.0) {
            actions.push(format!("DROP ATTRIBUTE {}", quote_ident(&a.0)));
        }
    }
    for b in &t.attributes {
        match f.attributes.iter().find(|a| a.0 == b.0) {
            None => actions.push(format!("ADD ATTRIBUTE {}", attribute(b))),
            Some(a) if a != b => {
                let mut s = format!("ALTER ATTRIBUTE {} TYPE {}", quote_ident(&b.0), b.1);
                if let Some(c) = &b.2 {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                actions.push(s);
            }
            Some(_) => {}
        }
    }
    if actions.is_empty() {
        return Vec::new();
    }
    vec![step(
        format!("ALTER TYPE {} {};", t.name, actions.join(", ")),
        &id,
        Action::Alter,
        Deps {
            requires: ctx.requires(std::slice::from_ref(&id)),
            ..Deps::default()
        },
    )]
}
