//! Screening lists and `chiptrace screen`: the real list extracts in
//! `fixtures/lists_real` read completely, bad rows are reported with their
//! line, and screening finds the listed parties and only them.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, stderr, stdout};
use chiptrace::diag::{Diagnostics, Level};
use chiptrace::lists::read_bytes;
use chiptrace::model::ListEntry;
use serde_json::Value;

fn read_list(name: &str) -> (Vec<ListEntry>, usize, Diagnostics) {
    let bytes = std::fs::read(fixture("lists_real").join(name)).expect("fixture exists");
    let ext = name.rsplit('.').next().unwrap_or_default();
    read_with(name, ext, &bytes)
}

fn read_with(name: &str, ext: &str, bytes: &[u8]) -> (Vec<ListEntry>, usize, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::default();
    let skipped = read_bytes(name, ext, bytes, &mut out, &mut diags);
    (out, skipped, diags)
}

fn count(entries: &[ListEntry], list: &str) -> usize {
    entries.iter().filter(|e| e.list == list).count()
}

fn by_name<'a>(entries: &'a [ListEntry], name: &str) -> &'a ListEntry {
    entries.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no entry named {name}"))
}

#[test]
fn csl_2019_layout_reads_every_row() {
    let (entries, skipped, diags) = read_list("csl_2019_sample.csv");
    assert_eq!(entries.len(), 115);
    assert_eq!(skipped, 0);
    assert_eq!(diags.errors(), 0, "{:?}", diags.0);
    assert_eq!(count(&entries, "entity_list"), 22);
    assert_eq!(count(&entries, "sdn"), 28);
    assert_eq!(count(&entries, "dpl"), 8);

    let el = by_name(&entries, "32 Group China Ltd.");
    assert_eq!(el.list_name, "Entity List (EL) - Bureau of Industry and Security");
    assert_eq!(el.entry_id, "7", "no entity_number: the line is the id");
    assert_eq!(el.line, 7);
    assert_eq!(el.countries.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["HK"]);
    assert_eq!(el.since.map(|t| t.to_string()).as_deref(), Some("2015-11-12"));
    assert_eq!(el.evidence(), "list:entity_list:7");

    let sdn = by_name(&entries, "2904977 CANADA, INC.");
    assert_eq!(sdn.entry_id, "8124");
    assert_eq!(sdn.aliases, ["CARIBE SOL", "HAVANTUR CANADA INC."]);
    assert_eq!(sdn.programs, ["CUBA"]);
    assert_eq!(sdn.countries.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["CA"]);
}

/// Regression: the 2019 CSL carries U+0092 (the Windows-1252 byte for `’`
/// decoded as Latin-1) in a name and an address.
#[test]
fn csl_2019_windows_1252_quote_is_repaired_with_a_warning() {
    let (entries, _, diags) = read_list("csl_2019_sample.csv");
    let guian = entries.iter().find(|e| e.line == 97).expect("line 97 read");
    assert_eq!(guian.name, "Gui\u{2019}an New District Huawei Investment Co., Ltd., Guiyang, Guizhou");
    let w: Vec<_> = diags.0.iter().filter(|d| d.line == 97).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].level, Level::Warning);
    assert!(w[0].message.contains("`name`") && w[0].message.contains("Gui\u{2019}an"), "{}", w[0].message);
    assert!(diags.0.iter().any(|d| d.line == 16 && d.message.contains("`addresses`")));
    assert!(entries.iter().all(|e| !e.name.chars().any(|c| c.is_control())));
}

#[test]
fn csl_current_layout_reads_every_row() {
    let (entries, skipped, diags) = read_list("csl_2023_sample.csv");
    assert_eq!((entries.len(), skipped, diags.0.len()), (13, 0, 0), "{:?}", diags.0);
    let meu = by_name(&entries, "Academy of Aerospace Solid Propulsion Technology (AASPT)");
    assert_eq!(meu.list, "meu");
    assert_eq!(meu.entry_id, "66f6ab3f26234b75a9093fce79ef0ce0", "_id when there is no entity_number");
    assert_eq!(meu.countries.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["CN"]);
    assert_eq!(meu.since.map(|t| t.to_string()).as_deref(), Some("2020-12-23"));
    let isn = entries.iter().find(|e| e.list == "isn").expect("ISN row");
    assert_eq!(isn.name, "Sinobright Import and Export Company", "State Department boilerplate removed");
    let sdn = entries.iter().find(|e| e.entry_id == "52291").expect("SDN 52291");
    assert_eq!(sdn.list, "sdn");
    assert_eq!(count(&entries, "entity_list"), 1);
}

#[test]
fn opensanctions_parties_read_and_addresses_are_skipped() {
    let (entries, skipped, diags) = read_list("opensanctions_sample.ftm.json");
    assert_eq!(entries.len(), 6);
    assert_eq!(skipped, 1, "the Address entity");
    assert_eq!(diags.errors(), 0);
    assert_eq!(diags.0.len(), 1, "one summary warning: {:?}", diags.0);
    assert!(diags.0[0].message.contains("Address: 1"), "{}", diags.0[0].message);
    let it = entries.iter().find(|e| e.entry_id == "NK-2GdmHtZTeNXjNVrBGEXZNj").expect("Inter Tobacco");
    assert_eq!(it.list, "opensanctions");
    assert_eq!(it.name, "LLC “Inter Tobacco”");
    assert_eq!(it.aliases.len(), 11);
    assert_eq!(it.programs, ["sanction"]);
    assert_eq!(it.countries.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["BY"]);
    assert_eq!(it.line, 1);
    assert_eq!(it.evidence(), "list:opensanctions:NK-2GdmHtZTeNXjNVrBGEXZNj");
}

#[test]
fn opensanctions_json_array_reads_like_json_lines() {
    let text = std::fs::read_to_string(fixture("lists_real/opensanctions_sample.ftm.json")).unwrap();
    let array = format!("[\n{}\n]\n", text.trim_end().replace('\n', ",\n"));
    let (lines, _, _) = read_list("opensanctions_sample.ftm.json");
    let (arr, skipped, diags) = read_with("a.json", "json", array.as_bytes());
    assert_eq!(skipped, 1);
    assert_eq!(diags.errors(), 0, "{:?}", diags.0);
    let key = |e: &ListEntry| (e.entry_id.clone(), e.name.clone(), e.line + 1);
    assert_eq!(
        arr.iter().map(|e| (e.entry_id.clone(), e.name.clone(), e.line)).collect::<Vec<_>>(),
        lines.iter().map(key).collect::<Vec<_>>(),
        "same entries, one line lower after the `[`"
    );
}

#[test]
fn bad_rows_are_reported_with_file_line_field_and_value() {
    let simple = "name,aliases,country,list,program,since\n\
                  Good Co Ltd,,CN,entity_list,,2024-01-01\n\
                  ,Nameless,CN,entity_list,,\n\
                  Bad Country Ltd,,Atlantis,entity_list,,\n\
                  Bad Date Ltd,,CN,entity_list,,2024-13-45\n";
    let (entries, skipped, diags) = read_with("l.csv", "csv", simple.as_bytes());
    assert_eq!(entries.len(), 1);
    assert_eq!(skipped, 3);
    let text: Vec<String> = diags.0.iter().map(|d| d.to_string()).collect();
    assert!(text.iter().any(|t| t.starts_with("l.csv:3: error: field `name`")), "{text:?}");
    assert!(
        text.iter().any(|t| t.starts_with("l.csv:4: error: field `country`") && t.contains("`Atlantis`")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with("l.csv:5: error: field `since`") && t.contains("`2024-13-45`")),
        "{text:?}"
    );

    let ftm = "{\"id\":\"a\",\"schema\":\"Company\",\"properties\":{\"name\":[\"A Co\"]}}\nnot json\n{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{}}\n";
    let (entries, skipped, diags) = read_with("f.jsonl", "jsonl", ftm.as_bytes());
    assert_eq!((entries.len(), skipped), (1, 2));
    let text: Vec<String> = diags.0.iter().map(|d| d.to_string()).collect();
    assert!(text.iter().any(|t| t.starts_with("f.jsonl:2: error: malformed JSON")), "{text:?}");
    assert!(text.iter().any(|t| t.starts_with("f.jsonl:3: error: field `properties.name`")), "{text:?}");

    let (entries, _, diags) = read_with("x.csv", "csv", b"foo,bar\n1,2\n");
    assert!(entries.is_empty());
    assert!(diags.0.iter().any(|d| d.is_error() && d.line == 1 && d.message.contains("unknown list layout")));
}

#[test]
fn list_readers_never_panic_on_truncated_or_garbled_input() {
    for name in ["csl_2019_sample.csv", "csl_2023_sample.csv", "opensanctions_sample.ftm.json"] {
        let bytes = std::fs::read(fixture("lists_real").join(name)).unwrap();
        let ext = name.rsplit('.').next().unwrap();
        for cut in (0..bytes.len()).step_by(97) {
            let mut garbled = bytes[..cut].to_vec();
            garbled.extend_from_slice(b"\xff\"\x92{[,;\n");
            let (_, _, _) = read_with(name, ext, &garbled);
            let (_, _, _) = read_with(name, if ext == "csv" { "json" } else { "csv" }, &garbled);
        }
    }
}

fn screen_json(case: &str) -> Vec<Value> {
    let o = chiptrace(&["screen", case, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("screen --format json prints JSON");
    v["matches"].as_array().expect("matches is an array").clone()
}

fn matched(m: &[Value]) -> Vec<(String, String)> {
    m.iter()
        .map(|x| (x["entity"].as_str().unwrap().to_string(), x["list_name"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn demo_listed_parties_match_and_benign_parties_do_not() {
    let m = screen_json("fixtures/demo");
    let mut ids: Vec<&str> = m.iter().map(|x| x["entity"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["HXG", "LXT", "ZYC"], "{m:#?}");
    let zyc = m.iter().find(|x| x["entity"] == "ZYC").unwrap();
    assert_eq!(zyc["list"], "entity_list");
    assert_eq!(zyc["list_name"], "Beijing Zhiyuan Intelligent Computing Company Limited");
    assert_eq!(zyc["matched_name"], "Beijing Zhiyuan Intelligent Computing Co. Ltd.");
    assert_eq!(zyc["score"], 1.0);
    assert_eq!(zyc["evidence"], "list:entity_list:2");
    assert_eq!(zyc["line"], 2);
    let lxt = m.iter().find(|x| x["entity"] == "LXT").unwrap();
    assert_eq!(lxt["list_name"], "Beijing Lingxi Tech Company Limited");
}

#[test]
fn screen_finds_variants_and_rejects_shared_generic_words() {
    let m = screen_json("fixtures/screen_names");
    let got = matched(&m);
    let has = |id: &str, listed: &str| got.iter().any(|(e, l)| e == id && l == listed);
    assert!(has("ZYC", "Beijing Zhiyuan Intelligent Computing Company Limited"), "{got:?}");
    assert!(has("NBT", "Nebula Trading Company Limited"), "alias: {got:?}");
    assert!(has("MPW", "Mueller Praezisionswerk AG"), "diacritics: {got:?}");
    assert!(got.iter().any(|(e, _)| e == "SOY"), "transliteration: {got:?}");
    assert!(got.iter().any(|(e, _)| e == "ITB"), "multilingual listing: {got:?}");
    // A firm written in characters meets its Pinyin and English listing;
    // another firm of the same city and trade does not.
    assert!(has("SHX", "Shenzhen Huaxun Technology Co Ltd"), "characters against Pinyin: {got:?}");
    for benign in ["GAT", "HCH", "ZYR", "HWI", "SXH"] {
        assert!(!got.iter().any(|(e, _)| e == benign), "{benign} must not match: {got:?}");
    }
    let nbt = m.iter().find(|x| x["entity"] == "NBT").unwrap();
    assert_eq!(nbt["matched_name"], "Nebula Trading Ltd", "the alias that matched");
    let soy = m.iter().find(|x| x["entity"] == "SOY").unwrap();
    assert_eq!(soy["method"], "fuzzy");
    assert!(soy["score"].as_f64().unwrap() < 1.0 && soy["score"].as_f64().unwrap() >= 0.88);
    assert!(soy["reason"].as_str().unwrap().contains("soyko ~ soiko"), "{}", soy["reason"]);
    let ats = m.iter().find(|x| x["entity"] == "ATS").expect("same name in another country still shows");
    assert!(ats["score"].as_f64().unwrap() < 1.0);
    assert!(
        ats["reason"].as_str().unwrap().contains("the entity is in US but the entry names AM"),
        "{}",
        ats["reason"]
    );
    assert_eq!(ats["list"], "uvl");
}

#[test]
fn a_stricter_policy_drops_fuzzy_and_other_country_matches() {
    let dir = TempDir::new("screen-policy");
    let policy = dir.write("policy.toml", "fuzzy_threshold = 0.995\n");
    let o = chiptrace_os(&[
        "screen".as_ref(),
        fixture("screen_names").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--policy".as_ref(),
        policy.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got = matched(v["matches"].as_array().unwrap());
    assert!(got.iter().any(|(e, _)| e == "ZYC"));
    assert!(!got.iter().any(|(e, _)| e == "SOY" || e == "ATS"), "{got:?}");
}

#[test]
fn screen_output_is_deterministic_and_table_is_terminal_safe() {
    let a = chiptrace(&["screen", "fixtures/screen_names", "--format", "json"]);
    let b = chiptrace(&["screen", "fixtures/screen_names", "--format", "json"]);
    assert_eq!(stdout(&a), stdout(&b));
    let t = chiptrace(&["screen", "fixtures/hostile"]);
    assert_eq!(code(&t), 0, "{}", stderr(&t));
    let out = stdout(&t);
    assert!(out.contains("list:entity_list:"), "the hostile list's names match their entities: {out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "raw control characters in table output");
    let demo = chiptrace(&["screen", "fixtures/demo"]);
    assert!(stdout(&demo).lines().next().unwrap_or_default().starts_with("ENTITY"));
}

#[test]
fn library_screen_agrees_with_its_sequential_twin() {
    let loaded = chiptrace::read::read_case(&fixture("screen_names"), &Default::default()).unwrap();
    let par = chiptrace::screen::screen(&loaded.case, &loaded.policy);
    let seq = chiptrace::screen::screen_sequential(&loaded.case, &loaded.policy);
    assert!(!par.is_empty());
    assert_eq!(par, seq);
}

/// Regression: the CSL name repaired from U+0092 screens like any other, and
/// a party from the current layout matches by its listed alias.
#[test]
fn real_csl_entries_screen_through_the_binary() {
    let dir = TempDir::new("screen-real-csl");
    dir.write(
        "entities.csv",
        "id,name,kind,country,aliases\n\
         GUI,Gui'an New District Huawei Investment Co Ltd,investor,CN,\n\
         HWT,Guiyang Huawei Trading Co Ltd,reseller,CN,\n\
         SIN,Sinobright Import & Export Co.,distributor,CN,\n",
    );
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    for name in ["csl_2019_sample.csv", "csl_2023_sample.csv"] {
        dir.write(&format!("lists/{name}"), std::fs::read(fixture("lists_real").join(name)).unwrap());
    }
    let o = chiptrace_os(&["screen".as_ref(), dir.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let m = v["matches"].as_array().unwrap();
    let gui = m.iter().find(|x| x["entity"] == "GUI").expect("the repaired name matches");
    assert_eq!(gui["list"], "entity_list");
    assert_eq!(gui["line"], 97);
    assert!(gui["score"].as_f64().unwrap() > 0.95, "only the appended city and province differ: {gui:#}");
    assert_eq!(gui["listed_only"], serde_json::json!(["guiyang", "guizhou"]));
    let sin = m.iter().find(|x| x["entity"] == "SIN").expect("ISN entry without its boilerplate");
    assert_eq!(sin["list"], "isn");
    assert!(!m.iter().any(|x| x["entity"] == "HWT"), "sharing `Huawei` is not enough: {m:#?}");
}

/// A case of `entities` entity names and `entries` list names built by `name`.
fn crafted(
    entities: usize,
    entries: usize,
    entity: impl Fn(usize) -> String,
    entry: impl Fn(usize) -> String,
) -> chiptrace::model::Case {
    let dir = TempDir::new("screen-crafted");
    let mut e = String::from("id,name,kind,country\n");
    for i in 0..entities {
        e.push_str(&format!("E{i},{},reseller,SG\n", entity(i)));
    }
    let mut l = String::from("name,list\n");
    for i in 0..entries {
        l.push_str(&format!("{},crafted\n", entry(i)));
    }
    dir.write("entities.csv", e);
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write("lists/crafted.csv", l);
    let loaded = chiptrace::read::read_case(dir.path(), &Default::default()).unwrap();
    assert_eq!(loaded.diags.errors(), 0, "{:?}", loaded.diags.0);
    loaded.case
}

/// Regression (issues 9 and 13, item 9): list names sharing one distinctive
/// word made screening O(entries × entities). The word is now too common to
/// find candidates alone, is reported, and the work stays small.
#[test]
fn a_word_shared_by_thousands_of_list_names_is_blocked_and_reported() {
    let case = crafted(500, 3_000, |i| format!("Q{i}x Zetacorp Ltd"), |i| format!("W{i}y Zetacorp Trading"));
    let policy = chiptrace::policy::Policy::default();
    let (matches, stats) = chiptrace::screen::screen_with_stats(&case, &policy);
    assert!(matches.is_empty());
    assert_eq!(stats.common_words, [("zetacorp".to_string(), 3_000)], "{stats:?}");
    assert!(stats.comparisons <= 500, "each entity compares with no more than its own names: {}", stats.comparisons);
    assert!(stats.truncated);
}

/// Issue 10: candidates that share one word but cannot reach the threshold
/// grew as entities x list names and each was aligned word by word. An
/// upper bound on the score now rules them out first; the one pair that
/// can match is still compared and found, and `screen` says how many pairs
/// the bound ruled out.
#[test]
fn pairs_that_cannot_reach_the_threshold_are_ruled_out_before_alignment() {
    let n = 300;
    let entity = |i: usize| {
        if i == 0 { "Shenzhen Qiming Holdings Group Co Ltd".to_string() } else { format!("Qiming Electronics Zx{i}") }
    };
    let entry = |i: usize| {
        if i == 0 { "Qiming Holdings Group Limited".to_string() } else { format!("Hangzhou Qiming Wy{i} Trading") }
    };
    let case = crafted(n, n, entity, entry);
    let policy = chiptrace::policy::Policy::default();
    let (matches, stats) = chiptrace::screen::screen_with_stats(&case, &policy);
    assert_eq!(stats.comparisons, (n * n) as u64, "every pair shares `qiming`");
    assert_eq!(stats.ruled_out, (n * n - 1) as u64, "all but the pair that matches");
    assert_eq!(matches.len(), 1);
    assert_eq!((matches[0].entity, matches[0].entry, matches[0].method), (0, 0, "fuzzy"));
    assert!(!stats.truncated, "{stats:?}");
    // The same work as the binary reports it.
    let dir = TempDir::new("screen-bound");
    let mut e = String::from("id,name,kind,country\n");
    let mut l = String::from("name,list\n");
    for i in 0..n {
        e.push_str(&format!("E{i},{},reseller,SG\n", entity(i)));
        l.push_str(&format!("{},crafted\n", entry(i)));
    }
    dir.write("entities.csv", e);
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write("lists/crafted.csv", l);
    let o = chiptrace(&["screen", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("90000 name pairs compared (89999 ruled out by a bound on their score"),
        "{}",
        stderr(&o)
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["matches"].as_array().unwrap().len(), 1);
    assert_eq!(v["stats"]["comparisons"], 90000);
}

/// Regression (issue 13, item 3): every match above the threshold was kept
/// with owned names and a reason; identical generic names exhausted memory.
/// Each entity now keeps its best matches and the rest are counted.
#[test]
fn identical_generic_names_keep_a_bounded_number_of_matches() {
    let n = 300;
    let case = crafted(n, n, |_| "Global Trading Co Ltd".to_string(), |_| "Global Trading Company Limited".to_string());
    let policy = chiptrace::policy::Policy::default();
    let (matches, stats) = chiptrace::screen::screen_with_stats(&case, &policy);
    let keep = chiptrace::screen::MAX_MATCHES_PER_ENTITY;
    assert_eq!(matches.len(), n * keep);
    assert_eq!(stats.matches_not_kept, (n * (n - keep)) as u64);
    assert_eq!(stats.comparisons, (n * n) as u64);
    assert!(stats.truncated);
}

/// Regression (issue 13, item 9): names of 10,000 characters cost O(words²)
/// Jaro calls per pair. Names are compared on their first words.
#[test]
fn very_long_names_are_compared_in_bounded_work() {
    let long = |i: usize| format!("Sentinel{i} {}", "abcdefghij ".repeat(1_000));
    let case = crafted(10, 10, long, long);
    let policy = chiptrace::policy::Policy::default();
    let (matches, stats) = chiptrace::screen::screen_with_stats(&case, &policy);
    assert_eq!(stats.long_names_cut, 20);
    assert!(stats.comparisons <= 100);
    assert!(matches.iter().all(|m| m.words.len() <= chiptrace::screen::normalise::MAX_WORDS));
    let o = chiptrace(&["screen", "fixtures/screen_names"]);
    assert!(!stderr(&o).contains("compared on their first"), "no bound cut the ordinary fixture: {}", stderr(&o));
    let o = chiptrace(&["screen", "fixtures/screen_names", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["stats"]["truncated"], false, "{}", v["stats"]);
}

/// Issue 9: the bounds that cut screening are reported by `scan` too, not
/// only by `screen`: in JSON `stats.screening`, `stats.truncated_by` and
/// `warnings.notes`, and in the text output. A small crafted case trips
/// three bounds: a word in more list names than `MAX_POSTING`, more matches
/// of one entity than `MAX_MATCHES_PER_ENTITY`, and a name longer than
/// `MAX_WORDS` words.
#[test]
fn scan_reports_the_bounds_that_cut_screening() {
    use chiptrace::screen::{MAX_MATCHES_PER_ENTITY, MAX_POSTING};
    let dir = TempDir::new("scan-screen-bounds");
    let long = "abcdefghij ".repeat(100);
    dir.write(
        "entities.csv",
        format!("id,name,kind,country\nE1,Q1x Zetacorp Ltd,reseller,SG\nE2,Global Trading Co Ltd,reseller,SG\nE3,Sentinel {long},reseller,SG\n"),
    );
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    let mut l = String::from("name,list\n");
    for i in 0..=MAX_POSTING {
        l.push_str(&format!("W{i}y Zetacorp Trading,crafted\n"));
    }
    for _ in 0..MAX_MATCHES_PER_ENTITY + 3 {
        l.push_str("Global Trading Company Limited,crafted\n");
    }
    dir.write("lists/crafted.csv", l);
    let case = dir.path().to_str().unwrap();

    let o = chiptrace(&["scan", case, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let s = &v["stats"]["screening"];
    assert_eq!(s["common_words"], serde_json::json!([{"word": "zetacorp", "list_names": MAX_POSTING + 1}]), "{s}");
    assert_eq!(s["matches_not_kept"], 3, "{s}");
    assert_eq!(s["long_names_cut"], 1, "{s}");
    assert_eq!(s["truncated"], true, "{s}");
    assert_eq!(v["stats"]["truncated"], true);
    let by: Vec<&str> = v["stats"]["truncated_by"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(by.iter().filter(|n| n.starts_with("screening: ")).count(), 3, "{by:?}");
    assert!(by.iter().any(|n| n.contains("`zetacorp`")), "{by:?}");
    let notes: Vec<&str> = v["warnings"]["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(notes.iter().any(|n| n.starts_with("screening was cut by a bound")), "{notes:?}");

    let text = stdout(&chiptrace(&["scan", case]));
    assert!(text.contains("some searches were cut by a bound"), "{text}");
    assert!(text.contains("bound: screening: 3 match(es) not kept"), "{text}");
    assert!(text.contains("note: screening was cut by a bound"), "{text}");

    // An ordinary case with lists: screening is counted and nothing was cut.
    let o = chiptrace(&["scan", "fixtures/screen_names", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let s = &v["stats"]["screening"];
    assert!(s["comparisons"].as_u64().unwrap() > 0, "{s}");
    assert_eq!(s["truncated"], false, "{s}");
    assert!(!v["warnings"]["notes"].to_string().contains("screening was cut"), "{}", v["warnings"]);
}

/// Issue 9, through the binary and its index: a Ukrainian spelling meets the
/// Russian one, an acronym its words, Pinyin syllables written apart the
/// joined word, a fuller name of a listed person the person; a namesake
/// (same surname and one given name, each with another) and a Chinese firm
/// one syllable away do not match.
#[test]
fn screen_finds_given_name_spellings_acronyms_and_split_syllables() {
    let dir = TempDir::new("screen-mechanisms");
    dir.write(
        "entities.csv",
        "id,name,kind,country\n\
         UKR,Tetiana Volodymyrivna ZJURAVLEVA,person,UA\n\
         ACR,IRGC,end_user,IR\n\
         SYL,SHENZHEN MING DE TECHNOLOGY CO LTD,reseller,CN\n\
         FUL,ABOU HASSAN Khaled Suleiman Fayez,person,LB\n\
         NAM,Omar Suleiman ABU HASSAN,person,LB\n\
         OTH,Shenzhen Ming Dao Technology,reseller,CN\n",
    );
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    dir.write(
        "lists/test.csv",
        "name,list\n\
         Tatyana Vladimirovna ZHURAVLEVA,test\n\
         Iranian Revolutionary Guard Corps,test\n\
         Shenzhen Mingde Technology Co. Ltd.,test\n\
         \"ABU HASSAN, Khaled\",test\n\
         \"ABU HASSAN, Khaled Fayez\",test\n",
    );
    let o = chiptrace_os(&["screen".as_ref(), dir.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: Vec<(&str, &str)> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["entity"].as_str().unwrap(), m["list_name"].as_str().unwrap()))
        .collect();
    for (entity, listed) in [
        ("UKR", "Tatyana Vladimirovna ZHURAVLEVA"),
        ("ACR", "Iranian Revolutionary Guard Corps"),
        ("SYL", "Shenzhen Mingde Technology Co. Ltd."),
        ("FUL", "ABU HASSAN, Khaled"),
        ("FUL", "ABU HASSAN, Khaled Fayez"),
    ] {
        assert!(got.contains(&(entity, listed)), "{entity} should match {listed}: {got:?}");
    }
    for entity in ["NAM", "OTH"] {
        assert!(!got.iter().any(|(e, _)| *e == entity), "{entity} is another party: {got:?}");
    }
    let ful = v["matches"].as_array().unwrap().iter().find(|m| m["entity"] == "FUL").unwrap();
    assert!(ful["reason"].as_str().unwrap().contains("further given names"), "{ful:#}");
}
