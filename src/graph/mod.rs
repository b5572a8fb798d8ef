//! The provenance graph: entities as nodes, records as edges (a multigraph,
//! leases included) and ownership or control as a second kind of edge, on
//! petgraph. Beside it, a frozen compact adjacency sorted by time for the hot
//! loops of the route search and traces, and the lot lineage.

use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// What an edge of the provenance graph stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// A record: goods or access moved from `from` to `to`.
    Record(RecordId),
    /// A relation: `from` owns, directs or controls `to`.
    Relation(u32),
}

/// Entities and everything between them. Node `i` is entity `i`.
pub struct ProvenanceGraph {
    pub graph: DiGraph<EntityId, Edge>,
}

impl ProvenanceGraph {
    /// # Complexity
    /// O(E + R + L) for E entities, R records and L relations.
    pub fn build(case: &Case) -> ProvenanceGraph {
        let mut graph = DiGraph::with_capacity(case.entities.len(), case.records.len() + case.relations.len());
        for i in 0..case.entities.len() {
            graph.add_node(i as EntityId);
        }
        for (i, r) in case.records.iter().enumerate() {
            graph.add_edge(NodeIndex::new(r.from as usize), NodeIndex::new(r.to as usize), Edge::Record(i as RecordId));
        }
        for (i, r) in case.relations.iter().enumerate() {
            graph.add_edge(NodeIndex::new(r.from as usize), NodeIndex::new(r.to as usize), Edge::Relation(i as u32));
        }
        ProvenanceGraph { graph }
    }
}

/// Records in and out of every entity, each list sorted by (date, record id),
/// in compressed sparse row form: the layout the route search walks.
pub struct Adjacency {
    out_start: Vec<u32>,
    out: Vec<RecordId>,
    in_start: Vec<u32>,
    inn: Vec<RecordId>,
    /// Beside `inn`, the narrow columns the route search probes, so that a
    /// binary search or a scan of a holder's receipts reads a few bytes per
    /// receipt instead of a whole record: the date (UTC seconds), and the
    /// product's symbol for a receipt that can supply units (a sale, a
    /// shipment, a lease for a sub-lease; [`NO_GOODS`] for an install).
    in_date: Vec<i64>,
    in_goods: Vec<u32>,
}

/// `Adjacency::inn_columns`'s product key of a receipt that supplies nothing (an install).
pub const NO_GOODS: u32 = u32::MAX;

/// The key `Adjacency::inn_columns` gives a product.
pub fn goods_key(product: Sym) -> u32 {
    string_interner::Symbol::to_usize(product) as u32
}

impl Adjacency {
    /// `order` is every record index sorted by time (see `Inventory::order`).
    ///
    /// # Complexity
    /// O(E + R).
    pub fn build(case: &Case, order: &[RecordId]) -> Adjacency {
        let n = case.entities.len();
        let (out_start, out) = csr(n, order, |r| case.records[r as usize].from);
        let (in_start, inn) = csr(n, order, |r| case.records[r as usize].to);
        let in_date = inn.iter().map(|&r| case.records[r as usize].date.0).collect();
        let in_goods = inn
            .iter()
            .map(|&r| {
                let rec = &case.records[r as usize];
                if rec.kind == RecordKind::Install { NO_GOODS } else { goods_key(rec.product) }
            })
            .collect();
        Adjacency { out_start, out, in_start, inn, in_date, in_goods }
    }

    /// Records out of `e`, in time order.
    pub fn out(&self, e: EntityId) -> &[RecordId] {
        &self.out[self.out_start[e as usize] as usize..self.out_start[e as usize + 1] as usize]
    }

    /// Records into `e`, in time order.
    pub fn inn(&self, e: EntityId) -> &[RecordId] {
        &self.inn[self.in_start[e as usize] as usize..self.in_start[e as usize + 1] as usize]
    }

    /// Records into `e` in time order, with their dates and [`goods_key`]s
    /// (three slices of the same length).
    pub fn inn_columns(&self, e: EntityId) -> (&[RecordId], &[i64], &[u32]) {
        let range = self.in_start[e as usize] as usize..self.in_start[e as usize + 1] as usize;
        (&self.inn[range.clone()], &self.in_date[range.clone()], &self.in_goods[range])
    }
}

fn csr(n: usize, order: &[RecordId], key: impl Fn(RecordId) -> EntityId) -> (Vec<u32>, Vec<RecordId>) {
    let mut start = vec![0u32; n + 1];
    for &r in order {
        start[key(r) as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![0; order.len()];
    for &r in order {
        let k = key(r) as usize;
        items[fill[k] as usize] = r;
        fill[k] += 1;
    }
    (start, items)
}

/// One lot: its records in time order, the lot it was split from and the lots split from it.
#[derive(Clone, Debug, Default)]
pub struct Lot {
    pub records: Vec<RecordId>,
    pub parent: Option<Sym>,
    pub children: Vec<Sym>,
}

/// Lot lineage from `lot` and `parent_lot`.
#[derive(Default)]
pub struct Lots {
    pub lots: HashMap<Sym, Lot>,
}

impl Lots {
    /// # Complexity
    /// O(R).
    pub fn build(case: &Case, order: &[RecordId]) -> Lots {
        let mut lots: HashMap<Sym, Lot> = HashMap::default();
        for &ri in order {
            let r = &case.records[ri as usize];
            if let Some(l) = r.lot {
                let lot = lots.entry(l).or_default();
                lot.records.push(ri);
                if let Some(p) = r.parent_lot
                    && lot.parent.is_none()
                {
                    lot.parent = Some(p);
                }
            }
        }
        let links: BTreeMap<String, (Sym, Sym)> =
            lots.iter().filter_map(|(&l, lot)| lot.parent.map(|p| (case.s(l).to_string(), (p, l)))).collect();
        for (p, l) in links.into_values() {
            lots.entry(p).or_default().children.push(l);
        }
        Lots { lots }
    }

    pub fn get(&self, lot: Sym) -> Option<&Lot> {
        self.lots.get(&lot)
    }

    /// `lot` and every lot split from it, transitively, parents before children.
    ///
    /// # Complexity
    /// O(D) for D descendants (a set, not a scan of the list, spots repeats).
    pub fn descendants(&self, lot: Sym) -> Vec<Sym> {
        let mut out = vec![lot];
        let mut seen: rustc_hash::FxHashSet<Sym> = out.iter().copied().collect();
        let mut i = 0;
        while i < out.len() {
            if let Some(l) = self.lots.get(&out[i]) {
                for &c in &l.children {
                    if seen.insert(c) {
                        out.push(c);
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// `lot` and the lots it was split from, up to the first, child first.
    ///
    /// # Complexity
    /// O(A) for A ancestors.
    pub fn ancestors(&self, lot: Sym) -> Vec<Sym> {
        self.ancestors_iter(lot).collect()
    }

    /// [`Lots::ancestors`] lazily: the route search stops walking up when its
    /// budget is spent, without building the whole line first.
    pub fn ancestors_iter(&self, lot: Sym) -> impl Iterator<Item = Sym> + '_ {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut next = Some(lot);
        std::iter::from_fn(move || {
            let cur = next?;
            // A cycle in the paperwork ends the line rather than looping.
            seen.insert(cur);
            next = self.lots.get(&cur).and_then(|l| l.parent).filter(|p| !seen.contains(p));
            Some(cur)
        })
    }
}
