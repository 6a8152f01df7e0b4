//! The one ordering algorithm both the desired-state loader and the planner use.

use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A graph over items `0..n` (node `i` is item `i`), edges meaning "before".
pub struct Order {
    graph: DiGraph<usize, ()>,
    nodes: Vec<NodeIndex>,
}

impl Order {
    pub fn new(n: usize) -> Order {
        let mut graph = DiGraph::with_capacity(n, n * 2);
        let nodes = (0..n).map(|i| graph.add_node(i)).collect();
        Order { graph, nodes }
    }

    /// `a` must come before `b` (a self-edge is ignored).
    pub fn before(&mut self, a: usize, b: usize) {
        if a != b {
            self.graph.update_edge(self.nodes[a], self.nodes[b], ());
        }
    }

    /// Kahn's algorithm, always taking the earliest ready item: stable (input order is
    /// kept where nothing forces otherwise) and deterministic. On a cycle, the items of
    /// one cycle, sorted.
    pub fn sort(&self) -> Result<Vec<usize>, Vec<usize>> {
        let n = self.nodes.len();
        let mut indegree: Vec<usize> = self
            .nodes
            .iter()
            .map(|&v| {
                self.graph
                    .neighbors_directed(v, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| indegree[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for next in self.graph.neighbors(self.nodes[i]) {
                let j = self.graph[next];
                indegree[j] -= 1;
                if indegree[j] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
        if order.len() == n {
            return Ok(order);
        }
        let mut cycle: Vec<usize> = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .find(|scc| scc.len() > 1)
            .unwrap_or_default()
            .into_iter()
            .map(|v| self.graph[v])
            .collect();
        cycle.sort();
        Err(cycle)
    }
}

/// Moves `items` into `order`.
pub fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| slots[i].take().expect("each item once"))
        .collect()
}
