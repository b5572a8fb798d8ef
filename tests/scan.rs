//! `chiptrace scan` as users and scripts rely on it (docs/spec.md §2-§3): the same
//! bytes whatever the thread count, stable finding ids, the JSON shape, the
//! filters and `--fail-on` exit codes, JSON lines and spreadsheet-safe CSV;
//! benign trade that never reaches `medium`; and, on the library, property
//! tests that the parallel scan agrees with its sequential twin and that one
//! more flag never lowers a score.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, generate, stderr, stdout};
use chiptrace::model::{Country, ListEntry};
use chiptrace::policy::Policy;
use chiptrace::scan::{Flag, ScanConfig, entity_score, scan, score};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;

/// Runs `chiptrace scan DIR ARGS..`; returns (exit code, stdout bytes).
fn run_scan(dir: &Path, args: &[&str]) -> (i32, Vec<u8>) {
    let mut all: Vec<&OsStr> = vec!["scan".as_ref(), dir.as_os_str()];
    all.extend(args.iter().map(|a| OsStr::new(*a)));
    let out = chiptrace_os(&all);
    assert!(matches!(code(&out), 0 | 1), "scan {} {args:?}: exit {}: {}", dir.display(), code(&out), stderr(&out));
    (code(&out), out.stdout)
}

/// `scan DIR --format json ARGS..`, parsed.
fn scan_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (_, bytes) = run_scan(dir, &all);
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("`findings` is an array")
}

fn ids(report: &Value) -> Vec<String> {
    findings(report).iter().map(|f| f["id"].as_str().expect("id is a string").to_string()).collect()
}

fn severities(report: &Value) -> Vec<String> {
    findings(report).iter().map(|f| f["severity"].as_str().expect("severity is a string").to_string()).collect()
}

/// JSON output of `--threads 1` and each of `others`, byte for byte.
fn assert_same_bytes_for_thread_counts(dir: &Path, others: &[&str]) -> Value {
    let (_, one) = run_scan(dir, &["--format", "json", "--threads", "1"]);
    for &threads in others {
        let (_, many) = run_scan(dir, &["--format", "json", "--threads", threads]);
        assert!(one == many, "{}: --threads 1 and --threads {threads} print different JSON", dir.display());
    }
    serde_json::from_slice(&one).expect("JSON")
}

#[test]
fn threads_do_not_change_a_byte_on_the_demo() {
    let report = assert_same_bytes_for_thread_counts(&fixture("demo"), &["2", "4", "0"]);
    assert!(findings(&report).len() >= 5, "the demo has findings to compare");
}

#[test]
fn threads_do_not_change_a_byte_on_generated_worlds() {
    for (records, seed) in [(5000, 7), (2000, 11)] {
        let dir = TempDir::new("scan-threads");
        generate(dir.path(), records, seed);
        let report = assert_same_bytes_for_thread_counts(dir.path(), &["4"]);
        assert!(findings(&report).len() > 10, "seed {seed}: a generated world has planted schemes to find");
        assert_eq!(report["stats"]["records"], records, "seed {seed}: every generated record is read");
    }
}

#[test]
fn finding_ids_are_stable_across_runs_and_folders() {
    let first = scan_json(&fixture("demo"), &[]);
    let again = scan_json(&fixture("demo"), &[]);
    assert_eq!(ids(&first), ids(&again));
    // The same files in another folder: ids depend on the data, not on where it lies.
    let copy = TempDir::new("scan-ids");
    for name in ["entities.csv", "records.csv", "relations.csv", "lists/demo_entity_list.csv"] {
        copy.write(name, std::fs::read(fixture("demo").join(name)).expect(name));
    }
    let moved = scan_json(copy.path(), &[]);
    assert_eq!(ids(&first), ids(&moved));
    let unique: BTreeSet<String> = ids(&first).into_iter().collect();
    assert_eq!(unique.len(), findings(&first).len(), "finding ids are unique: {:?}", ids(&first));
}

/// Keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().map(String::as_str).collect()
}

/// `the contract's (docs/spec.md) keys` plus the extensions this implementation documents.
fn assert_keys(v: &Value, spec: &[&str], extra: &[&str], what: &str) {
    let got = keys(v);
    let missing: Vec<_> = spec.iter().filter(|k| !got.contains(*k)).collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {v}");
    let known: BTreeSet<&str> = spec.iter().chain(extra).copied().collect();
    let unknown: Vec<_> = got.difference(&known).collect();
    assert!(unknown.is_empty(), "{what} has keys outside docs/spec.md §3 and the documented extensions: {unknown:?}");
}

#[test]
fn json_has_the_shape_of_spec_sections_3_and_5_1() {
    let report = scan_json(&fixture("demo"), &[]);
    assert_keys(
        &report,
        &["case", "findings", "stats", "schema_version", "chiptrace_version", "dataset", "policy_sha256", "warnings"],
        &[],
        "the report",
    );
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["chiptrace_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report["case"], fixture("demo").display().to_string(), "`case` is the folder as given");
    // The dataset names every file read with its hash and rows.
    let files = report["dataset"]["files"].as_array().expect("dataset.files is an array");
    let by_path = |p: &str| files.iter().find(|f| f["path"] == p).unwrap_or_else(|| panic!("no {p} in {files:?}"));
    assert_eq!(by_path("records.csv")["rows"], 28);
    assert_eq!(by_path("entities.csv")["rows"], 23);
    assert_eq!(by_path("relations.csv")["rows"], 6);
    assert!(by_path("lists/demo_entity_list.csv")["rows"].as_u64().is_some_and(|n| n > 0));
    for f in files {
        assert_keys(f, &["path", "sha256", "rows"], &[], "a dataset file");
        assert_eq!(f["sha256"].as_str().map(str::len), Some(64), "{f}");
    }
    assert_eq!(report["policy_sha256"].as_str().map(str::len), Some(64));
    assert_keys(&report["warnings"], &["count", "diagnostics", "notes"], &[], "warnings");
    assert_eq!(report["warnings"]["notes"], serde_json::json!([]), "the demo has lists: nothing to warn of");
    let stats = &report["stats"];
    assert_keys(
        stats,
        &["records", "entities", "routes_examined", "truncated"],
        &["findings_total", "records_unknown_product", "screening"],
        "stats",
    );
    assert_eq!(stats["records_unknown_product"], 0, "every demo product is in the product table");
    assert_eq!(stats["records"], 28);
    assert_eq!(stats["entities"], 23);
    assert!(stats["routes_examined"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(stats["truncated"], false);
    let rules: BTreeSet<&str> = chiptrace::rules::rule_ids().into_iter().collect();
    let entities: BTreeSet<String> = column_of(&fixture("demo/entities.csv"), "id");
    let records: BTreeSet<String> = column_of(&fixture("demo/records.csv"), "id");
    let mut last_score = f64::INFINITY;
    let mut kinds = BTreeSet::new();
    for f in findings(&report) {
        let kind = f["kind"].as_str().expect("a finding has a kind");
        kinds.insert(kind.to_string());
        let whom = match kind {
            "route" => {
                assert_keys(
                    f,
                    &[
                        "id", "kind", "score", "severity", "terminal", "product", "quantity", "lot", "inferred",
                        "path", "flags",
                    ],
                    &["plausibility", "inferred_reason", "inferred_links"],
                    "a route finding",
                );
                // An inferred route says why (an extension), a route followed by lot does not.
                let inferred = f["inferred"] == true;
                assert_eq!(f["inferred_reason"].is_string(), inferred, "{f:#}");
                assert_eq!(f["inferred_links"].is_array(), inferred, "{f:#}");
                assert!(f["lot"].is_string() || f["lot"].is_null());
                assert!(f["inferred"].is_boolean());
                let path = f["path"].as_array().unwrap();
                assert!(!path.is_empty());
                for step in path {
                    assert_keys(step, &["record", "kind", "from", "to", "date", "quantity"], &["lot"], "a path step");
                    for k in ["record", "from", "to", "date"] {
                        assert!(step[k].is_string(), "{k} in {step}");
                    }
                    assert!(["sale", "shipment", "install", "lease"].contains(&step["kind"].as_str().unwrap()));
                    assert!(step["quantity"].as_u64().is_some_and(|q| q > 0));
                }
                &f["terminal"]
            }
            "entity" => {
                assert_keys(
                    f,
                    &["id", "kind", "score", "severity", "subject", "product", "quantity", "records", "flags"],
                    &[],
                    "an entity finding",
                );
                let recs = strs(&f["records"]);
                assert!(!recs.is_empty(), "an entity finding cites records: {f}");
                assert!(recs.iter().all(|r| records.contains(*r)), "{recs:?}");
                // Every flag of an entity finding is about its subject.
                for flag in f["flags"].as_array().unwrap() {
                    assert_eq!(flag["subject"], f["subject"]["id"], "{flag}");
                }
                &f["subject"]
            }
            other => panic!("kind {other}"),
        };
        let id = f["id"].as_str().unwrap();
        assert!(id.starts_with("F-") && id.len() > 2, "id {id}");
        let score = f["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "score {score}");
        assert!(score <= last_score, "findings are ranked by score");
        last_score = score;
        assert!(["high", "medium", "low"].contains(&f["severity"].as_str().unwrap()));
        assert_keys(whom, &["id", "name", "country"], &["kind"], "terminal or subject");
        assert!(whom["id"].is_string() && whom["name"].is_string());
        assert_eq!(whom["country"].as_str().map(str::len), Some(2), "alpha-2 country");
        assert!(f["product"].is_string());
        assert!(f["quantity"].as_u64().is_some_and(|q| q > 0));
        let flags = f["flags"].as_array().unwrap();
        assert!(!flags.is_empty(), "a finding has at least one flag");
        for flag in flags {
            assert_keys(flag, &["rule", "subject", "detail", "evidence"], &["weight"], "a flag");
            assert!(rules.contains(flag["rule"].as_str().unwrap()), "{flag}");
            assert!(entities.contains(flag["subject"].as_str().unwrap()), "{flag}");
            assert!(!flag["detail"].as_str().unwrap().is_empty());
            let ev = flag["evidence"].as_array().unwrap();
            assert!(!ev.is_empty() && ev.iter().all(Value::is_string), "{flag}");
        }
    }
    assert_eq!(kinds, ["entity", "route"].map(String::from).into(), "the demo has findings of both kinds");
}

/// A case without lists says that listing rules cannot fire.
#[test]
fn warnings_say_when_there_are_no_lists() {
    let report = scan_json(&fixture("benign"), &[]);
    let notes = strs(&report["warnings"]["notes"]);
    assert!(notes.iter().any(|n| n.contains("no screening lists")), "{notes:?}");
    assert!(report["warnings"]["count"].as_u64().is_some_and(|c| c >= 1));
    let table = chiptrace(&["scan", "fixtures/benign"]);
    assert!(stdout(&table).contains("note: no screening lists"), "{}", stdout(&table));
}

/// Records of products the table does not know are counted in `warnings`,
/// with the reader's warning per record counted as a diagnostic.
#[test]
fn warnings_count_unknown_products_and_diagnostics() {
    let dir = TempDir::new("scan-warnings");
    dir.write(
        "entities.csv",
        "id,name,kind,country\nVS,Veridian Semiconductor Inc.,manufacturer,US\nBJU,Beijing User Co. Ltd.,end_user,CN\n",
    );
    dir.write(
        "records.csv",
        "id,date,kind,from,to,product,quantity\n\
         R1,2024-03-01,sale,VS,BJU,Quantum Widget 9000,10\n\
         R2,2024-03-02,sale,VS,BJU,Quantum Widget 9000,5\n\
         R3,2024-03-03,sale,VS,BJU,H100,8\n",
    );
    let report = scan_json(dir.path(), &[]);
    let notes = strs(&report["warnings"]["notes"]);
    assert!(
        notes.iter().any(|n| n.starts_with("2 records of products that are not known")),
        "the two unknown records are counted: {notes:?}"
    );
    let diagnostics = report["warnings"]["diagnostics"].as_u64().unwrap();
    assert!(diagnostics >= 2, "one reader warning per unknown record: {}", report["warnings"]);
    assert_eq!(report["warnings"]["count"].as_u64().unwrap(), diagnostics + notes.len() as u64);
    // The H100 still reaches Beijing and is judged (a controlled product in a
    // country of concern, nothing more known: medium).
    assert!(findings(&report).iter().any(|f| f["terminal"]["id"] == "BJU" && f["severity"] == "medium"));
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// Values of `column` in a CSV file.
fn column_of(path: &Path, column: &str) -> BTreeSet<String> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let i = r.headers().unwrap().iter().position(|h| h == column).unwrap();
    r.records().map(|row| row.unwrap()[i].to_string()).collect()
}

#[test]
fn min_severity_and_top_filter_the_ranked_findings() {
    // A case with findings of all three severities. (The demo had one low
    // finding, HCS's hub passage, until a lessor that leases to a listed
    // party was flagged: HCS leased to the listed ZYC, so it is medium now.)
    let demo = fixture("investigator/mekong_shells_sublease");
    let all = scan_json(&demo, &[]);
    let sev = severities(&all);
    for s in ["high", "medium", "low"] {
        assert!(sev.iter().any(|x| x == s), "the demo has a {s} finding to filter: {sev:?}");
    }
    let high = scan_json(&demo, &["--min-severity", "high"]);
    assert!(severities(&high).iter().all(|s| s == "high"));
    assert_eq!(severities(&high).len(), sev.iter().filter(|s| *s == "high").count());
    let medium = scan_json(&demo, &["--min-severity", "medium"]);
    assert_eq!(severities(&medium).len(), sev.iter().filter(|s| *s != "low").count());
    assert!(!severities(&medium).contains(&"low".to_string()));
    // --top keeps the highest scores, in rank order.
    let top = scan_json(&demo, &["--top", "2"]);
    assert_eq!(ids(&top), ids(&all)[..2]);
    let both = scan_json(&demo, &["--top", "1", "--min-severity", "medium"]);
    assert_eq!(ids(&both), ids(&all)[..1]);
    assert_eq!(ids(&scan_json(&demo, &["--top", "0"])).len(), 0);
    // The total before filtering is still reported.
    assert_eq!(top["stats"]["findings_total"], findings(&all).len());
}

#[test]
fn the_demo_lessor_of_a_listed_lab_is_flagged_itself() {
    // HCS leased 300 H100 to ZYC, on the Entity List since 2023-10-17, in
    // March and June 2024: its own finding says so, citing each lease and
    // the entry. SCA leased to LXT in May 2024, before LXT's listing of
    // 2024-09-01: no such flag about SCA (the near miss).
    let all = scan_json(&fixture("demo"), &[]);
    let about = |id: &str| -> Vec<&Value> {
        findings(&all)
            .iter()
            .flat_map(|f| f["flags"].as_array().unwrap())
            .filter(|x| x["rule"] == "remote_access" && x["subject"] == id)
            .collect()
    };
    let hcs = findings(&all).iter().find(|f| f["kind"] == "entity" && f["subject"]["id"] == "HCS").unwrap();
    assert_eq!(hcs["severity"], "medium", "{hcs:#}");
    let leases: BTreeSet<&str> = about("HCS")
        .iter()
        .inspect(|x| {
            let d = x["detail"].as_str().unwrap();
            assert!(d.starts_with("the lessor HCS") && d.contains("on entity_list since 2023-10-17"), "{d}");
            assert!(strs(&x["evidence"]).contains(&"list:entity_list:2"), "{x:#}");
        })
        .flat_map(|x| strs(&x["evidence"]))
        .filter(|e| e.starts_with('R'))
        .collect();
    assert_eq!(leases, BTreeSet::from(["R08", "R28"]));
    assert!(about("SCA").is_empty(), "{:#?}", about("SCA"));
}

#[test]
fn fail_on_exits_1_only_when_given_and_met() {
    let demo = fixture("demo");
    let low_only = fixture("rules/rapid_resale/fires");
    let sev = severities(&scan_json(&low_only, &[]));
    assert!(!sev.is_empty() && sev.iter().all(|s| s == "low"), "the fixture has only low findings: {sev:?}");
    let exit = |dir: &Path, args: &[&str]| run_scan(dir, args).0;
    assert_eq!(exit(&demo, &[]), 0, "high findings alone do not fail a scan");
    assert_eq!(exit(&demo, &["--fail-on", "high"]), 1);
    assert_eq!(exit(&demo, &["--fail-on", "low", "--format", "json"]), 1);
    assert_eq!(exit(&low_only, &["--fail-on", "low"]), 1);
    assert_eq!(exit(&low_only, &["--fail-on", "medium"]), 0);
    assert_eq!(exit(&low_only, &["--fail-on", "high"]), 0);
    assert_eq!(exit(&fixture("benign"), &["--fail-on", "medium"]), 0);
    // A bad value is a usage error, not a finding.
    let o = chiptrace(&["scan", "fixtures/demo", "--fail-on", "severe"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn jsonl_prints_one_finding_a_line_as_in_json() {
    let demo = fixture("demo");
    let report = scan_json(&demo, &[]);
    let (_, bytes) = run_scan(&demo, &["--format", "jsonl"]);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(&lines, findings(&report));
}

#[test]
fn csv_has_a_row_a_finding_and_no_cell_a_spreadsheet_would_run() {
    let demo = fixture("demo");
    let report = scan_json(&demo, &[]);
    let (_, bytes) = run_scan(&demo, &["--format", "csv"]);
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    for col in ["id", "score", "severity", "terminal", "product", "quantity", "lot", "rules"] {
        assert!(header.contains(&col.to_string()), "CSV header lacks {col}: {header:?}");
    }
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let csv_ids: Vec<&str> = rows.iter().map(|row| &row[col("id")]).collect();
    assert_eq!(csv_ids, ids(&report));

    // A case whose names, ids and lots start with formula characters.
    let dir = TempDir::new("scan-csv");
    dir.write(
        "entities.csv",
        "id,name,kind,country\n\
         VS,Veridian Semiconductor Inc.,manufacturer,US\n\
         @AED,+Atlas Distribution,distributor,US\n\
         -T,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",end_user,CN\n",
    );
    dir.write(
        "records.csv",
        "id,date,kind,from,to,product,quantity,lot\n\
         =R1,2024-01-10,sale,VS,@AED,H100,10,-L1\n\
         +R2,2024-03-01,sale,@AED,-T,H100,10,-L1\n",
    );
    let (_, bytes) = run_scan(dir.path(), &["--format", "csv"]);
    let text = String::from_utf8(bytes).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "one finding: {text}");
    for cell in rows[0].iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "cell `{cell}` would run as a formula:\n{text}");
    }
    let row = &rows[0];
    assert_eq!(&row[col("terminal")], "'-T");
    assert_eq!(&row[col("lot")], "'-L1");
    assert!(row.iter().any(|c| c.starts_with("'=HYPERLINK")), "the name is kept, escaped: {text}");
}

#[test]
fn benign_trade_never_reaches_medium() {
    let report = scan_json(&fixture("benign"), &[]);
    assert_eq!(report["stats"]["records"], 9, "every benign record is read");
    let above: Vec<&Value> = findings(&report).iter().filter(|f| f["severity"] != "low").collect();
    assert!(above.is_empty(), "benign trade reported above low: {above:#?}");
    // Nor does any benign route touch a country, listing or remote-access rule.
    for f in findings(&report) {
        for flag in f["flags"].as_array().unwrap() {
            let rule = flag["rule"].as_str().unwrap();
            assert!(
                !["listed_party", "listed_affiliate", "country_of_concern", "remote_access"].contains(&rule),
                "{rule} on benign trade: {flag}"
            );
        }
    }
    let table = chiptrace(&["scan", "fixtures/benign"]);
    assert_eq!(code(&table), 0, "{}", stderr(&table));
    assert!(stdout(&table).contains("9 records"));
}

// ---- Properties on the library -------------------------------------------

const COUNTRIES: &[&str] = &["US", "JP", "DE", "SG", "MY", "AE", "CN", "HK", "RU"];
const KINDS: &[&str] = &["distributor", "reseller", "data_centre", "cloud", "end_user", "logistics"];
const PRODUCTS: &[&str] = &["H100", "A100", "H20", "RTX4090"];
const RECORD_KINDS: &[&str] = &["sale", "sale", "sale", "shipment", "install", "lease"];
const PAYMENTS: &[&str] = &["wire", "wire", "crypto", ""];

/// A small random world: one maker, up to 24 companies, up to 240 records
/// (enough terminal steps for the parallel search to split its work), some
/// ownership and directors, and a list naming a few companies.
#[derive(Debug, Clone)]
struct World {
    entities: String,
    records: String,
    relations: String,
    listed: Vec<usize>,
}

fn world() -> impl Strategy<Value = World> {
    let entity = (0..KINDS.len(), 0..COUNTRIES.len(), 0u32..4000, 0u8..6);
    let record = (
        0..RECORD_KINDS.len(),
        0usize..25,
        0usize..25,
        0..PRODUCTS.len(),
        1u32..400,
        0u32..700,
        0u8..8,
        0..PAYMENTS.len(),
        0u8..6,
    );
    let relation = (0u8..3, 0usize..25, 0usize..25, 1u32..101);
    (
        prop::collection::vec(entity, 4..24),
        prop::collection::vec(record, 1..240),
        prop::collection::vec(relation, 0..12),
        prop::collection::vec(0usize..24, 0..4),
    )
        .prop_map(|(ents, recs, rels, listed)| {
            let n = ents.len() + 1; // entity 0 is the maker
            let mut entities = String::from(
                "id,name,kind,country,incorporated,address\nE0,Maker Zero Inc.,manufacturer,US,1990-01-01,\n",
            );
            for (i, (k, c, age, addr)) in ents.iter().enumerate() {
                let inc = chiptrace::model::Timestamp(1_704_067_200 - (*age as i64) * 86_400);
                // A few shared addresses make shell indicators fire now and then.
                let address = if *addr == 0 { "1 Shared Road".to_string() } else { format!("{} Own Street", i + 1) };
                entities.push_str(&format!(
                    "E{},Company {} Quoll{} Ltd,{},{},{},{}\n",
                    i + 1,
                    i + 1,
                    i + 1,
                    KINDS[*k],
                    COUNTRIES[*c],
                    inc,
                    address
                ));
            }
            let mut records = String::from("id,date,kind,from,to,product,quantity,lot,payment,declared_end_user\n");
            for (i, (k, from, to, p, q, day, lot, pay, decl)) in recs.iter().enumerate() {
                let (mut from, to) = (from % n, to % n);
                if from == to {
                    from = (from + 1) % n;
                }
                let date = chiptrace::model::Timestamp(1_704_067_200 + (*day as i64) * 86_400);
                let lot = if *lot < 3 { format!("L{lot}") } else { String::new() };
                let declared = if *decl == 0 { format!("E{}", (to + 1) % n) } else { String::new() };
                records.push_str(&format!(
                    "R{i},{date},{},E{from},E{to},{},{q},{lot},{},{declared}\n",
                    RECORD_KINDS[*k], PRODUCTS[*p], PAYMENTS[*pay]
                ));
            }
            let mut relations = String::from("kind,from,to,share\n");
            for (k, from, to, share) in rels {
                let (from, to) = (1 + from % (n - 1), 1 + to % (n - 1));
                if from == to {
                    continue;
                }
                match k {
                    0 | 1 => relations.push_str(&format!("owns,E{from},E{to},{share}\n")),
                    _ => relations.push_str(&format!("director,E{from},E{to},\n")),
                }
            }
            let listed = listed.into_iter().map(|i| 1 + i % (n - 1)).collect();
            World { entities, records, relations, listed }
        })
}

/// The world with lot `L1` split from `L0` and `L2` from `L1` (when
/// `split`), and its records put on `days` days only (when not 0), so that
/// many records share a day.
fn reshaped(w: &World, split: bool, days: usize) -> World {
    let mut w = w.clone();
    let mut out = String::new();
    for (i, line) in w.records.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if i == 0 {
            if split {
                cells.push("parent_lot".into());
            }
        } else {
            if days > 0 {
                let day = (i % days) as i64;
                cells[1] = chiptrace::model::Timestamp(1_704_067_200 + day * 86_400).to_string();
            }
            if split {
                cells.push(
                    match cells[7].as_str() {
                        "L1" => "L0",
                        "L2" => "L1",
                        _ => "",
                    }
                    .into(),
                );
            }
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    w.records = out;
    w
}

/// Reads a world and adds list entries naming its listed companies.
fn load(w: &World) -> chiptrace::read::Loaded {
    let files: [(&str, &[u8]); 3] = [
        ("entities.csv", w.entities.as_bytes()),
        ("records.csv", w.records.as_bytes()),
        ("relations.csv", w.relations.as_bytes()),
    ];
    let mut loaded = chiptrace::read::read_case_from_files(&files);
    for (n, &i) in w.listed.iter().enumerate() {
        loaded.case.lists.push(ListEntry {
            list: "entity_list".into(),
            list_name: "Entity List".into(),
            entry_id: n.to_string(),
            name: format!("Company {i} Quoll{i} Ltd"),
            aliases: vec![],
            countries: vec![Country::from_code(b"CN")],
            programs: vec![],
            since: None,
            file: "lists/test.csv".into(),
            line: n as u64 + 2,
        });
    }
    loaded
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The parallel scan is the sequential one, finding for finding, byte for byte.
    #[test]
    fn parallel_scan_agrees_with_sequential(w in world()) {
        let loaded = load(&w);
        let (case, policy) = (&loaded.case, &loaded.policy);
        let one = scan(case, policy, &ScanConfig { threads: 1, ..Default::default() });
        let four = scan(case, policy, &ScanConfig { threads: 4, ..Default::default() });
        prop_assert_eq!(one.to_json(case).to_string(), four.to_json(case).to_string());
        prop_assert_eq!(one.stats.routes_examined, four.stats.routes_examined);
    }

    /// The balance check walked holder by holder (on the pool and on one
    /// thread) finds the shortfalls of the one pass over the case in time
    /// order, message for message, also with split lots and many records on
    /// one day (receipts of a day count before its sends).
    #[test]
    fn shortfalls_by_holder_agree_with_the_time_ordered_pass(w in world(), split in any::<bool>(), days in 0usize..6) {
        use chiptrace::analysis::inventory::Inventory;
        use chiptrace::graph::Adjacency;
        let loaded = load(&reshaped(&w, split, days));
        let case = &loaded.case;
        let inv = Inventory::build_with(case, false);
        let adj = Adjacency::build(case, &inv.order);
        let want = format!("{:?}", inv.shortfalls(case));
        for parallel in [false, true] {
            let got = format!("{:?}", inv.shortfalls_by_holder(case, Some(&adj), parallel));
            prop_assert_eq!(&want, &got);
            let got = format!("{:?}", inv.shortfalls_by_holder(case, None, parallel));
            prop_assert_eq!(&want, &got);
        }
    }

    /// The index stage built side by side on the pool is the one built in
    /// sequence (`--threads 1`): the time order, holdings, adjacency and
    /// every table of the rules' context.
    #[test]
    fn parallel_index_agrees_with_sequential(w in world(), split in any::<bool>(), days in 0usize..6) {
        use chiptrace::analysis::inventory::Inventory;
        use chiptrace::scan::Prepared;
        let loaded = load(&reshaped(&w, split, days));
        let (case, policy) = (&loaded.case, &loaded.policy);
        let sorted = |v: Vec<String>| { let mut v = v; v.sort(); v };
        let tables = |inv: &Inventory, prep: &Prepared| -> Vec<String> {
            let c = &prep.ctx;
            let e = case.entities.len() as u32;
            vec![
                format!("{:?}", inv.order),
                format!("{:?}", sorted(inv.by_product.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?}", (0..e).map(|i| (prep.adj.inn(i).to_vec(), prep.adj.out(i).to_vec(), prep.adj.inn_columns(i).dates.to_vec(), prep.adj.inn_columns(i).goods.to_vec(), prep.adj.inn_columns(i).quantity.to_vec())).collect::<Vec<_>>()),
                format!("{:?}", c.hits.iter().map(|h| h.iter().map(|x| (x.entry, x.score, &x.matched_name, &x.listed_name, &x.method)).collect::<Vec<_>>()).collect::<Vec<_>>()),
                format!("{:?}", sorted(c.shortfalls.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?} {:?} {:?} {:?}", c.activity, c.first_trade, c.nth_trade, c.placements),
                format!("{:?}", sorted(c.by_address.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?}", (0..e).map(|i| c.same_address(i).map(<[u32]>::to_vec)).collect::<Vec<_>>()),
                format!("{:?}", sorted(c.controlled_products.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?}", sorted(c.undeployed.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?}", sorted(c.undeployed_sites.iter().map(|x| format!("{x:?}")).collect())),
                format!("{:?} {:?}", c.last_date, c.screening),
            ]
        };
        let inv1 = Inventory::build_with(case, false);
        let one = tables(&inv1, &Prepared::build(case, policy, &inv1, false));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let many = pool.install(|| {
            let inv = Inventory::build_with(case, true);
            tables(&inv, &Prepared::build(case, policy, &inv, true))
        });
        prop_assert_eq!(one, many);
    }

    /// The streamed scan (steps sorted by group, each block searched, judged
    /// and dropped) gives the report of the staged pipeline the cluster runs
    /// (every route searched, then grouped, then judged), byte for byte, on
    /// one thread and on four.
    #[test]
    fn streamed_judgement_agrees_with_the_staged_pipeline(w in world()) {
        use chiptrace::analysis::{inventory::Inventory, routes};
        use chiptrace::scan::{Prepared, finish, judge, search, search_stats};
        let loaded = load(&w);
        let (case, policy) = (&loaded.case, &loaded.policy);
        let inv = Inventory::build(case);
        let prep = Prepared::new(case, policy, &inv);
        let steps = prep.terminal_steps();
        let staged = {
            let config = ScanConfig { threads: 1, ..Default::default() };
            let found = search(&prep, &steps, &config);
            let searched = search_stats(&found);
            finish(&prep, judge(&prep, &routes::group(found), false), searched)
        };
        for threads in [1, 4] {
            let streamed = scan(case, policy, &ScanConfig { threads, ..Default::default() });
            prop_assert_eq!(staged.to_json(case).to_string(), streamed.to_json(case).to_string());
            prop_assert_eq!(staged.stats.routes_examined, streamed.stats.routes_examined);
        }
    }

    /// One more flag never lowers a score, whether it is about the terminal
    /// or someone else, and scores stay within 0..1; flags about others alone
    /// never reach medium.
    #[test]
    fn one_more_flag_never_lowers_a_score(
        picks in prop::collection::vec((0usize..15, any::<bool>(), prop::option::of(0.0f64..=1.0)), 0..14),
        extra in (0usize..15, any::<bool>(), prop::option::of(0.0f64..=1.0)),
    ) {
        let rules = chiptrace::rules::rule_ids();
        let policy = Policy::default();
        // Entity 0 is the terminal; entity 1 someone else on the route.
        let flag = |(i, about_terminal, w): (usize, bool, Option<f64>)| {
            let f = Flag::new(rules[i % rules.len()], u32::from(!about_terminal), String::new(), vec![]);
            match w { Some(w) => f.weighted(w), None => f }
        };
        let mut flags: Vec<Flag> = picks.iter().map(|&p| flag(p)).collect();
        let before = score(&policy, &flags, 0);
        flags.push(flag(extra));
        let after = score(&policy, &flags, 0);
        prop_assert!((0.0..=1.0).contains(&before) && (0.0..=1.0).contains(&after));
        prop_assert!(after >= before, "{before} -> {after} adding {:?}", extra);
        let others: Vec<Flag> = flags.iter().filter(|f| f.subject != 0).cloned().collect();
        prop_assert!(score(&policy, &others, 0) < policy.severity_medium, "others alone: {others:?}");
        // A rule not yet present about the terminal raises the score whenever it has weight and the rest do not already make it 1.
        let (i, about_terminal, w) = extra;
        let rule = rules[i % rules.len()];
        let new_family = !chiptrace::scan::HANDOFF_FAMILY.contains(&rule)
            && !picks.iter().any(|&(p, t, _)| t && rules[p % rules.len()] == rule);
        if about_terminal && new_family && w.is_none_or(|w| w > 0.0) && before < 0.999 {
            prop_assert!(after > before, "{before} -> {after} adding {rule}");
        }
    }
}

proptest! {
    /// Signs of concealment alone never make an entity finding high (a new
    /// trader whose units all went to allied installs shows every sign and
    /// fed no restricted destination), and one more flag never lowers an
    /// entity's score.
    #[test]
    fn signs_alone_keep_an_entity_below_high(
        picks in prop::collection::vec((0usize..15, prop::option::of(0.0f64..=1.0)), 0..14),
        extra in (0usize..15, prop::option::of(0.0f64..=1.0)),
    ) {
        let rules = chiptrace::rules::rule_ids();
        let policy = Policy::default();
        let flag = |(i, w): (usize, Option<f64>)| {
            let f = Flag::new(rules[i % rules.len()], 0, String::new(), vec![]);
            match w { Some(w) => f.weighted(w), None => f }
        };
        let mut flags: Vec<Flag> = picks.iter().map(|&p| flag(p)).collect();
        let before = entity_score(&policy, &flags);
        flags.push(flag(extra));
        let after = entity_score(&policy, &flags);
        prop_assert!(after >= before, "{before} -> {after}");
        let signs: Vec<Flag> = flags.iter().filter(|f| chiptrace::scan::is_sign(f)).cloned().collect();
        prop_assert!(entity_score(&policy, &signs) < policy.severity_high, "{signs:?}");
    }
}

#[test]
fn a_party_is_high_for_what_it_is_not_for_signs_alone() {
    let policy = Policy::default();
    let about = |rule| Flag::new(rule, 0, String::new(), vec![]);
    // sg_newco_trader_lawful's trader: a director in Hong Kong, paperwork
    // naming itself, ten weeks old, 7-day resales through Singapore.
    let signs = [about("control_ties"), about("end_user_mismatch"), about("shell_indicators"), about("rapid_resale")];
    let s = entity_score(&policy, &signs);
    assert!((policy.severity_medium..policy.severity_high).contains(&s), "{s}");
    assert_eq!(format!("{s:.2}"), "0.74", "the printed score shows the band");
    // The same signs with units fed to a restricted destination, or a
    // director who is listed, are high.
    let mut fed = signs.to_vec();
    fed.push(about("supplied_by_front"));
    assert!(entity_score(&policy, &fed) >= policy.severity_high);
    let listed_tie = Flag::new("control_ties", 0, String::new(), vec!["list:entity_list:2".to_string()])
        .weighted(policy.listed_tie_weight);
    let mut tied = signs[1..].to_vec();
    tied.push(listed_tie);
    assert!(entity_score(&policy, &tied) >= policy.severity_high, "{}", entity_score(&policy, &tied));
}

#[test]
fn score_is_led_by_the_terminal_and_the_handoff_family_counts_once() {
    let policy = Policy::default();
    assert_eq!(score(&policy, &[], 0), 0.0);
    let about = |rule, subject| Flag::new(rule, subject, String::new(), vec![]);
    let listed = about("listed_party", 0);
    let sure = score(&policy, std::slice::from_ref(&listed), 0);
    assert_eq!(sure, 0.9);
    // The same rule twice counts once.
    assert_eq!(score(&policy, &[listed.clone(), listed], 0), sure);
    // A listed intermediary alone does not make its customer's route medium.
    let listed_middle = score(&policy, &[about("listed_party", 1)], 0);
    assert!(listed_middle < policy.severity_medium, "{listed_middle}");
    // Hub dwell, quick resale and a long chain are one observation.
    let hub = score(&policy, &[about("transshipment_hub", 1)], 0);
    let all_three =
        score(&policy, &[about("transshipment_hub", 1), about("rapid_resale", 1), about("long_chain", 0)], 0);
    assert_eq!(hub, all_three);
    // A listing after the trade counts for less.
    let later = score(&policy, &[about("listed_party", 0).weighted(policy.listed_after_trade_weight)], 0);
    assert!(later < policy.severity_medium, "{later}");
}

/// The random worlds are not vacuous: some of them produce findings for the
/// parallel and sequential scans to agree on.
#[test]
fn random_worlds_produce_findings() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut with_findings = 0;
    for _ in 0..12 {
        let w = world().new_tree(&mut runner).expect("a world").current();
        let loaded = load(&w);
        let report = scan(&loaded.case, &loaded.policy, &ScanConfig { threads: 1, ..Default::default() });
        with_findings += usize::from(!report.findings.is_empty());
    }
    assert!(with_findings >= 6, "only {with_findings} of 12 random worlds have findings");
}

/// docs/spec.md §5.1 holds under any policy the tool accepts: an `aggravation_share`
/// at or above `severity_high` would let other parties' flags alone make a
/// route high, so it is refused, naming the key and its line.
#[test]
fn a_policy_that_lets_others_flags_make_a_route_high_is_refused() {
    let dir = TempDir::new("scan-aggravation");
    for name in ["entities.csv", "records.csv"] {
        dir.write(name, std::fs::read(fixture("benign").join(name)).expect(name));
    }
    dir.write("policy.toml", "severity_high = 0.7\naggravation_share = 0.7\n");
    let out = chiptrace_os(&["scan".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("policy.toml:2: error: `aggravation_share`: 0.7 is not below severity_high"),
        "{}",
        stderr(&out)
    );
    dir.write("policy.toml", "severity_high = 0.7\naggravation_share = 0.69\n");
    let out = chiptrace_os(&["scan".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
