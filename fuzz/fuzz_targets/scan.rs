//! Small fuzzed cases through the whole scan, sequentially: reading, lists,
//! screening, ownership, lot lineage, route search, rules, scoring and the
//! JSON report. Run with `-timeout=10` so that a blow-up in any search (the
//! exponential ownership enumeration and cubic lot lineage of issue 13) shows
//! as a timeout rather than passing unnoticed.
//!
//! The bytes are split at NUL into entities.csv, records.csv, relations.csv,
//! a simple-form list and policy.toml; a case that has errors stops after
//! reading, as the CLI does.

#![no_main]

use chiptrace::diag::Diagnostics;
use chiptrace::scan::{ScanConfig, scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 8 * 1024 {
        return;
    }
    let mut parts = data.split(|&b| b == 0);
    let names = ["entities.csv", "records.csv", "relations.csv"];
    let mut files: Vec<(&str, &[u8])> = names.iter().map(|&n| (n, parts.next().unwrap_or_default())).collect();
    let list = parts.next().unwrap_or_default();
    if let Some(policy) = parts.next() {
        files.push(("policy.toml", policy));
    }
    let mut loaded = chiptrace::read::read_case_from_files(&files);
    let mut diags = Diagnostics::default();
    chiptrace::lists::read_bytes("list.csv", "csv", list, &mut loaded.case.lists, &mut diags);
    if loaded.diags.errors() > 0 {
        return;
    }
    let report = scan(&loaded.case, &loaded.policy, &ScanConfig { threads: 1, progress: None });
    let json = serde_json::to_string(&report.json(&loaded.case)).expect("the report serialises");
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
});
