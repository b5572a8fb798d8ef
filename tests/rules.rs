//! Every rule of docs/spec.md §3 through the real binary, one fixture pair a rule:
//! `fixtures/rules/<rule>/fires/` is a tiny case where the rule must fire and
//! `fixtures/rules/<rule>/near_miss/` one that differs in the detail the rule
//! turns on (a share, a number of days, a country, a product) where it must not.
//!
//! A rule folder may hold variants, `fires_<what>/` and `near_miss_<what>/`
//! (products written as on invoices, dates before a control), checked alike.
//!
//! Each folder holds an `expect.json`: in `fires/`, `{"fires": [{"terminal",
//! "detail": [..], "detail_not": [..]}]}` lists the findings that must carry
//! the rule, words its detail must (not) contain and optionally the `quantity`
//! counted; top-level `"stats"` are counts the scan must report and
//! `"validate"` words `chiptrace validate` must print (exiting 0), `"validate_not"`
//! words it must not print; in `near_miss/`, an
//! optional `"reported": [..]` lists terminals that must still be reported (for
//! other reasons), so a near miss cannot pass by finding no route at all.
//! Every flag's evidence, in every folder, must name an entity or record of
//! the case or a list entry `list:<list>:<id>` read from its `lists/`.

use crate::common::{chiptrace_os, code, fixture, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// `scan DIR --format json`, parsed; exit 0 required.
fn scan_json(dir: &Path) -> Result<Value, String> {
    let out = chiptrace_os(&[
        "scan".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
    ]);
    if code(&out) != 0 {
        return Err(format!("exit {}: {}", code(&out), stderr(&out)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON ({e}): {}", stdout(&out)))
}

/// Values of `column` in a CSV file of the case.
fn column(path: &Path, column: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let i = r.headers().unwrap().iter().position(|h| h == column).unwrap();
    r.records().map(|row| row.unwrap()[i].to_string()).collect()
}

/// What evidence may cite in a case: entity ids, record ids and
/// `list:<list>:<id>` of the simple-form lists (the id is the `id` column or
/// the row's line number).
fn citable(dir: &Path) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = column(&dir.join("entities.csv"), "id").into_iter().collect();
    ids.extend(column(&dir.join("records.csv"), "id"));
    if let Ok(files) = std::fs::read_dir(dir.join("lists")) {
        for f in files {
            let path = f.unwrap().path();
            let mut r = csv::Reader::from_path(&path).unwrap();
            let headers = r.headers().unwrap().clone();
            let at = |name: &str| headers.iter().position(|h| h == name);
            let (list, id) = (at("list").expect("simple-form lists name their list"), at("id"));
            for row in r.records() {
                let row = row.unwrap();
                let line = row.position().unwrap().line();
                let entry = id.map_or(line.to_string(), |i| row[i].to_string());
                ids.insert(format!("list:{}:{}", chiptrace::lists::list_id(&row[list]), entry));
            }
        }
    }
    ids
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// Checks one fixture folder; returns the problems found.
fn check(rule: &str, dir: &Path, fires: bool) -> Vec<String> {
    let name = dir.strip_prefix(fixture("")).unwrap_or(dir).display().to_string();
    let mut bad = Vec::new();
    let report = match scan_json(dir) {
        Ok(r) => r,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let expect: Value = match std::fs::read(dir.join("expect.json")) {
        Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| panic!("{name}/expect.json: {e}")),
        Err(_) => return vec![format!("{name}: no expect.json")],
    };
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let ids = citable(dir);
    for f in &findings {
        for flag in f["flags"].as_array().into_iter().flatten() {
            let evidence = strings(&flag["evidence"]);
            if flag["rule"] == rule && evidence.is_empty() {
                bad.push(format!("{name}: {} flag {rule} has no evidence", f["id"]));
            }
            for e in evidence {
                if !ids.contains(e) {
                    bad.push(format!(
                        "{name}: {} flag {} cites `{e}`, which is not in the case",
                        f["id"], flag["rule"]
                    ));
                }
            }
        }
    }
    let with_rule = |terminal: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["terminal"]["id"] == terminal)
            .flat_map(|f| f["flags"].as_array().cloned().unwrap_or_default())
            .filter(|flag| flag["rule"] == rule)
            .map(|flag| flag["detail"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    if fires {
        let cases = expect["fires"].as_array().cloned().unwrap_or_default();
        if cases.is_empty() {
            bad.push(format!("{name}/expect.json: `fires` lists no finding"));
        }
        for c in &cases {
            let t = c["terminal"].as_str().unwrap_or_default();
            let details = with_rule(t);
            if details.is_empty() {
                bad.push(format!("{name}: no finding for terminal {t} carries {rule}"));
                continue;
            }
            for want in strings(&c["detail"]) {
                if !details.iter().any(|d| d.contains(want)) {
                    bad.push(format!("{name}: {rule} on {t}: no detail contains `{want}`: {details:?}"));
                }
            }
            if let Some(q) = c["quantity"].as_u64()
                && !findings.iter().any(|f| {
                    f["terminal"]["id"] == t
                        && f["quantity"].as_u64() == Some(q)
                        && f["flags"].as_array().into_iter().flatten().any(|flag| flag["rule"] == rule)
                })
            {
                bad.push(format!("{name}: no finding for {t} with {rule} counts {q} units"));
            }
            for not in strings(&c["detail_not"]) {
                if details.iter().any(|d| d.contains(not)) {
                    bad.push(format!("{name}: {rule} on {t}: a detail contains `{not}`: {details:?}"));
                }
            }
        }
    } else {
        for f in &findings {
            if f["flags"].as_array().into_iter().flatten().any(|flag| flag["rule"] == rule) {
                bad.push(format!("{name}: {rule} fired on {} ({})", f["terminal"]["id"], f["id"]));
            }
        }
        for t in strings(&expect["reported"]) {
            if !findings.iter().any(|f| f["terminal"]["id"] == t) {
                bad.push(format!("{name}: terminal {t} is not reported at all"));
            }
        }
        if report["stats"]["records"].as_u64().unwrap_or(0) == 0 {
            bad.push(format!("{name}: no records were read"));
        }
    }
    // `"stats": {key: value}`: counts the scan must report (unknown products).
    if let Some(stats) = expect["stats"].as_object() {
        for (k, v) in stats {
            if report["stats"][k] != *v {
                bad.push(format!("{name}: stats.{k} is {}, expected {v}", report["stats"][k]));
            }
        }
    }
    // `"validate": [..]`: words `chiptrace validate` must print, and it must exit 0.
    let said = strings(&expect["validate"]);
    if !said.is_empty() {
        let out = chiptrace_os(&["validate".as_ref(), dir.as_os_str()]);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        if code(&out) != 0 {
            bad.push(format!("{name}: validate exits {}: {text}", code(&out)));
        }
        for want in said {
            if !text.contains(want) {
                bad.push(format!("{name}: validate does not say `{want}`:\n{text}"));
            }
        }
    }
    // `"validate_not": [..]`: words `chiptrace validate` must not print.
    let unsaid = strings(&expect["validate_not"]);
    if !unsaid.is_empty() {
        let out = chiptrace_os(&["validate".as_ref(), dir.as_os_str()]);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        for not in unsaid {
            if text.contains(not) {
                bad.push(format!("{name}: validate says `{not}`:\n{text}"));
            }
        }
    }
    bad
}

/// The fixture cases of one rule folder: `fires`, `near_miss`, and variants
/// named `fires_<what>` and `near_miss_<what>` (whether each must fire).
fn cases(dir: &Path) -> Vec<(std::path::PathBuf, bool)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| p.is_dir())
        .filter_map(|p| {
            let n = p.file_name()?.to_string_lossy().into_owned();
            let fires = if n == "fires" || n.starts_with("fires_") {
                true
            } else if n == "near_miss" || n.starts_with("near_miss_") {
                false
            } else {
                return None;
            };
            Some((p, fires))
        })
        .collect();
    out.sort();
    out
}

/// The folders under `fixtures/rules/` (files such as the README aside).
fn rule_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> =
        std::fs::read_dir(fixture("rules")).unwrap().map(|d| d.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

#[test]
fn every_rule_has_a_fixture_that_fires_and_a_near_miss() {
    let mut missing = Vec::new();
    for rule in chiptrace::rules::rule_ids() {
        for kind in ["fires", "near_miss"] {
            let dir = fixture(format!("rules/{rule}/{kind}"));
            if !dir.join("records.csv").is_file() {
                missing.push(dir.display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "rules without fixtures: {missing:#?}");
    let dirs: BTreeSet<String> =
        rule_dirs().iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let rules: BTreeSet<String> = chiptrace::rules::rule_ids().into_iter().map(String::from).collect();
    assert_eq!(dirs, rules, "fixtures/rules/ holds exactly one folder per rule id");
}

#[test]
fn each_rule_fires_on_its_fixture_and_not_on_its_near_miss() {
    let mut bad = Vec::new();
    let mut checked = 0;
    for dir in rule_dirs() {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        for (case, fires) in cases(&dir) {
            bad.extend(check(&rule, &case, fires));
            checked += 1;
        }
    }
    assert!(checked >= 28, "only {checked} fixture folders checked");
    assert!(bad.is_empty(), "{} problem(s):\n{}", bad.len(), bad.join("\n"));
}

// ---- Judgement scenarios ----------------------------------------------------
//
// `fixtures/judgement/<case>/` holds cases written the way investigators and
// customs data write them, each with an `expect.json`:
// - `routes`: `[{"terminal", "severity" | "severity_max", "rules", "rules_not",
//   "path", "detail"}]`: the route findings that end at `terminal` (their
//   highest severity, the union of their rules, the records of their paths,
//   words of their details);
// - `no_route`: terminals that must have no route finding; `no_entity`:
//   parties that must have no entity finding;
// - `entities`: `[{"subject", "rules", "severity" | "severity_max", "records", "detail"}]`:
//   the entity findings about `subject`;
// - `rules_nowhere`: rules that must not fire on any finding; `severity_max`:
//   no finding above it; `stats_records`: records read (so a scenario that
//   expects nothing cannot pass by reading nothing);
// - `trace`: `[{"lot", "holders"}]`: `trace --lot` must list these holders;
// - `truncated_by`: words that notes of `stats.truncated_by` must contain
//   (and `stats.truncated` must be true).

fn rank(s: &str) -> u8 {
    match s {
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// Findings of `kind` about `who` (the terminal or the subject).
fn about<'a>(findings: &'a [Value], kind: &str, who: &str) -> Vec<&'a Value> {
    let key = if kind == "route" { "terminal" } else { "subject" };
    findings.iter().filter(|f| f["kind"] == kind && f[key]["id"] == who).collect()
}

/// Checks severity, rules, records and details of a set of findings against one expectation.
fn check_group(name: &str, what: &str, found: &[&Value], want: &Value, records_key: &str, bad: &mut Vec<String>) {
    if found.is_empty() {
        bad.push(format!("{name}: no {what}"));
        return;
    }
    let top = found.iter().map(|f| rank(f["severity"].as_str().unwrap_or_default())).max().unwrap_or(0);
    let scores: Vec<String> = found.iter().map(|f| format!("{} {}", f["severity"], f["score"])).collect();
    if let Some(s) = want["severity"].as_str()
        && rank(s) != top
    {
        bad.push(format!("{name}: {what} is {scores:?}, expected {s}"));
    }
    if let Some(s) = want["severity_max"].as_str()
        && top > rank(s)
    {
        bad.push(format!("{name}: {what} is {scores:?}, expected at most {s}"));
    }
    let flags: Vec<&Value> = found.iter().flat_map(|f| f["flags"].as_array().into_iter().flatten()).collect();
    let rules: BTreeSet<&str> = flags.iter().filter_map(|f| f["rule"].as_str()).collect();
    for r in strings(&want["rules"]) {
        if !rules.contains(r) {
            bad.push(format!("{name}: {what} lacks {r}: {rules:?}"));
        }
    }
    for r in strings(&want["rules_not"]) {
        if rules.contains(r) {
            bad.push(format!("{name}: {what} carries {r}"));
        }
    }
    let records: BTreeSet<&str> = found
        .iter()
        .flat_map(|f| f[records_key].as_array().into_iter().flatten())
        .filter_map(|s| s.as_str().or_else(|| s["record"].as_str()))
        .collect();
    for r in strings(&want[records_key]) {
        if !records.contains(r) {
            bad.push(format!("{name}: {what} lacks record {r}: {records:?}"));
        }
    }
    let details: Vec<&str> = flags.iter().filter_map(|f| f["detail"].as_str()).collect();
    for w in strings(&want["detail"]) {
        if !details.iter().any(|d| d.contains(w)) {
            bad.push(format!("{name}: no detail of {what} contains `{w}`: {details:#?}"));
        }
    }
}

fn check_judgement(dir: &Path) -> Vec<String> {
    let name = dir.strip_prefix(fixture("")).unwrap_or(dir).display().to_string();
    let mut bad = Vec::new();
    let report = match scan_json(dir) {
        Ok(r) => r,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let expect: Value = serde_json::from_slice(&std::fs::read(dir.join("expect.json")).expect("expect.json"))
        .unwrap_or_else(|e| panic!("{name}/expect.json: {e}"));
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let ids = citable(dir);
    for f in &findings {
        for flag in f["flags"].as_array().into_iter().flatten() {
            if !ids.contains(flag["subject"].as_str().unwrap_or_default()) {
                bad.push(format!(
                    "{name}: {} flag {} is about `{}`, not in the case",
                    f["id"], flag["rule"], flag["subject"]
                ));
            }
            for e in strings(&flag["evidence"]) {
                if !ids.contains(e) {
                    bad.push(format!(
                        "{name}: {} flag {} cites `{e}`, which is not in the case",
                        f["id"], flag["rule"]
                    ));
                }
            }
        }
    }
    for want in expect["routes"].as_array().into_iter().flatten() {
        let t = want["terminal"].as_str().unwrap_or_default();
        check_group(&name, &format!("route to {t}"), &about(&findings, "route", t), want, "path", &mut bad);
    }
    for t in strings(&expect["no_route"]) {
        if !about(&findings, "route", t).is_empty() {
            bad.push(format!("{name}: a route finding ends at {t}"));
        }
    }
    for want in expect["entities"].as_array().into_iter().flatten() {
        let s = want["subject"].as_str().unwrap_or_default();
        check_group(
            &name,
            &format!("entity finding about {s}"),
            &about(&findings, "entity", s),
            want,
            "records",
            &mut bad,
        );
    }
    for s in strings(&expect["no_entity"]) {
        if !about(&findings, "entity", s).is_empty() {
            bad.push(format!("{name}: an entity finding is about {s}"));
        }
    }
    if let Some(n) = expect["stats_records"].as_u64()
        && report["stats"]["records"] != n
    {
        bad.push(format!("{name}: {} records read, expected {n}", report["stats"]["records"]));
    }
    let cut_by: Vec<&str> =
        report["stats"]["truncated_by"].as_array().into_iter().flatten().filter_map(|n| n.as_str()).collect();
    for w in strings(&expect["truncated_by"]) {
        if !cut_by.iter().any(|n| n.contains(w)) {
            bad.push(format!("{name}: no stats.truncated_by note contains `{w}`: {cut_by:#?}"));
        }
    }
    if !expect["truncated_by"].is_null() && report["stats"]["truncated"] != true {
        bad.push(format!("{name}: stats.truncated is not true"));
    }
    if let Some(max) = expect["severity_max"].as_str() {
        for f in &findings {
            if rank(f["severity"].as_str().unwrap_or_default()) > rank(max) {
                bad.push(format!("{name}: {} is {} {}, expected at most {max}", f["id"], f["severity"], f["score"]));
            }
        }
    }
    for r in strings(&expect["rules_nowhere"]) {
        for f in &findings {
            if f["flags"].as_array().into_iter().flatten().any(|x| x["rule"] == r) {
                bad.push(format!("{name}: {r} fired on {}", f["id"]));
            }
        }
    }
    for t in expect["trace"].as_array().into_iter().flatten() {
        let lot = t["lot"].as_str().unwrap_or_default();
        let out = chiptrace_os(&[
            "trace".as_ref(),
            dir.as_os_str(),
            "--lot".as_ref(),
            lot.as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let holders: BTreeSet<&str> =
            v["holders"].as_array().into_iter().flatten().filter_map(|h| h["entity"].as_str()).collect();
        for h in strings(&t["holders"]) {
            if !holders.contains(h) {
                bad.push(format!("{name}: trace --lot {lot} leaves out {h}: {holders:?} ({})", stderr(&out)));
            }
        }
    }
    bad
}

#[test]
fn judgement_scenarios_hold_through_the_binary() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixture("judgement"))
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| p.join("expect.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "only {} judgement scenarios", dirs.len());
    let bad: Vec<String> = dirs.iter().flat_map(|d| check_judgement(d)).collect();
    assert!(bad.is_empty(), "{} problem(s):\n{}", bad.len(), bad.join("\n"));
}

/// Ownership searches cut while judging reach `stats.truncated_by` through a
/// cluster scan too: each rank sends the cuts of its own judging to rank 0,
/// whose report is the one-process report byte for byte.
#[test]
fn ownership_cuts_are_reported_alike_by_a_cluster_scan() {
    let dir = fixture("judgement/ownership_bounds");
    let run = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["scan".as_ref(), dir.as_os_str()];
        args.extend(["--format", "json"].iter().chain(extra).map(std::ffi::OsStr::new));
        let out = chiptrace_os(&args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out)
    };
    let one = run(&[]);
    assert!(one.contains("MAX_CHAIN cut 1 ownership search(es)"), "{one}");
    assert_eq!(run(&["--local-cluster", "2"]), one);
}
