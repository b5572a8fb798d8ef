//! The parallel records reader against its sequential twin: records.csv cut
//! into stretches of a few bytes (so that cuts fall inside quoted cells,
//! between `\r` and `\n`, on blank lines and on stray quotes) must give the
//! same case, the same diagnostics in the same order, and the same counts
//! as the sequential reader, on valid and malformed input alike.

use chiptrace::read::{Loaded, ReadOptions, read_case_from_files_with};
use proptest::prelude::*;

const ENTITIES: &str = "id,name,kind,country\n\
    VS,Veridian Semiconductor Inc.,manufacturer,US\n\
    AED,Atlas Enterprise Distribution Inc.,distributor,US\n\
    PRC,Pacific Rim Components Pte. Ltd.,distributor,SG\n";

fn read(records: &[u8], threads: usize, chunk_bytes: usize) -> Loaded {
    read_named("records.csv", records, threads, chunk_bytes)
}

fn read_named(name: &str, records: &[u8], threads: usize, chunk_bytes: usize) -> Loaded {
    let files: [(&str, &[u8]); 2] = [("entities.csv", ENTITIES.as_bytes()), (name, records)];
    read_case_from_files_with(&files, &ReadOptions { threads, chunk_bytes, ..ReadOptions::default() })
}

/// Everything a reader decides, with every symbol resolved to its text.
fn view(l: &Loaded) -> String {
    let c = &l.case;
    let mut out = String::new();
    for d in &l.diags.0 {
        out.push_str(&format!("{d}\n"));
    }
    for (i, r) in c.records.iter().enumerate() {
        out.push_str(&format!("{i} {}\n", c.record_line(i as u32)));
        // The symbols themselves too: their numbering orders maps downstream.
        out.push_str(&format!("{r:?} {:?}\n", c.records.extras(i as u32)));
        // Each record is found again by its id, and its id symbol is that id's.
        assert_eq!(c.record_by_key(c.record_id(i as u32)), Some(i as u32), "record {i} found by its id");
    }
    out.push_str(&format!("{:?}\n{:?}\n", c.stats, c.record_files));
    out
}

/// A cell: usually a valid value for its column, sometimes something hostile.
fn cell(column: usize) -> impl Strategy<Value = String> {
    let valid: Vec<&'static str> = match column {
        0 => vec!["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", " R2 "],
        1 => vec!["2024-01-10", "2024-02-03", "2024-13-01"],
        2 => vec!["sale", "shipment", "install", "Lease", "gift"],
        3 | 4 => vec!["VS", "AED", "PRC", "NOPE"],
        5 => vec!["H100", "h100 sxm", "8-GPU HGX H100", "Widget"],
        6 => vec!["1", "100", "0", "x"],
        7 | 8 => vec!["L1", "L2", "R1", ""],
        _ => vec!["note", "", "AED invoice"],
    };
    let hostile = prop_oneof![
        Just("\"".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        Just("\"two\nlines\"".to_string()),
        Just("\"crlf\r\ninside\"".to_string()),
        Just("a\"b".to_string()),
        Just("\"\"".to_string()),
        Just("\"open".to_string()),
        Just("caf\u{e9}".to_string()),
        Just("  ".to_string()),
    ];
    prop_oneof![8 => prop::sample::select(valid).prop_map(String::from), 1 => hostile]
}

/// A row of 1 to 11 cells (the header has 9), with its line end.
fn row() -> impl Strategy<Value = (Vec<String>, &'static str)> {
    let cells = (1usize..12).prop_flat_map(|n| (0..n).map(cell).collect::<Vec<_>>());
    let width = prop_oneof![6 => Just(9usize), 1 => 1usize..12];
    let end = prop::sample::select(vec!["\n", "\n", "\r\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\n \n"]);
    (cells, width, end).prop_map(|(mut cells, width, end)| {
        cells.resize(width, String::new());
        (cells, end)
    })
}

fn file(header_crlf: bool, rows: &[(Vec<String>, &str)], latin1: bool, last_end: bool) -> Vec<u8> {
    let mut out = String::from(if header_crlf {
        "id,date,kind,from,to,product,quantity,lot,source\r\n"
    } else {
        "\nid,date,kind,from,to,product,quantity,parent_lot,lot,source\n"
    });
    for (i, (cells, end)) in rows.iter().enumerate() {
        out.push_str(&cells.join(","));
        if last_end || i + 1 < rows.len() {
            out.push_str(end);
        }
    }
    let mut bytes = out.into_bytes();
    if latin1 {
        // A byte that is not UTF-8 (Windows-1252's right quote), read with a warning.
        if let Some(p) = bytes.iter().position(|&b| b == b'n') {
            bytes[p] = 0x92;
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Cut into stretches of 1 to 64 bytes, read on 2 or 3 threads, the
    /// records give the same case and diagnostics as the sequential reader.
    #[test]
    fn parallel_reading_equals_sequential_reading(
        rows in prop::collection::vec(row(), 0..40),
        header_crlf: bool,
        latin1: bool,
        last_end: bool,
        chunk in 1usize..64,
        threads in 2usize..4,
    ) {
        let bytes = file(header_crlf, &rows, latin1, last_end);
        let sequential = view(&read(&bytes, 1, 0));
        let parallel = view(&read(&bytes, threads, chunk));
        prop_assert_eq!(&parallel, &sequential);
        // And with one stretch for the whole file, on the current pool.
        prop_assert_eq!(&view(&read(&bytes, 0, 0)), &sequential);
    }
}

/// A line of JSON lines: usually a record, sometimes malformed, blank, or
/// with a key twice.
fn json_line() -> impl Strategy<Value = String> {
    let record = (0usize..9, 0usize..4, prop::sample::select(vec!["H100", "Widget", "8-GPU HGX H100"]), 0u32..3)
        .prop_map(|(id, from, product, q)| {
            let from = ["VS", "AED", "PRC", "NOPE"][from];
            format!(
                r#"{{"id":"R{id}","date":"2024-01-10","kind":"sale","from":"{from}","to":"AED","product":"{product}","quantity":{q}}}"#
            )
        });
    prop_oneof![
        8 => record,
        1 => Just(r#"{"id":"R1","id":"R2","date":"2024-01-10"}"#.to_string()),
        1 => Just("{not json".to_string()),
        1 => Just("[1, 2]".to_string()),
        1 => Just("   ".to_string()),
        1 => Just(String::new()),
        1 => Just(r#"{"id":{"nested":1}}"#.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// records.jsonl cut into stretches of 1 to 64 bytes gives what the
    /// sequential reader gives.
    #[test]
    fn parallel_json_lines_equal_sequential(
        lines in prop::collection::vec((json_line(), prop::sample::select(vec!["\n", "\r\n", "\n\n"])), 0..30),
        last_end: bool,
        chunk in 1usize..64,
    ) {
        let mut text = String::new();
        for (i, (line, end)) in lines.iter().enumerate() {
            text.push_str(line);
            if last_end || i + 1 < lines.len() {
                text.push_str(end);
            }
        }
        let sequential = view(&read_named("records.jsonl", text.as_bytes(), 1, 0));
        prop_assert_eq!(view(&read_named("records.jsonl", text.as_bytes(), 2, chunk)), sequential);
    }
}

/// A stray quote near the start swallows every later row into one cell: it
/// is reported once, at its own line, with the rows it took counted, however
/// the file is cut.
#[test]
fn a_stray_quote_across_every_cut_is_reported_once() {
    let mut text = String::from("id,date,kind,from,to,product,quantity,source\n");
    text.push_str("R1,2024-01-10,sale,VS,AED,H100,1,\"stray\n");
    for i in 2..200 {
        text.push_str(&format!("R{i},2024-01-10,sale,VS,AED,H100,1,note {i}\n"));
    }
    let sequential = read(text.as_bytes(), 1, 0);
    let errors: Vec<String> = sequential.diags.0.iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "records.csv:2: error: field `source`: a quote opened in this cell runs on to line 200, so 198 later row(s)"
        ),
        "{errors:?}"
    );
    assert_eq!(sequential.case.stats.records_read + sequential.case.stats.records_rejected, 199);
    for chunk in [1, 7, 64, 500] {
        assert_eq!(view(&read(text.as_bytes(), 2, chunk)), view(&sequential), "stretches of {chunk} bytes");
    }
}

/// Ids that repeat across stretches are reported at the later row, naming
/// the first, and only the first is read.
#[test]
fn duplicate_ids_in_different_stretches_are_reported_as_in_one() {
    let mut text = String::from("id,date,kind,from,to,product,quantity\n");
    for i in 0..300 {
        text.push_str(&format!("R{},2024-01-10,sale,VS,AED,H100,1\n", i % 97));
    }
    let sequential = read(text.as_bytes(), 1, 0);
    assert_eq!(sequential.case.stats.records_read, 97);
    assert_eq!(sequential.case.stats.records_rejected, 203);
    let first = sequential.diags.0.first().map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(first, "records.csv:99: error: field `id`: duplicate record id `R0` (first at line 2)");
    assert_eq!(view(&read(text.as_bytes(), 2, 50)), view(&sequential));
}

/// A row in the middle of the file that starts with a byte-order mark (found
/// by the readers fuzz target): the csv parser drops a mark at the start of
/// what it is given, so a stretch starting there read the row differently
/// from the sequential reader. The mark is kept, and a field that is not
/// UTF-8 is decoded as the warning says, Windows-1252, without BOM sniffing.
#[test]
fn a_byte_order_mark_at_the_start_of_a_later_row_reads_the_same_in_stretches() {
    let mut text = b"id,date,kind,from,to,product,quantity\n".to_vec();
    text.extend_from_slice(b"R1,2024-01-10,sale,VS,AED,H100,1\n");
    text.extend_from_slice(b"\xef\xbb\xbfR\xff2,2024-01-10,sale,VS,AED,H100,1\n");
    text.extend_from_slice(b"R3,2024-01-10,sale,VS,AED,H100,1\n");
    let sequential = read(&text, 1, 0);
    let warning =
        sequential.diags.0.iter().map(|d| d.to_string()).find(|d| d.contains("not UTF-8")).unwrap_or_default();
    assert_eq!(warning, "records.csv:3: warning: field `id`: bytes that are not UTF-8, read as Windows-1252: `ï»¿Rÿ2`");
    for chunk in 1..=40 {
        assert_eq!(view(&read(&text, 2, chunk)), view(&sequential), "stretches of {chunk} bytes");
    }
}
