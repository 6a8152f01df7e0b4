//! Orders steps: what a step requires is created first, what a step stops depending on is
//! dropped after it, a drop precedes the re-creation of the same object, and the steps of
//! one change keep their order. Ties keep generation order, so plans are deterministic.

use super::Step;
use crate::catalog::ObjectId;
use crate::error::{Error, Result};
use crate::graph::{Order, permute};
use std::collections::BTreeMap;

pub(super) fn order(groups: Vec<Vec<Step>>) -> Result<Vec<Step>> {
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let steps: Vec<Step> = groups.into_iter().flatten().collect();
    let mut graph = Order::new(steps.len());
    let mut i = 0;
    for n in sizes {
        for k in 1..n {
            graph.before(i + k - 1, i + k);
        }
        i += n;
    }
    let mut creators: BTreeMap<&ObjectId, Vec<usize>> = BTreeMap::new();
    let mut droppers: BTreeMap<&ObjectId, Vec<usize>> = BTreeMap::new();
    for (i, s) in steps.iter().enumerate() {
        for id in &s.deps.creates {
            creators.entry(id).or_default().push(i);
        }
        for id in &s.deps.drops {
            droppers.entry(id).or_default().push(i);
        }
    }
    let mut marked: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in steps.iter().enumerate() {
        for m in &s.deps.marks {
            marked.entry(m.as_str()).or_default().push(i);
        }
    }
    let last: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].deps.after.iter().any(|m| m == "*"))
        .collect();
    let mut edge = |a: usize, b: usize| graph.before(a, b);
    for &l in &last {
        for a in (0..steps.len()).filter(|a| !last.contains(a)) {
            edge(a, l);
        }
    }
    for (i, s) in steps.iter().enumerate() {
        for m in &s.deps.after {
            for &a in marked.get(m.as_str()).into_iter().flatten() {
                edge(a, i);
            }
        }
    }
    for (i, s) in steps.iter().enumerate() {
        for id in &s.deps.requires {
            for &c in creators.get(id).into_iter().flatten() {
                edge(c, i);
            }
        }
        for id in &s.deps.releases {
            for &d in droppers.get(id).into_iter().flatten() {
                edge(i, d);
            }
        }
    }
    for (id, ds) in &droppers {
        for &c in creators.get(id).into_iter().flatten() {
            for &d in ds {
                edge(d, c);
            }
        }
    }
    // Soft edges last, so that they yield to every hard one.
    for (i, s) in steps.iter().enumerate() {
        for m in &s.deps.rather_after {
            for &a in marked.get(m.as_str()).into_iter().flatten() {
                graph.prefer(a, &[i]);
            }
        }
    }
    let outside: Vec<usize> = (0..steps.len())
        .filter(|&i| !steps[i].transactional)
        .collect();
    if !outside.is_empty() {
        for (r, s) in steps.iter().enumerate() {
            if s.deps.restores {
                graph.prefer(r, &outside);
            }
        }
    }
    let order = graph.sort().map_err(|cycle| {
        let mut members: Vec<String> = cycle
            .iter()
            .map(|&i| {
                let s = &steps[i];
                format!("{} ({})", s.object, s.action)
            })
            .collect();
        members.sort();
        members.dedup();
        Error::Cycle(members.join(", "))
    })?;
    Ok(permute(steps, &order))
}
