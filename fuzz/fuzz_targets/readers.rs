//! Arbitrary bytes as the files of a case: every reader must return
//! diagnostics, never panic, and whatever it read must trace without panicking.
//!
//! The first byte picks where the rest goes; the other files are the demo
//! case's, so references between files resolve and deeper code is reached:
//! - 0: entities.csv, 1: records.csv, 2: records.jsonl, 3: relations.csv,
//!   4: policy.toml (the fuzzed file replaces the demo's one);
//! - 5 to 7: the rest split at NUL bytes into all five files in that order.
//!
//! Bit 3 of the first byte also drops relations.csv when it is not fuzzed.
//!
//! The records are also read in stretches of a few bytes on two threads
//! (the parallel reader with cuts everywhere): it must give the same records,
//! lines and diagnostics as the sequential reader.

#![no_main]

use chiptrace::analysis::inventory::Inventory;
use chiptrace::analysis::trace::{Direction, TraceRoot, trace};
use chiptrace::graph::Lots;
use chiptrace::read::{Loaded, ReadOptions, read_case_from_files_with};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["entities.csv", "records.csv", "records.jsonl", "relations.csv", "policy.toml"];
const ENTITIES: &[u8] = include_bytes!("../../fixtures/demo/entities.csv");
const RECORDS: &[u8] = include_bytes!("../../fixtures/demo/records.csv");
const RELATIONS: &[u8] = include_bytes!("../../fixtures/demo/relations.csv");

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let mode = sel & 0x07;
    let mut files: Vec<(&str, &[u8])> = Vec::new();
    if mode >= 5 {
        for (name, part) in NAMES.iter().zip(rest.split(|&b| b == 0)) {
            files.push((name, part));
        }
    } else {
        let fuzzed = NAMES[mode as usize];
        files.push((fuzzed, rest));
        if fuzzed != "entities.csv" {
            files.push(("entities.csv", ENTITIES));
        }
        if fuzzed != "records.csv" && fuzzed != "records.jsonl" {
            files.push(("records.csv", RECORDS));
        }
        if fuzzed != "relations.csv" && sel & 0x08 == 0 {
            files.push(("relations.csv", RELATIONS));
        }
    }
    let sequential = ReadOptions { threads: 1, ..ReadOptions::default() };
    let loaded = read_case_from_files_with(&files, &sequential);
    let chunk_bytes = 1 + (sel >> 4) as usize * 4;
    let stretched = read_case_from_files_with(&files, &ReadOptions { threads: 2, chunk_bytes, ..ReadOptions::default() });
    assert_eq!(view(&loaded), view(&stretched), "stretches of {chunk_bytes} bytes read differently");
    let case = &loaded.case;
    // Every diagnostic prints.
    for d in &loaded.diags.0 {
        let _ = d.to_string();
    }
    let inv = Inventory::build(case);
    let lots = Lots::build(case, &inv.order);
    let _ = inv.shortfalls(case);
    let _ = inv.per_entity();
    let mut roots: Vec<TraceRoot> = lots.numbered().take(4).map(TraceRoot::Lot).collect();
    roots.extend((0..case.entities.len().min(4) as u32).map(TraceRoot::Entity));
    for root in &roots {
        for dir in [Direction::Forward, Direction::Backward] {
            let t = trace(case, &lots, &inv.order, root, dir, 32);
            for h in &t.holders {
                let _ = h.unaccounted();
            }
        }
    }
});

/// What a reader decided, symbols resolved to their text.
fn view(l: &Loaded) -> String {
    let c = &l.case;
    let mut out: String = l.diags.0.iter().map(|d| format!("{d}\n")).collect();
    for ri in 0..c.records.len() as u32 {
        out.push_str(&c.record_line(ri));
        out.push('\n');
    }
    out
}
