//! Worlds for the benchmarks: `chiptrace generate` output in the system's
//! temporary folder, one folder per size, written afresh on each run (1e5
//! records take about 0.3 s) so a changed generator never leaves stale data.

#![allow(dead_code)] // each bench uses part of this module

use chiptrace::read::{Loaded, ReadOptions, read_case};
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use std::path::PathBuf;
use std::time::Duration;

/// Sizes benchmarked, in records: `CHIPTRACE_BENCH_SIZES=10000,100000` by
/// default, small enough for a two-core machine.
pub fn sizes() -> Vec<u64> {
    std::env::var("CHIPTRACE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect::<Vec<u64>>())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

/// A generated case of `records` records (seed 1), written under the temporary folder.
pub fn world(records: u64) -> PathBuf {
    let dir = std::env::temp_dir().join("chiptrace-bench").join(records.to_string());
    let config = chiptrace::generate::Config { records, seed: 1, shards: None };
    chiptrace::generate::generate(&dir, &config, &mut |_| {})
        .unwrap_or_else(|e| panic!("generating {records} records in {}: {e}", dir.display()));
    dir
}

/// The case read from a world, checked to have no errors.
pub fn load(records: u64) -> Loaded {
    let dir = world(records);
    let loaded = read_case(&dir, &ReadOptions::default()).expect("the generated world is a folder");
    assert_eq!(loaded.diags.errors(), 0, "{}: generated case has errors", dir.display());
    loaded
}

/// Criterion set for a two-core machine: the fewest samples it allows and
/// short windows, so `cargo bench` finishes in minutes.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// A group of benchmarks that each handle `records` records per iteration.
pub fn group<'a>(c: &'a mut Criterion, name: &str, records: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(format!("{name}/{records}"));
    g.throughput(criterion::Throughput::Elements(records));
    g
}
