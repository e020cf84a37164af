//! One-to-one assignment without auto-accepting near-ties (matching.md §3):
//! connected components of the candidate graph (union-find), the best
//! assignment per component (Hungarian, `pathfinding::kuhn_munkres`) with a
//! "no match" option for every payer, and for each assigned edge its margin
//! Δ = OPT − OPT(edge forbidden).

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

/// A scored candidate pair: payer (local index) and user (index position).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// Payer, 0-based within the camp.
    pub payer: usize,
    /// User, as an index position.
    pub user: u32,
    /// Log2 odds.
    pub weight: f64,
}

/// A connected group of payers and users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Component {
    /// Payers, ascending.
    pub payers: Vec<usize>,
    /// Users, ascending.
    pub users: Vec<u32>,
    /// Indices into the edge list, ascending.
    pub edges: Vec<usize>,
}

/// Union-find with path halving and union by size.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets { parent: (0..n).collect(), size: vec![1; n] }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

/// The connected components of the bipartite graph over `payers` payers and
/// the users the edges touch; payers without edges are left out. Components are
/// ordered by their smallest payer.
pub fn components(payers: usize, edges: &[Edge]) -> Vec<Component> {
    let mut users: Vec<u32> = edges.iter().map(|e| e.user).collect();
    users.sort_unstable();
    users.dedup();
    let user_node = |u: u32| payers + users.binary_search(&u).expect("user from an edge");
    let mut sets = DisjointSets::new(payers + users.len());
    for e in edges {
        sets.union(e.payer, user_node(e.user));
    }
    let mut by_root: std::collections::BTreeMap<usize, Component> = std::collections::BTreeMap::new();
    let mut root_of_payer: Vec<Option<usize>> = vec![None; payers];
    for (i, e) in edges.iter().enumerate() {
        let root = sets.find(e.payer);
        root_of_payer[e.payer] = Some(root);
        let c = by_root.entry(root).or_default();
        c.edges.push(i);
        c.users.push(e.user);
        c.payers.push(e.payer);
    }
    let mut out: Vec<Component> = by_root
        .into_values()
        .map(|mut c| {
            c.payers.sort_unstable();
            c.payers.dedup();
            c.users.sort_unstable();
            c.users.dedup();
            c
        })
        .collect();
    out.sort_by_key(|c| c.payers[0]);
    out
}

/// The best assignment of one component and the margin of each assigned edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// For each payer of the component (same order): the chosen edge index, or none.
    pub chosen: Vec<Option<usize>>,
    /// For each payer: Δ in bits of its chosen edge (OPT − OPT with the edge
    /// forbidden); `None` when unassigned.
    pub margin: Vec<Option<f64>>,
}

/// Fixed-point scale of weights for the integer Hungarian solver (centibits).
const SCALE: f64 = 100.0;
/// A weight no assignment will choose.
const FORBIDDEN: i64 = -1_000_000_000_000;

/// Solves a component: maximise the total weight where each payer takes at most
/// one user and vice versa, and leaving a payer unmatched is worth `no_match` bits.
pub fn solve(component: &Component, edges: &[Edge], no_match: f64) -> Solution {
    let p = component.payers.len();
    let u = component.users.len();
    let mut matrix = Matrix::new(p, u + p, FORBIDDEN);
    let none = (no_match * SCALE).round() as i64;
    for (row, _) in component.payers.iter().enumerate() {
        matrix[(row, u + row)] = none;
    }
    let mut cell_edge: Vec<Vec<Option<usize>>> = vec![vec![None; u]; p];
    for &ei in &component.edges {
        let e = &edges[ei];
        let row = component.payers.binary_search(&e.payer).expect("payer of component");
        let col = component.users.binary_search(&e.user).expect("user of component");
        let w = (e.weight * SCALE).round() as i64;
        // Parallel edges cannot occur (one score per pair); keep the best if they do.
        if cell_edge[row][col].is_none() || matrix[(row, col)] < w {
            matrix[(row, col)] = w;
            cell_edge[row][col] = Some(ei);
        }
    }
    let (opt, cols) = kuhn_munkres(&matrix);
    let mut chosen = vec![None; p];
    let mut margin = vec![None; p];
    for row in 0..p {
        let col = cols[row];
        // Weights are compared in hundredths: an edge a hair below "no match" can tie
        // with it there, and is never chosen over it.
        if col < u
            && let Some(ei) = cell_edge[row][col]
            && edges[ei].weight >= no_match
        {
            chosen[row] = Some(ei);
            let keep = matrix[(row, col)];
            matrix[(row, col)] = FORBIDDEN;
            let (without, _) = kuhn_munkres(&matrix);
            matrix[(row, col)] = keep;
            margin[row] = Some((opt - without) as f64 / SCALE);
        }
    }
    Solution { chosen, margin }
}

/// Whether `edge` is the best edge of its payer and of its user, each ahead of
/// the runner-up (the next edge of that payer, or into that user) by `margin` bits.
/// Into the user, an edge of another payer does not run up when that payer has an
/// edge elsewhere at least `margin` bits stronger (a payer whose own names point at
/// their own account, whose remark names this user): that payer is an alternative
/// only by giving up a clearly better match, which the assignment's margin weighs.
pub fn mutual_best(component: &Component, edges: &[Edge], edge: usize, margin: f64) -> bool {
    let e = edges[edge];
    let mut payer_best = (f64::NEG_INFINITY, None);
    let mut payer_second = f64::NEG_INFINITY;
    let mut user_best = (f64::NEG_INFINITY, None);
    let mut user_second = f64::NEG_INFINITY;
    let best_elsewhere = |payer: usize| {
        component
            .edges
            .iter()
            .map(|&i| edges[i])
            .filter(|x| x.payer == payer && x.user != e.user)
            .map(|x| x.weight)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    for &i in &component.edges {
        let x = edges[i];
        if x.payer == e.payer {
            if x.weight > payer_best.0 {
                payer_second = payer_best.0;
                payer_best = (x.weight, Some(i));
            } else {
                payer_second = payer_second.max(x.weight);
            }
        }
        if x.user == e.user {
            if x.payer != e.payer && best_elsewhere(x.payer) - x.weight >= margin {
                continue;
            }
            if x.weight > user_best.0 {
                user_second = user_best.0;
                user_best = (x.weight, Some(i));
            } else {
                user_second = user_second.max(x.weight);
            }
        }
    }
    payer_best.1 == Some(edge)
        && user_best.1 == Some(edge)
        && e.weight - payer_second >= margin
        && e.weight - user_second >= margin
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(payer: usize, user: u32, weight: f64) -> Edge {
        Edge { payer, user, weight }
    }

    #[test]
    fn components_split_the_graph() {
        let edges = vec![e(0, 10, 1.0), e(1, 10, 1.0), e(2, 20, 1.0), e(3, 30, 1.0), e(3, 31, 1.0)];
        let cs = components(5, &edges);
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[0].payers, vec![0, 1]);
        assert_eq!(cs[0].users, vec![10]);
        assert_eq!(cs[1].payers, vec![2]);
        assert_eq!(cs[2].users, vec![30, 31]);
    }

    #[test]
    fn the_splink_251_case_is_neither_greedy_nor_safe() {
        // a1–b1 9.5, a1–b2 9.4, a2–b1 9.3: greedy (dedupe) and single-best (splink)
        // would take a1–b1; the optimum is the cross pair, which is not mutual-best.
        let edges = vec![e(0, 1, 9.5), e(0, 2, 9.4), e(1, 1, 9.3)];
        let c = &components(2, &edges)[0];
        let s = solve(c, &edges, 0.0);
        assert_eq!(s.chosen, vec![Some(1), Some(2)], "a1–b2 and a2–b1");
        for i in 0..edges.len() {
            assert!(!mutual_best(c, &edges, i, 6.0), "edge {i} must not pass");
        }
    }

    #[test]
    fn mutual_best_needs_the_margin_on_both_sides() {
        let edges = vec![e(0, 1, 20.0), e(0, 2, 10.0), e(1, 1, 16.0)];
        let c = &components(2, &edges)[0];
        assert!(!mutual_best(c, &edges, 0, 6.0), "user 1's runner-up is only 4 bits behind");
        assert!(mutual_best(c, &edges, 0, 4.0));
    }

    #[test]
    fn a_rival_payer_with_a_clearly_better_match_elsewhere_does_not_run_up() {
        // Payer 0 → user 1 at 15 bits; payer 1's remark names user 1 (9.5 bits), but
        // payer 1's own names point at user 2 (17.5 bits, 8 ahead): no rival for user 1.
        let edges = vec![e(0, 1, 15.0), e(1, 1, 9.5), e(1, 2, 17.5)];
        let c = &components(2, &edges)[0];
        assert!(mutual_best(c, &edges, 0, 6.0));
        // With payer 1's other match only 4 bits ahead, payer 1 may be user 1's after all.
        let edges = vec![e(0, 1, 15.0), e(1, 1, 9.5), e(1, 2, 13.5)];
        let c = &components(2, &edges)[0];
        assert!(!mutual_best(c, &edges, 0, 6.0));
    }

    #[test]
    fn a_clear_single_edge_has_its_weight_over_no_match_as_margin() {
        let edges = vec![e(0, 7, 12.0)];
        let c = &components(1, &edges)[0];
        let s = solve(c, &edges, 0.0);
        assert_eq!(s.chosen, vec![Some(0)]);
        assert!((s.margin[0].unwrap() - 12.0).abs() < 1e-9);
    }

    #[test]
    fn a_weak_edge_loses_to_no_match() {
        let edges = vec![e(0, 7, -2.0)];
        let c = &components(1, &edges)[0];
        let s = solve(c, &edges, 0.0);
        assert_eq!(s.chosen, vec![None]);
    }

    #[test]
    fn two_equal_candidates_tie_with_zero_margin() {
        let edges = vec![e(0, 1, 12.0), e(0, 2, 12.0)];
        let c = &components(1, &edges)[0];
        let s = solve(c, &edges, 0.0);
        assert!(s.chosen[0].is_some());
        assert!(s.margin[0].unwrap().abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn the_assignment_is_one_to_one_and_margins_are_never_negative(
            raw in proptest::collection::vec((0usize..5, 0u32..5, -5.0f64..20.0), 1..20)
        ) {
            let mut edges: Vec<Edge> = Vec::new();
            for (p, u, w) in raw {
                if !edges.iter().any(|x| x.payer == p && x.user == u) {
                    edges.push(e(p, u, w));
                }
            }
            for c in components(5, &edges) {
                let s = solve(&c, &edges, 0.0);
                let mut users: Vec<u32> = s.chosen.iter().flatten().map(|&i| edges[i].user).collect();
                let n = users.len();
                users.sort_unstable();
                users.dedup();
                prop_assert_eq!(users.len(), n);
                for m in s.margin.iter().flatten() {
                    prop_assert!(*m >= -1e-9);
                }
                // Every chosen edge beats leaving its payer unmatched.
                for &i in s.chosen.iter().flatten() {
                    prop_assert!(edges[i].weight >= -1e-9);
                }
            }
        }
    }
}
