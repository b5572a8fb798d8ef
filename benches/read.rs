//! Reading a case folder (`chiptrace::read::read_case`): CSV parsing,
//! checking, interning and screening-list reading, in records/s.

mod common;

use chiptrace::read::{ReadOptions, read_case};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn read(c: &mut Criterion) {
    for n in common::sizes() {
        let dir = common::world(n);
        let mut g = common::group(c, "read_case", n);
        g.bench_function("read_case", |b| {
            b.iter(|| black_box(read_case(black_box(&dir), &ReadOptions::default()).unwrap()))
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(); targets = read }
criterion_main!(benches);
