use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.domains, &ctx.to.domains);
    for name in new {
        out.push(Change::CreateDomain {
            domain: ctx.to.domains[name].clone(),
        });
    }
    for name in gone {
        out.push(Change::DropDomain {
            domain: ctx.from.domains[name].clone(),
        });
    }
    for name in both {
        let (f, t) = (&ctx.from.domains[name], &ctx.to.domains[name]);
        if f == t {
            continue;
        }
        if f.base_type != t.base_type || f.collation != t.collation {
            // ALTER DOMAIN cannot change the base type: a new domain, whose users follow.
            out.push(Change::DropDomain { domain: f.clone() });
            out.push(Change::CreateDomain { domain: t.clone() });
        } else {
            out.push(Change::AlterDomain {
                from: f.clone(),
                to: t.clone(),
            });
        }
    }
    let (gone, new, both) = split_keys(&ctx.from.composites, &ctx.to.composites);
    for name in new {
        out.push(Change::CreateComposite {
            composite: ctx.to.composites[name].clone(),
        });
    }
    for name in gone {
        out.push(Change::DropComposite {
            composite: ctx.from.composites[name].clone(),
        });
    }
    for name in both {
        let (f, t) = (&ctx.from.composites[name], &ctx.to.composites[name]);
        if f != t {
            out.push(Change::AlterComposite {
                from: f.clone(),
                to: t.clone(),
            });
        }
    }
}
