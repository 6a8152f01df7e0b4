use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.sequences, &ctx.to.sequences);
    for name in new {
        out.push(Change::CreateSequence {
            sequence: ctx.to.sequences[name].clone(),
        });
    }
    for name in gone {
        let s = &ctx.from.sequences[name];
        // A sequence OWNED BY a column that goes away is dropped with it by PostgreSQL.
        let goes_with_owner = s.owned_by.as_ref().is_some_and(|(table, column)| {
            ctx.dropped_tables.contains(table)
                || ctx
                    .to
                    .tables
                    .get(table)
                    .and_then(|t| t.column(column))
                    .is_none()
        });
        if !goes_with_owner {
            out.push(Change::DropSequence {
                sequence: s.clone(),
            });
        }
    }
    for name in both {
        let (f, t) = (&ctx.from.sequences[name], &ctx.to.sequences[name]);
        if f != t {
            out.push(Change::AlterSequence {
                from: f.clone(),
                to: t.clone(),
            });
        }
    }
}
