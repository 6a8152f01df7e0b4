use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.indexes, &ctx.to.indexes);
    for name in new {
        out.push(Change::CreateIndex {
            index: ctx.to.indexes[name].clone(),
        });
    }
    for name in gone {
        let i = &ctx.from.indexes[name];
        if !ctx.dropped_tables.contains(&i.table) {
            out.push(Change::DropIndex { index: i.clone() });
        }
    }
    for name in both {
        let (f, t) = (&ctx.from.indexes[name], &ctx.to.indexes[name]);
        if f.shape() != t.shape() || !f.valid {
            if !ctx.dropped_tables.contains(&f.table) {
                out.push(Change::DropIndex { index: f.clone() });
            }
            out.push(Change::CreateIndex { index: t.clone() });
        } else if f.options != t.options {
            out.push(Change::AlterIndexOptions {
                index: t.name.clone(),
                from: f.options.clone(),
                to: t.options.clone(),
            });
        }
    }
}
