//! Screening every entity against the case's lists (`chiptrace::screen`),
//! parallel and its sequential twin. Throughput is counted in records, like
//! the other benches, so figures compare across stages; the world has about
//! one entity per 18 records and one list entry per 700.

mod common;

use chiptrace::screen::{screen, screen_sequential};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn screening(c: &mut Criterion) {
    for n in common::sizes() {
        let loaded = common::load(n);
        let (case, policy) = (&loaded.case, &loaded.policy);
        let mut g = common::group(c, "screen", n);
        g.bench_function("screen", |b| b.iter(|| black_box(screen(black_box(case), policy))));
        g.bench_function("screen_sequential", |b| b.iter(|| black_box(screen_sequential(black_box(case), policy))));
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(); targets = screening }
criterion_main!(benches);
