//! Arbitrary bytes as a screening-list file: every list reader (CSV in the
//! trade.gov CSL and simple layouts, TSV, FollowTheMoney JSON lines or array,
//! the CSL JSON download) must return entries and diagnostics, never panic,
//! and say so in a diagnostic whenever it skips rows.
//!
//! The first byte picks the extension (csv, tsv, json, jsonl).

#![no_main]

use chiptrace::diag::Diagnostics;
use libfuzzer_sys::fuzz_target;

const EXTS: [&str; 4] = ["csv", "tsv", "json", "jsonl"];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let ext = EXTS[(sel & 3) as usize];
    let mut out = Vec::new();
    let mut diags = Diagnostics::default();
    let skipped = chiptrace::lists::read_bytes(&format!("list.{ext}"), ext, rest, &mut out, &mut diags);
    // A skipped row is never silent. One diagnostic may cover several rows
    // (the FollowTheMoney reader sums up entities that are not parties, by
    // schema and count), so the check is that skipping is always said.
    assert!(skipped == 0 || !diags.0.is_empty(), "{skipped} rows skipped without a diagnostic");
    for d in &diags.0 {
        let line = d.to_string();
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "a diagnostic prints on one escaped line");
    }
    for e in &out {
        let _ = e.evidence();
    }
});
