//! Building the indexes every analysis walks: the time order and holdings
//! (`Inventory::build`), the CSR adjacency, the lot lineage and the petgraph
//! provenance graph, in records/s.

mod common;

use chiptrace::analysis::inventory::Inventory;
use chiptrace::graph::{Adjacency, Lots, ProvenanceGraph};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn graph(c: &mut Criterion) {
    for n in common::sizes() {
        let loaded = common::load(n);
        let case = &loaded.case;
        let inv = Inventory::build(case);
        let mut g = common::group(c, "graph", n);
        g.bench_function("Inventory::build", |b| b.iter(|| black_box(Inventory::build(black_box(case)))));
        g.bench_function("Adjacency::build", |b| b.iter(|| black_box(Adjacency::build(case, black_box(&inv.order)))));
        g.bench_function("Lots::build", |b| b.iter(|| black_box(Lots::build(case, black_box(&inv.order)))));
        g.bench_function("ProvenanceGraph::build", |b| b.iter(|| black_box(ProvenanceGraph::build(black_box(case)))));
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(); targets = graph }
criterion_main!(benches);
