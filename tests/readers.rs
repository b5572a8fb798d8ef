//! The case readers as a library: what docs/spec.md §1 accepts beyond the strict
//! form (any column order, extra columns, country names, kinds in any case,
//! date-times, JSON lines), and two invariants checked on random input:
//! every row is either read or rejected with an error at its line, and no
//! bytes make a reader panic.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, stderr, stdout};
use chiptrace::analysis::inventory::Inventory;
use chiptrace::model::{Case, Country, EntityKind, Payment, RecordKind, RelationKind};
use chiptrace::read::{Loaded, ReadOptions, read_case, read_case_from_files};
use proptest::prelude::*;

const ENTITIES: &str = "id,name,kind,country\n\
    VS,Veridian Semiconductor Inc.,manufacturer,US\n\
    AED,Atlas Enterprise Distribution Inc.,distributor,US\n\
    PRC,Pacific Rim Components Pte. Ltd.,distributor,SG\n";

fn read(files: &[(&str, &str)]) -> Loaded {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    read_case_from_files(&bytes)
}

/// Every diagnostic as `file:line: level: message`.
fn diags(l: &Loaded) -> Vec<String> {
    l.diags.0.iter().map(|d| d.to_string()).collect()
}

fn entity<'a>(case: &'a Case, id: &str) -> &'a chiptrace::model::Entity {
    case.entity(case.entity_by_key(id).unwrap_or_else(|| panic!("no entity {id}")))
}

fn record<'a>(case: &'a Case, id: &str) -> &'a chiptrace::model::Record {
    &case.records[record_index(case, id) as usize]
}

fn record_index(case: &Case, id: &str) -> u32 {
    case.record_by_key(id).unwrap_or_else(|| panic!("no record {id}"))
}

#[test]
fn columns_in_any_order_and_unknown_columns_are_kept() {
    let l = read(&[
        (
            "entities.csv",
            "country,website,kind,name,id\n\
             US,veridian.example,manufacturer,Veridian,VS\n\
             SG,,distributor,Pacific Rim,PRC\n",
        ),
        (
            "records.csv",
            "quantity,invoice_no,to,from,product,kind,date,id\n\
             40,INV-9,PRC,VS,H100,sale,2024-01-10,R1\n",
        ),
        ("relations.csv", "to,from,kind,share,filing\nPRC,VS,owns,51,ACRA 2023\n"),
    ]);
    assert_eq!(diags(&l), Vec::<String>::new());
    let c = &l.case;
    assert_eq!(entity(c, "VS").name, "Veridian");
    assert_eq!(entity(c, "VS").attrs.get("website").map(String::as_str), Some("veridian.example"));
    // An empty cell is absent, not an empty attribute.
    assert!(entity(c, "PRC").attrs.is_empty());
    let r = record(c, "R1");
    assert_eq!((r.quantity, c.entity(r.from).id.as_str(), c.entity(r.to).id.as_str()), (40, "VS", "PRC"));
    let attrs: Vec<(&str, &str)> =
        c.records.attrs(record_index(c, "R1")).iter().map(|(k, v)| (c.s(*k), c.s(*v))).collect();
    assert_eq!(attrs, [("invoice_no", "INV-9")]);
    assert_eq!(c.relations[0].share, Some(51.0));
    assert_eq!(c.relations[0].attrs.get("filing").map(String::as_str), Some("ACRA 2023"));
}

#[test]
fn country_names_and_alpha3_are_normalised() {
    let l = read(&[
        (
            "entities.csv",
            "id,name,kind,country\n\
             A,a,manufacturer,China\n\
             B,b,reseller,CHN\n\
             C,c,reseller,Hong Kong\n\
             D,d,reseller,hkg\n\
             E,e,reseller,United Arab Emirates\n\
             F,f,reseller,UAE\n\
             G,g,reseller,mo\n\
             H,h,reseller,Russia\n\
             I,i,reseller,\"Korea, Republic of\"\n\
             J,j,reseller,C\u{f4}te d'Ivoire\n",
        ),
        ("records.csv", "id,date,kind,from,to,product,quantity,ship_to_country\nR1,2024-01-01,sale,A,B,H100,1,Macao\n"),
    ]);
    assert_eq!(diags(&l), Vec::<String>::new());
    let got: Vec<String> = l.case.entities.iter().map(|e| e.country.to_string()).collect();
    assert_eq!(got, ["CN", "CN", "HK", "HK", "AE", "AE", "MO", "RU", "KR", "CI"]);
    assert_eq!(l.case.records.ship_to_country(record_index(&l.case, "R1")), Some(Country::from_code(b"MO")));
}

#[test]
fn kinds_and_payments_are_case_insensitive_with_synonyms() {
    let l = read(&[
        (
            "entities.csv",
            "id,name,kind,country\n\
             A,a,MANUFACTURER,US\n\
             B,b,Data Center,SG\n\
             C,c,end-user,CN\n\
             D,d,Forwarder,SG\n",
        ),
        (
            "records.csv",
            "id,date,kind,from,to,product,quantity,payment\n\
             R1,2024-01-01,SALE,A,B,h100,5,USDT\n\
             R2,2024-01-02,Shipment,B,D,H 100,5,Wire\n\
             R3,2024-01-03,LEASE,B,C,H100,5,Bitcoin\n",
        ),
        ("relations.csv", "kind,from,to,share\nOWNS,A,B,100%\nDirector,C,D,\n"),
    ]);
    assert_eq!(diags(&l), Vec::<String>::new());
    let kinds: Vec<EntityKind> = l.case.entities.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EntityKind::Manufacturer, EntityKind::DataCentre, EntityKind::EndUser, EntityKind::Logistics]);
    let c = &l.case;
    assert_eq!((record(c, "R1").kind, record(c, "R1").payment), (RecordKind::Sale, Some(Payment::Crypto)));
    assert_eq!((record(c, "R2").kind, record(c, "R2").payment), (RecordKind::Shipment, Some(Payment::Wire)));
    assert_eq!((record(c, "R3").kind, record(c, "R3").payment), (RecordKind::Lease, Some(Payment::Crypto)));
    // Product names compare without case or inner spaces.
    assert_eq!(c.s(record(c, "R2").product), "H100");
    let rel: Vec<(RelationKind, Option<f64>)> = c.relations.iter().map(|r| (r.kind, r.share)).collect();
    assert_eq!(rel, [(RelationKind::Owns, Some(100.0)), (RelationKind::Director, None)]);
}

#[test]
fn dates_and_date_times_are_accepted() {
    let l = read(&[
        ("entities.csv", ENTITIES),
        (
            "records.csv",
            "id,date,kind,from,to,product,quantity\n\
             R1,2024-06-01,sale,VS,AED,H100,5\n\
             R2,2024-06-01T08:30:00Z,sale,VS,AED,H100,5\n\
             R3,2024-06-01T08:30:00+08:00,sale,VS,AED,H100,5\n",
        ),
    ]);
    assert_eq!(diags(&l), Vec::<String>::new());
    let shown: Vec<String> = ["R1", "R2", "R3"].iter().map(|r| record(&l.case, r).date.to_string()).collect();
    assert_eq!(shown, ["2024-06-01", "2024-06-01T08:30:00Z", "2024-06-01T00:30:00Z"]);
}

#[test]
fn records_jsonl_reads_like_records_csv() {
    let csv = "id,date,kind,from,to,product,quantity,lot,end_date\n\
               R1,2024-01-10,sale,VS,AED,H100,100,L-1,\n\
               R2,2024-02-01,lease,AED,PRC,H100,40,L-1,2025-02-01\n";
    let jsonl = "{\"id\":\"R1\",\"date\":\"2024-01-10\",\"kind\":\"sale\",\"from\":\"VS\",\"to\":\"AED\",\"product\":\"H100\",\"quantity\":100,\"lot\":\"L-1\"}\n\
                 \n\
                 {\"id\":\"R2\",\"date\":\"2024-02-01\",\"kind\":\"lease\",\"from\":\"AED\",\"to\":\"PRC\",\"product\":\"H100\",\"quantity\":\"40\",\"lot\":\"L-1\",\"end_date\":\"2025-02-01\",\"parent_lot\":null}\n";
    let a = read(&[("entities.csv", ENTITIES), ("records.csv", csv)]);
    let b = read(&[("entities.csv", ENTITIES), ("records.jsonl", jsonl)]);
    assert_eq!(diags(&a), Vec::<String>::new());
    assert_eq!(diags(&b), Vec::<String>::new());
    let summary = |l: &Loaded| -> Vec<String> {
        l.case
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let c = &l.case;
                format!(
                    "{} {} {} {}->{} {} {} {:?} {:?}",
                    c.s(r.id),
                    r.date,
                    r.kind,
                    c.entity(r.from).id,
                    c.entity(r.to).id,
                    c.s(r.product),
                    r.quantity,
                    r.lot.map(|s| c.s(s)),
                    c.records.end_date(i as u32).map(|d| d.to_string())
                )
            })
            .collect()
    };
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(b.case.stats.records_read, 2);
}

#[test]
fn line_numbers_survive_quoted_newlines_crlf_and_a_byte_order_mark() {
    let l = read(&[
        (
            "entities.csv",
            "\u{feff}id,name,kind,country,address\r\n\
             VS,Veridian,manufacturer,US,\"100 Mission Ave\r\nSanta Clara\"\r\n\
             \r\n\
             AED,Atlas,distributor,Atlantis,\r\n",
        ),
        ("records.csv", "id,date,kind,from,to,product,quantity\n"),
    ]);
    assert_eq!(
        diags(&l),
        [
            "entities.csv:5: error: field `country`: unknown country `Atlantis` (expected ISO 3166-1 alpha-2 such as CN, a name or alpha-3)"
        ]
    );
    assert_eq!(entity(&l.case, "VS").address.as_deref(), Some("100 Mission Ave\r\nSanta Clara"));
    // The blank line is not a row.
    assert_eq!((l.case.stats.entities_read, l.case.stats.entities_rejected), (1, 1));
}

/// A case read from a folder and the same files read from memory give the
/// same model and the same diagnostics (one code path).
#[test]
fn folder_and_memory_readers_agree() {
    let dir = TempDir::new("folder-vs-memory");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for name in ["entities.csv", "records.csv", "relations.csv"] {
        let bytes = std::fs::read(crate::common::fixture("bad/many_problems").join(name)).unwrap();
        dir.write(name, &bytes);
        files.push((name.to_string(), bytes));
    }
    let from_dir = read_case(dir.path(), &ReadOptions::default()).unwrap();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let from_mem = read_case_from_files(&refs);
    let prefix = format!("{}/", dir.path().display());
    let dir_diags: Vec<String> = diags(&from_dir).iter().map(|d| d.replace(&prefix, "")).collect();
    assert_eq!(dir_diags, diags(&from_mem));
    assert!(!dir_diags.is_empty());
    let stats = |l: &Loaded| serde_json::to_string(&l.case.stats).unwrap();
    assert_eq!(stats(&from_dir), stats(&from_mem));
    assert_eq!(from_dir.case.fingerprint(), from_mem.case.fingerprint());
}

/// Units held: a sale passes title and goods; a shipment moves goods only,
/// so the forwarder holds them without owning them; installs and leases move
/// nothing.
#[test]
fn shipments_and_sales_count_differently_toward_units_held() {
    let l = read(&[
        (
            "entities.csv",
            "id,name,kind,country\nVS,v,manufacturer,US\nHCS,h,cloud,SG\nSFF,s,logistics,SG\nKCP,k,data_centre,MY\nZYC,z,end_user,CN\n",
        ),
        (
            "records.csv",
            "id,date,kind,from,to,product,quantity\n\
             R1,2024-01-01,sale,VS,HCS,H100,600\n\
             R2,2024-01-02,shipment,HCS,SFF,H100,600\n\
             R3,2024-01-03,shipment,SFF,KCP,H100,600\n\
             R4,2024-01-04,install,HCS,KCP,H100,200\n\
             R5,2024-01-05,lease,HCS,ZYC,H100,300\n",
        ),
    ]);
    // HCS leases units it owns but that sit at KCP: no shortfall warning.
    assert_eq!(diags(&l), Vec::<String>::new());
    let inv = Inventory::build(&l.case);
    let h = |id: &str| inv.holding(l.case.entity_by_key(id).unwrap(), l.case.sym("H100").unwrap());
    assert_eq!((h("HCS").held(), h("HCS").owned()), (0, 600));
    assert_eq!((h("SFF").held(), h("SFF").owned()), (0, 0));
    assert_eq!((h("KCP").held(), h("KCP").owned(), h("KCP").hosted), (600, 0, 200));
    assert_eq!((h("HCS").installed, h("HCS").leased, h("ZYC").leased_in, h("ZYC").held()), (200, 300, 300, 0));
}

/// A row the reader could make sense of, or one with a known problem.
#[derive(Clone, Debug)]
enum Row {
    Good { day: u8, qty: u16 },
    ZeroQuantity,
    FractionQuantity,
    ImpossibleDate,
    UnknownEntity,
    UnknownKind,
    SaleToItself,
    TooManyFields,
    EmptyId,
    LeaseEndsBeforeStart,
}

fn row_strategy() -> impl Strategy<Value = Row> {
    prop_oneof![
        4 => (1u8..=28, 1u16..=500).prop_map(|(day, qty)| Row::Good { day, qty }),
        1 => Just(Row::ZeroQuantity),
        1 => Just(Row::FractionQuantity),
        1 => Just(Row::ImpossibleDate),
        1 => Just(Row::UnknownEntity),
        1 => Just(Row::UnknownKind),
        1 => Just(Row::SaleToItself),
        1 => Just(Row::TooManyFields),
        1 => Just(Row::EmptyId),
        1 => Just(Row::LeaseEndsBeforeStart),
    ]
}

/// The row's fields: id, date, kind, from, to, product, quantity, end_date.
fn fields(i: usize, row: &Row) -> Vec<String> {
    let id = format!("R{i}");
    let f = |id: &str, date: &str, kind: &str, from: &str, to: &str, qty: &str, end: &str| {
        [id, date, kind, from, to, "H100", qty, end].map(String::from).to_vec()
    };
    match row {
        Row::Good { day, qty } => f(&id, &format!("2024-03-{day:02}"), "sale", "VS", "AED", &qty.to_string(), ""),
        Row::ZeroQuantity => f(&id, "2024-03-01", "sale", "VS", "AED", "0", ""),
        Row::FractionQuantity => f(&id, "2024-03-01", "sale", "VS", "AED", "2.5", ""),
        Row::ImpossibleDate => f(&id, "2024-02-30", "sale", "VS", "AED", "1", ""),
        Row::UnknownEntity => f(&id, "2024-03-01", "sale", "VS", "NOBODY", "1", ""),
        Row::UnknownKind => f(&id, "2024-03-01", "gift", "VS", "AED", "1", ""),
        Row::SaleToItself => f(&id, "2024-03-01", "sale", "AED", "AED", "1", ""),
        Row::TooManyFields => {
            let mut v = f(&id, "2024-03-01", "sale", "VS", "AED", "1", "");
            v.push("surplus".into());
            v
        }
        Row::EmptyId => f("", "2024-03-01", "sale", "VS", "AED", "1", ""),
        Row::LeaseEndsBeforeStart => f(&id, "2024-03-05", "lease", "VS", "AED", "1", "2024-03-01"),
    }
}

const NAMES: [&str; 8] = ["id", "date", "kind", "from", "to", "product", "quantity", "end_date"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every row is read or rejected, never dropped: read + rejected == rows,
    /// and each rejected row has an error at its own line, whatever the line
    /// ends (LF or CRLF) and however many blank lines lie between rows.
    #[test]
    fn every_row_is_read_or_rejected(
        rows in prop::collection::vec((row_strategy(), 0usize..3), 0..40),
        jsonl: bool,
        crlf: bool,
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        // The line of each row, counting the header and the blank lines before it.
        let mut lines = Vec::new();
        let mut next = if jsonl { 1 } else { 2 };
        for (_, blanks) in &rows {
            next += blanks;
            lines.push(next as u64);
            next += 1;
        }
        let rows: Vec<(Row, usize)> = rows;
        let (name, text) = if jsonl {
            let mut t = String::new();
            for (i, (r, blanks)) in rows.iter().enumerate() {
                t.push_str(&eol.repeat(*blanks));
                let v = fields(i, r);
                let obj: serde_json::Map<String, serde_json::Value> = NAMES
                    .iter()
                    .zip(&v)
                    .map(|(k, x)| (k.to_string(), serde_json::Value::String(x.clone())))
                    .chain(v.get(8).map(|x| ("surplus".to_string(), serde_json::Value::Array(vec![x.clone().into()]))))
                    .collect();
                t.push_str(&serde_json::Value::Object(obj).to_string());
                t.push_str(eol);
            }
            ("records.jsonl", t)
        } else {
            let mut t = NAMES.join(",") + eol;
            for (i, (r, blanks)) in rows.iter().enumerate() {
                t.push_str(&eol.repeat(*blanks));
                t.push_str(&fields(i, r).join(","));
                t.push_str(eol);
            }
            ("records.csv", t)
        };
        let l = read(&[("entities.csv", ENTITIES), (name, &text)]);
        let s = &l.case.stats;
        let good = rows.iter().filter(|(r, _)| matches!(r, Row::Good { .. })).count();
        prop_assert_eq!(s.records_read + s.records_rejected, rows.len());
        prop_assert_eq!(s.records_read, good);
        for (i, ((r, _), &line)) in rows.iter().zip(&lines).enumerate() {
            let has_error = l.diags.0.iter().any(|d| d.is_error() && d.file == name && d.line == line);
            prop_assert_eq!(has_error, !matches!(r, Row::Good { .. }), "row {} ({:?}) at line {}: {:?}", i, r, line, diags(&l));
        }
    }

    /// No bytes make a reader panic, and the counts still add up.
    #[test]
    fn readers_never_panic_on_arbitrary_bytes(
        which in 0usize..5,
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        text in "[a-zA-Z0-9,\"\n\r; :{}\\[\\]=._-]{0,300}",
    ) {
        let names = ["entities.csv", "records.csv", "records.jsonl", "relations.csv", "policy.toml"];
        for content in [bytes.as_slice(), text.as_bytes()] {
            let mut files: Vec<(&str, &[u8])> = vec![(names[which], content)];
            if which != 0 {
                files.push(("entities.csv", ENTITIES.as_bytes()));
            }
            if which != 1 && which != 2 {
                files.push(("records.csv", b"id,date,kind,from,to,product,quantity\nR1,2024-01-01,sale,VS,AED,H100,5\n"));
            }
            let l = read_case_from_files(&files);
            for d in &l.diags.0 {
                prop_assert!(!d.file.is_empty());
            }
            let _ = Inventory::build(&l.case).shortfalls(&l.case);
        }
    }
}

/// docs/spec.md §5.3: a case whose files are gzip or zstd compressed scans to the
/// same findings as the plain case, and diagnostics name the file on disk.
#[test]
fn compressed_case_files_scan_like_plain_ones() {
    use std::io::Write;
    let plain = chiptrace(&["scan", "fixtures/demo", "--format", "json"]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    let tmp = TempDir::new("compressed-case");
    let demo = fixture("demo");
    for name in ["entities.csv", "records.csv", "relations.csv"] {
        let bytes = std::fs::read(demo.join(name)).unwrap();
        if name == "records.csv" {
            tmp.write("records.csv.zst", zstd::encode_all(&bytes[..], 3).unwrap());
        } else {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&bytes).unwrap();
            tmp.write(&format!("{name}.gz"), gz.finish().unwrap());
        }
    }
    for entry in std::fs::read_dir(demo.join("lists")).unwrap() {
        let p = entry.unwrap().path();
        tmp.write(&format!("lists/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read(&p).unwrap());
    }
    let packed = chiptrace_os(&["scan".as_ref(), tmp.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&packed), 0, "{}", stderr(&packed));
    let findings = |o: &std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"].clone()
    };
    assert_eq!(findings(&plain), findings(&packed));

    // A corrupt stream is reported against the compressed file, with exit 2.
    tmp.write("records.csv.zst", b"this is not zstd");
    let bad = chiptrace_os(&["validate".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("records.csv.zst") || stdout(&bad).contains("records.csv.zst"), "{}", stderr(&bad));
}
