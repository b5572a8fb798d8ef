//! The JSON Schemas in docs/schema/ describe what the binary prints: real
//! output of scan (json and each jsonl line), trace, screen, validate and
//! eval is checked against them with boon (draft 2020-12), on the demo, the
//! imported bill-of-lading sample (inferred routes, null lots) and a
//! generated world; and a broken document is rejected, so the check bites.

use crate::common::{TempDir, chiptrace_os, code, generate, stderr};
use serde_json::Value;
use std::path::Path;

fn schema(name: &str) -> (boon::Schemas, boon::SchemaIndex) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/schema/{name}.schema.json"));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let url = format!("file:///chiptrace/docs/schema/{name}.schema.json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&url, doc).unwrap();
    let index = compiler.compile(&url, &mut schemas).unwrap_or_else(|e| panic!("{name} schema does not compile: {e}"));
    (schemas, index)
}

fn check(name: &str, doc: &Value, what: &str) {
    let (schemas, index) = schema(name);
    if let Err(e) = schemas.validate(doc, index) {
        panic!("{what} does not match docs/schema/{name}.schema.json:\n{e:#}");
    }
}

fn json(args: &[&std::ffi::OsStr]) -> Value {
    let o = chiptrace_os(args);
    assert!(code(&o) == 0 || code(&o) == 2, "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?} printed no JSON: {e}"))
}

#[test]
fn real_output_matches_the_schemas() {
    let dir = TempDir::new("schema");
    let bol = dir.path().join("bol");
    let o = chiptrace_os(&[
        "import".as_ref(),
        "examples/bol/shipments.csv".as_ref(),
        "--mapping".as_ref(),
        "examples/bol/mapping.toml".as_ref(),
        "--out".as_ref(),
        bol.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let world = dir.path().join("world");
    generate(&world, 3000, 5);
    for case in [Path::new("fixtures/demo"), bol.as_path(), world.as_path()] {
        let c = case.as_os_str();
        let scan = json(&["scan".as_ref(), c, "--format".as_ref(), "json".as_ref()]);
        check("scan", &scan, &format!("scan {}", case.display()));
        assert!(!scan["findings"].as_array().unwrap().is_empty(), "{}: no findings to check", case.display());
        // Each jsonl line is a finding of the same schema.
        let o = chiptrace_os(&["scan".as_ref(), c, "--format".as_ref(), "jsonl".as_ref()]);
        for line in String::from_utf8(o.stdout).unwrap().lines() {
            let f: Value = serde_json::from_str(line).unwrap();
            let wrapped = serde_json::json!({
                "schema_version": 2, "chiptrace_version": "x", "case": "x",
                "dataset": {"files": []}, "policy_sha256": "0".repeat(64),
                "warnings": {"count": 0, "notes": []}, "findings": [f],
                "stats": {"records": 0, "entities": 0, "routes_examined": 0, "truncated": false}
            });
            check("scan", &wrapped, "a scan --format jsonl line");
        }
        check("validate", &json(&["validate".as_ref(), c, "--format".as_ref(), "json".as_ref()]), "validate");
        check("screen", &json(&["screen".as_ref(), c, "--format".as_ref(), "json".as_ref()]), "screen");
    }
    for args in [["--lot", "L-100"], ["--entity", "HCS"]] {
        for back in [false, true] {
            let mut a: Vec<&std::ffi::OsStr> = vec![
                "trace".as_ref(),
                "fixtures/demo".as_ref(),
                args[0].as_ref(),
                args[1].as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
            ];
            if back {
                a.push("--backward".as_ref());
            }
            check("trace", &json(&a), &format!("trace {args:?} backward={back}"));
        }
    }
    let truth = world.join("truth.json");
    check(
        "eval",
        &json(&[
            "eval".as_ref(),
            world.as_os_str(),
            "--truth".as_ref(),
            truth.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]),
        "eval",
    );
    // A case with errors: validate still prints JSON of the same schema.
    let bad = TempDir::new("schema-bad");
    bad.write("entities.csv", "id,name,kind,country\nE1,Acme,wizard,US\n");
    bad.write("records.csv", "id,date,kind,from,to,product,quantity\nR1,2024-13-01,sale,E1,E2,H100,0\n");
    let v = json(&["validate".as_ref(), bad.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    check("validate", &v, "validate of a broken case");
    assert!(v["summary"]["errors"].as_u64().unwrap() >= 3);
}

#[test]
fn the_schemas_reject_what_breaks_the_contract() {
    let mut scan = json(&["scan".as_ref(), "fixtures/demo".as_ref(), "--format".as_ref(), "json".as_ref()]);
    check("scan", &scan, "scan of the demo");
    let (schemas, index) = schema("scan");
    let good = scan.clone();
    scan["findings"][0]["severity"] = "urgent".into();
    assert!(schemas.validate(&scan, index).is_err(), "an unknown severity must fail");
    let mut no_version = good.clone();
    no_version.as_object_mut().unwrap().remove("schema_version");
    assert!(schemas.validate(&no_version, index).is_err(), "schema_version is required");
    let mut no_subject = good.clone();
    no_subject["findings"][0]["flags"][0].as_object_mut().unwrap().remove("subject");
    assert!(schemas.validate(&no_subject, index).is_err(), "every flag names its subject");
    let (vs, vi) = schema("validate");
    let bad =
        serde_json::json!({"diagnostics": [{"file": "x", "line": 1, "level": "fatal", "message": "m"}], "summary": {}});
    assert!(vs.validate(&bad, vi).is_err(), "levels are error or warning; the summary has its counts");
}
