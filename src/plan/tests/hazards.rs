//! Hazards across the plan: the summary, the refusal, and that every hazard is produced
//! by some plan. Each hazard's detection (a step that carries it, and a similar step that
//! does not) is tested in its own file under `plan/hazard/`.

use super::{base, hazards, plan, t};
use crate::catalog::testing::*;
use crate::plan::Hazard;

#[test]
fn summary_counts_steps_per_hazard_and_disallowed_lists_them() {
    let from = t(vec![
        col("a", "integer"),
        col("b", "integer"),
        col("c", "integer"),
    ]);
    let p = plan(&from, &t(vec![col("a", "bigint")]));
    assert_eq!(p.summary.hazards.get("DELETES_DATA"), Some(&2));
    assert_eq!(p.summary.hazards.get("TABLE_REWRITE"), Some(&1));
    let refused = p.disallowed(&[Hazard::TableRewrite, Hazard::AccessExclusiveLock]);
    assert_eq!(refused.len(), 2);
    assert!(
        refused
            .iter()
            .all(|(_, _, h)| h == &vec![Hazard::DeletesData])
    );
    assert!(p.disallowed(Hazard::ALL).is_empty());
}

#[test]
fn every_hazard_is_produced_by_some_plan() {
    let mut seen: Vec<Hazard> = Vec::new();
    for test in [
        (t(vec![col("a", "integer")]), t(vec![col("a", "text")])),
        (t(vec![col("a", "integer")]), base()),
        (
            t(vec![col("a", "integer")]).with_index(index("app.i", "app.t", "btree (a)")),
            t(vec![col("a", "integer")]).with_index(index("app.i2", "app.t", "btree (a)")),
        ),
        (
            base().with_enum(enum_type("app.e", &["a"])),
            base().with_enum(enum_type("app.e", &["a", "b"])),
        ),
        (
            base().with_function(function(
                "app.f",
                "",
                "",
                "integer",
                "sql",
                &[],
                " SELECT 1 ",
            )),
            base(),
        ),
        (
            t(vec![col("a", "integer")]),
            t(vec![col("a", "integer").not_null()])
                .with_acl(table_id("app.t"), acl(&[("owner", "SELECT", false)])),
        ),
    ] {
        let p = plan(&test.0, &test.1);
        for s in &p.steps {
            // Every hazard says why this statement has it, naming what it acts on.
            for h in &s.hazards {
                let why = s.hazard_reasons.get(h).map(String::as_str).unwrap_or("");
                assert!(why.contains("app."), "{} on {:?}: {why:?}", h.name(), s.sql);
            }
        }
        seen.extend(hazards(&p));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen, Hazard::ALL.to_vec());
}
