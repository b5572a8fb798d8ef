//! `chiptrace generate --out DIR --records N --seed S`: a synthetic case with
//! planted schemes and truth.json.

use super::{EXIT_OK, Out};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace generate --out /tmp/world --records 100000 --seed 1
  chiptrace eval /tmp/world --truth /tmp/world/truth.json")]
pub struct Args {
    /// Folder to write the case into (created if missing; a folder that is not empty is refused without --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a folder that already holds files, replacing the case files in it.
    #[arg(long)]
    pub force: bool,
    /// Number of records to write.
    #[arg(long, default_value_t = 10_000)]
    pub records: u64,
    /// Random seed: the same seed and record count give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Split the records into K files, records-00000-of-0000K.csv .., one for
    /// each process of a cluster scan to read (the same world whatever K).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=99_999))]
    pub shards: Option<u32>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    if !a.force && std::fs::read_dir(&a.out).is_ok_and(|mut d| d.next().is_some()) {
        say!(
            "error: {}: the folder is not empty; pass --force to write the case into it (its case files are replaced)",
            a.out.display()
        );
        return Ok(super::EXIT_BAD_INPUT);
    }
    let bar = if std::io::stderr().is_terminal() && !super::quiet() {
        let bar = ProgressBar::with_draw_target(Some(a.records), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records ({per_sec}, {eta} left)") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let config = crate::generate::Config { records: a.records, seed: a.seed, shards: a.shards.map(|k| k as usize) };
    let summary = crate::generate::generate(&a.out, &config, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    let mut out = Out::new();
    writeln!(
        out,
        "{}: {} records ({} without a lot), {} entities, {} relations, {} list entries; {} schemes and {} decoys in truth.json",
        a.out.display(),
        summary.records,
        summary.records_without_lot,
        summary.entities,
        summary.relations,
        summary.list_entries,
        summary.schemes,
        summary.decoys,
    )?;
    out.flush()?;
    Ok(EXIT_OK)
}
