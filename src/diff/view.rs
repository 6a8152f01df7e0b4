use super::{Change, Context, split_keys};
use crate::catalog::View;

/// CREATE OR REPLACE VIEW may only append columns: the old ones must keep their names
/// and types, in order.
fn replaceable(f: &View, t: &View) -> bool {
    !f.materialized
        && !t.materialized
        && f.columns.len() <= t.columns.len()
        && f.columns.iter().zip(&t.columns).all(|(a, b)| a == b)
}

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.views, &ctx.to.views);
    for name in new {
        out.push(Change::CreateView {
            view: ctx.to.views[name].clone(),
        });
    }
    for name in gone {
        out.push(Change::DropView {
            view: ctx.from.views[name].clone(),
        });
    }
    for name in both {
        let (f, t) = (&ctx.from.views[name], &ctx.to.views[name]);
        if f == t {
            continue;
        }
        let same_query = f.definition == t.definition && f.columns == t.columns;
        if same_query && f.materialized == t.materialized {
            if f.options != t.options {
                out.push(Change::AlterViewOptions {
                    from: f.clone(),
                    to: t.clone(),
                });
            }
            if f.populated != t.populated {
                out.push(Change::RefreshView { view: t.clone() });
            }
        } else if replaceable(f, t) {
            out.push(Change::ReplaceView {
                from: f.clone(),
                to: t.clone(),
            });
        } else {
            out.push(Change::DropView { view: f.clone() });
            out.push(Change::CreateView { view: t.clone() });
        }
    }
}
