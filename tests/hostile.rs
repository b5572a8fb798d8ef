//! Hostile input (issue 13), through the real binary: every row read or
//! reported, every search bounded and saying so, nothing from the data
//! reaching the terminal raw. Each test names the defect it guards; the
//! fixtures are in `fixtures/bad/` and `fixtures/hostile/`, the adversarial
//! cases that would be too large to ship are generated here at a small size.

use crate::common::{chiptrace, code, stderr, stdout};

/// The summary line of `validate`: (records read, rows rejected).
fn summary_counts(text: &str) -> (usize, usize) {
    let last = text.lines().last().unwrap_or_default();
    let num_before = |word: &str| -> usize {
        let head = &last[..last.find(word).unwrap_or_else(|| panic!("no `{word}` in `{last}`"))];
        head.trim_end().rsplit([' ', ',']).next().unwrap().parse().unwrap()
    };
    (num_before(" records"), num_before(" rows rejected"))
}

/// Data rows of a CSV file as a reader of the raw lines sees them (no cell
/// in these fixtures legitimately spans lines).
fn data_lines(path: &str) -> usize {
    let text = std::fs::read_to_string(crate::common::fixture(path)).unwrap();
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).count()
}

/// Defect 1: a stray opening quote in an optional cell swallowed every later
/// row and `validate` exited 0 with "2 records read; 0 rows rejected". The
/// cell is reported at the line where the quote opened, and the swallowed
/// rows are counted, so rows in = read + rejected.
#[test]
fn stray_quote_swallowing_the_rest_of_the_file_is_reported_and_counted() {
    let out = chiptrace(&["validate", "fixtures/bad/stray_quote"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 2, "{text}");
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("fixtures/bad/stray_quote/records.csv:3: error: field `source`: a quote opened in this cell runs on to line 9, so 6 later row(s)"),
        "{first}"
    );
    let (read, rejected) = summary_counts(&text);
    assert_eq!((read, rejected), (1, 7), "{text}");
    assert_eq!(read + rejected, data_lines("bad/stray_quote/records.csv"));
}

/// Defect 1, mid-file: the quote closes at a later quoted cell; the error
/// used to be "row has 10 fields" with one row counted. A cell that
/// legitimately spans two lines (an address) is still read as a value.
#[test]
fn stray_quote_closed_by_a_later_cell_is_reported_and_counted() {
    let out = chiptrace(&["validate", "fixtures/bad/stray_quote_mid"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(
        text.contains(
            "records.csv:3: error: field `source`: a quote opened in this cell runs on to line 7, so 4 later row(s)"
        ),
        "{text}"
    );
    assert!(!text.contains("entities.csv"), "the two-line address is a value, not an error:\n{text}");
    assert!(text.lines().last().unwrap().contains(": 23 entities, 2 records"), "{text}");
    let (read, rejected) = summary_counts(&text);
    assert_eq!(read + rejected, data_lines("bad/stray_quote_mid/records.csv"), "{text}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// Characters that act on a terminal or reorder what it shows: C0 controls
/// but newline and tab, DEL and C1 (U+009B is CSI), bidirectional embeddings,
/// overrides, isolates and marks, and the line and paragraph separators.
fn unsafe_on_terminal(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2028}' | '\u{2029}')
        })
        .collect()
}

/// Defect 6: `validate` (stdout) and every command's stderr printed raw
/// ESC/OSC/BEL from data values, and tables printed U+202E, U+202C and
/// U+2029 raw. Every command, every format, both streams, on a case whose
/// names, lots, declared end users and diagnostics carry them: nothing
/// unsafe reaches the terminal, and JSON output still parses to the data.
#[test]
fn no_data_value_reaches_the_terminal_unescaped() {
    let case = "fixtures/hostile/terminal";
    let lot = "L-200\u{1b}[31m";
    let runs: Vec<Vec<&str>> = vec![
        vec!["validate", case],
        vec!["scan", case],
        vec!["scan", case, "--format", "json"],
        vec!["scan", case, "--format", "jsonl"],
        vec!["scan", case, "--format", "csv"],
        vec!["trace", case, "--lot", lot],
        vec!["trace", case, "--lot", lot, "--format", "json"],
        vec!["trace", case, "--entity", "ZYC", "--backward"],
        vec!["screen", case],
        vec!["screen", case, "--format", "json"],
        vec!["trace", case, "--lot", "NONE\u{1b}]0;title\u{7}"],
        vec!["validate", "fixtures/bad/terminal_injection"],
        vec!["scan", "fixtures/bad/terminal_injection"],
    ];
    for args in &runs {
        let out = chiptrace(args);
        for (stream, text) in [("stdout", stdout(&out)), ("stderr", stderr(&out))] {
            let bad = unsafe_on_terminal(&text);
            assert!(bad.is_empty(), "{args:?} {stream} carries {bad:?}:\n{text}");
        }
    }
    // The data is still there, escaped, and JSON of it parses back to the raw value.
    let out = chiptrace(&["scan", case, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("scan JSON parses");
    let lots: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["lot"].as_str()).collect();
    assert!(lots.contains(&lot), "{lots:?}");
    let out = chiptrace(&["validate", "fixtures/bad/terminal_injection"]);
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    assert!(text.contains("field `date`: `2024-01-10\\u001b]0;pwned\\u0007` is not a valid date"), "{text}");
    assert!(text.contains("unknown record kind `gift\\u202egnp.exe`"), "{text}");
    assert!(text.contains("field `quantity`: `1\\r0` is not a positive integer"), "{text}");
}

/// Defect 8 (diagnostics): one 100 MB header line gave 315 MB of messages,
/// each echoing the whole header. Every echoed value is cut with a marker
/// and its full length, so a 4 MB header of one cell gives a few lines.
#[test]
fn a_huge_header_gives_short_diagnostics() {
    let dir = crate::common::TempDir::new("huge-header");
    std::fs::copy(crate::common::fixture("demo/entities.csv"), dir.path().join("entities.csv")).unwrap();
    let mut header = b"id,".to_vec();
    header.extend(std::iter::repeat_n(b'x', 2_000_000));
    header.extend(b",\x97");
    header.extend(std::iter::repeat_n(b'y', 2_000_000));
    header.extend(b",x\nR1,2024-01-01\n");
    dir.write("records.csv", &header);
    let out = crate::common::chiptrace_os(&["validate".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    assert!(text.len() < 8_000, "{} bytes of diagnostics", text.len());
    assert!(text.contains("missing required column `date`"), "{text}");
    assert!(text.contains("chars in all]"), "{text}");
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    assert!(longest <= 1_200, "a line of {longest} bytes");
}
