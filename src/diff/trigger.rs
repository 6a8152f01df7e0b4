use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.triggers, &ctx.to.triggers);
    for key in new {
        out.push(Change::CreateTrigger {
            trigger: ctx.to.triggers[key].clone(),
        });
    }
    for key in gone {
        let t = &ctx.from.triggers[key];
        if !ctx.dropped_tables.contains(&t.table) {
            out.push(Change::DropTrigger { trigger: t.clone() });
        }
    }
    for key in both {
        let (f, t) = (&ctx.from.triggers[key], &ctx.to.triggers[key]);
        if f.definition != t.definition {
            out.push(Change::DropTrigger { trigger: f.clone() });
            out.push(Change::CreateTrigger { trigger: t.clone() });
        } else if f.enabled != t.enabled {
            out.push(Change::SetTriggerEnabled { trigger: t.clone() });
        }
    }
}
