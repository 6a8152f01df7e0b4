use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, _) = split_keys(&ctx.from.schemas, &ctx.to.schemas);
    out.extend(
        new.into_iter()
            .map(|n| Change::CreateSchema { name: n.clone() }),
    );
    out.extend(
        gone.into_iter()
            .filter(|n| ctx.scope.contains(*n))
            .map(|n| Change::DropSchema { name: n.clone() }),
    );
}
