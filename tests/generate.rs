//! `chiptrace generate` and `chiptrace eval`: determinism, a valid case,
//! truth that points at real records, every scheme type planted, units that
//! conserve outside the planted phantoms, and eval's JSON shape.

use crate::common::{TempDir, chiptrace_os, code, generate, stderr, stdout};
use chiptrace::generate::{DECOY_TYPES, SCHEME_TYPES, Truth};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    for name in ["entities.csv", "records.csv", "relations.csv", "truth.json"] {
        out.push((name.to_string(), std::fs::read(dir.join(name)).expect(name)));
    }
    let mut lists: Vec<_> = std::fs::read_dir(dir.join("lists")).expect("lists/").flatten().map(|e| e.path()).collect();
    lists.sort();
    for p in lists {
        out.push((p.display().to_string(), std::fs::read(&p).expect("list")));
    }
    out
}

fn truth(dir: &Path) -> Truth {
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).expect("truth.json")).expect("truth.json parses")
}

fn column(path: &Path, col: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let i = r.headers().expect("header").iter().position(|h| h == col).expect("column");
    r.records().map(|row| row.expect("row")[i].to_string()).collect()
}

#[test]
fn same_seed_same_bytes_different_seed_different() {
    let (a, b, c) = (TempDir::new("gen-a"), TempDir::new("gen-b"), TempDir::new("gen-c"));
    generate(a.path(), 3000, 7);
    generate(b.path(), 3000, 7);
    generate(c.path(), 3000, 8);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.len(), fb.len());
    for ((na, da), (_, db)) in fa.iter().zip(&fb) {
        assert!(da == db, "{na} differs between two runs with the same seed");
    }
    let rc = std::fs::read(c.path().join("records.csv")).expect("records.csv");
    assert_ne!(fa[1].1, rc, "seeds 7 and 8 gave the same records");
}

#[test]
fn generated_case_validates_and_truth_points_at_real_rows() {
    let dir = TempDir::new("gen-valid");
    generate(dir.path(), 2000, 42);
    let records = column(&dir.path().join("records.csv"), "id");
    assert_eq!(records.len(), 2000, "exactly --records records");
    let lotless = column(&dir.path().join("records.csv"), "lot").iter().filter(|l| l.is_empty()).count();
    let share = lotless as f64 / 2000.0;
    assert!((0.25..=0.55).contains(&share), "share of records without a lot: {share}");

    let o = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "validate failed:\n{out}{}", stderr(&o));
    assert!(!out.contains(": error:"), "{out}");

    let t = truth(dir.path());
    assert_eq!((t.seed, t.records), (42, 2000));
    let records: HashSet<String> = records.into_iter().collect();
    let entities: HashSet<String> = column(&dir.path().join("entities.csv"), "id").into_iter().collect();
    let lots: HashSet<String> = column(&dir.path().join("records.csv"), "lot").into_iter().collect();
    for p in t.schemes.iter().chain(&t.decoys) {
        assert!(entities.contains(&p.terminal), "{}: terminal {} is not an entity", p.id, p.terminal);
        assert!(!p.records.is_empty(), "{} has no records", p.id);
        for r in &p.records {
            assert!(records.contains(r), "{}: record {r} is not in records.csv", p.id);
        }
        if let Some(l) = &p.lot {
            assert!(lots.contains(l), "{}: lot {l} is on no record", p.id);
        }
    }
    let kinds: BTreeSet<&str> = t.schemes.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, SCHEME_TYPES.iter().copied().collect(), "every scheme type at N=2000");
    let decoys: BTreeSet<&str> = t.decoys.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(decoys, DECOY_TYPES.iter().copied().collect(), "every decoy type at N=2000");
}

/// Property: units conserve along every flow (nothing is sent on that did
/// not arrive), except in the planted `phantom_quantity` schemes, for several
/// seeds; the sub-leases of `sublease_front` lease out units leased in, which
/// the balance check counts as held.
#[test]
fn units_conserve_outside_phantom_schemes() {
    for seed in [1, 2, 3] {
        let dir = TempDir::new("gen-units");
        generate(dir.path(), 5000, seed);
        let t = truth(dir.path());
        let phantom: HashSet<&str> = t
            .schemes
            .iter()
            .filter(|s| s.kind == "phantom_quantity")
            .flat_map(|s| s.records.iter().map(String::as_str))
            .collect();
        let o = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
        let out = stdout(&o);
        let mut flagged = 0;
        for line in out.lines().filter(|l| l.contains(": warning:") && l.contains("held only")) {
            let id = line.split("in record `").nth(1).and_then(|s| s.split('`').next()).unwrap_or("");
            assert!(phantom.contains(id), "seed {seed}: shortfall outside a phantom scheme: {line}");
            flagged += 1;
        }
        let planted = t.schemes.iter().filter(|s| s.kind == "phantom_quantity").count();
        assert!(flagged >= planted, "seed {seed}: {planted} phantoms planted, {flagged} shortfalls reported");
    }
}

#[test]
fn tiny_and_empty_cases_are_valid() {
    for n in [0, 1, 7, 300] {
        let dir = TempDir::new("gen-tiny");
        generate(dir.path(), n, 5);
        assert_eq!(column(&dir.path().join("records.csv"), "id").len() as u64, n);
        let o = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
        assert_eq!(code(&o), 0, "N={n}: {}", stdout(&o));
    }
}

#[test]
fn eval_prints_spec_json() {
    let dir = TempDir::new("gen-eval");
    generate(dir.path(), 2000, 11);
    let truth_path = dir.path().join("truth.json");
    let o = chiptrace_os(&[
        "eval".as_ref(),
        dir.path().as_os_str(),
        "--truth".as_ref(),
        truth_path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "eval failed: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("eval prints JSON");
    for key in ["precision", "recall"] {
        let x = v[key].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    }
    assert!(v["missed"].is_array() && v["unmatched"].is_array());
    assert!(v["unmatched"].as_array().map_or(0, Vec::len) <= 20);
    let t = truth(dir.path());
    for kind in SCHEME_TYPES {
        let s = &v["by_scheme"][kind];
        let planted = t.schemes.iter().filter(|p| p.kind == *kind).count() as u64;
        assert_eq!(s["planted"].as_u64(), Some(planted), "{kind}");
        assert!(s["found"].as_u64().is_some_and(|f| f <= planted), "{kind}");
        assert!(s["precision"].is_number() && s["recall"].is_number(), "{kind}");
    }
    let found = v["by_scheme"].as_object().map_or(0, |m| m.values().filter_map(|s| s["found"].as_u64()).sum::<u64>());
    assert_eq!(v["missed"].as_array().map_or(0, Vec::len) as u64, t.schemes.len() as u64 - found);
    // Bands: high is a subset of medium+, so it has no more positives and finds no more schemes;
    // medium+ is what the top-level figures count at the default threshold.
    let (high, medium) = (&v["bands"]["high"], &v["bands"]["medium+"]);
    assert!(high["positives"].as_u64() <= medium["positives"].as_u64(), "{v}");
    assert!(high["found"].as_u64() <= medium["found"].as_u64(), "{v}");
    assert_eq!(medium["recall"], v["recall"]);
    assert_eq!(medium["precision"], v["precision"]);
    assert_eq!(v["benign_high"], high["benign_terminals"]);
    for kind in SCHEME_TYPES {
        let s = &v["by_scheme"][kind];
        assert!(s["found_high"].as_u64() <= s["found"].as_u64(), "{kind}");
    }

    let bad = chiptrace_os(&["eval".as_ref(), dir.path().as_os_str(), "--truth".as_ref(), "no/such.json".as_ref()]);
    assert_eq!(code(&bad), 2, "a missing truth file is bad input");
}

/// Eval on a generated case with findings made by hand: one per scheme at its
/// terminal along its records finds everything; one more on a decoy is the
/// only false positive and is named as such.
#[test]
fn eval_matches_hand_made_findings_on_a_generated_case() {
    use chiptrace::eval::{EvalConfig, evaluate};
    use chiptrace::read::{ReadOptions, read_case};
    use chiptrace::scan::{Finding, Severity};

    let dir = TempDir::new("gen-eval-hand");
    generate(dir.path(), 2000, 3);
    let t = truth(dir.path());
    let loaded = read_case(dir.path(), &ReadOptions::default()).expect("case reads");
    let case = &loaded.case;
    let index: std::collections::HashMap<&str, u32> =
        case.records.iter().enumerate().map(|(i, r)| (case.s(r.id), i as u32)).collect();
    let finding = |id: String, p: &chiptrace::generate::Planted| Finding {
        id,
        score: 0.9,
        severity: Severity::High,
        kind: chiptrace::scan::FindingKind::Route,
        terminal: case.entity_by_key(&p.terminal).expect("terminal"),
        product: case.records[index[p.records[0].as_str()] as usize].product,
        quantity: 1,
        lot: None,
        inferred: true,
        plausibility: 1.0,
        path: p.records.iter().map(|r| index[r.as_str()]).collect(),
        flags: vec![],
    };
    let mut findings: Vec<Finding> = t.schemes.iter().enumerate().map(|(i, p)| finding(format!("F-{i}"), p)).collect();
    let e = evaluate(case, &t, &findings, &EvalConfig::default());
    assert!(e.unresolved.is_empty(), "{:?}", e.unresolved);
    assert_eq!((e.precision, e.recall, e.found, e.planted), (1.0, 1.0, t.schemes.len(), t.schemes.len()));
    assert!(e.missed.is_empty() && e.unmatched.is_empty());

    findings.push(finding("F-decoy".into(), &t.decoys[0]));
    let e = evaluate(case, &t, &findings, &EvalConfig::default());
    assert_eq!(e.positives, t.schemes.len() + 1);
    assert!(e.precision < 1.0 && e.recall == 1.0);
    assert_eq!(e.unmatched.len(), 1);
    assert_eq!(e.unmatched[0].decoy.as_deref(), Some(t.decoys[0].id.as_str()));
}
