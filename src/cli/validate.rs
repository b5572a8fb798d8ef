//! `chiptrace validate CASE`: read everything, print each problem.

use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// Check this policy file instead of the case's policy.toml.
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut loaded = crate::read::read_case(&a.case, &crate::read::ReadOptions { policy_file: a.policy })?;
    // Units that do not add up are the scan's business, but validate warns of
    // them: an entity that sends on more than it held at the time.
    let inv = crate::analysis::inventory::Inventory::build(&loaded.case);
    for w in inv.shortfalls(&loaded.case) {
        loaded.diags.warning(&w.file, w.line, w.message);
    }
    let mut out = Out::new();
    for d in &loaded.diags.0 {
        writeln!(out, "{d}")?;
    }
    let s = &loaded.case.stats;
    let errors = loaded.diags.errors();
    let warnings = loaded.diags.warnings();
    writeln!(
        out,
        "{}: {} entities, {} records, {} relations, {} list entries read; {} rows rejected; {errors} error(s), {warnings} warning(s)",
        a.case.display(),
        s.entities_read,
        s.records_read,
        s.relations_read,
        s.list_entries_read,
        s.entities_rejected + s.records_rejected + s.relations_rejected + s.list_rows_skipped,
    )?;
    out.flush()?;
    Ok(if errors > 0 { EXIT_BAD_INPUT } else { EXIT_OK })
}
