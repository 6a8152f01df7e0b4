use super::{Change, Context, split_keys};

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaChange {
    Create { name: String },
    Drop { name: String },
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, _) = split_keys(&ctx.from.schemas, &ctx.to.schemas);
    out.extend(
        new.into_iter()
            .map(|n| Change::Schema(SchemaChange::Create { name: n.clone() })),
    );
    out.extend(
        gone.into_iter()
            .filter(|n| ctx.scope.contains(*n))
            .map(|n| Change::Schema(SchemaChange::Drop { name: n.clone() })),
    );
}
