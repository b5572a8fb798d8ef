//! Records in a case folder that look like one shipment declared on both
//! sides of a border: the exporting country's export declaration and the
//! importing country's import declaration of the same goods between the
//! same parties (`crate::model::declaration`). Counted twice, they double
//! the receiver's units and make the sender look as if it sent units it
//! never held, so a lawful seller reads as a front. `chiptrace import`
//! joins such rows as it reads them; a case assembled otherwise (or
//! imported before it did) gets a `validate` warning naming both records,
//! and nothing is changed: whether they are one shipment is for the
//! investigator to read in the documents.

use super::inventory::records_file;
use crate::model::declaration::{DEFAULT_MIRROR_DAYS, Side, side, values_agree};
use crate::model::{Case, RecordId};
use std::collections::{BTreeMap, HashMap};

/// Two records that look like mirror declarations of one shipment.
#[derive(Clone, Debug, PartialEq)]
pub struct LikelyMirror {
    /// The export-side record.
    pub export: RecordId,
    /// The import-side record.
    pub import: RecordId,
    /// Where the warning points: the import-side record's file and line.
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// The side a record was declared on: its `source` cell's words, else its id's.
fn record_side(case: &Case, i: RecordId) -> Option<Side> {
    match case.records.source(i).and_then(|s| side(case.s(s))) {
        Some(x) => Some(x),
        None => side(case.record_id(i)),
    }
}

/// Pairs of records that look like one shipment's mirror declarations, by
/// the rule `import` joins them by (docs/import.md "Mirror declarations"):
/// opposite sides, the same sender, receiver, kind, product and quantity,
/// at most [`DEFAULT_MIRROR_DAYS`] apart, values (where both have one)
/// within 20%. Each import-side record pairs with the closest unpaired
/// export-side record. Sorted by the import-side record's index.
///
/// # Complexity
/// O(N log N) for N records: one pass to read sides, and per import-side
/// record two ordered look-ups among its key's export-side records.
pub fn likely_mirrors(case: &Case) -> Vec<LikelyMirror> {
    let n = case.records.len() as RecordId;
    let sides: Vec<Option<Side>> = (0..n).map(|i| record_side(case, i)).collect();
    if !sides.contains(&Some(Side::Export)) || !sides.contains(&Some(Side::Import)) {
        return Vec::new();
    }
    let key = |i: RecordId| {
        let r = &case.records[i as usize];
        (r.from, r.to, r.kind.as_str(), r.product, r.quantity)
    };
    let mut exports: HashMap<_, BTreeMap<(i64, RecordId), ()>> = HashMap::new();
    for i in 0..n {
        if sides[i as usize] == Some(Side::Export) {
            exports.entry(key(i)).or_default().insert((case.records[i as usize].date.0, i), ());
        }
    }
    let window = i64::from(DEFAULT_MIRROR_DAYS) * 86_400;
    let mut imports: Vec<RecordId> = (0..n).filter(|&i| sides[i as usize] == Some(Side::Import)).collect();
    imports.sort_by_key(|&i| (case.records[i as usize].date.0, i));
    let mut out = Vec::new();
    for m in imports {
        let Some(open) = exports.get_mut(&key(m)) else { continue };
        let t = case.records[m as usize].date.0;
        let agree = |e: RecordId| values_agree(case.records.value_usd(e), case.records.value_usd(m));
        let before =
            open.range(..(t, RecordId::MAX)).rev().map(|(k, _)| *k).find(|&(d, e)| t - d <= window && agree(e));
        let after = open.range((t, RecordId::MAX)..).map(|(k, _)| *k).find(|&(d, e)| d - t <= window && agree(e));
        let best = match (before, after) {
            (Some(b), Some(a)) => Some(if t - b.0 <= a.0 - t { b } else { a }),
            (b, a) => b.or(a),
        };
        let Some(k) = best else { continue };
        open.remove(&k);
        let e = k.1;
        let (x, y) = (&case.records[e as usize], &case.records[m as usize]);
        let who = |id| case.entity(id).id.as_str();
        let message = format!(
            "records `{}` (line {}, {}, export side) and `{}` ({}, import side) look like one shipment declared on both sides of the border: {} to {}, {} {}, {} day(s) apart; counted twice, {} receives them twice and {} sends them twice. If the documents show one shipment, keep one record (`chiptrace import` joins such rows)",
            case.record_id(e),
            x.line,
            x.date,
            case.record_id(m),
            y.date,
            who(x.from),
            who(x.to),
            x.quantity,
            case.s(x.product),
            (y.date.0 - x.date.0).abs() / 86_400,
            who(x.to),
            who(x.from),
        );
        let file = case.record_file(m).map_or_else(|| records_file(case), String::from);
        out.push(LikelyMirror { export: e, import: m, file, line: y.line, message });
    }
    out.sort_by_key(|p| p.import);
    out
}
