//! `chiptrace screen CASE [--format table|json] [--policy FILE]`: every
//! entity's matches against the case's screening lists (docs/spec.md §2).

use super::output::{clean, table};
use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use crate::model::Case;
use crate::screen::{Match, ScreenStats, screen_with_stats};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace screen fixtures/demo
  chiptrace screen CASE --format json | jq '.matches[] | select(.score < 1)'")]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// Output format: `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// A policy file to use instead of the case's policy.toml (sets `fuzzy_threshold`; `-` reads standard input).
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document for scripts (its schema is in docs/schema/).
    Json,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let Some(loaded) = super::load_case(&a.case, a.policy.clone())? else { return Ok(EXIT_BAD_INPUT) };
    let case = &loaded.case;
    super::lists_notice(&a.case, &loaded);
    let (matches, stats) = screen_with_stats(case, &loaded.policy);
    let mut out = Out::new();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(case, &matches, &stats))?;
            writeln!(out)?;
        }
        Format::Table => print_table(&mut out, case, &matches)?,
    }
    out.flush()?;
    super::note!(
        "{}: {} entities screened against {} list entries; {} match(es), threshold {}; {} name pairs compared ({} ruled out by a bound on their score before their words were aligned)",
        a.case.display(),
        case.entities.len(),
        case.lists.len(),
        matches.len(),
        loaded.policy.fuzzy_threshold,
        stats.comparisons,
        stats.ruled_out
    );
    for note in stats.notes() {
        say!("{}: warning: {}", a.case.display(), note);
    }
    Ok(EXIT_OK)
}

/// Rounds a score for output, so that equal inputs print equal text.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The JSON of docs/spec.md §2 and §5.4 (`list_name` the entry's primary name,
/// `listed_as` the list-side name that matched, `matched_name` the entity's),
/// extended with the entry's id, evidence key, file and line, the method, the
/// words that decided the match and the reason; `stats` counts the work and
/// says which bound cut it (`truncated`).
pub fn to_json(case: &Case, matches: &[Match], stats: &ScreenStats) -> serde_json::Value {
    let rows: Vec<_> = matches
        .iter()
        .map(|m| {
            let e = case.entity(m.entity);
            let l = &case.lists[m.entry];
            json!({
                "entity": e.id,
                "entity_name": e.name,
                "list": l.list,
                "list_name": l.name,
                "listed_as": m.listed_name,
                "matched_name": m.matched_name,
                "score": round(m.score),
                "method": m.method,
                "words": m.words.iter().map(|(a, b, s)| json!([a, b, round(*s)])).collect::<Vec<_>>(),
                "entity_only": m.entity_only,
                "listed_only": m.listed_only,
                "entry_id": l.entry_id,
                "entry_name": l.name,
                "list_title": l.list_name,
                "evidence": l.evidence(),
                "since": l.since.map(|t| t.to_string()),
                "file": l.file,
                "line": l.line,
                "reason": m.reason,
            })
        })
        .collect();
    json!({
        "matches": rows,
        "stats": {
            "entities": case.entities.len(),
            "list_entries": case.lists.len(),
            "entity_names": stats.entity_names,
            "list_names": stats.list_names,
            "comparisons": stats.comparisons,
            "common_words": stats.common_words.iter().map(|(w, n)| json!({"word": w, "list_names": n})).collect::<Vec<_>>(),
            "candidates_cut": stats.candidates_cut,
            "matches_not_kept": stats.matches_not_kept,
            "long_names_cut": stats.long_names_cut,
            "truncated": stats.truncated,
            "notes": stats.notes(),
        },
    })
}

fn print_table(out: &mut impl Write, case: &Case, matches: &[Match]) -> std::io::Result<()> {
    if matches.is_empty() {
        return writeln!(out, "no matches");
    }
    let rows: Vec<Vec<String>> = matches
        .iter()
        .map(|m| {
            let e = case.entity(m.entity);
            let l = &case.lists[m.entry];
            vec![
                clean(&e.id),
                clean(&m.matched_name),
                format!("{:.2}", m.score),
                m.method.to_string(),
                clean(&l.evidence()),
                clean(&l.name),
                clean(&m.listed_name),
                format!("{}:{}", clean(&l.file), l.line),
            ]
        })
        .collect();
    table(out, &["ENTITY", "NAME", "SCORE", "METHOD", "ENTRY", "LIST NAME", "LISTED AS", "FROM"], &rows)?;
    writeln!(out)?;
    for m in matches {
        writeln!(
            out,
            "{} / {}: {}",
            clean(&case.entity(m.entity).id),
            clean(&case.lists[m.entry].evidence()),
            clean(&m.reason)
        )?;
    }
    Ok(())
}
