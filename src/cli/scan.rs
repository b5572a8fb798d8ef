//! `chiptrace scan CASE`: ranked findings with flags and evidence.

use super::output::{clean, table};
use super::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, Out};
use crate::model::Case;
use crate::scan::{Finding, FindingKind, Progress, ScanConfig, ScanReport, Severity, scan};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace scan fixtures/demo
  chiptrace scan CASE --min-severity medium --top 20
  chiptrace scan CASE --format jsonl | jq -c '{id, severity, terminal: .terminal.id}'
  chiptrace scan CASE --format csv --table steps > steps.csv    (one row per route step)
  chiptrace scan CASE --fail-on high && echo clean
  chiptrace scan CASE --export-dir out/ --export-format html   (one page per finding)")]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// Output format: `table` for people; `json` one document (findings, stats, dataset);
    /// `jsonl` one finding a line; `csv` one of the flat tables chosen by --table.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Show only findings at or above this severity.
    #[arg(long, value_enum, default_value = "low")]
    pub min_severity: Severity,
    /// Show at most this many findings (the highest scores).
    #[arg(long)]
    pub top: Option<usize>,
    /// Use this policy file instead of the case's policy.toml (`-` reads standard input).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Worker threads (0 = one per core; 1 = sequential).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Which flat table `--format csv` prints; the tables join on `finding`
    /// (= `id` of the findings table), for pandas, DuckDB or a spreadsheet.
    #[arg(long, value_enum, default_value = "findings")]
    pub table: Table,
    /// Exit 1 when a finding at or above this severity is shown.
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Print the time each stage took to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Write one diagram per finding shown (at or above --min-severity) into this folder, named by finding id.
    #[arg(long)]
    pub export_dir: Option<PathBuf>,
    /// Format of the diagrams written by --export-dir.
    #[arg(long, value_enum, default_value = "svg", requires = "export_dir")]
    pub export_format: crate::export::Format,
    /// Run as one process of a cluster (docs/spec.md §5.5): HOSTS lists `host:port`, one
    /// line a process, rank 0 first; every process gets the same case path and
    /// its own --rank. Rank 0 prints the report.
    #[arg(long, value_name = "HOSTS", requires = "rank", conflicts_with = "local_cluster")]
    pub cluster: Option<PathBuf>,
    /// This process's line in --cluster's HOSTS, from 0.
    #[arg(long, value_name = "I", requires = "cluster")]
    pub rank: Option<usize>,
    /// Threads of each cluster process for the route search and judging (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Start N cluster processes on 127.0.0.1 (free ports) and print rank 0's report.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub local_cluster: Option<u32>,
    /// Seconds to wait for the other processes of a cluster to connect.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub connect_timeout: u64,
    /// Seconds a cluster process may stay silent (no heartbeat: hung, stopped,
    /// its host unreachable) before every other process ends the run naming it.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub peer_timeout: u64,
}

/// The flat tables of `scan --format csv` (docs/tables.md).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// One row per finding: score, severity, terminal, units, lot, rule ids.
    Findings,
    /// One row per record on a finding's route, in route order, with both parties.
    Steps,
    /// One row per flag of a finding: rule, weight, detail.
    Flags,
    /// One row per evidence key a flag cites (entity, record or list entry).
    Evidence,
}

/// Output formats of `scan`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns and, per finding, its route, flags and evidence.
    Table,
    /// One JSON document: the findings, stats and what the scan read (docs/schema/scan.schema.json).
    Json,
    /// One finding a line as JSON, for streaming into jq or a database.
    Jsonl,
    /// A flat CSV table (see --table), safe to open in a spreadsheet.
    Csv,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    if a.local_cluster.is_some() {
        return super::cluster::local(&a);
    }
    if a.cluster.is_some() {
        return super::cluster::run(&a);
    }
    let started = std::time::Instant::now();
    let mut opts = super::read_options(a.policy.clone())?;
    opts.threads = a.threads;
    let Some(loaded) = super::load_case_with(&a.case, opts)? else { return Ok(EXIT_BAD_INPUT) };
    let read_time = started.elapsed();
    if a.timings {
        say_memory("read");
    }
    super::lists_notice(&a.case, &loaded);
    let case = &loaded.case;
    let bar = progress_bar(case.records.len() as u64);
    let tick = |p: Progress| match p {
        Progress::Start(n) => bar.set_length(n),
        Progress::Step => bar.inc(1),
        Progress::Stage(name) if a.timings => say_memory(name),
        Progress::Stage(_) => {}
    };
    let config = ScanConfig { threads: a.threads, progress: Some(&tick) };
    let mut report = scan(case, &loaded.policy, &config);
    report.diagnostics = loaded.diags.warnings();
    bar.finish_and_clear();
    output(&a, &loaded, report, read_time, started)
}

/// Prints a report as --format asks, writes --export-dir and --timings, and
/// gives the exit code: the one-process scan and rank 0 of a cluster share it.
pub(crate) fn output(
    a: &Args,
    loaded: &crate::read::Loaded,
    mut report: ScanReport,
    read_time: std::time::Duration,
    started: std::time::Instant,
) -> anyhow::Result<i32> {
    let case = &loaded.case;
    filter(&mut report, a.min_severity, a.top);
    let mut out = Out::new();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report.json(case))?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for f in &report.findings {
                serde_json::to_writer(&mut out, &f.json(case))?;
                writeln!(out)?;
            }
        }
        Format::Csv => match a.table {
            Table::Findings => write_csv(&mut out, case, &report)?,
            Table::Steps => write_steps(&mut out, case, &report)?,
            Table::Flags => write_flags(&mut out, case, &loaded.policy, &report)?,
            Table::Evidence => write_evidence(&mut out, case, &report)?,
        },
        Format::Table => write_table(&mut out, case, &report)?,
    }
    out.flush()?;
    if let Some(dir) = &a.export_dir {
        let written =
            crate::export::export_findings(case, &loaded.policy, &report, dir, a.export_format, a.min_severity)?;
        super::note!("wrote {} {} diagram(s) to {}", written.len(), a.export_format, dir.display());
    }
    if a.timings {
        if a.local_cluster.is_none() && a.cluster.is_none() {
            say_memory("output");
        }
        say!("timing read {:>10.3} s", read_time.as_secs_f64());
        for (stage, d) in &report.timings {
            say!("timing {stage:<6} {:>8.3} s", d.as_secs_f64());
        }
        say!("timing total {:>9.3} s", started.elapsed().as_secs_f64());
    }
    let fail = a.fail_on.is_some_and(|s| report.findings.iter().any(|f| f.severity >= s));
    Ok(if fail { EXIT_FINDINGS } else { EXIT_OK })
}

/// One line on stderr under `--timings` as each stage of the one-process
/// scan ends: the memory it holds now and its peak so far (the cluster's
/// ranks print theirs the same way).
fn say_memory(stage: &'static str) {
    let s = crate::cluster::Stage::now(stage);
    say!("memory after {}: {:.0} MiB resident, peak so far {:.0} MiB", s.name, s.rss_mib, s.peak_mib);
}

/// Keeps findings at or above `min`, then the `top` highest.
pub fn filter(report: &mut ScanReport, min: Severity, top: Option<usize>) {
    report.findings.retain(|f| f.severity >= min);
    if let Some(n) = top {
        report.findings.truncate(n);
    }
}

/// A bar on stderr for scans of 50,000 records or more, hidden when stderr is not a terminal.
fn progress_bar(records: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || records < 50_000 || super::quiet() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(records);
    if let Ok(style) = indicatif::ProgressStyle::with_template("scan {bar:40} {pos}/{len} routes {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// A route as `A -R1 sale-> B -R2 lease=> C`.
pub fn route_line(case: &Case, f: &Finding) -> String {
    let mut s = String::new();
    for (i, &ri) in f.path.iter().enumerate() {
        let r = &case.records[ri as usize];
        if i == 0 || case.records[f.path[i - 1] as usize].to != r.from {
            if i > 0 {
                s.push_str(" | ");
            }
            s.push_str(&clean(&case.entity(r.from).id));
        }
        let arrow = if r.kind == crate::model::RecordKind::Lease { "=>" } else { "->" };
        s.push_str(&format!(" -{} {} {}{arrow} {}", clean(case.s(r.id)), r.kind, r.date, clean(&case.entity(r.to).id)));
    }
    s
}

fn write_table(out: &mut Out, case: &Case, report: &ScanReport) -> anyhow::Result<()> {
    let s = &report.stats;
    writeln!(
        out,
        "{}: {} findings shown of {} ({} records, {} entities, {} candidate steps examined{})",
        case.root.display(),
        report.findings.len(),
        s.findings_total,
        s.records,
        s.entities,
        s.routes_examined,
        if s.truncated { "; some searches were cut by a bound" } else { "" }
    )?;
    for note in &s.truncated_by {
        writeln!(out, "  bound: {note}")?;
    }
    for note in &report.notes {
        writeln!(out, "note: {}", clean(note))?;
    }
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let rows: Vec<Vec<String>> = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let t = case.entity(f.terminal);
            let rules = rule_list(f);
            vec![
                (i + 1).to_string(),
                f.id.clone(),
                f.kind.as_str().to_string(),
                f.severity.to_string(),
                format!("{:.2}", f.score),
                format!("{} ({})", clean(&t.id), t.country),
                format!("{} x{}", clean(case.s(f.product)), f.quantity),
                match (f.kind, f.lot) {
                    (FindingKind::Entity, _) => String::new(),
                    (_, Some(l)) => clean(case.s(l)),
                    (_, None) if f.inferred => format!("inferred {:.2}", f.plausibility),
                    (_, None) => "no lot".to_string(),
                },
                rules.join(","),
            ]
        })
        .collect();
    table(out, &["#", "finding", "kind", "severity", "score", "about", "units", "lot", "flags"], &rows)?;
    for (i, f) in report.findings.iter().enumerate() {
        let t = case.entity(f.terminal);
        writeln!(out)?;
        writeln!(
            out,
            "#{} {} {} {:.2}  {} {} {} ({})",
            i + 1,
            f.id,
            f.severity,
            f.score,
            f.kind.as_str(),
            clean(&t.id),
            clean(&t.name),
            t.country
        )?;
        match f.kind {
            FindingKind::Route => {
                writeln!(out, "  route: {}", route_line(case, f))?;
                if f.inferred {
                    writeln!(
                        out,
                        "  inferred: {}",
                        clean(&crate::analysis::routes::inferred_reason(case, &f.path, f.plausibility))
                    )?;
                }
            }
            FindingKind::Entity => {
                let ids: Vec<String> = f.path.iter().map(|&r| clean(case.record_id(r))).collect();
                writeln!(out, "  records: {}", ids.join(", "))?
            }
        }
        for flag in &f.flags {
            // Flags about someone else than the finding's terminal or subject say whom.
            let about = if flag.subject == f.terminal {
                String::new()
            } else {
                format!("[about {}] ", clean(&case.entity(flag.subject).id))
            };
            writeln!(out, "  {:<28} {about}{}", flag.rule, clean(&flag.detail))?;
            writeln!(out, "  {:<28} evidence: {}", "", clean(&flag.evidence.join(", ")))?;
        }
    }
    Ok(())
}

/// The rules of a finding's flags, each once, in the flags' order.
fn rule_list(f: &Finding) -> Vec<&'static str> {
    let mut rules: Vec<&'static str> = Vec::new();
    for x in &f.flags {
        if !rules.contains(&x.rule) {
            rules.push(x.rule);
        }
    }
    rules
}

/// A cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return would start a formula, so it is prefixed with `'`.
pub fn csv_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn write_csv(out: &mut Out, case: &Case, report: &ScanReport) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "kind",
        "subject",
        "score",
        "severity",
        "terminal",
        "terminal_name",
        "terminal_country",
        "product",
        "quantity",
        "lot",
        "inferred",
        "plausibility",
        "path",
        "rules",
        "details",
    ])?;
    for f in &report.findings {
        let t = case.entity(f.terminal);
        let path: Vec<&str> = f.path.iter().map(|&r| case.record_id(r)).collect();
        let rules = rule_list(f);
        let details: Vec<String> =
            f.flags.iter().map(|x| format!("{} [{}]: {}", x.rule, case.entity(x.subject).id, x.detail)).collect();
        // `terminal` and the route columns are empty for an entity finding; `subject` is whom any finding is about.
        let route = f.kind == FindingKind::Route;
        let when = |s: String| if route { s } else { String::new() };
        let row = [
            f.id.clone(),
            f.kind.as_str().to_string(),
            t.id.clone(),
            format!("{:.3}", f.score),
            f.severity.to_string(),
            when(t.id.clone()),
            when(t.name.clone()),
            when(t.country.to_string()),
            case.s(f.product).to_string(),
            f.quantity.to_string(),
            f.lot.map(|l| case.s(l).to_string()).unwrap_or_default(),
            when(f.inferred.to_string()),
            when(format!("{:.3}", f.plausibility)),
            path.join(if route { " > " } else { ", " }),
            rules.join(";"),
            details.join(" | "),
        ];
        w.write_record(row.iter().map(|c| csv_safe(c)))?;
    }
    w.flush()?;
    Ok(())
}

/// One row per record on each route finding's route (`finding`, `step` from
/// 1). Entity findings have no route; their records are in the evidence table.
fn write_steps(out: &mut Out, case: &Case, report: &ScanReport) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "finding",
        "step",
        "record",
        "kind",
        "date",
        "end_date",
        "from",
        "from_name",
        "from_country",
        "to",
        "to_name",
        "to_country",
        "product",
        "quantity",
        "lot",
        "value_usd",
        "payment",
        "source",
    ])?;
    for f in report.findings.iter().filter(|f| f.kind == FindingKind::Route) {
        for (i, &ri) in f.path.iter().enumerate() {
            let r = &case.records[ri as usize];
            let (from, to) = (case.entity(r.from), case.entity(r.to));
            let opt = |x: Option<crate::model::Sym>| x.map(|v| case.s(v).to_string()).unwrap_or_default();
            let row = [
                f.id.clone(),
                (i + 1).to_string(),
                case.s(r.id).to_string(),
                r.kind.to_string(),
                r.date.to_string(),
                case.records.end_date(ri).map(|d| d.to_string()).unwrap_or_default(),
                from.id.clone(),
                from.name.clone(),
                from.country.to_string(),
                to.id.clone(),
                to.name.clone(),
                to.country.to_string(),
                case.s(r.product).to_string(),
                r.quantity.to_string(),
                opt(r.lot),
                case.records.value_usd(ri).map(|v| v.to_string()).unwrap_or_default(),
                r.payment.map(|p| p.to_string()).unwrap_or_default(),
                opt(case.records.source(ri)),
            ];
            w.write_record(row.iter().map(|c| csv_safe(c)))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// One row per flag (`finding`, `flag` from 1, in the finding's order).
fn write_flags(out: &mut Out, case: &Case, policy: &crate::policy::Policy, report: &ScanReport) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["finding", "flag", "rule", "subject", "subject_name", "weight", "detail", "evidence"])?;
    for f in &report.findings {
        for (i, fl) in f.flags.iter().enumerate() {
            let subject = case.entity(fl.subject);
            let row = [
                f.id.clone(),
                (i + 1).to_string(),
                fl.rule.to_string(),
                subject.id.clone(),
                subject.name.clone(),
                format!("{:.3}", fl.weight.unwrap_or_else(|| policy.weight(fl.rule))),
                fl.detail.to_string(),
                fl.evidence.join(";"),
            ];
            w.write_record(row.iter().map(|c| csv_safe(c)))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// One row per evidence key of each flag: what it is (`entity`, `record`,
/// `list_entry` or `other`) so a join picks the right table.
fn write_evidence(out: &mut Out, case: &Case, report: &ScanReport) -> anyhow::Result<()> {
    let index = crate::export::RecordIndex::build(case);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["finding", "flag", "rule", "evidence", "evidence_type"])?;
    for f in &report.findings {
        for (i, fl) in f.flags.iter().enumerate() {
            for k in fl.evidence.iter() {
                let ty = if k.starts_with("list:") {
                    "list_entry"
                } else if case.entity_by_key(k).is_some() {
                    "entity"
                } else if index.get(case, k).is_some() {
                    "record"
                } else {
                    "other"
                };
                let row = [f.id.clone(), (i + 1).to_string(), fl.rule.to_string(), k.clone(), ty.to_string()];
                w.write_record(row.iter().map(|c| csv_safe(c)))?;
            }
        }
    }
    w.flush()?;
    Ok(())
}
