//! The route query shared with peers (BENCHMARKS.md): every (source,
//! terminal) pair joined by a time-respecting route of at most 6 records,
//! from manufacturers and distributors to entities in a country of concern
//! or on a list; parallel and the sequential twin, in records/s.

mod common;

use chiptrace::analysis::inventory::Inventory;
use chiptrace::analysis::reach::{ReachConfig, route_pairs};
use chiptrace::graph::Adjacency;
use chiptrace::model::{EntityId, EntityKind};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn reach(c: &mut Criterion) {
    for n in common::sizes() {
        let loaded = common::load(n);
        let (case, policy) = (&loaded.case, &loaded.policy);
        let inv = Inventory::build(case);
        let adj = Adjacency::build(case, &inv.order);
        let listed: Vec<EntityId> = chiptrace::screen::screen(case, policy).iter().map(|m| m.entity).collect();
        let ids = 0..case.entities.len() as EntityId;
        let sources: Vec<EntityId> = ids
            .clone()
            .filter(|&e| matches!(case.entity(e).kind, EntityKind::Manufacturer | EntityKind::Distributor))
            .collect();
        let terminals: Vec<EntityId> =
            ids.filter(|&e| policy.is_country_of_concern(case.entity(e).country) || listed.contains(&e)).collect();
        let mut g = common::group(c, "route_pairs", n);
        for (name, parallel) in [("parallel", true), ("sequential", false)] {
            let config = ReachConfig { max_steps: 6, parallel };
            g.bench_function(name, |b| {
                b.iter(|| black_box(route_pairs(case, black_box(&adj), &sources, &terminals, &config)))
            });
        }
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(); targets = reach }
criterion_main!(benches);
