use super::{Change, Context, split_keys};

pub(super) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let (gone, new, both) = split_keys(&ctx.from.aggregates, &ctx.to.aggregates);
    for key in new {
        out.push(Change::CreateAggregate {
            aggregate: ctx.to.aggregates[key].clone(),
            replace: false,
        });
    }
    for key in gone {
        out.push(Change::DropAggregate {
            aggregate: ctx.from.aggregates[key].clone(),
        });
    }
    for key in both {
        let (f, t) = (&ctx.from.aggregates[key], &ctx.to.aggregates[key]);
        if f == t {
            continue;
        }
        if f.identity_args == t.identity_args {
            // CREATE OR REPLACE AGGREGATE (PostgreSQL 12+) keeps what uses it.
            out.push(Change::CreateAggregate {
                aggregate: t.clone(),
                replace: true,
            });
        } else {
            out.push(Change::DropAggregate {
                aggregate: f.clone(),
            });
            out.push(Change::CreateAggregate {
                aggregate: t.clone(),
                replace: false,
            });
        }
    }
}
