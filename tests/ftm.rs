//! `export --format ftm` (docs/spec.md §5.4): FollowTheMoney entities that the
//! `followthemoney` package's own validation accepts, checked by
//! `tests/tools/ftm_check.py` and by `ftm validate` where the CLI is there.

use crate::common::{TempDir, chiptrace_os, code, ftm_python, stderr, tool_or_skip};
use std::process::Command;

fn export(case: &str, args: &[&str], out: &std::path::Path) {
    let mut argv: Vec<std::ffi::OsString> = vec!["export".into(), case.into()];
    argv.extend(args.iter().map(Into::into));
    argv.extend(["-o".into(), out.as_os_str().to_owned()]);
    let o = chiptrace_os(&argv);
    assert_eq!(code(&o), 0, "export {case} {args:?}: {}", stderr(&o));
}

#[test]
fn ftm_export_is_stable_and_references_resolve() {
    let dir = TempDir::new("ftm-shape");
    let (a, b) = (dir.path().join("a.ftm.json"), dir.path().join("b.ftm.json"));
    export("fixtures/demo", &["--all"], &a);
    export("fixtures/demo", &["--all"], &b);
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap(), "same case, same bytes");
    let lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    let ids: std::collections::BTreeSet<&str> = lines.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), lines.len(), "ids are unique");
    let count = |schema: &str| lines.iter().filter(|e| e["schema"] == schema).count();
    assert_eq!(count("Company") + count("Person") + count("LegalEntity"), 23, "every entity of the demo");
    let controls = std::fs::read_to_string("fixtures/demo/relations.csv")
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("controls,"))
        .count();
    assert_eq!(count("Payment") + count("UnknownLink"), 28 + controls, "every record (and each `controls` link)");
    assert_eq!(count("Payment"), 19, "the demo's sales are payments from buyer to seller");
    assert!(count("Risk") >= 1 && count("Ownership") >= 1 && count("Directorship") >= 1);
    // The listed Beijing lessee carries the export.control topic and its finding names it.
    let zyc =
        lines.iter().find(|e| e["properties"]["name"][0] == "Beijing Zhiyuan Intelligent Computing Co. Ltd.").unwrap();
    assert!(zyc["properties"]["topics"].as_array().unwrap().iter().any(|t| t == "export.control"), "{zyc}");
    let risk = lines
        .iter()
        .find(|e| e["schema"] == "Risk" && e["properties"]["entity"][0] == zyc["id"])
        .expect("a Risk on ZYC");
    assert!(risk["properties"]["recordId"][0].as_str().unwrap().starts_with("F-"));
    // A single finding's export holds its route's parties.
    let one = dir.path().join("one.ftm.json");
    let json: serde_json::Value =
        serde_json::from_slice(&chiptrace_os(&["scan", "fixtures/demo", "--format", "json"]).stdout).unwrap();
    let id = json["findings"][0]["id"].as_str().unwrap();
    export("fixtures/demo", &["--finding", id, "--format", "ftm"], &one);
    let t = std::fs::read_to_string(&one).unwrap();
    assert!(t.contains(id) && t.lines().count() > 5);
}

#[test]
fn ftm_export_passes_followthemoney_validation() {
    let python = ftm_python();
    if !tool_or_skip("followthemoney", python.is_some(), "ftm::ftm_export_passes_followthemoney_validation") {
        return;
    }
    let python = python.unwrap();
    let dir = TempDir::new("ftm-valid");
    let check = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/ftm_check.py");
    let cases = [("demo", "fixtures/demo"), ("hostile", "fixtures/hostile")];
    for (tag, case) in cases {
        if !std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(case).exists() {
            continue;
        }
        let out = dir.path().join(format!("{tag}.ftm.json"));
        let o = chiptrace_os(&["export".as_ref(), case.as_ref(), "--all".as_ref(), "-o".as_ref(), out.as_os_str()]);
        if code(&o) != 0 {
            assert_eq!(tag, "hostile", "export {case}: {}", stderr(&o));
            continue;
        }
        let r = Command::new(&python).arg(&check).arg(&out).output().expect("python runs");
        let said = String::from_utf8_lossy(&r.stdout);
        assert!(
            r.status.success(),
            "{tag}: followthemoney rejects the export:\n{said}{}",
            String::from_utf8_lossy(&r.stderr)
        );
        assert!(said.starts_with("ok: "), "{said}");
        eprintln!("{tag}: {}", said.trim());
        // `ftm validate` (the package's CLI) re-parses every value and writes what it keeps.
        let ftm = python.parent().map(|d| d.join("ftm")).filter(|p| p.exists());
        if let Some(ftm) = ftm {
            let cleaned = dir.path().join(format!("{tag}.valid.json"));
            let r = Command::new(ftm).arg("validate").arg("-i").arg(&out).arg("-o").arg(&cleaned).output().unwrap();
            assert!(r.status.success(), "ftm validate: {}", String::from_utf8_lossy(&r.stderr));
            let n = |p: &std::path::Path| std::fs::read_to_string(p).unwrap().lines().count();
            assert_eq!(n(&cleaned), n(&out), "ftm validate keeps every entity");
        }
    }
    // The check itself rejects what followthemoney rejects.
    let bad = dir.write(
        "bad.ftm.json",
        "{\"id\":\"x\",\"schema\":\"Company\",\"properties\":{\"name\":[\"a\"],\"country\":[\"qq\"]}}\n",
    );
    let r = Command::new(&python).arg(&check).arg(&bad).output().unwrap();
    assert!(!r.status.success(), "an unknown country must fail the check");
}
