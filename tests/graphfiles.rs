//! GraphML and GEXF carry what a reader in Gephi, networkx or yEd needs to
//! tie a picture back to the report: the contract's schema_version, the tool
//! version, the dataset fingerprint and the finding ids; every flag on every
//! node and edge (not only the strongest); and, in GEXF 1.3, time: a dynamic
//! graph whose nodes have spells and whose edges start at their records'
//! dates, which networkx's own reader reads.

use crate::common::{TempDir, chiptrace_os, code, python_with, stderr, tool_or_skip};
use quick_xml::events::Event;
use std::collections::BTreeMap;

/// Elements of an XML document with their attributes, in order.
fn elements(doc: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut r = quick_xml::Reader::from_str(doc);
    let mut out = Vec::new();
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_string(),
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            _ => {}
        }
    }
    out
}

fn export(args: &[&str], out: &std::path::Path) -> String {
    let mut argv: Vec<std::ffi::OsString> = vec!["export".into(), "fixtures/demo".into()];
    argv.extend(args.iter().map(Into::into));
    argv.extend(["-o".into(), out.as_os_str().to_owned()]);
    let o = chiptrace_os(&argv);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::read_to_string(out).unwrap()
}

fn top_finding() -> String {
    let o = chiptrace_os(&["scan", "fixtures/demo", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn gexf_is_dynamic_with_dated_nodes_and_edges() {
    let dir = TempDir::new("gexf-dyn");
    let doc = export(&["--all"], &dir.path().join("case.gexf"));
    let els = elements(&doc);
    let graph = &els.iter().find(|(n, _)| n == "graph").unwrap().1;
    assert_eq!(graph.get("mode").map(String::as_str), Some("dynamic"));
    assert_eq!(graph.get("timeformat").map(String::as_str), Some("date"));
    let root = &els[0].1;
    assert_eq!(root.get("version").map(String::as_str), Some("1.3"));
    let nodes: Vec<_> = els.iter().filter(|(n, _)| n == "node").collect();
    let edges: Vec<_> = els.iter().filter(|(n, _)| n == "edge").collect();
    assert_eq!(nodes.len(), 23);
    let is_date = |s: &str| s.len() == 10 && chrono_like(s);
    // Every party to a record has spells from its records' dates; every record edge starts at
    // its record's date. (An owner or director without records exists throughout.)
    let records: Vec<_> = edges.iter().filter(|(_, a)| a["id"].starts_with('r')).collect();
    let spells: Vec<_> = els.iter().filter(|(n, _)| n == "spell").collect();
    assert!(spells.iter().all(|(_, a)| is_date(&a["start"]) && is_date(&a["end"]) && a["start"] <= a["end"]));
    assert!(spells.len() >= nodes.len() - 6, "{} spells for {} nodes", spells.len(), nodes.len());
    assert_eq!(records.len(), 28);
    assert!(records.iter().all(|(_, a)| a.get("start").is_some_and(|s| is_date(s))));
    // A lease runs from its start to its end: R08 is 2024-03-01 to 2025-03-01.
    let r08 = records.iter().find(|(_, a)| a.get("label").map(String::as_str) == Some("R08")).unwrap();
    assert_eq!((r08.1["start"].as_str(), r08.1.get("end").map(String::as_str)), ("2024-03-01", Some("2025-03-01")));
    // Typed attributes: quantities long, values double, on_route boolean.
    let types: BTreeMap<&str, &str> =
        els.iter().filter(|(n, _)| n == "attribute").map(|(_, a)| (a["title"].as_str(), a["type"].as_str())).collect();
    assert_eq!((types["quantity"], types["value_usd"], types["on_route"]), ("long", "double", "boolean"));
    // Every declared type is one GEXF 1.3 defines (it has no `date`) and networkx maps.
    for (title, ty) in &types {
        assert!(
            ["integer", "long", "double", "float", "boolean", "string", "liststring", "anyURI"].contains(ty),
            "{title}: {ty}"
        );
    }
}

fn chrono_like(s: &str) -> bool {
    let b = s.as_bytes();
    b[4] == b'-' && b[7] == b'-' && s.chars().filter(char::is_ascii_digit).count() == 8
}

#[test]
fn graph_files_carry_versions_dataset_findings_and_every_flag() {
    let dir = TempDir::new("graphml-meta");
    let id = top_finding();
    let doc = export(&["--finding", &id], &dir.path().join("f.graphml"));
    let els = elements(&doc);
    // Graph-level keys and their values.
    let keys: BTreeMap<String, String> = els
        .iter()
        .filter(|(n, a)| n == "key" && a["for"] == "graph")
        .map(|(_, a)| (a["id"].clone(), a["attr.name"].clone()))
        .collect();
    for k in ["schema_version", "chiptrace_version", "dataset", "findings"] {
        assert!(keys.values().any(|v| v == k), "graph key {k} missing");
    }
    assert!(doc.contains("<data key=\"g_schema_version\">2</data>"));
    assert!(doc.contains(&format!("<data key=\"g_chiptrace_version\">{}</data>", env!("CARGO_PKG_VERSION"))));
    assert!(doc.contains(&id), "the finding id is in the file");
    let v: serde_json::Value =
        serde_json::from_slice(&chiptrace_os(&["scan", "fixtures/demo", "--format", "json"]).stdout).unwrap();
    let f = &v["findings"][0];
    // Every rule of the finding appears on some node or edge, and the terminal carries all flags about it.
    let mut rules: Vec<&str> = f["flags"].as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap()).collect();
    rules.dedup();
    let flag_cells: Vec<&str> = doc
        .lines()
        .filter_map(|l| {
            l.trim().strip_prefix("<data key=\"n_flags\">").or_else(|| l.trim().strip_prefix("<data key=\"e_flags\">"))
        })
        .collect();
    for r in &rules {
        assert!(flag_cells.iter().any(|c| c.contains(r)), "flag {r} is on no node or edge");
    }
    let terminal_rules: Vec<&str> = f["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["subject"] == f["terminal"]["id"])
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert!(terminal_rules.len() >= 2, "the top finding's terminal has several flags");
    assert!(
        flag_cells.iter().any(|c| terminal_rules.iter().all(|r| c.contains(r))),
        "one node carries every flag about the terminal: {terminal_rules:?} in {flag_cells:?}"
    );
    // GEXF says the same in its meta description.
    let gexf = export(&["--finding", &id], &dir.path().join("f.gexf"));
    assert!(gexf.contains("schema_version=2") && gexf.contains("dataset=") && gexf.contains(&id));
}

#[test]
fn gexf_opens_in_networkx_with_dates_typed_as_time() {
    let test = "graphfiles::gexf_opens_in_networkx_with_dates_typed_as_time";
    let python = python_with("networkx");
    if !tool_or_skip("networkx", python.is_some(), test) {
        return;
    }
    let dir = TempDir::new("gexf-networkx");
    let file = dir.path().join("case.gexf");
    export(&["--all"], &file);
    let check = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/gexf_check.py");
    let o = std::process::Command::new(python.unwrap()).arg(&check).arg(&file).output().expect("python runs");
    assert!(
        o.status.success(),
        "networkx could not read the GEXF or found bad dates:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("the check prints JSON");
    let relations = std::fs::read_to_string("fixtures/demo/relations.csv").unwrap().lines().count() - 1;
    assert_eq!(v["mode"], "dynamic");
    assert_eq!((v["nodes"].as_u64(), v["edges"].as_u64()), (Some(23), Some(28 + relations as u64)));
    // KCP received R06 (2024-02-07) and installed R07 (2024-02-20): two one-day spells.
    assert_eq!(v["spells"]["KCP"], serde_json::json!([["2024-02-07", "2024-02-07"], ["2024-02-20", "2024-02-20"]]));
    // HCS's leases (R08 2024-03-01..2025-03-01, R28 2024-06-01..2025-06-01) merge into one spell.
    let hcs = v["spells"]["HCS"].as_array().unwrap();
    assert!(hcs.iter().any(|s| s[0] == "2024-03-01" && s[1] == "2025-06-01"), "HCS spells: {hcs:?}");
    assert_eq!(v["records"]["R08"], serde_json::json!(["2024-03-01", "2025-03-01"]));
    assert_eq!(v["records"]["R01"], serde_json::json!(["2024-01-10", null]));
    assert_eq!(v["types"]["quantity"], "int");
    assert_eq!(v["types"]["on_route"], "bool");
    assert_eq!(v["types"]["value_usd"], "float");
}
