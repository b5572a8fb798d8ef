//! The route query shared with peers (BENCHMARKS.md): every (source,
//! terminal) pair joined by a time-respecting route of at most N records.
//!
//! ```text
//! cargo run --release --example route_pairs -- CASE --max-steps 6 \
//!     --terminals terminals.txt --sources sources.txt > pairs.tsv
//! ```
//!
//! The sources and terminals files hold one entity id a line. The output is
//! one `source<TAB>terminal` line a pair, sorted by entity order; timings and
//! counts go to stderr.

use chiptrace::analysis::reach::{ReachConfig, route_pairs};
use chiptrace::graph::Adjacency;
use chiptrace::model::{Case, EntityId, RecordId};
use clap::Parser;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(about = "Print every (source, terminal) pair joined by a time-respecting route")]
struct Args {
    /// The case folder.
    case: PathBuf,
    /// Most records on a route.
    #[arg(long, default_value_t = 6)]
    max_steps: usize,
    /// File of terminal entity ids, one a line.
    #[arg(long)]
    terminals: PathBuf,
    /// File of source entity ids, one a line.
    #[arg(long)]
    sources: PathBuf,
    /// Worker threads; 0 = one per core, 1 = the sequential twin.
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new().num_threads(args.threads).build_global()?;
    }
    let t0 = Instant::now();
    let loaded = chiptrace::read::read_case(&args.case, &Default::default())?;
    let errors = loaded.diags.errors();
    if errors > 0 {
        anyhow::bail!("{}: {errors} error(s); run `chiptrace validate` for the full report", args.case.display());
    }
    let case = &loaded.case;
    let t_read = t0.elapsed();

    let t1 = Instant::now();
    let sources = ids(case, &args.sources)?;
    let terminals = ids(case, &args.terminals)?;
    let mut order: Vec<RecordId> = (0..case.records.len() as RecordId).collect();
    order.sort_by_key(|&r| case.records[r as usize].date);
    let adj = Adjacency::build(case, &order);
    let t_index = t1.elapsed();

    let t2 = Instant::now();
    let config = ReachConfig { max_steps: args.max_steps, parallel: args.threads != 1 };
    let reach = route_pairs(case, &adj, &sources, &terminals, &config);
    let t_search = t2.elapsed();

    let mut out = BufWriter::new(std::io::stdout().lock());
    for &(s, t) in &reach.pairs {
        writeln!(out, "{}\t{}", case.entity(s).id, case.entity(t).id)?;
    }
    out.flush()?;
    eprintln!(
        "route_pairs: {} records, {} sources, {} terminals, max {} steps: {} pairs; {} records kept, {} block(s) {}; \
         read {:.3} s, index {:.3} s, search {:.3} s",
        case.records.len(),
        sources.len(),
        terminals.len(),
        args.max_steps,
        reach.pairs.len(),
        reach.records_kept,
        reach.blocks,
        if reach.forward { "of sources" } else { "of terminals" },
        t_read.as_secs_f64(),
        t_index.as_secs_f64(),
        t_search.as_secs_f64(),
    );
    Ok(())
}

/// Entity ids from a file, one a line; blank lines are skipped, unknown ids are an error.
fn ids(case: &Case, path: &Path) -> anyhow::Result<Vec<EntityId>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let id = line.trim();
        if id.is_empty() {
            continue;
        }
        match case.entity_by_key(id) {
            Some(e) => out.push(e),
            None => anyhow::bail!("{}:{}: no entity {id:?} in the case", path.display(), i + 1),
        }
    }
    Ok(out)
}
