//! Screening lists read as published (docs/spec.md §5.3) and nothing in `lists/`
//! dropped without a word: compressed, TSV and JSON-download lists screen
//! like CSV; every entry of the folder that is not read is named on stderr;
//! a case without lists says that screening could not happen.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, stderr, stdout};
use serde_json::Value;

fn matched_entities(o: &std::process::Output) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&stdout(o)).expect("screen --format json prints JSON");
    v["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| (m["entity"].as_str().unwrap().to_string(), m["file"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn lists_as_published_screen_like_csv() {
    let o = chiptrace(&["screen", "fixtures/screen_lists", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = matched_entities(&o);
    let from = |id: &str| got.iter().find(|(e, _)| e == id).map(|(_, f)| f.rsplit('/').next().unwrap().to_string());
    assert_eq!(from("SIN").as_deref(), Some("csl_2023.csv.gz"), "{got:?}");
    assert_eq!(from("CLM").as_deref(), Some("el_extract.tsv"), "a row with an empty name, by its alt_names: {got:?}");
    assert_eq!(from("SUG").as_deref(), Some("csl_download.json"), "an alt_name of the JSON download: {got:?}");
    assert_eq!(from("XAE").as_deref(), Some("csl_download.json"), "{got:?}");
    assert_eq!(from("NQS").as_deref(), Some("appended.ftm.json"), "first array: {got:?}");
    assert_eq!(from("OVS").as_deref(), Some("appended.ftm.json"), "second array: {got:?}");
    assert_eq!(from("BEN"), None, "{got:?}");
}

#[test]
fn every_list_entry_not_read_is_named() {
    let o = chiptrace(&["screen", "fixtures/screen_lists"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    for (what, says) in [
        ("lists/.hidden.csv:0: warning", "hidden file"),
        ("lists/archive:0: warning", "sub-folder"),
        ("lists/notes.txt:0: warning", "not a list file"),
        ("lists/el_extract.tsv:3: warning", "screened by its `alt_names`"),
    ] {
        assert!(err.lines().any(|l| l.contains(what) && l.contains(says)), "no `{what}` ({says}) in:\n{err}");
    }
    let v = chiptrace(&["validate", "fixtures/screen_lists"]);
    assert_eq!(code(&v), 0, "{}", stdout(&v));
    assert!(stdout(&v).contains("lists/notes.txt:0: warning"), "{}", stdout(&v));
}

/// Regression (issue 13 item 7): links that cannot be followed and FIFOs
/// were skipped without a word; a FIFO must not block the read either.
#[cfg(unix)]
#[test]
fn links_that_cannot_be_followed_and_fifos_are_named() {
    let dir = TempDir::new("lists-odd");
    dir.write("entities.csv", "id,name,kind,country\nA,Acme Widgets Ltd,reseller,SG\n");
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write("lists/real.csv", "name,list\nAcme Widgets Ltd,test\n");
    let lists = dir.path().join("lists");
    std::os::unix::fs::symlink(lists.join("gone.csv"), lists.join("dangling.csv")).unwrap();
    std::os::unix::fs::symlink(lists.join("loop_b.csv"), lists.join("loop_a.csv")).unwrap();
    std::os::unix::fs::symlink(lists.join("loop_a.csv"), lists.join("loop_b.csv")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(lists.join("pipe.csv")).status();
    let o = chiptrace_os(&["scan".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    for name in ["dangling.csv", "loop_a.csv", "loop_b.csv"] {
        assert!(
            err.lines().any(|l| l.contains(&format!("lists/{name}:0: warning: symbolic link that cannot be followed"))),
            "{name}:\n{err}"
        );
    }
    if fifo.is_ok_and(|s| s.success()) {
        assert!(err.contains("lists/pipe.csv:0: warning: not a regular file"), "{err}");
    }
    assert!(!err.contains("no screening lists"), "real.csv was read: {err}");
}

#[test]
fn a_case_without_lists_says_screening_cannot_fire() {
    let dir = TempDir::new("lists-none");
    dir.write("entities.csv", "id,name,kind,country\nA,Acme Widgets Ltd,reseller,SG\n");
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    let o = chiptrace_os(&["scan".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: no screening lists (the case has no lists/ folder)"), "{}", stderr(&o));
    dir.write("lists/empty.csv", "name,list\n");
    let o = chiptrace_os(&["screen".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("lists/empty.csv:0: warning: no list entries in this file"), "{err}");
    assert!(err.contains("no screening lists (lists/ holds no list entries)"), "{err}");
    // --quiet silences the notes on stderr; scan's JSON still carries the warning.
    for cmd in ["scan", "screen"] {
        let o =
            chiptrace_os(&["-q".as_ref(), cmd.as_ref(), dir.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "{cmd} --quiet printed notes");
        if cmd == "scan" {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let notes = v["warnings"]["notes"].as_array().unwrap();
            assert!(notes.iter().any(|n| n.as_str().unwrap().contains("no screening lists")), "{v}");
        }
    }
}

#[test]
fn a_list_that_cannot_be_decompressed_is_an_error() {
    let dir = TempDir::new("lists-bad-gz");
    dir.write("entities.csv", "id,name,kind,country\nA,Acme Widgets Ltd,reseller,SG\n");
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write("lists/csl.csv.gz", b"this is not gzip");
    let o = chiptrace_os(&["scan".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("lists/csl.csv.gz:0: error: cannot decompress"), "{}", stderr(&o));
}

#[test]
fn the_real_extracts_read_the_same_compressed() {
    let plain = std::fs::read(fixture("lists_real/csl_2019_sample.csv")).unwrap();
    let dir = TempDir::new("lists-zst");
    dir.write("entities.csv", "id,name,kind,country\nG,Gui'an New District Huawei Investment Co Ltd,investor,CN\n");
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write("lists/csl.csv.zst", zstd::encode_all(&plain[..], 3).unwrap());
    let o = chiptrace_os(&["screen".as_ref(), dir.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("against 115 list entries"), "{}", stderr(&o));
    assert_eq!(matched_entities(&o).len(), 1);
}

/// docs/spec.md §5.4 and issue 9: `list_name` is the entry's name, `listed_as` the
/// name that matched, `matched_name` the entity's, and the words say why.
#[test]
fn anhui_iflytek_matches_the_listed_iflytek() {
    let o = chiptrace(&["screen", "fixtures/screen_lists", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ifl = v["matches"].as_array().unwrap().iter().find(|m| m["entity"] == "IFL").expect("IFL matches");
    assert_eq!(ifl["list_name"], "iFLYTEK Co., Ltd.");
    assert_eq!(ifl["listed_as"], "iFLYTEK Co., Ltd.");
    assert_eq!(ifl["matched_name"], "ANHUI IFLYTEK CO LTD");
    assert_eq!(ifl["list"], "entity_list");
    assert_eq!(ifl["words"], serde_json::json!([["iflytek", "iflytek", 1.0]]));
    assert_eq!(ifl["entity_only"], serde_json::json!(["anhui"]));
    assert!(ifl["score"].as_f64().unwrap() >= 0.88, "{ifl:#}");
    let sug = v["matches"].as_array().unwrap().iter().find(|m| m["entity"] == "SUG").expect("SUG matches");
    assert_eq!(sug["list_name"], "Sugon", "the entry's name, not the former name that matched");
    assert_eq!(sug["listed_as"], "Dawning Information Industry Co., Ltd.");
    assert_eq!(v["stats"]["truncated"], false);
}
