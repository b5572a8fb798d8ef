//! `chiptrace eval CASE --truth FILE`: precision and recall of the scan
//! against the schemes `generate` planted (how they are counted: [`crate::eval`]).

use super::output::{clean, table};
use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use crate::eval::{EvalConfig, evaluate};
use crate::generate::Truth;
use crate::scan::{ScanConfig, Severity, scan};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace generate --out /tmp/world --records 20000 --seed 7
  chiptrace eval /tmp/world --truth /tmp/world/truth.json --format json")]
pub struct Args {
    /// The case folder (usually written by `chiptrace generate`).
    pub case: PathBuf,
    /// The truth.json that `generate` wrote (`-` reads standard input).
    #[arg(long)]
    pub truth: PathBuf,
    /// Output format: `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Findings at or above this severity count as positives.
    #[arg(long, value_enum, default_value = "medium")]
    pub min_severity: Severity,
    /// Worker threads for the scan (0 = one per core; 1 = sequential).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Use this policy file instead of the case's policy.toml (`-` reads standard input).
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document for scripts (its schema is in docs/schema/).
    Json,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    if super::is_stdin(&a.truth) && a.policy.as_deref().is_some_and(super::is_stdin) {
        say!("error: --truth - and --policy - both ask for standard input; give one of them as a file");
        return Ok(EXIT_BAD_INPUT);
    }
    let (shown, bytes) = super::read_input(&a.truth, "the truth")?;
    let truth: Truth = serde_json::from_slice(&bytes)
        .with_context(|| format!("{shown}: not a truth.json written by `chiptrace generate`"))?;
    let mut opts = super::read_options(a.policy.clone())?;
    opts.threads = a.threads;
    let Some(loaded) = super::load_case_with(&a.case, opts)? else { return Ok(EXIT_BAD_INPUT) };
    let case = &loaded.case;
    let config = ScanConfig { threads: a.threads, ..Default::default() };
    let report = scan(case, &loaded.policy, &config);
    let e = evaluate(case, &truth, &report.findings, &EvalConfig { min_severity: a.min_severity });
    for u in &e.unresolved {
        say!("{shown}: {u}");
    }
    let mut out = Out::new();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &e)?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "precision {:.3}  recall {:.3}  ({} of {} findings at or above {} are positives, {} match a scheme and {} more end inside one; {} of {} schemes found)",
                e.precision,
                e.recall,
                e.positives,
                e.findings,
                a.min_severity,
                e.true_positives - e.related,
                e.related,
                e.found,
                e.planted
            )?;
            writeln!(out)?;
            let rows: Vec<Vec<String>> = e
                .bands
                .iter()
                .rev()
                .map(|(k, b)| {
                    vec![
                        k.clone(),
                        b.positives.to_string(),
                        format!("{:.3}", b.precision),
                        format!("{:.3}", b.recall),
                        format!("{}/{}", b.found, e.planted),
                        b.benign_terminals.to_string(),
                    ]
                })
                .collect();
            table(&mut out, &["band", "positives", "precision", "recall", "schemes found", "benign terminals"], &rows)?;
            let rules = |m: &std::collections::BTreeMap<String, usize>| {
                let mut v: Vec<(&String, &usize)> = m.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                v.iter().map(|(r, n)| format!("{r} {n}")).collect::<Vec<_>>().join(", ")
            };
            writeln!(out, "\nbenign terminals at high: {}", e.benign_high)?;
            if !e.benign_high_rules.is_empty() {
                writeln!(out, "  rules on their high findings: {}", rules(&e.benign_high_rules))?;
            }
            writeln!(out)?;
            let rows: Vec<Vec<String>> = e
                .by_scheme
                .iter()
                .map(|(k, t)| {
                    vec![
                        k.clone(),
                        t.planted.to_string(),
                        t.found.to_string(),
                        t.found_high.to_string(),
                        format!("{:.3}", t.recall),
                        format!("{:.3}", t.precision),
                    ]
                })
                .collect();
            table(&mut out, &["scheme", "planted", "found", "found high", "recall", "precision"], &rows)?;
            if !e.decoys.is_empty() {
                writeln!(out)?;
                let rows: Vec<Vec<String>> = e
                    .decoys
                    .iter()
                    .map(|(k, d)| {
                        vec![k.clone(), d.planted.to_string(), d.flagged.to_string(), d.flagged_high.to_string()]
                    })
                    .collect();
                table(&mut out, &["decoy", "planted", "flagged", "flagged high"], &rows)?;
            }
            if !e.missed_rules.is_empty() {
                writeln!(
                    out,
                    "\nrules on the best finding below the threshold of missed schemes: {}",
                    rules(&e.missed_rules)
                )?;
            }
            if !e.missed.is_empty() {
                writeln!(out, "\nmissed:")?;
                for m in &e.missed {
                    let near = m
                        .below_threshold
                        .as_ref()
                        .map(|f| format!(" (found below the threshold by {} at {})", f.id, f.severity))
                        .unwrap_or_default();
                    writeln!(out, "  {} {} -> {}: {}{near}", m.id, m.kind, m.terminal, clean(&m.note))?;
                }
            }
            if !e.unmatched.is_empty() {
                writeln!(out, "\nunmatched (top {}):", e.unmatched.len())?;
                for u in &e.unmatched {
                    let decoy = u.decoy.as_ref().map(|d| format!(" [decoy {d}]")).unwrap_or_default();
                    writeln!(
                        out,
                        "  {} {:.3} {} -> {} lot {}: {}{decoy}",
                        u.id,
                        u.score,
                        u.severity,
                        u.terminal,
                        u.lot.as_deref().unwrap_or("-"),
                        u.rules.join(", ")
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}
