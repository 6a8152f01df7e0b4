use super::{Change, Context, split_keys};

/// ALTER COLLATION changes nothing that matters here: a changed collation is a new one.
pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.collations, &ctx.to.collations);
    for name in new {
        out.push(Change::CreateCollation {
            collation: ctx.to.collations[name].clone(),
        });
    }
    for name in gone {
        out.push(Change::DropCollation {
            collation: ctx.from.collations[name].clone(),
        });
    }
    for name in both {
        let (f, t) = (&ctx.from.collations[name], &ctx.to.collations[name]);
        if f != t {
            out.push(Change::DropCollation {
                collation: f.clone(),
            });
            out.push(Change::CreateCollation {
                collation: t.clone(),
            });
        }
    }
}
