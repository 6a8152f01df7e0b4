use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.enums, &ctx.to.enums);
    for name in new {
        out.push(Change::CreateEnum {
            enum_type: ctx.to.enums[name].clone(),
        });
    }
    for name in gone {
        out.push(Change::DropEnum {
            enum_type: ctx.from.enums[name].clone(),
        });
    }
    for name in both {
        let (f, t) = (&ctx.from.enums[name], &ctx.to.enums[name]);
        if f.labels == t.labels {
            continue;
        }
        // Labels can only be added in place: the old ones must keep their relative order.
        let kept: Vec<&String> = t.labels.iter().filter(|l| f.labels.contains(l)).collect();
        if kept.len() != f.labels.len() || kept.iter().zip(&f.labels).any(|(a, b)| *a != b) {
            out.push(Change::RecreateEnum {
                from: f.clone(),
                to: t.clone(),
            });
            continue;
        }
        for (i, label) in t.labels.iter().enumerate() {
            if f.labels.contains(label) {
                continue;
            }
            // Anchor on the next old label if any (labels added later in this loop are
            // already in place when this one runs, since steps keep this order).
            let before = t.labels[i + 1..].iter().find(|l| f.labels.contains(l));
            let after = if before.is_none() && i > 0 {
                Some(t.labels[i - 1].clone())
            } else {
                None
            };
            out.push(Change::AddEnumValue {
                name: name.clone(),
                value: label.clone(),
                before: before.cloned(),
                after,
            });
        }
    }
}
