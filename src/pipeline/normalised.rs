//! The copy of the current schema that a plan is replayed on is created from the text
//! PostgreSQL printed for each expression (`pg_get_constraintdef`, `pg_get_expr`, …), and
//! PostgreSQL stores that text parsed again, not always as it printed it: a CHECK over a
//! varchar column with an IN list comes back as `(status)::text = ANY (ARRAY[…])` with
//! its casts moved. Such an expression differs between the copy and the live database
//! although nobody changed it. What the copy's own creation changed, and the plan then
//! left alone, is compared as the live database has it.

use crate::catalog::Catalog;

/// In `replayed`, puts back the live (`live`) text of every expression that the copy
/// (`copy`, read right after it was created) holds differently and the plan did not
/// touch (it still reads as in the copy).
pub(super) fn as_live(replayed: &mut Catalog, copy: &Catalog, live: &Catalog) {
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
