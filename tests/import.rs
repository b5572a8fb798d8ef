//! `chiptrace import` (docs/spec.md §5.3): the shipped bill-of-lading sample imports
//! and scans to the route its story plants; every source row is a record or
//! a diagnostic naming its line; spellings merge into one entity with
//! aliases; standard input and compressed sources read the same bytes.

use crate::common::{TempDir, chiptrace_os, code, stderr, stdout};
use std::io::Write;
use std::process::{Command, Stdio};

const SAMPLE: &str = "examples/bol/shipments.csv";
const MAPPING: &str = "examples/bol/mapping.toml";

fn import(src: &str, mapping: &str, out: &std::path::Path) -> std::process::Output {
    chiptrace_os(&[
        "import".as_ref(),
        src.as_ref(),
        "--mapping".as_ref(),
        mapping.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

fn csv_rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path).unwrap().records().map(|r| r.unwrap()).collect()
}

#[test]
fn shipped_bill_of_lading_sample_imports_and_scans_to_its_story() {
    let dir = TempDir::new("import-bol");
    let case = dir.path().join("case");
    let o = import(SAMPLE, MAPPING, &case);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("12 rows: 12 records imported, 0 rows reported"), "{}", stderr(&o));
    // The Hong Kong company is spelled two ways and is one entity.
    let entities = csv_rows(&case.join("entities.csv"));
    let hk: Vec<_> = entities.iter().filter(|e| e[1].to_lowercase().starts_with("lucky dragon")).collect();
    assert_eq!(hk.len(), 1, "one Lucky Dragon entity: {entities:?}");
    assert_eq!(&hk[0][3], "HK");
    assert!(hk[0][4].contains("Lucky Dragon Trading Co., Ltd."), "the other spelling is an alias: {:?}", hk[0]);
    let hk_id = hk[0][0].to_string();
    // US dates were read as month/day/year, servers as H100.
    let records = csv_rows(&case.join("records.csv"));
    let r = records.iter().find(|r| &r[0] == "HKXS0240117").expect("the Hong Kong bill");
    assert_eq!((&r[1], &r[5], &r[6], &r[15]), ("2024-01-24", "H100", "96", "12"), "12 servers of 8 GPUs");
    assert!(r[12].contains("shipments.csv:6"), "the record cites its source line: {r:?}");

    let o = chiptrace_os(&["scan".as_ref(), case.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["terminal"]["name"].as_str().unwrap().starts_with("Beijing Hengtong"))
        .unwrap_or_else(|| panic!("no finding ends at the Beijing buyer: {}", stdout(&o)));
    assert_eq!(f["product"], "H100");
    assert_eq!(f["quantity"], 96);
    assert_eq!(f["terminal"]["country"], "CN");
    let rules: Vec<&str> = f["flags"].as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap()).collect();
    for rule in ["country_of_concern", "transshipment_hub", "rapid_resale"] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    let hops: Vec<&str> = f["path"].as_array().unwrap().iter().map(|s| s["to"].as_str().unwrap()).collect();
    assert!(hops.contains(&hk_id.as_str()), "the route passes the Hong Kong reseller: {hops:?}");
    assert!(["medium", "high"].contains(&f["severity"].as_str().unwrap()));
    // The best finding is the planted one.
    assert_eq!(v["findings"][0]["id"], f["id"]);
}

#[test]
fn every_row_is_a_record_or_a_diagnostic_naming_its_line() {
    let dir = TempDir::new("import-bad");
    let src = dir.write(
        "bad.csv",
        "BL,Date,Shipper,From,Consignee,To,Goods,Qty\n\
         B1,01/02/2024,Acme Ltd,US,Beta Co,SG,NVIDIA H100 80GB,10\n\
         B2,13/45/2024,Acme Ltd,US,Beta Co,SG,NVIDIA H100 80GB,10\n\
         B3,01/03/2024,Acme Ltd,Atlantis,Beta Co,SG,NVIDIA H100 80GB,10\n\
         B4,01/04/2024,,US,Beta Co,SG,NVIDIA H100 80GB,ten\n\
         \n\
         B5,01/05/2024,ACME LIMITED,USA,Beta Company,Singapore,H100 SXM,5 pcs\n\
         B5,01/05/2024,ACME LIMITED,USA,Beta Company,Singapore,A100 PCIe,2\n\
         B6,01/06/2024,Beta Co,SG,Beta Co.,SG,NVIDIA H100,1\n",
    );
    let map = dir.write(
        "map.toml",
        "[records]\nid = \"BL\"\ndate = \"Date\"\ndate_formats = [\"%m/%d/%Y\"]\nfrom = \"Shipper\"\nfrom_country = \"From\"\n\
         to = \"Consignee\"\nto_country = \"To\"\nproduct = \"Goods\"\nquantity = \"Qty\"\n",
    );
    let case = dir.path().join("case");
    let o = import(src.to_str().unwrap(), map.to_str().unwrap(), &case);
    assert_eq!(code(&o), 2, "rows were rejected: {}", stderr(&o));
    let err = stderr(&o);
    let file = src.display().to_string();
    for (line, what) in [
        (3, "`13/45/2024` matches none of the date formats"),
        (4, "unknown country `Atlantis`"),
        (5, "column `Shipper` (field `from`): required value is empty"),
        (5, "`ten` is not a positive whole number"),
        (9, "a sale to itself"),
    ] {
        assert!(
            err.contains(&format!("{file}:{line}: error: ")) && err.contains(what),
            "line {line}: `{what}` not in\n{err}"
        );
    }
    assert!(err.contains("7 rows: 3 records imported, 4 rows reported"), "{err}");
    let records = csv_rows(&case.join("records.csv"));
    assert_eq!(records.len(), 3, "the good rows are written");
    let ids: Vec<&str> = records.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(ids, ["B1", "B5", "B5/2"], "a second goods line of one bill keeps its own record");
    // `ACME LIMITED` (USA) and `Acme Ltd` (US) are one entity; so are `Beta Co` and `Beta Company`.
    let entities = csv_rows(&case.join("entities.csv"));
    assert_eq!(entities.len(), 2, "{entities:?}");
    // The case reads back cleanly.
    let o = chiptrace_os(&["validate".as_ref(), case.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn standard_input_and_compressed_sources_import_the_same_case() {
    let dir = TempDir::new("import-stdin");
    let plain = dir.path().join("plain");
    assert_eq!(code(&import(SAMPLE, MAPPING, &plain)), 0);
    let want = std::fs::read(plain.join("records.csv")).unwrap();
    let bytes = std::fs::read(SAMPLE).unwrap();
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&bytes).unwrap();
        e.finish().unwrap()
    };
    let zst = zstd::encode_all(&bytes[..], 3).unwrap();
    // A compressed file by its name.
    let zpath = dir.write("shipments.csv.zst", &zst);
    let zcase = dir.path().join("zst");
    let o = import(zpath.to_str().unwrap(), MAPPING, &zcase);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Sources are cited by file name, so the zst case cites `shipments.csv.zst`.
    let got = String::from_utf8(std::fs::read(zcase.join("records.csv")).unwrap()).unwrap();
    assert_eq!(got.replace("shipments.csv.zst:", "shipments.csv:"), String::from_utf8(want.clone()).unwrap());
    // Standard input, plain and gzip (sniffed from its first bytes).
    for (tag, input) in [("stdin", bytes.clone()), ("stdin-gz", gz)] {
        let out = dir.path().join(tag);
        let mut child = Command::new(crate::common::bin())
            .args(["import", "-", "--mapping", MAPPING, "--out"])
            .arg(&out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{tag}: {}", stderr(&o));
        let got = String::from_utf8(std::fs::read(out.join("records.csv")).unwrap()).unwrap();
        assert_eq!(got.replace("<stdin>:", "shipments.csv:"), String::from_utf8(want.clone()).unwrap(), "{tag}");
    }
}

#[test]
fn bad_mappings_and_occupied_folders_are_refused() {
    let dir = TempDir::new("import-map");
    let typo = dir.write("typo.toml", "[records]\ndate = \"Arrival Date\"\nfrom = \"Shipper\"\nto = \"Consignee\"\nproduct = \"Goods Shipped\"\nquantity = \"Quantity\"\nquantty = \"x\"\n");
    let o = import(SAMPLE, typo.to_str().unwrap(), &dir.path().join("a"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("typo.toml") && stderr(&o).contains("quantty"), "{}", stderr(&o));
    let missing = dir.write("missing.toml", "[records]\ndate = \"Arrival\"\nfrom = \"Shipper\"\nfrom_country = \"Shipper Country\"\nto = \"Consignee\"\nto_country = \"Consignee Country\"\nproduct = \"Goods Shipped\"\nquantity = \"Quantity\"\n");
    let o = import(SAMPLE, missing.to_str().unwrap(), &dir.path().join("b"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(":1: error: missing required column `arrival`"), "{}", stderr(&o));
    let busy = dir.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "x").unwrap();
    let o = import(SAMPLE, MAPPING, &busy);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"));
}

/// A forwarder written with a `C/O`, `ON BEHALF OF` or `ATTN` tail, as export
/// filings write consignees, and its plain spellings on its own outward rows.
const FORWARDER_ROWS: &str = "Ref,Date,Shipper,Shipper Country,Consignee,Consignee Country,Notify,Goods,Qty\n\
    E1,03/12/2024,PACIFICA GRID SOLUTIONS LLC,US,SWIFTLINK FREIGHT (S) PTE LTD C/O NAN YANG DIGITAL TECH,Singapore,SAME AS CONSIGNEE,NVIDIA H100 80GB PCIE,96\n\
    E2,03/15/2024,PACIFICA GRID SOLUTIONS LLC,US,SWIFTLINK FREIGHT (S) PTE LTD ON BEHALF OF MERIDIAN HEALTH ANALYTICS PTE LTD,SG,MERIDIAN HEALTH ANALYTICS PTE LTD,NVIDIA H100 80GB PCIE,32\n\
    S1,03/19/2024,SWIFTLINK FREIGHT (S) PTE. LTD.,SG,HK HUAXUN SUPPLY CHAIN LIMITED,中国香港,,NVIDIA H100 80GB PCIE,96\n\
    S2,03/22/2024,Swiftlink Freight (S) Pte Ltd,Singapore,Meridian Health Analytics Pte. Ltd.,新加坡,,NVIDIA H100 80GB PCIE,32\n\
    E3,04/09/2024,PACIFICA GRID SOLUTIONS LLC,US,ATLAS CARGO SDN BHD ATTN: MR. LIM K.H.,Malaysia,ON BEHALF OF SHENZHEN QIANHAI HUAXUN,NVIDIA H100 80GB PCIE,64\n\
    M1,04/16/2024,ATLAS CARGO SDN. BHD.,马来西亚,SHENZHEN QIANHAI HUAXUN SUPPLY CHAIN CO LTD,中国,,NVIDIA H100 80GB PCIE,64\n\
    K1,04/20/2024,PACIFICA GRID SOLUTIONS LLC,US,COSCO SHIPPING CO LTD,P.R. CHINA,,NVIDIA H100 80GB PCIE,8\n";

#[test]
fn care_of_on_behalf_of_and_attention_tails_keep_one_forwarder_and_its_chain() {
    let dir = TempDir::new("import-tails");
    let src = dir.write("rows.csv", FORWARDER_ROWS);
    let map = dir.write(
        "map.toml",
        "[records]\nid = \"Ref\"\ndate = \"Date\"\ndate_formats = [\"%m/%d/%Y\"]\nfrom = \"Shipper\"\nfrom_country = \"Shipper Country\"\n\
         to = \"Consignee\"\nto_country = \"Consignee Country\"\nproduct = \"Goods\"\nquantity = \"Qty\"\ndeclared_end_user = \"Notify\"\n\
         [parties]\n\"Swiftlink Freight (S) Pte Ltd\" = \"logistics\"\n\"Atlas Cargo Sdn Bhd\" = \"logistics\"\n",
    );
    let case = dir.path().join("case");
    let o = import(src.to_str().unwrap(), map.to_str().unwrap(), &case);
    assert_eq!(code(&o), 0, "Chinese country names and `P.R. CHINA` are read: {}", stderr(&o));
    assert!(
        stderr(&o).contains("3 records name a party with a `C/O`, `ON BEHALF OF` or `ATTN` tail"),
        "{}",
        stderr(&o)
    );
    let entities = csv_rows(&case.join("entities.csv"));
    let named = |prefix: &str| -> Vec<csv::StringRecord> {
        entities.iter().filter(|e| e[1].to_uppercase().starts_with(prefix)).cloned().collect()
    };
    let swift = named("SWIFTLINK");
    assert_eq!(swift.len(), 1, "one Singapore forwarder: {entities:?}");
    assert_eq!((&swift[0][2], &swift[0][3]), ("logistics", "SG"), "the mapping's kind applies: {:?}", swift[0]);
    assert!(
        !swift[0][4].contains("NAN YANG") && !swift[0][4].contains("MERIDIAN"),
        "no tail in aliases: {:?}",
        swift[0]
    );
    let atlas = named("ATLAS");
    assert_eq!(atlas.len(), 1, "one Malaysian forwarder: {entities:?}");
    assert_eq!(&atlas[0][2], "logistics");
    // Neither the party acted for nor the contact became an entity of its own.
    assert!(named("NAN YANG").is_empty() && named("MR").is_empty(), "{entities:?}");
    assert_eq!(named("COSCO").len(), 1, "`CO` in a name is not `C/O`");
    let (swift_id, atlas_id) = (swift[0][0].to_string(), atlas[0][0].to_string());
    let countries: Vec<(&str, &str)> = entities.iter().map(|e| (&e[1], &e[3])).collect();
    for (name, want) in [("HK HUAXUN", "HK"), ("SHENZHEN QIANHAI", "CN"), ("COSCO", "CN"), ("Meridian", "SG")] {
        assert!(countries.iter().any(|(n, c)| n.starts_with(name) && *c == want), "{name} in {want}: {countries:?}");
    }

    let mut rdr = csv::Reader::from_path(case.join("records.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no `{name}` in {header:?}"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let row = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap_or_else(|| panic!("no record {id}"));
    let (to, eu) = (col("to"), col("declared_end_user"));
    let (written, on_behalf, attention) = (col("to_as_written"), col("to_on_behalf_of"), col("to_attention"));
    let eu_written = col("declared_end_user_as_written");
    let e1 = row("E1");
    assert_eq!(&e1[to], swift_id);
    assert_eq!(&e1[written], "SWIFTLINK FREIGHT (S) PTE LTD C/O NAN YANG DIGITAL TECH");
    assert_eq!(&e1[on_behalf], "NAN YANG DIGITAL TECH");
    assert_eq!(
        (&e1[eu], &e1[eu_written]),
        ("NAN YANG DIGITAL TECH", "SAME AS CONSIGNEE"),
        "the consignee it receives for"
    );
    let e2 = row("E2");
    assert_eq!(&e2[to], swift_id);
    assert_eq!(
        (&e2[on_behalf], &e2[eu], &e2[eu_written]),
        ("MERIDIAN HEALTH ANALYTICS PTE LTD", "MERIDIAN HEALTH ANALYTICS PTE LTD", "")
    );
    let e3 = row("E3");
    assert_eq!(&e3[to], atlas_id);
    assert_eq!((&e3[on_behalf], &e3[attention]), ("", "MR. LIM K.H."), "a contact, not a party");
    assert_eq!((&e3[eu], &e3[eu_written]), ("SHENZHEN QIANHAI HUAXUN", "ON BEHALF OF SHENZHEN QIANHAI HUAXUN"));
    assert_eq!(&row("S1")[written], "", "a plain cell keeps no copy");
    assert!(!header.iter().any(|h| h.starts_with("from_")), "no shipper had a tail: {header:?}");

    // The chain runs through the forwarders: the Hong Kong buyer's route
    // passes the Singapore forwarder, and the lawful hospital is no mismatch.
    let o = chiptrace_os(&["scan".as_ref(), case.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let hk = findings
        .iter()
        .find(|f| f["terminal"]["name"].as_str().is_some_and(|n| n.starts_with("HK HUAXUN")))
        .unwrap_or_else(|| panic!("no finding ends at the Hong Kong buyer: {}", stdout(&o)));
    let hops: Vec<&str> = hk["path"].as_array().unwrap().iter().map(|s| s["from"].as_str().unwrap()).collect();
    assert!(hops.contains(&swift_id.as_str()), "the route passes the forwarder: {hops:?}");
    assert!(
        !findings.iter().any(|f| f["kind"] == "route" && f["terminal"]["id"].as_str() == Some(swift_id.as_str())),
        "the forwarder passed everything on and ends no route: {}",
        stdout(&o)
    );
    let mismatch_about_meridian = findings
        .iter()
        .flat_map(|f| f["flags"].as_array().unwrap())
        .any(|x| x["rule"] == "end_user_mismatch" && x["detail"].as_str().is_some_and(|d| d.contains("`MERIDIAN")));
    assert!(!mismatch_about_meridian, "the hospital received what was declared: {}", stdout(&o));
}

/// Servers written in Chinese, Russian and Japanese count their GPUs where
/// the text says how many, and a warning names the row where it does not;
/// countries in Cyrillic and Turkish spelling are read.
#[test]
fn servers_and_countries_in_other_scripts_count_and_read() {
    let dir = TempDir::new("import-scripts");
    let mapping = dir.write(
        "mapping.toml",
        "[records]\ndate = \"date\"\nfrom = \"from\"\nfrom_country = \"fc\"\nto = \"to\"\nto_country = \"tc\"\nproduct = \"product\"\nquantity = \"qty\"\n",
    );
    let rows = dir.write(
        "rows.csv",
        "date,from,fc,to,tc,product,qty\n\
         2025-07-02,ALPHA TRADING LTD,中国,HARBIN LAB,中国,推理服务器 8*H20,8\n\
         2025-07-03,ALPHA TRADING LTD,中国,HARBIN LAB,中国,服务器 8卡 H20,2\n\
         2025-07-04,KEYSTONE LLC,США,ATLAS LLC,Армения,Сервер 8x H100 SXM5,3\n\
         2025-07-05,KEYSTONE LLC,US,BOSPHORUS LTD,Türkiye,GPUサーバー H100,5\n\
         2025-07-06,ALPHA TRADING LTD,中国,HARBIN LAB,中国,推理服务器 H20,4\n\
         2025-07-07,BOSPHORUS LTD,TURKIYE,ALATAU LLP,Кыргызстан,H20 显卡 8卡,6\n",
    );
    let case = dir.path().join("case");
    let o = import(rows.to_str().unwrap(), mapping.to_str().unwrap(), &case);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let qty: Vec<(String, String)> =
        csv_rows(&case.join("records.csv")).iter().map(|r| (r[5].to_string(), r[6].to_string())).collect();
    let want = [("H20", "64"), ("H20", "16"), ("H100", "24"), ("H100", "5"), ("H20", "4"), ("H20", "6")];
    assert_eq!(qty, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // The two servers that give no count are warned about by line; the card's `8卡` is a package count.
    let err = stderr(&o);
    for line in [5, 6] {
        assert!(err.contains(&format!("rows.csv:{line}: warning: column `product` (field `product`)")), "{err}");
    }
    assert_eq!(err.matches("does not say how many GPUs").count(), 2, "{err}");
    let countries: Vec<String> =
        csv_rows(&case.join("entities.csv")).iter().map(|e| format!("{}={}", &e[1], &e[3])).collect();
    for c in ["ATLAS LLC=AM", "BOSPHORUS LTD=TR", "ALATAU LLP=KG", "KEYSTONE LLC=US"] {
        assert!(countries.contains(&c.to_string()), "{c}: {countries:?}");
    }
}
