//! Orders steps: what a step requires is created first, what a step stops depending on is
//! dropped after it, a drop precedes the re-creation of the same object, and the steps of
//! one change keep their order. Ties keep generation order, so plans are deterministic.

use super::Step;
use crate::catalog::ObjectId;
use crate::error::{Error, Result};
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub(super) fn order(groups: Vec<Vec<Step>>) -> Result<Vec<Step>> {
    let steps: Vec<Step> = groups.iter().flatten().cloned().collect();
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(steps.len(), steps.len() * 2);
    let nodes: Vec<NodeIndex> = (0..steps.len()).map(|i| graph.add_node(i)).collect();
    let mut i = 0;
    for g in &groups {
        for k in 1..g.len() {
            graph.update_edge(nodes[i + k - 1], nodes[i + k], ());
        }
        i += g.len();
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
    let mut edge = |a: usize, b: usize| {
        if a != b {
            graph.update_edge(nodes[a], nodes[b], ());
        }
    };
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
    let mut indegree: Vec<usize> = nodes
        .iter()
        .map(|&n| {
            graph
                .neighbors_directed(n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<usize>> = (0..steps.len())
        .filter(|&i| indegree[i] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(steps.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for n in graph.neighbors(nodes[i]) {
            let j = graph[n];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    if order.len() < steps.len() {
        let scc = petgraph::algo::tarjan_scc(&graph)
            .into_iter()
            .find(|c| c.len() > 1)
            .unwrap_or_default();
        let mut members: Vec<String> = scc
            .iter()
            .map(|&n| {
                let s = &steps[graph[n]];
                format!("{} ({})", s.object, s.action)
            })
            .collect();
        members.sort();
        members.dedup();
        return Err(Error::Cycle(members.join(", ")));
    }
    let mut slots: Vec<Option<Step>> = steps.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .map(|i| slots[i].take().expect("each step once"))
        .collect())
}
