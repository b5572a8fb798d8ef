//! `chiptrace validate CASE`: read everything, print each problem, as
//! `file:line: level: message` lines or as JSON (docs/spec.md §5.4).

use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace validate fixtures/demo
  chiptrace validate CASE --format json | jq '.diagnostics[] | select(.level == \"error\")'

Exit codes: 0 no errors (warnings allowed), 2 at least one error.")]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// Check this policy file instead of the case's policy.toml (`-` reads standard input).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// How to print the problems: `text` is one `file:line: level: message` a line and a
    /// summary line; `json` is `{"diagnostics": [{"file", "line", "level", "message"}], "summary": {...}}`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Output formats of `validate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One problem a line, `file:line: level: message`, then a summary line.
    Text,
    /// One JSON object: every diagnostic and the counts read and rejected.
    Json,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut loaded = crate::read::read_case(&a.case, &super::read_options(a.policy)?)?;
    // Units that do not add up are the scan's business, but validate warns of
    // them: an entity that sends on more than it held at the time.
    let inv = crate::analysis::inventory::Inventory::build(&loaded.case);
    for w in inv.shortfalls(&loaded.case) {
        loaded.diags.warning(&w.file, w.line, w.message);
    }
    // One shipment declared on both sides of a border, counted twice.
    for w in crate::analysis::mirrors::likely_mirrors(&loaded.case) {
        loaded.diags.warning(&w.file, w.line, w.message);
    }
    let mut out = Out::new();
    let s = &loaded.case.stats;
    let errors = loaded.diags.errors();
    let warnings = loaded.diags.warnings();
    // A list entity that is not a party (an OpenSanctions address) is skipped
    // on purpose, with a warning: it is not a rejected row.
    let list = &s.list_rows_skipped;
    let rejected = s.entities_rejected + s.records_rejected + s.relations_rejected + list.reported;
    let not_parties = list.not_parties_total();
    match a.format {
        Format::Json => {
            let doc = json!({
                "schema_version": 2,
                "chiptrace_version": env!("CARGO_PKG_VERSION"),
                "case": a.case.display().to_string(),
                "diagnostics": loaded.diags.0,
                "summary": {
                    "entities_read": s.entities_read,
                    "entities_rejected": s.entities_rejected,
                    "records_read": s.records_read,
                    "records_rejected": s.records_rejected,
                    "relations_read": s.relations_read,
                    "relations_rejected": s.relations_rejected,
                    "list_entries_read": s.list_entries_read,
                    "list_rows_skipped": list.total(),
                    "list_rows_rejected": list.reported,
                    "list_entities_not_parties": not_parties,
                    "rows_rejected": rejected,
                    "errors": errors,
                    "warnings": warnings,
                },
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Text => {
            for d in &loaded.diags.0 {
                writeln!(out, "{d}")?;
            }
            let skipped = if not_parties == 0 {
                String::new()
            } else {
                let kinds: Vec<String> = list.not_parties.iter().map(|(k, n)| format!("{k}: {n}")).collect();
                format!(
                    "; {not_parties} list {} skipped as not {} ({}), not an error",
                    if not_parties == 1 { "entity" } else { "entities" },
                    if not_parties == 1 { "a party" } else { "parties" },
                    kinds.join(", ")
                )
            };
            writeln!(
                out,
                "{}: {} entities, {} records, {} relations, {} list entries read; {} rows rejected{skipped}; {errors} error(s), {warnings} warning(s)",
                a.case.display(),
                s.entities_read,
                s.records_read,
                s.relations_read,
                s.list_entries_read,
                rejected,
            )?;
        }
    }
    out.flush()?;
    Ok(if errors > 0 { EXIT_BAD_INPUT } else { EXIT_OK })
}
