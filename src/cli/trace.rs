//! `chiptrace trace CASE --lot LOT | --entity ID [--backward]`.

use super::output::{clean, table};
use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use crate::analysis::inventory::Inventory;
use crate::analysis::trace::{Direction, Trace, TraceRoot, trace};
use crate::graph::Lots;
use crate::model::Case;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace trace fixtures/demo --lot L-100
  chiptrace trace fixtures/demo --lot L-100-A --backward
  chiptrace trace fixtures/demo --entity HCS --format json")]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// Trace this lot and the lots split from it.
    #[arg(long, conflicts_with = "entity", required_unless_present = "entity")]
    pub lot: Option<String>,
    /// Trace what left (or, backward, what reached) this entity.
    #[arg(long)]
    pub entity: Option<String>,
    /// Go back to the origins instead of forward to the last holders.
    #[arg(long)]
    pub backward: bool,
    /// Output format: `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Longest route followed, in records.
    #[arg(long, default_value_t = 32)]
    pub max_depth: u32,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document for scripts (its schema is in docs/schema/).
    Json,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let Some(loaded) = super::load_case(&a.case, None)? else { return Ok(EXIT_BAD_INPUT) };
    let case = &loaded.case;
    let (root, label) = if let Some(lot) = &a.lot {
        // A lot named only as the parent of splits can be traced too.
        match case.sym(lot).filter(|s| case.records.iter().any(|r| r.lot == Some(*s) || r.parent_lot == Some(*s))) {
            Some(s) => (TraceRoot::Lot(s), lot.clone()),
            None => {
                say!("error: no record carries lot `{lot}`");
                return Ok(EXIT_BAD_INPUT);
            }
        }
    } else {
        let id = a.entity.clone().unwrap_or_default();
        match case.entity_by_key(&id) {
            Some(e) => (TraceRoot::Entity(e), id),
            None => {
                say!("error: no entity with id `{id}` in entities.csv");
                return Ok(EXIT_BAD_INPUT);
            }
        }
    };
    let inv = Inventory::build(case);
    let lots = Lots::build(case, &inv.order);
    let dir = if a.backward { Direction::Backward } else { Direction::Forward };
    let t = trace(case, &lots, &inv.order, &root, dir, a.max_depth);
    let mut out = Out::new();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(case, &label, &t))?;
            writeln!(out)?;
        }
        Format::Table => print_table(&mut out, case, &label, &t)?,
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// The JSON of docs/spec.md §3, extended with origins, hosted and rented units and
/// records that break time order.
pub fn to_json(case: &Case, root: &str, t: &Trace) -> serde_json::Value {
    let rec = |ri: u32| case.record_json(ri, true);
    json!({
        "root": root,
        "direction": t.direction,
        "steps": t.steps.iter().map(|s| {
            let mut v = rec(s.record);
            v["depth"] = json!(s.depth);
            v
        }).collect::<Vec<_>>(),
        "holders": t.holders.iter().map(|h| json!({
            "entity": case.entity(h.entity).id,
            "name": case.entity(h.entity).name,
            "country": case.entity(h.entity).country,
            "received": h.units.received,
            "sent": h.units.sent,
            "shipped": h.units.shipped,
            "installed": h.units.installed,
            "leased": h.units.leased,
            "held": h.units.held(),
            "hosted": h.units.hosted,
            "leased_in": h.units.leased_in,
            "origin": h.origin,
            "unaccounted": h.unaccounted(),
        })).collect::<Vec<_>>(),
        "out_of_order": t.out_of_order.iter().map(|&r| rec(r)).collect::<Vec<_>>(),
        "truncated": t.truncated,
    })
}

fn print_table(out: &mut Out, case: &Case, root: &str, t: &Trace) -> anyhow::Result<()> {
    let dir = match t.direction {
        Direction::Forward => "forward",
        Direction::Backward => "backward",
    };
    writeln!(out, "trace {dir} from {}: {} steps", clean(root), t.steps.len())?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = t
        .steps
        .iter()
        .map(|s| {
            let r = &case.records[s.record as usize];
            vec![
                r.date.to_string(),
                clean(case.s(r.id)),
                r.kind.to_string(),
                clean(&case.entity(r.from).id),
                clean(&case.entity(r.to).id),
                clean(case.s(r.product)),
                r.quantity.to_string(),
                r.lot.map(|l| clean(case.s(l))).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(out, &["date", "record", "kind", "from", "to", "product", "units", "lot"], &rows)?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = t
        .holders
        .iter()
        .map(|h| {
            let e = case.entity(h.entity);
            let mut note = Vec::new();
            if h.origin {
                note.push("origin: its own receipts are not part of this trace".to_string());
            }
            if h.unaccounted() > 0 {
                note.push(format!("{} units sent without a recorded receipt", h.unaccounted()));
            }
            if h.units.held() > 0 && !h.origin {
                note.push(format!("still holds {}", h.units.held()));
            }
            vec![
                clean(&e.id),
                clean(&e.name),
                e.country.to_string(),
                h.units.received.to_string(),
                (h.units.sent + h.units.shipped).to_string(),
                h.units.installed.to_string(),
                h.units.leased.to_string(),
                // Where the trace starts, units leave without the receipts
                // that brought them (outside the trace): a balance there
                // (`-32`) would read as an error in the data.
                if h.origin { "-".to_string() } else { h.units.held().to_string() },
                (h.units.hosted + h.units.leased_in).to_string(),
                note.join("; "),
            ]
        })
        .collect();
    table(
        out,
        &["holder", "name", "country", "received", "sent", "installed", "leased", "held", "hosted/rented", "note"],
        &rows,
    )?;
    if !t.out_of_order.is_empty() {
        writeln!(out)?;
        writeln!(out, "records of the lot that break time order (sent before the sender held the lot):")?;
        for &r in &t.out_of_order {
            let rec = &case.records[r as usize];
            writeln!(
                out,
                "  {} {} {} -> {}",
                case.s(rec.id),
                rec.date,
                case.entity(rec.from).id,
                case.entity(rec.to).id
            )?;
        }
    }
    if t.truncated {
        writeln!(out, "\nnote: the trace was cut at --max-depth; raise it to follow further")?;
    }
    Ok(())
}
