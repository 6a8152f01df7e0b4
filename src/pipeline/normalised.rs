//! The copy of the current schema that a plan is replayed on is created from the text
//! PostgreSQL printed for each expression (`pg_get_constraintdef`, `pg_get_expr`, …), and
//! PostgreSQL stores that text parsed again, not always as it printed it: a CHECK over a
//! varchar column with an IN list comes back as `(status)::text = ANY (ARRAY[…])` with
//! its casts moved. Such an expression differs between the copy and the live database
//! although nobody changed it. What the copy's own creation changed, and the plan then
//! left alone, is compared as the live database has it.
//!
//! The same holds for the desired state: an expression the plan writes as PostgreSQL
//! printed it from the files is stored reparsed. The desired state loaded again from the
//! engine's rendering gives that reading, and where the database holds it (a plan wrote
//! it), it is what the desired state means: so no plan rewrites it forever.

use crate::catalog::Catalog;

/// In `replayed`, puts back the live (`live`) text of every expression that the copy
/// (`copy`, read right after it was created) holds differently and the plan did not
/// touch (it still reads as in the copy).
pub(super) fn as_live(replayed: &mut Catalog, copy: &Catalog, live: &Catalog) {
    each(replayed, copy, live, &mut restore);
}

/// Each expression the copy (`copy`) holds otherwise than the live database (`live`),
/// as (the copy's text, the live text): pg_dump's view of the copy is read with them.
pub(super) fn reread(copy: &Catalog, live: &Catalog) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    each(&mut copy.clone(), copy, live, &mut |_, c, l| {
        if c != l {
            pairs.push((c.to_string(), l.to_string()));
        }
    });
    pairs
}

/// In `desired`, takes the server's reading (`reparsed`: the desired state loaded again
/// from the engine's rendering of it) of every expression it reads otherwise, where `held`
/// (the live database, or the replay's result) holds that reading: a plan applied earlier
/// (or the one being checked) wrote the expression so, and it is the desired one.
/// Returns what it replaced, each as (the text before, the reading).
pub fn as_written(
    desired: &mut Catalog,
    reparsed: &Catalog,
    held: &Catalog,
) -> Vec<(String, String)> {
    let mut taken = Vec::new();
    each(desired, reparsed, held, &mut |d, r, h| {
        if d != r && h == r {
            taken.push((std::mem::replace(d, r.to_string()), r.to_string()));
        }
    });
    taken
}

/// Whether `c` holds an expression PostgreSQL is known to store otherwise than it prints
/// it: an array constructor cast as a whole (`(ARRAY['a'::character varying])::text[]`,
/// which an IN list over varchar becomes), that parsing the text again casts element by
/// element. Only then is the desired state read back: loading it again costs as much as
/// loading it the first time. (An expression of another such form is still caught by the
/// replay, which then refuses the plan.)
pub(super) fn may_read_back_otherwise(c: &Catalog) -> bool {
    let odd = |s: &str| s.contains("])::");
    let odd_opt = |s: &Option<String>| s.as_deref().is_some_and(odd);
    c.tables.values().any(|t| {
        t.constraints.values().any(|k| odd(&k.definition))
            || t.columns.iter().any(|col| {
                odd_opt(&col.default) || col.generated.as_ref().is_some_and(|g| odd(&g.expression))
            })
    }) || c.indexes.values().any(|i| odd(&i.definition))
        || c.views.values().any(|v| odd(&v.definition))
        || c.policies
            .values()
            .any(|p| odd_opt(&p.using) || odd_opt(&p.check))
        || c.domains
            .values()
            .any(|d| d.checks.values().any(|(e, _)| odd(e)))
}

/// Calls `f` with the text of each expression of `a` and those of the same expression in
/// `b` and `c`, where all three have it: CHECK and other constraint definitions, column
/// defaults and generation expressions, index definitions, view queries, policies'
/// USING and WITH CHECK, domains' CHECKs.
fn each(a: &mut Catalog, b: &Catalog, c: &Catalog, f: &mut dyn FnMut(&mut String, &str, &str)) {
    let (replayed, copy, live, restore) = (a, b, c, f);
    for (name, table) in replayed.tables.iter_mut() {
        let (Some(c), Some(l)) = (copy.tables.get(name), live.tables.get(name)) else {
            continue;
        };
        for (key, constraint) in table.constraints.iter_mut() {
            if let (Some(cc), Some(lc)) = (c.constraints.get(key), l.constraints.get(key)) {
                restore(&mut constraint.definition, &cc.definition, &lc.definition);
            }
        }
        for column in table.columns.iter_mut() {
            let (Some(cc), Some(lc)) = (c.column(&column.name), l.column(&column.name)) else {
                continue;
            };
            if let (Some(r), Some(cd), Some(ld)) = (&mut column.default, &cc.default, &lc.default) {
                restore(r, cd, ld);
            }
            if let (Some(r), Some(cg), Some(lg)) =
                (&mut column.generated, &cc.generated, &lc.generated)
            {
                restore(&mut r.expression, &cg.expression, &lg.expression);
            }
        }
    }
    for (name, index) in replayed.indexes.iter_mut() {
        if let (Some(c), Some(l)) = (copy.indexes.get(name), live.indexes.get(name)) {
            restore(&mut index.definition, &c.definition, &l.definition);
        }
    }
    for (name, view) in replayed.views.iter_mut() {
        if let (Some(c), Some(l)) = (copy.views.get(name), live.views.get(name)) {
            restore(&mut view.definition, &c.definition, &l.definition);
        }
    }
    for (key, policy) in replayed.policies.iter_mut() {
        let (Some(c), Some(l)) = (copy.policies.get(key), live.policies.get(key)) else {
            continue;
        };
        for (r, cx, lx) in [
            (&mut policy.using, &c.using, &l.using),
            (&mut policy.check, &c.check, &l.check),
        ] {
            if let (Some(r), Some(cx), Some(lx)) = (r, cx, lx) {
                restore(r, cx, lx);
            }
        }
    }
    for (name, domain) in replayed.domains.iter_mut() {
        let (Some(c), Some(l)) = (copy.domains.get(name), live.domains.get(name)) else {
            continue;
        };
        for (key, (expr, _)) in domain.checks.iter_mut() {
            if let (Some((cx, _)), Some((lx, _))) = (c.checks.get(key), l.checks.get(key)) {
                restore(expr, cx, lx);
            }
        }
    }
}

/// `replayed` becomes `live` where it is still `copy` and the copy differs from `live`.
fn restore(replayed: &mut String, copy: &str, live: &str) {
    if copy != live && replayed == copy {
        *replayed = live.to_string();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_untouched_drift_is_restored() {
        let mut s = "copy".to_string();
        super::restore(&mut s, "copy", "live");
        assert_eq!(s, "live");
        // Changed by the plan: kept.
        let mut t = "planned".to_string();
        super::restore(&mut t, "copy", "live");
        assert_eq!(t, "planned");
        // No drift: nothing to do.
        let mut u = "same".to_string();
        super::restore(&mut u, "same", "same");
        assert_eq!(u, "same");
    }
}
