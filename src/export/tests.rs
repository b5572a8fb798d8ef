//! Exporters on the demo case with hand-made findings, so they are tested
//! whatever the scan reports.

use super::*;
use crate::model::{Case, ListEntry, RecordId};
use crate::policy::Policy;
use crate::read::{ReadOptions, read_case};
use crate::scan::{Finding, Flag, Severity};
use std::path::Path;

fn demo() -> (Case, Policy) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let mut loaded = read_case(&dir, &ReadOptions::default()).expect("the demo case reads");
    // The list readers may not read the simple form; the export needs only a row to cite.
    if !loaded.case.lists.iter().any(|l| l.name.starts_with("Huaxin")) {
        loaded.case.lists.push(ListEntry {
            list: "entity_list".into(),
            list_name: "Entity List".into(),
            entry_id: "3".into(),
            name: "Huaxin Holdings Group Co. Ltd.".into(),
            aliases: vec!["Huaxin Group".into()],
            countries: vec![],
            programs: vec!["EAR744.11".into()],
            since: None,
            file: dir.join("lists/demo_entity_list.csv").display().to_string(),
            line: 3,
        });
    }
    (loaded.case, loaded.policy)
}

/// The L-300 route to JHC with two flags, as a scan would report it.
fn jhc_finding(case: &Case) -> Finding {
    let path: Vec<_> = ["R16", "R17", "R18", "R19", "R20"].iter().map(|r| case.record_by_key(r).unwrap()).collect();
    let jhc = case.entity_by_key("JHC").unwrap();
    Finding {
        id: "F-test/../1".to_string(),
        score: 0.91,
        severity: Severity::High,
        kind: crate::scan::FindingKind::Route,
        terminal: case.entity_by_key("JHC").unwrap(),
        product: case.sym("H200").unwrap(),
        quantity: 200,
        lot: case.sym("L-300"),
        inferred: false,
        plausibility: 1.0,
        path,
        flags: vec![
            Flag::new(
                "listed_affiliate",
                jhc,
                "JHC is 60% owned through HXH by HXG, listed on the Entity List".to_string(),
                vec!["HXG".to_string(), huaxin_listing(case)],
            ),
            Flag::new(
                "crypto_payment",
                jhc,
                "R19 and R20 were paid in crypto".to_string(),
                vec!["R19".into(), "R20".into()],
            ),
            Flag::new("country_of_concern", jhc, "JHC sits in CN".to_string(), vec![]),
        ],
    }
}

/// The evidence key of the demo list's Huaxin row.
fn huaxin_listing(case: &Case) -> String {
    case.lists.iter().find(|l| l.name.starts_with("Huaxin")).expect("the demo list has Huaxin").evidence()
}

#[test]
fn a_finding_draws_its_route_the_owners_and_the_evidence() {
    let (case, policy) = demo();
    let f = jhc_finding(&case);
    let d = diagram::of_finding(&case, &policy, &f, &RecordIndex::build(&case));
    let ids: Vec<&str> = d.entities.iter().map(|&e| case.entity(e).id.as_str()).collect();
    for want in ["VS", "AED", "PRC", "LST", "GBT", "JHC", "HXH", "HXG", "CWE"] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    assert_eq!(d.records.len(), 5);
    assert_eq!(d.route.len(), 5);
    // Marks go on each flag's subject: JHC carries its strongest flag; HXG,
    // only cited as evidence of the listed_affiliate flag, is not marked by it.
    let (jhc, hxg) = (case.entity_by_key("JHC").unwrap(), case.entity_by_key("HXG").unwrap());
    assert_eq!(d.marks[&jhc].rule, "listed_affiliate");
    assert_ne!(d.marks.get(&hxg).map(|m| m.rule.as_str()), Some("listed_affiliate"));
    assert_eq!(
        d.entity_flags[&jhc].iter().map(String::as_str).collect::<Vec<_>>(),
        ["country_of_concern", "crypto_payment", "listed_affiliate"]
    );
    assert!(!d.entity_flags.contains_key(&hxg), "evidence entities carry no flag badge");
    // Edges carry the flags of the records they cite: R19 and R20, not R16.
    let rec = |k: &str| case.record_by_key(k).unwrap();
    assert!(d.record_flags[&rec("R19")].contains("crypto_payment"));
    assert!(d.record_flags[&rec("R20")].contains("crypto_payment"));
    assert!(!d.record_flags.contains_key(&rec("R16")));
    // Time order: the maker first.
    assert_eq!(ids[0], "VS");
}

#[test]
fn a_route_printed_in_parts_keeps_every_record_and_relation_once_and_joins_at_parties() {
    let (case, policy) = demo();
    let f = jhc_finding(&case);
    let d = diagram::of_finding(&case, &policy, &f, &RecordIndex::build(&case));
    let key = |r: &RecordId| case.record_id(*r).to_string();
    for per_part in [1, 2] {
        let parts = diagram::route_parts(&case, &d, per_part);
        assert!(parts.len() >= 2, "{per_part} hop(s) a part: {} parts", parts.len());
        // Each drawn record and relation is in exactly one part, and nothing else is.
        let mut records: Vec<RecordId> = parts.iter().flat_map(|p| p.records.iter().copied()).collect();
        records.sort_unstable();
        let mut whole = d.records.clone();
        whole.sort_unstable();
        assert_eq!(records, whole, "{per_part} a part");
        let relations: usize = parts.iter().map(|p| p.relations.len()).sum();
        assert_eq!(relations, d.relations.len());
        for p in &parts {
            // A part's records and relations have both ends in it.
            for &r in &p.records {
                let x = &case.records[r as usize];
                assert!(p.entities.contains(&x.from) && p.entities.contains(&x.to), "{} cut off", key(&r));
            }
            let hops: std::collections::BTreeSet<_> =
                p.route.iter().map(|&r| (case.records[r as usize].from, case.records[r as usize].to)).collect();
            assert!(!hops.is_empty() && hops.len() <= per_part, "a part of {per_part} hop(s) holds {}", hops.len());
        }
        // Consecutive parts share the party where the route passes from one to the next.
        for w in parts.windows(2) {
            assert!(w[0].entities.iter().any(|e| w[1].entities.contains(e)), "parts do not join");
        }
        // The terminal is in the last part.
        assert!(parts.last().unwrap().entities.contains(&f.terminal));
    }
    // A route of no more hops than a part holds is not split.
    assert!(diagram::route_parts(&case, &d, 100).is_empty());
}

#[test]
fn dot_parses_back_and_escapes_nothing_into_identifiers() {
    let (case, policy) = demo();
    let f = jhc_finding(&case);
    let x = Export::finding(&case, &policy, &f);
    let dot = String::from_utf8(export(&x, Format::Dot).unwrap()).unwrap();
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    assert!(dot.contains("rankdir=\"LR\""));
    assert!(dot.contains("cluster_country_HK"));
    assert!(dot.contains("owns 60%"));
    assert!(dot.contains("paid in crypto"));
}

#[test]
fn graphml_and_gexf_hold_every_node_and_edge() {
    let (case, policy) = demo();
    let d = diagram::of_case(&case, &policy, &[], None);
    let x = Export::diagram(&case, &policy, d);
    let g = String::from_utf8(export(&x, Format::Graphml).unwrap()).unwrap();
    assert_eq!(g.matches("<node ").count(), case.entities.len());
    assert_eq!(g.matches("<edge ").count(), case.records.len() + case.relations.len());
    assert!(g.contains("attr.name=\"notes\""), "extra columns are kept");
    let x2 = String::from_utf8(export(&x, Format::Gexf).unwrap()).unwrap();
    assert_eq!(x2.matches("<node ").count(), case.entities.len());
    assert_eq!(x2.matches("<edge ").count(), case.records.len() + case.relations.len());
}

#[test]
fn html_details_flags_list_rows_and_the_policy_without_scripts() {
    let (case, policy) = demo();
    let f = jhc_finding(&case);
    let x = Export::finding(&case, &policy, &f);
    let h = String::from_utf8(export(&x, Format::Html).unwrap()).unwrap();
    assert!(!h.to_ascii_lowercase().contains("<script"));
    assert!(h.contains(&case.fingerprint()));
    assert!(h.contains("listed_affiliate"));
    assert!(h.contains("demo_entity_list.csv:"), "the list row's file:line is cited");
    assert!(h.contains("countries_of_concern"), "the policy is printed");
    for file in &case.files {
        assert!(h.contains(&file.sha256));
    }
}

#[test]
fn finding_files_are_named_by_id_and_safe() {
    let (case, policy) = demo();
    let mut low = jhc_finding(&case);
    low.id = "F-low".into();
    low.severity = Severity::Low;
    let report = ScanReport { findings: vec![jhc_finding(&case), low], ..Default::default() };
    let dir = std::env::temp_dir().join(format!("chiptrace-export-unit-{}", std::process::id()));
    let paths = export_findings(&case, &policy, &report, &dir, Format::Dot, Severity::Medium).unwrap();
    assert_eq!(paths, vec![dir.join("F-test_.._1.dot")]);
    assert!(paths[0].exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn formats_follow_file_extensions() {
    assert_eq!(Format::from_path(Path::new("a/b.SVG")), Some(Format::Svg));
    assert_eq!(Format::from_path(Path::new("x.gv")), Some(Format::Dot));
    assert_eq!(Format::from_path(Path::new("x.htm")), Some(Format::Html));
    assert_eq!(Format::from_path(Path::new("x.gexf")), Some(Format::Gexf));
    assert_eq!(Format::from_path(Path::new("x.txt")), None);
}

#[test]
fn a_finding_flag_beats_the_country_of_concern_mark() {
    let (case, policy) = demo();
    let mut f = jhc_finding(&case);
    f.flags.push(Flag::new(
        "shell_indicators",
        case.entity_by_key("LST").unwrap(),
        "LST was incorporated weeks before trading",
        vec!["LST".to_string()],
    ));
    let d = diagram::of_finding(&case, &policy, &f, &RecordIndex::build(&case));
    // LST sits in HK, a country of concern, but the finding flags it as a shell.
    assert_eq!(d.marks[&case.entity_by_key("LST").unwrap()].rule, "shell_indicators");
    // GBT, also in HK, has no flag of its own.
    assert_eq!(d.marks[&case.entity_by_key("GBT").unwrap()].rule, "country_of_concern");
}

#[test]
fn an_entity_neighbourhood_is_bounded_and_says_so() {
    let (case, policy) = demo();
    let aed = case.entity_by_key("AED").unwrap();
    let d = diagram::of_entity(&case, &policy, aed, &[], Bounds { max_records: 3 });
    assert_eq!(d.records.len(), 3);
    assert!(d.truncated);
    let dot = dot::to_dot(&case, &d);
    assert!(dot.contains("cut at the bound on records"));
    let all = diagram::of_entity(&case, &policy, aed, &[], Bounds::default());
    assert!(!all.truncated);
    assert!(all.records.iter().all(|&r| case.records[r as usize].from == aed || case.records[r as usize].to == aed));
}

/// A country map's flows: `pairs` of (from, to) country codes, one flow each,
/// over `codes` in map order (the first the most central).
fn map_of(codes: &[&str], pairs: &[(&str, &str)]) -> (Vec<diagram::CountryNode>, Vec<diagram::Flow>) {
    let c = |s: &str| crate::model::Country::from_code(s.as_bytes().try_into().unwrap());
    let countries = codes
        .iter()
        .enumerate()
        .map(|(i, s)| diagram::CountryNode {
            country: c(s),
            entities: 1000 - i,
            flagged: 0,
            terminals: 0,
            of_concern: *s == "CN",
        })
        .collect();
    let flows = pairs
        .iter()
        .map(|(a, b)| diagram::Flow {
            from: c(a),
            to: c(b),
            kind: crate::model::RecordKind::Sale,
            records: 1,
            units: 1,
            on_routes: 0,
        })
        .collect();
    (countries, flows)
}

#[test]
fn overview_parts_hold_every_flow_once_and_stay_printable() {
    // A star around US (the generator's worlds), both ways, and a chain of five countries.
    let codes = ["US", "CN", "SG", "MY", "TW", "JP", "DE", "KR", "IN", "AE", "GB", "NL", "AU", "TH", "CA", "VN"];
    let mut pairs: Vec<(&str, &str)> = codes[1..].iter().flat_map(|c| [("US", *c), (*c, "US")]).collect();
    pairs.extend([("US", "US"), ("SG", "MY"), ("MY", "TW"), ("TW", "JP"), ("JP", "DE")]);
    let (countries, flows) = map_of(&codes, &pairs);
    let parts = diagram::parts(&countries, &flows);
    let mut seen: Vec<usize> = parts.iter().flat_map(|p| p.flows.iter().copied()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..flows.len()).collect::<Vec<_>>(), "every flow in exactly one part");
    for p in &parts {
        let ps: std::collections::BTreeSet<_> = p.flows.iter().map(|&i| (flows[i].from, flows[i].to)).collect();
        assert!(ps.len() <= diagram::PART_MAX_PAIRS, "{} pairs in a part", ps.len());
        // Every flow touches one of the countries the part is about.
        assert!(p.flows.iter().all(|&i| p.countries.contains(&flows[i].from) || p.countries.contains(&flows[i].to)));
        // No chain of more than PART_MAX_RANKS countries.
        for &(a, b) in &ps {
            for &(b2, c) in &ps {
                if b2 == b && a != b && b != c && a != c {
                    assert!(
                        !ps.iter().any(|&(c2, d)| c2 == c && d != a && d != b && d != c),
                        "a chain of four countries in one part"
                    );
                }
            }
        }
    }
    // The country of concern comes first; the pairs of one country stay together where they fit.
    assert_eq!(parts[0].countries[0].as_str(), "CN");
    let with_sg: Vec<usize> = (0..parts.len())
        .filter(|&k| parts[k].flows.iter().any(|&i| flows[i].to.as_str() == "SG" && flows[i].from.as_str() == "US"))
        .chain((0..parts.len()).filter(|&k| {
            parts[k].flows.iter().any(|&i| flows[i].from.as_str() == "SG" && flows[i].to.as_str() == "US")
        }))
        .collect();
    assert_eq!(with_sg[0], with_sg[1], "US -> SG and SG -> US in one part");
    // Same input, same parts.
    assert_eq!(parts, diagram::parts(&countries, &flows));
}
