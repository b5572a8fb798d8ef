//! Mirror declarations: one shipment declared twice. A customs extract
//! that mixes the exporting country's export declarations with the
//! importing country's import declarations (a vendor's "both sides" data,
//! or a US EEI beside the buyer's customs entry) holds the same shipment
//! twice: same shipper, consignee, goods and quantity, dated a few days
//! apart, declared on the two sides of the border. Read as two sales it
//! doubles the consignee's receipts and makes the shipper look as if it
//! sent more than it held: a lawful integrator becomes "the front".
//!
//! The rule, bounded and documented in docs/import.md: two rows are one
//! shipment's mirror declarations when
//! - one is declared on the export side and the other on the import side
//!   ([`side`]: the mapping's `declaration` column where mapped, else the
//!   words of the row's `source` cell, else of its id: `EXPORT`, `EXP`,
//!   `EEI`, `AES`, `XUAT`, `出口`, `수출`, `輸出` against `IMPORT`, `IMP`,
//!   `NHAP`, `进口`, `수입`, `輸入`; a row whose side is unknown is never
//!   joined);
//! - they name the same sender and receiver (after the spellings are
//!   merged), the same kind, the same model and the same number of GPUs;
//! - their dates are at most `mirror_days` apart (default
//!   [`DEFAULT_MIRROR_DAYS`]; `0` turns the joining off);
//! - where both give a value, the larger is at most 20% above the smaller
//!   (an export's FOB and an import's CIF value differ by freight and
//!   insurance, not by a second shipment's worth).
//!
//! Each import-side row is paired with the closest unpaired export-side row
//! (earlier first on a tie). The pair becomes one record, the export
//! declaration's (the sale as the seller declared it), which cites the
//! mirror's id and source; the mirror row is counted as joined and named in
//! a warning with both lines, so rows in = records + rows joined + rows
//! reported. A second shipment of the same goods declared on the same side,
//! of another quantity, or further apart stays a record of its own.

use super::ImportedRecord;
use crate::diag::Diagnostics;
use std::collections::{BTreeMap, HashMap};

pub use crate::model::declaration::{DEFAULT_MIRROR_DAYS, Side, side, values_agree};

/// What makes two declarations the same goods between the same parties.
type Key<'a> = (usize, usize, &'static str, &'a str, u64);

fn key(r: &ImportedRecord) -> Key<'_> {
    (r.from, r.to, r.kind.as_str(), r.product.as_str(), r.quantity)
}

fn values_agree_text(a: &Option<String>, b: &Option<String>) -> bool {
    values_agree(a.as_deref().and_then(|s| s.parse().ok()), b.as_deref().and_then(|s| s.parse().ok()))
}

/// Joins mirror declarations in `records` (whose sides are `sides`, by
/// index) as the module says, warning about each pair in `file`. `names`
/// gives a party's name by merged index. Returns the records kept, in
/// their order, and the number of rows joined.
///
/// # Complexity
/// O(N log N) for N records: one sort by key and date, and per import-side
/// row two ordered look-ups among its key's unpaired export-side rows.
pub fn join(
    records: Vec<ImportedRecord>,
    sides: &[Option<Side>],
    days: u32,
    file: &str,
    names: &dyn Fn(usize) -> String,
    diags: &mut Diagnostics,
) -> (Vec<ImportedRecord>, usize) {
    if days == 0 || !sides.contains(&Some(Side::Export)) || !sides.contains(&Some(Side::Import)) {
        return (records, 0);
    }
    let window = i64::from(days) * 86_400;
    // Export-side rows by key, unpaired, ordered by (date, index).
    let mut exports: HashMap<Key<'_>, BTreeMap<(i64, usize), ()>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if sides[i] == Some(Side::Export) {
            exports.entry(key(r)).or_default().insert((r.date.0, i), ());
        }
    }
    let mut imports: Vec<usize> = (0..records.len()).filter(|&i| sides[i] == Some(Side::Import)).collect();
    imports.sort_by_key(|&i| (records[i].date.0, i));
    // mirror index -> export index
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for &m in &imports {
        let r = &records[m];
        let Some(open) = exports.get_mut(&key(r)) else { continue };
        let t = r.date.0;
        let agree = |e: usize| values_agree_text(&records[e].value_usd, &r.value_usd);
        let before = open.range(..(t, usize::MAX)).rev().map(|(k, _)| *k).find(|&(d, e)| t - d <= window && agree(e));
        let after = open.range((t, usize::MAX)..).map(|(k, _)| *k).find(|&(d, e)| d - t <= window && agree(e));
        // `find` stops at the first agreeing row; rows further than the
        // window are skipped past but bounded by the key's rows.
        let best = match (before, after) {
            (Some(b), Some(a)) => Some(if t - b.0 <= a.0 - t { b } else { a }),
            (b, a) => b.or(a),
        };
        if let Some(k) = best {
            open.remove(&k);
            pairs.push((m, k.1));
        }
    }
    if pairs.is_empty() {
        return (records, 0);
    }
    let mut mirror_of: Vec<Option<usize>> = vec![None; records.len()];
    let mut joined_into: Vec<Option<usize>> = vec![None; records.len()];
    for &(m, e) in &pairs {
        mirror_of[e] = Some(m);
        joined_into[m] = Some(e);
    }
    pairs.sort_by_key(|&(m, _)| records[m].line);
    for &(m, e) in &pairs {
        let (x, y) = (&records[e], &records[m]);
        let days_apart = (y.date.0 - x.date.0).abs() / 86_400;
        let value = match (&x.value_usd, &y.value_usd) {
            (Some(a), Some(b)) if a == b => format!(", USD {a}"),
            (Some(a), Some(b)) => format!(", USD {a} and {b}"),
            _ => String::new(),
        };
        diags.warning(
            file,
            y.line,
            format!(
                "record `{}` ({}, import side) and record `{}` (line {}, {}, export side) declare one shipment: {} to {}, {} {} ({} unit(s) declared){value}, {days_apart} day(s) apart; joined into one record `{}` that cites both rows (the mapping's `mirror_days = 0` keeps both)",
                y.id,
                y.date,
                x.id,
                x.line,
                x.date,
                names(x.from),
                names(x.to),
                x.quantity,
                x.product,
                x.declared_quantity,
                x.id
            ),
        );
    }
    let mut taken: Vec<Option<ImportedRecord>> = records.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(taken.len() - pairs.len());
    for i in 0..taken.len() {
        if joined_into[i].is_some() {
            continue;
        }
        let Some(mut r) = taken[i].take() else { continue };
        if let Some(m) = mirror_of[i]
            && let Some(y) = taken[m].take()
        {
            r.source = format!("{}; mirror declaration {}: {}", r.source, y.id, y.source);
            if r.declared_end_user.is_none() {
                r.declared_end_user = y.declared_end_user;
                r.declared_end_user_as_written = y.declared_end_user_as_written;
            }
            r.mirror = Some(y.id);
        }
        out.push(r);
    }
    (out, pairs.len())
}
