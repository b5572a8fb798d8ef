//! The risk scan on a case already read: `scan` (indexes, route search,
//! rules, scoring) and `scan_prepared` (indexes built beforehand), each with
//! one thread (the sequential twin) and two, in records/s.

mod common;

use chiptrace::analysis::inventory::Inventory;
use chiptrace::scan::{Prepared, ScanConfig, scan, scan_prepared};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn scanning(c: &mut Criterion) {
    for n in common::sizes() {
        let loaded = common::load(n);
        let (case, policy) = (&loaded.case, &loaded.policy);
        let inv = Inventory::build(case);
        let prep = Prepared::new(case, policy, &inv);
        let mut g = common::group(c, "scan", n);
        for threads in [1, 2] {
            let config = ScanConfig { threads, progress: None };
            g.bench_with_input(BenchmarkId::new("scan/threads", threads), &config, |b, config| {
                b.iter(|| black_box(scan(black_box(case), policy, config)))
            });
            g.bench_with_input(BenchmarkId::new("scan_prepared/threads", threads), &config, |b, config| {
                b.iter(|| black_box(scan_prepared(black_box(&prep), config)))
            });
        }
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(); targets = scanning }
criterion_main!(benches);
