use super::{Change, Context, keyed};
use crate::catalog::{CompositeType, Domain};

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

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
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
