//! How fast chiptrace reads records.csv, against what the machine can do
//! (BENCHMARKS.md, "Reading"): copying the bytes (`cat`), a bare loop of the
//! csv crate over byte records (tokenising only), and chiptrace's reader,
//! which checks every field and builds the model.
//!
//! ```text
//! cargo run --release --example read_speed -- CASE [--repeat 3]
//! ```
//!
//! The files are loaded into memory first. chiptrace's figure is the time of
//! `read_case_from_files` on entities.csv and records.csv less its time on
//! entities.csv alone, so it is the records only. Each figure is the best of
//! `--repeat` runs; MB are 10^6 bytes of records.csv.

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
}

fn best(repeat: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut out = (Duration::MAX, 0);
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let n = std::hint::black_box(f());
        out = (out.0.min(t.elapsed()), n);
    }
    out
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let records_path = args.case.join("records.csv");
    let records = std::fs::read(&records_path)?;
    let entities = std::fs::read(args.case.join("entities.csv"))?;
    let mb = records.len() as f64 / 1e6;

    let (cat, _) = best(args.repeat, || std::fs::read(&records_path).map(|b| b.len()).unwrap_or(0));
    let (bare, rows) = best(args.repeat, || {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(&records[..]);
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            n += rec.len();
        }
        n
    });
    let (ents, _) = best(args.repeat, || {
        chiptrace::read::read_case_from_files(&[("entities.csv", &entities[..])]).case.entities.len()
    });
    let (both, read) = best(args.repeat, || {
        let loaded =
            chiptrace::read::read_case_from_files(&[("entities.csv", &entities[..]), ("records.csv", &records[..])]);
        loaded.case.records.len()
    });
    let ours = both.saturating_sub(ents);
    let line = |what: &str, d: Duration| {
        println!("{what:<34} {:>8.3} s {:>8.0} MB/s", d.as_secs_f64(), mb / d.as_secs_f64().max(1e-9));
    };
    println!(
        "records.csv: {mb:.1} MB, {read} records read, {rows} fields; {} thread(s); best of {}",
        rayon::current_num_threads(),
        args.repeat
    );
    line("read the file (cat)", cat);
    line("csv ByteRecord loop (tokenise)", bare);
    line("chiptrace records (read_case)", ours);
    Ok(())
}
