//! `chiptrace validate` on bad input, through the real binary: every problem
//! of form and reference in `fixtures/bad/<problem>/` is reported at its file
//! and line, names the field and the value, and makes the exit code 2.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, stderr, stdout};

/// One expected diagnostic: file in the case, line, level, and words the
/// message must contain (the field and the offending value).
type Want<'a> = (&'a str, u64, &'a str, &'a [&'a str]);

/// Runs `validate fixtures/bad/<case>` and checks that it prints exactly the
/// diagnostics in `want` (in that order), a summary line last, and exits `exit`.
/// Returns stdout for further checks.
fn check(case: &str, want: &[Want], exit: i32) -> String {
    let arg = format!("fixtures/bad/{case}");
    let out = chiptrace(&["validate", &arg]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty(), "{case}: no output; stderr:\n{}", stderr(&out));
    let (summary, diags) = lines.split_last().unwrap();
    assert!(summary.starts_with(&format!("{arg}: ")), "{case}: last line is not the summary: {summary}");
    assert_eq!(diags.len(), want.len(), "{case}: expected {} diagnostics, got:\n{text}", want.len());
    for (got, (file, line, level, needles)) in diags.iter().zip(want) {
        let prefix = format!("{arg}/{file}:{line}: {level}: ");
        assert!(got.starts_with(&prefix), "{case}: expected a line starting `{prefix}`, got `{got}`");
        for n in *needles {
            assert!(got.contains(n), "{case}: `{got}` does not mention `{n}`");
        }
    }
    let errors = want.iter().filter(|w| w.2 == "error").count();
    let warnings = want.len() - errors;
    assert!(summary.ends_with(&format!("; {errors} error(s), {warnings} warning(s)")), "{case}: summary `{summary}`");
    assert_eq!(code(&out), exit, "{case}: exit code; stdout:\n{text}stderr:\n{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{case}: {}", stderr(&out));
    text
}

#[test]
fn duplicate_entity_id() {
    check(
        "duplicate_entity_id",
        &[("entities.csv", 5, "error", &["field `id`", "duplicate id `AED`", "first defined at line 3"])],
        2,
    );
}

#[test]
fn duplicate_record_id() {
    check(
        "duplicate_record_id",
        &[("records.csv", 4, "error", &["field `id`", "duplicate record id `R2`", "first at line 3"])],
        2,
    );
}

#[test]
fn unknown_entity_in_records() {
    check(
        "unknown_entity_record",
        &[
            ("records.csv", 3, "error", &["field `to`", "unknown entity `XYZ`"]),
            ("records.csv", 4, "error", &["field `from`", "unknown entity `NOBODY`"]),
        ],
        2,
    );
}

#[test]
fn unknown_entity_in_relations() {
    check(
        "unknown_entity_relation",
        &[
            ("relations.csv", 3, "error", &["field `from`", "unknown entity `GHOST`"]),
            ("relations.csv", 4, "error", &["field `to`", "unknown entity `SHELL`"]),
        ],
        2,
    );
}

#[test]
fn quantity_must_be_a_positive_integer() {
    let out = check(
        "quantity_not_positive",
        &[
            ("records.csv", 2, "error", &["field `quantity`", "`0`", "positive integer"]),
            ("records.csv", 3, "error", &["field `quantity`", "`-3`"]),
            ("records.csv", 4, "error", &["field `quantity`", "`2.5`"]),
            ("records.csv", 5, "error", &["field `quantity`", "`ten`"]),
        ],
        2,
    );
    // The good row is read, the four bad ones are counted as rejected.
    assert!(out.contains(": 3 entities, 1 records, 0 relations, 0 list entries read; 4 rows rejected;"), "{out}");
}

#[test]
fn impossible_date() {
    check("impossible_date", &[("records.csv", 3, "error", &["field `date`", "`2024-02-30`", "ISO 8601"])], 2);
}

#[test]
fn unknown_country() {
    check("unknown_country", &[("entities.csv", 5, "error", &["field `country`", "unknown country `Atlantis`"])], 2);
}

#[test]
fn unknown_entity_kind() {
    check(
        "unknown_entity_kind",
        &[("entities.csv", 5, "error", &["field `kind`", "unknown entity kind `smuggler`", "manufacturer"])],
        2,
    );
}

#[test]
fn unknown_record_kind() {
    check(
        "unknown_record_kind",
        &[(
            "records.csv",
            4,
            "error",
            &["field `kind`", "unknown record kind `gift`", "sale, shipment, install, lease"],
        )],
        2,
    );
}

#[test]
fn missing_required_column_is_reported_at_line_1() {
    let out = check(
        "missing_column",
        &[("records.csv", 1, "error", &["missing required column `quantity`", "header has: id, date"])],
        2,
    );
    // Both rows are rejected, not silently dropped.
    assert!(out.contains(": 3 entities, 0 records, 0 relations, 0 list entries read; 2 rows rejected;"), "{out}");
}

#[test]
fn lease_end_before_start() {
    check(
        "lease_end_before_start",
        &[("records.csv", 3, "error", &["field `end_date`", "`2024-02-01`", "before the start `2024-03-01`"])],
        2,
    );
}

#[test]
fn sale_to_itself() {
    check("sale_to_itself", &[("records.csv", 4, "error", &["fields `from`/`to`", "sale", "`PRC` to itself"])], 2);
}

#[test]
fn malformed_json_lines() {
    let out = check(
        "malformed_jsonl",
        &[
            ("records.jsonl", 2, "error", &["malformed JSON"]),
            ("records.jsonl", 3, "error", &["expected a JSON object"]),
            ("records.jsonl", 4, "error", &["field `quantity`", "{\"units\": 5}"]),
            ("records.jsonl", 5, "error", &["field `quantity`", "`2.5`"]),
        ],
        2,
    );
    assert!(out.contains(": 3 entities, 1 records, 0 relations, 0 list entries read; 4 rows rejected;"), "{out}");
}

#[test]
fn windows_1252_bytes_are_read_with_a_warning() {
    let out = check(
        "windows_1252",
        &[
            ("entities.csv", 3, "warning", &["field `name`", "not UTF-8", "Windows-1252", "Société Générale"]),
            ("records.csv", 2, "warning", &["field `source`", "Invoice \u{201c}A-7\u{201d}"]),
        ],
        0,
    );
    assert!(out.contains(": 2 entities, 1 records, 0 relations, 0 list entries read; 0 rows rejected;"), "{out}");
}

#[test]
fn owns_needs_a_share_between_0_and_100() {
    let out = check(
        "owns_share",
        &[
            ("relations.csv", 2, "error", &["field `share`", "required for `owns`"]),
            ("relations.csv", 3, "error", &["field `share`", "`0`"]),
            ("relations.csv", 4, "error", &["field `share`", "`150`"]),
            ("relations.csv", 5, "error", &["field `share`", "`half`"]),
            ("relations.csv", 6, "error", &["field `share`", "`-5`"]),
        ],
        2,
    );
    assert!(out.contains(", 1 relations, "), "the 100% row is read: {out}");
}

#[test]
fn missing_entities_file() {
    check(
        "missing_entities",
        &[
            ("entities.csv", 0, "error", &["required file is missing"]),
            ("records.csv", 2, "error", &["field `from`", "`VS`", "entities.csv could not be read"]),
            ("records.csv", 2, "error", &["field `to`", "`AED`"]),
            ("records.csv", 3, "error", &["field `from`", "`AED`"]),
            ("records.csv", 3, "error", &["field `to`", "`PRC`"]),
        ],
        2,
    );
}

/// Reading goes on past every error: one run lists the problems of all files.
#[test]
fn one_run_lists_every_problem() {
    let out = check(
        "many_problems",
        &[
            ("entities.csv", 3, "error", &["field `country`", "`Atlantis`"]),
            ("entities.csv", 4, "error", &["field `kind`", "`smuggler`"]),
            ("records.csv", 2, "error", &["field `date`", "`2024-13-01`"]),
            ("records.csv", 3, "error", &["field `quantity`", "`0`"]),
            ("records.csv", 4, "error", &["field `to`", "unknown entity `ATL`", "entities.csv:3 was rejected"]),
            ("relations.csv", 2, "error", &["field `share`", "required for `owns`"]),
        ],
        2,
    );
    // 4 entity rows (2 read), 4 record rows (1 read), 2 relation rows (1 read).
    assert!(out.contains(": 2 entities, 1 records, 1 relations, 0 list entries read; 6 rows rejected;"), "{out}");
}

#[test]
fn the_demo_case_is_valid() {
    let out = chiptrace(&["validate", "fixtures/demo"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("0 rows rejected; 0 error(s)"), "{}", stdout(&out));
}

#[test]
fn both_records_files_is_an_error() {
    let dir = TempDir::new("both-records");
    std::fs::copy(fixture("demo/entities.csv"), dir.path().join("entities.csv")).unwrap();
    std::fs::copy(fixture("demo/records.csv"), dir.path().join("records.csv")).unwrap();
    dir.write("records.jsonl", "");
    let out = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&out), 2);
    let shown = dir.path().join("records.jsonl").display().to_string();
    assert!(
        stdout(&out).contains(&format!("{shown}:0: error: both records.csv and records.jsonl")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_records_file_is_an_error() {
    let dir = TempDir::new("no-records");
    std::fs::copy(fixture("demo/entities.csv"), dir.path().join("entities.csv")).unwrap();
    let out = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&out), 2);
    let shown = dir.path().join("records.csv").display().to_string();
    assert!(stdout(&out).contains(&format!("{shown}:0: error: required file is missing")), "{}", stdout(&out));
}

#[test]
fn a_case_that_is_not_a_folder_is_bad_input() {
    let out = chiptrace(&["validate", "fixtures/no-such-case"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("fixtures/no-such-case: no such case folder"), "{}", stderr(&out));
    let out = chiptrace(&["validate", "fixtures/demo/entities.csv"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
}

/// The screening lists published by trade.gov and OpenSanctions open without
/// a crash, whatever the state of list support: validate exits 0 or 2, never
/// with a panic.
#[test]
fn real_list_extracts_open_without_a_crash() {
    let real = fixture("lists_real");
    let mut lists: Vec<_> = std::fs::read_dir(&real)
        .expect("fixtures/lists_real holds copies of the published list extracts")
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "json" | "jsonl")))
        .collect();
    lists.sort();
    assert!(lists.len() >= 3, "expected the CSL 2019, CSL 2023 and OpenSanctions extracts in {}", real.display());
    let dir = TempDir::new("lists-real");
    for f in ["entities.csv", "records.csv", "relations.csv"] {
        std::fs::copy(fixture("demo").join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    for p in &lists {
        std::fs::copy(p, dir.path().join("lists").join(p.file_name().unwrap())).unwrap();
    }
    let out = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
    let c = code(&out);
    assert!(c == 0 || c == 2, "exit {c}; stderr:\n{}", stderr(&out));
    for stream in [stdout(&out), stderr(&out)] {
        assert!(!stream.contains("panicked") && !stream.contains("RUST_BACKTRACE"), "{stream}");
    }
    let summary = stdout(&out);
    assert!(summary.lines().last().is_some_and(|l| l.contains("23 entities, 28 records")), "{summary}");
}

/// A case folder holding the export and the import declaration of one
/// shipment (as the seventh session's Korean-Vietnamese extract did before
/// `import` joined them) gets a warning naming both records; a second
/// shipment declared on the same side, of another quantity, or two months
/// later does not.
#[test]
fn mirror_declarations_in_a_case_folder_are_warned_of_near_misses_are_not() {
    let entities =
        "id,name,kind,country\nORN,Orion,manufacturer,US\nHBT,Hanbit,integrator,KR\nSVT,Sao Viet,unknown,VN\n";
    let run = |tag: &str, rows: &str| -> String {
        let dir = TempDir::new(tag);
        dir.write("entities.csv", entities);
        dir.write(
            "records.csv",
            format!(
                "id,date,kind,from,to,product,quantity,value_usd,source\n\
                 AES-1,2024-05-10,sale,ORN,HBT,H100,64,2960000,US EEI\n\
                 KR-EXP-1,2024-05-29,sale,HBT,SVT,H100,64,3120000,Korea Customs export declaration\n{rows}"
            ),
        );
        let o = chiptrace(&["validate", dir.path().to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stdout(&o));
        stdout(&o)
    };
    let out =
        run("mirror-pair", "VN-IMP-1,2024-06-01,sale,HBT,SVT,H100,64,3120000,Viet Nam customs import declaration\n");
    let line = out.lines().find(|l| l.contains("look like one shipment")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("records.csv:4: warning: records `KR-EXP-1` (line 3, 2024-05-29, export side) and `VN-IMP-1` (2024-06-01, import side)"), "{line}");
    assert!(line.contains("HBT to SVT, 64 H100, 3 day(s) apart"), "{line}");
    for (tag, row) in [
        ("mirror-same-side", "KR-EXP-2,2024-06-01,sale,HBT,SVT,H100,64,3120000,Korea Customs export declaration\n"),
        ("mirror-other-qty", "VN-IMP-1,2024-06-01,sale,HBT,SVT,H100,56,3120000,Viet Nam customs import declaration\n"),
        ("mirror-far-apart", "VN-IMP-1,2024-08-01,sale,HBT,SVT,H100,64,3120000,Viet Nam customs import declaration\n"),
    ] {
        let out = run(tag, row);
        assert!(!out.contains("look like one shipment"), "{tag}: {out}");
    }
}
