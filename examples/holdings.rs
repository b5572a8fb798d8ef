//! What the inventory's holdings (units per holder and product) cost to
//! build and hold, as sorted arrays ([`Holdings::build`], what the scan
//! uses) against the hash map keyed by (entity, product) that the scan used
//! before (folded here as it was), on one case, back to back.
//!
//! ```text
//! cargo run --release --example holdings -- CASE [--repeat 3] [--threads N]
//! ```
//!
//! Each figure is the best wall time of `--repeat` runs and the mean CPU
//! time (user + system) of the runs; bytes are what each table holds on the heap
//! (the hash map's from its capacity: buckets of key and value plus one
//! control byte each). Both are checked to hold the same holdings.

use chiptrace::analysis::inventory::{Holding, Holdings};
use chiptrace::model::{EntityId, Sym};
use clap::Parser;
use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// A case folder.
    case: PathBuf,
    /// Runs of each measure; the best is reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Threads (0 = one per core, 1 = sequential).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// CPU time of this process so far (user + system), where /proc tells it.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// The best wall time, the mean CPU time of the runs (the clock ticks
/// every 10 ms, so one run's is coarse), and the last answer.
fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut out = None;
    let (mut fastest, mut used) = (Duration::MAX, Duration::ZERO);
    for _ in 0..repeat.max(1) {
        let (t, c) = (Instant::now(), cpu());
        let v = std::hint::black_box(f());
        fastest = fastest.min(t.elapsed());
        used += cpu().saturating_sub(c);
        out = Some(v);
    }
    (fastest, used / repeat.max(1) as u32, out.expect("at least one run"))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let opts = chiptrace::read::ReadOptions { threads: args.threads, ..Default::default() };
    let loaded = chiptrace::read::read_case(&args.case, &opts)?;
    let case = &loaded.case;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.threads).build()?;
    let parallel = args.threads != 1;
    let (map_wall, map_cpu, map) = best(args.repeat, || {
        let mut by_product: HashMap<(EntityId, Sym), Holding> = HashMap::default();
        for r in &case.records {
            by_product.entry((r.from, r.product)).or_default().add(r, true);
            by_product.entry((r.to, r.product)).or_default().add(r, false);
        }
        by_product
    });
    let (arr_wall, arr_cpu, arr) = pool.install(|| best(args.repeat, || Holdings::build(case, parallel)));
    let same = arr.len() == map.len() && arr.iter().all(|(k, h)| map.get(&k) == Some(h));
    anyhow::ensure!(same, "the two tables differ");
    let buckets = (map.capacity() * 8 / 7).next_power_of_two();
    let map_bytes = buckets * (size_of::<((EntityId, Sym), Holding)>() + 1);
    println!(
        "{} records, {} entities, {} (entity, product) holdings; threads {}; best of {}",
        case.records.len(),
        case.entities.len(),
        map.len(),
        pool.current_num_threads(),
        args.repeat
    );
    let line = |what: &str, wall: Duration, cpu: Duration, bytes: usize| {
        println!(
            "{what:<40} wall {:>7.3} s   cpu {:>6.3} s   {:>6.1} MiB",
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            bytes as f64 / (1 << 20) as f64
        )
    };
    line("hash map by (entity, product) (before)", map_wall, map_cpu, map_bytes);
    line("sorted arrays (Holdings::build)", arr_wall, arr_cpu, arr.heap_bytes());
    Ok(())
}
