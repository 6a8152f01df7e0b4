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

    /// `a` should come before each of `bs`: the edges are added except where one would
    /// close a cycle (some `b` must already come before `a`).
    pub fn prefer(&mut self, a: usize, bs: &[usize]) {
        // Everything that reaches `a` now (a's ancestors) must not follow it.
        let mut ancestors = vec![false; self.nodes.len()];
        let mut todo = vec![self.nodes[a]];
        while let Some(v) = todo.pop() {
            for u in self
                .graph
                .neighbors_directed(v, petgraph::Direction::Incoming)
            {
                let i = self.graph[u];
                if !ancestors[i] {
                    ancestors[i] = true;
                    todo.push(u);
                }
            }
        }
        for &b in bs {
            if b != a && !ancestors[b] {
                self.before(a, b);
            }
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

#[cfg(test)]
mod tests {
    use super::Order;

    #[test]
    fn preferred_edges_move_items_unless_they_close_a_cycle() {
        // Nothing forces 0 anywhere: it leads, unless 2 is preferred before it.
        let mut g = Order::new(3);
        g.before(1, 2);
        assert_eq!(g.sort(), Ok(vec![0, 1, 2]));
        g.prefer(2, &[0]);
        assert_eq!(g.sort(), Ok(vec![1, 2, 0]));
        // 0 must come before 1: preferring 1 before 0 (and 2) keeps the hard edge.
        let mut h = Order::new(3);
        h.before(0, 1);
        h.prefer(1, &[0, 2]);
        assert_eq!(h.sort(), Ok(vec![0, 1, 2]));
    }
}
