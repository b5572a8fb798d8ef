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
