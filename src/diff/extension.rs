use super::{Change, Context, split_keys};

/// Extensions are database-wide: one missing from the desired state is dropped only when
/// it lives in a schema the engine manages.
pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.extensions, &ctx.to.extensions);
    for name in new {
        out.push(Change::CreateExtension {
            extension: ctx.to.extensions[name].clone(),
        });
    }
    for name in gone {
        let e = &ctx.from.extensions[name];
        if ctx.scope.contains(&e.schema) {
            out.push(Change::DropExtension {
                extension: e.clone(),
            });
        }
    }
    for name in both {
        let (f, t) = (&ctx.from.extensions[name], &ctx.to.extensions[name]);
        if f.schema != t.schema {
            out.push(Change::AlterExtensionSchema {
                from: f.clone(),
                to: t.clone(),
            });
        }
    }
}
