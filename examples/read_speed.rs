//! How fast chiptrace reads records.csv, against what the machine can do
//! (BENCHMARKS.md, "Reading"): copying the bytes (`cat`), a bare loop of the
//! csv crate over byte records (tokenising only), and chiptrace's reader,
//! which checks every field and builds the model.
//!
//! ```text
//! cargo run --release --example read_speed -- CASE [--repeat 3] [--threads N]
//! ```
//!
//! `--threads` is the reader's (`scan --threads`): 0 every core, 1 the
//! sequential reader, N a pool of N; the csv loop always runs on one.
//!
//! The files are loaded into memory first. chiptrace's figure is the time of
//! `read_case_from_files` on entities.csv and records.csv less its time on
//! entities.csv alone, so it is the records only. Each figure is the best of
//! `--repeat` runs; MB are 10^6 bytes of records.csv. On a loaded machine
//! the wall time says little, so each figure also gives the CPU time of the
//! process (user + system, from /proc/self/stat, Linux only) and the MB per
//! CPU-second.

use clap::Parser;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// A case folder (uncompressed entities.csv and records.csv).
    case: PathBuf,
    /// Runs of each measure; the best is reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Threads of chiptrace's reader (0 = one per core, 1 = sequential).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// CPU time of this process so far (user + system), where /proc tells it.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last `)`.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// The best wall time, the CPU time of that run, and `f`'s answer.
fn best(repeat: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut out = (Duration::MAX, Duration::ZERO, 0);
    for _ in 0..repeat.max(1) {
        let (t, c) = (Instant::now(), cpu());
        let n = std::hint::black_box(f());
        let (wall, used) = (t.elapsed(), cpu().saturating_sub(c));
        if wall < out.0 {
            out = (wall, used, n);
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let records_path = args.case.join("records.csv");
    let records = std::fs::read(&records_path)?;
    let entities = std::fs::read(args.case.join("entities.csv"))?;
    let mb = records.len() as f64 / 1e6;

    let (cat, cat_cpu, _) = best(args.repeat, || std::fs::read(&records_path).map(|b| b.len()).unwrap_or(0));
    let (bare, bare_cpu, rows) = best(args.repeat, || {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(&records[..]);
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            n += rec.len();
        }
        n
    });
    let opts = chiptrace::read::ReadOptions { threads: args.threads, ..Default::default() };
    let (ents, ents_cpu, _) = best(args.repeat, || {
        chiptrace::read::read_case_from_files_with(&[("entities.csv", &entities[..])], &opts).case.entities.len()
    });
    let (both, both_cpu, read) = best(args.repeat, || {
        let files = [("entities.csv", &entities[..]), ("records.csv", &records[..])];
        chiptrace::read::read_case_from_files_with(&files, &opts).case.records.len()
    });
    let (ours, ours_cpu) = (both.saturating_sub(ents), both_cpu.saturating_sub(ents_cpu));
    let line = |what: &str, d: Duration, c: Duration| {
        let (d, c) = (d.as_secs_f64(), c.as_secs_f64());
        println!(
            "{what:<34} wall {d:>7.3} s {:>6.0} MB/s   cpu {c:>7.2} s {:>6.0} MB/cpu-s",
            mb / d.max(1e-9),
            mb / c.max(1e-2)
        );
    };
    let threads = if args.threads == 0 { rayon::current_num_threads() } else { args.threads };
    println!(
        "records.csv: {mb:.1} MB, {read} records read, {rows} fields; reader on {threads} thread(s); best of {}",
        args.repeat
    );
    line("read the file (cat)", cat, cat_cpu);
    line("csv ByteRecord loop (tokenise)", bare, bare_cpu);
    line("chiptrace records (read_case)", ours, ours_cpu);
    Ok(())
}
