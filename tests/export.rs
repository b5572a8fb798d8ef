//! `chiptrace export`: every format through the real binary and the library.
//! DOT parses back (graphviz-rust and Graphviz `dot`), SVG, GraphML and GEXF
//! are well-formed XML with the expected counts, the HTML report renders in
//! headless Chromium, the hostile fixture injects nothing, output is
//! byte-identical across runs, and the DOT of a lot is snapshotted.
//!
//! Tests that need Graphviz `dot` or Chromium go through
//! `common::tool_or_skip`: a missing tool is printed as `skipped: ...` and
//! listed by `.ci/run`, and fails the test under `CI=true` unless `.ci/run`
//! said why it could not install it.

use crate::common::{TempDir, chiptrace_os, code, stderr};
use chiptrace::export::{Export, Format, diagram, dot};
use chiptrace::read::{ReadOptions, read_case};
use chiptrace::scan::{ScanConfig, scan};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool).arg(arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

fn have_dot() -> bool {
    have("dot", "-V")
}

/// Whether `dot` is there; a visible skip for `test` when not.
fn need_dot(test: &str) -> bool {
    crate::common::tool_or_skip("dot", have_dot(), test)
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|c| have(c, "--version"))
}

/// Runs `chiptrace export CASE <args> -o FILE` and returns the bytes written.
fn export(case: &str, args: &[&str], out: &Path) -> Vec<u8> {
    let mut argv: Vec<std::ffi::OsString> = vec!["export".into(), case.into()];
    argv.extend(args.iter().map(Into::into));
    argv.extend(["-o".into(), out.as_os_str().to_owned()]);
    let o = chiptrace_os(&argv);
    assert_eq!(code(&o), 0, "export {case} {args:?} failed:\n{}", stderr(&o));
    std::fs::read(out).expect("the export was written")
}

/// Element counts of a well-formed XML document; panics on any error,
/// including an unknown entity or a bad attribute.
fn xml_elements(doc: &str) -> BTreeMap<String, usize> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(doc);
    let mut counts = BTreeMap::new();
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.name().as_ref().to_string();
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("bad attribute in <{name}>: {err}"));
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .unwrap_or_else(|err| panic!("bad attribute value in <{name}>: {err}"));
                }
                *counts.entry(name).or_insert(0) += 1;
            }
            Ok(Event::GeneralRef(g)) => {
                let name = g.into_inner();
                quick_xml::escape::unescape(&format!("&{name};"))
                    .unwrap_or_else(|err| panic!("unknown entity &{name};: {err}"));
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at byte {}: {e}", r.error_position()),
        }
    }
    counts
}

/// `dot -Tsvg` accepts the file.
fn dot_renders(path: &Path) {
    let o = Command::new("dot").arg("-Tsvg").arg(path).output().expect("dot runs");
    assert!(o.status.success(), "dot -Tsvg {}: {}", path.display(), String::from_utf8_lossy(&o.stderr));
}

fn lines(file: &str) -> usize {
    // Rows of a CSV without embedded newlines, less the header.
    std::fs::read_to_string(file).unwrap().lines().filter(|l| !l.trim().is_empty()).count() - 1
}

#[test]
fn dot_of_a_lot_parses_back_with_graphviz_rust_and_graphviz() {
    let tmp = TempDir::new("export-dot");
    let out = tmp.path().join("l100.dot");
    let dot = String::from_utf8(export("fixtures/demo", &["--lot", "L-100", "--format", "dot"], &out)).unwrap();
    let g = graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("graphviz-rust cannot parse the DOT: {e}\n{dot}"));
    assert!(matches!(g, graphviz_rust::dot_structures::Graph::DiGraph { .. }));
    for want in
        ["rankdir=\"LR\"", "cluster_country_SG", "cluster_legend", "remote access", "style=\"dashed\"", "owns 100%"]
    {
        assert!(dot.contains(want), "`{want}` missing from the DOT");
    }
    if !need_dot("export: the DOT rendered by Graphviz (checked with graphviz-rust only)") {
        return;
    }
    dot_renders(&out);
}

#[test]
fn svg_is_well_formed_xml() {
    if !need_dot("export: SVG and PNG rendering") {
        return;
    }
    let tmp = TempDir::new("export-svg");
    let svg = export("fixtures/demo", &["--entity", "HCS"], &tmp.path().join("hcs.svg"));
    let counts = xml_elements(&String::from_utf8(svg).unwrap());
    assert_eq!(counts.get("svg"), Some(&1));
    assert!(counts.get("g").copied().unwrap_or(0) > 10);
}

#[test]
fn graphml_and_gexf_of_the_whole_case_hold_every_entity_record_and_relation() {
    let tmp = TempDir::new("export-graphml");
    let entities = lines("fixtures/demo/entities.csv");
    let edges = lines("fixtures/demo/records.csv") + lines("fixtures/demo/relations.csv");
    let g = export("fixtures/demo", &["--all"], &tmp.path().join("case.graphml"));
    let g = String::from_utf8(g).unwrap();
    let counts = xml_elements(&g);
    assert_eq!(counts.get("node"), Some(&entities));
    assert_eq!(counts.get("edge"), Some(&edges));
    for key in ["name", "kind", "country", "record", "date", "product", "quantity", "lot", "payment", "share"] {
        assert!(g.contains(&format!("attr.name=\"{key}\"")), "GraphML key `{key}` missing");
    }
    let x = export("fixtures/demo", &["--all"], &tmp.path().join("case.gexf"));
    let counts = xml_elements(&String::from_utf8(x).unwrap());
    assert_eq!(counts.get("node"), Some(&entities));
    assert_eq!(counts.get("edge"), Some(&edges));
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let browser = chromium();
    if !crate::common::tool_or_skip("chromium", browser.is_some(), "export::html_report_renders_in_headless_chromium") {
        return;
    }
    let Some(browser) = browser else {
        return;
    };
    if !need_dot("export::html_report_renders_in_headless_chromium (the report would have no diagram)") {
        return;
    }
    let tmp = TempDir::new("export-html");
    let page = tmp.path().join("l100.html");
    let html = String::from_utf8(export("fixtures/demo", &["--lot", "L-100"], &page)).unwrap();
    assert!(html.contains("<svg"), "the diagram is inline");
    assert!(!html.to_ascii_lowercase().contains("<script"), "the report runs no scripts");
    let lower = html.to_ascii_lowercase();
    for remote in ["<link", " src=", "url(", "@import", "@font-face"] {
        assert!(!lower.contains(remote), "the report loads something: `{remote}`");
    }
    let shot = tmp.path().join("shot.png");
    let profile = tmp.path().join("profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,900")
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(shot.exists(), "chromium wrote no screenshot");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let distinct: std::collections::BTreeSet<&[u8]> = pixels.iter().copied().collect();
    assert!((info.width, info.height) == (1280, 900), "screenshot is {}x{}", info.width, info.height);
    assert!(distinct.len() > 16, "the screenshot is blank ({} distinct colours)", distinct.len());
}

#[test]
fn hostile_names_export_in_every_format_and_inject_nothing() {
    let tmp = TempDir::new("export-hostile");
    let lot = "LOT \"A\" & <B>";
    for (subject, tag) in [(vec!["--lot", lot], "lot"), (vec!["--all"], "all"), (vec!["--entity", "LONG"], "entity")] {
        for f in Format::ALL {
            if matches!(f, Format::Svg | Format::Png) && !need_dot(&format!("export: {f} of the hostile case")) {
                continue;
            }
            let out = tmp.path().join(format!("{tag}.{}", f.extension()));
            let mut args = subject.clone();
            args.extend(["--format", f.as_str()]);
            let bytes = export("fixtures/hostile", &args, &out);
            match f {
                Format::Dot => {
                    let text = String::from_utf8(bytes).unwrap();
                    graphviz_rust::parse(&text).unwrap_or_else(|e| panic!("{tag}: the DOT does not parse: {e}"));
                    if tag != "entity" {
                        assert!(
                            text.contains(r#"Quote \"Maker\" \\ Backslash"#),
                            "{tag}: quotes and backslashes escaped"
                        );
                        assert!(text.contains(r"Holding \\N \\G \\L"), "{tag}: Graphviz escapes kept literal");
                    }
                    if have_dot() {
                        dot_renders(&out);
                    }
                }
                Format::Svg | Format::Graphml | Format::Gexf => {
                    let text = String::from_utf8(bytes).unwrap();
                    xml_elements(&text);
                    assert!(!text.contains("<script"), "{tag}.{f}: markup from the data became markup");
                    assert!(!text.contains("<img"), "{tag}.{f}: markup from the data became markup");
                }
                Format::Html => {
                    let text = String::from_utf8(bytes).unwrap();
                    let lower = text.to_ascii_lowercase();
                    assert!(!lower.contains("<script"), "{tag}: the report holds a script element");
                    assert!(!lower.contains("<img"), "{tag}: the report holds an image element");
                    assert!(!lower.contains("<b>bold"), "{tag}: markup from the data became markup");
                    if tag != "entity" {
                        assert!(
                            text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                            "{tag}: the name is shown escaped"
                        );
                    }
                    assert!(text.contains("U+202E"), "{tag}: the right-to-left override is shown, not obeyed");
                    assert!(!text.contains('\u{202E}'), "{tag}: a raw right-to-left override reached the page");
                }
                Format::Png => assert!(bytes.starts_with(b"\x89PNG")),
                Format::Ftm => {
                    let text = String::from_utf8(bytes).unwrap();
                    for line in text.lines() {
                        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
                        assert!(v["id"].as_str().unwrap().starts_with("ct-"), "{tag}: ids are made, never data");
                    }
                    assert!(
                        text.contains("\\u202e") || text.contains("\u{202e}") || text.contains('\u{202E}'),
                        "{tag}: names kept as data"
                    );
                }
            }
        }
    }
}

#[test]
fn exports_are_byte_identical_across_runs() {
    let tmp = TempDir::new("export-stable");
    for f in Format::ALL {
        if matches!(f, Format::Svg | Format::Png) && !need_dot(&format!("export: {f} stability")) {
            continue;
        }
        for case in ["fixtures/demo", "fixtures/hostile"] {
            let args = ["--all", "--format", f.as_str()];
            let a = export(case, &args, &tmp.path().join(format!("a.{}", f.extension())));
            let b = export(case, &args, &tmp.path().join(format!("b.{}", f.extension())));
            if a != b {
                let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
                let from = at.saturating_sub(200);
                panic!(
                    "{case} {f}: two runs differ at byte {at}:\n{}\n---\n{}",
                    String::from_utf8_lossy(&a[from..(at + 200).min(a.len())]),
                    String::from_utf8_lossy(&b[from..(at + 200).min(b.len())])
                );
            }
        }
    }
}

#[test]
fn missing_graphviz_is_a_clear_error_and_html_still_renders() {
    let tmp = TempDir::new("export-nodot");
    let empty = tmp.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |format: &str, out: &Path| {
        Command::new(crate::common::bin())
            .args(["export", "fixtures/demo", "--lot", "L-100", "--format", format, "-o"])
            .arg(out)
            .env("PATH", &empty)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let o = run("svg", &tmp.path().join("x.svg"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("apt-get install graphviz"), "{}", stderr(&o));
    assert!(!tmp.path().join("x.svg").exists(), "nothing is written on failure");
    let page = tmp.path().join("x.html");
    let o = run("html", &page);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("was not found"), "the page says why there is no diagram");
    assert!(html.contains("R01"), "the tables are still there");
}

#[test]
fn unknown_finding_lot_or_entity_exits_2_and_says_how_to_list_them() {
    let tmp = TempDir::new("export-unknown");
    let out = tmp.path().join("x.dot");
    let out = out.to_str().unwrap();
    let o = chiptrace_os(&["export", "fixtures/demo", "--finding", "F-nope", "-o", out]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("chiptrace scan fixtures/demo"), "{}", stderr(&o));
    let o = chiptrace_os(&["export", "fixtures/demo", "--lot", "L-nope", "-o", out]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("L-nope"), "{}", stderr(&o));
    let o = chiptrace_os(&["export", "fixtures/demo", "--entity", "NOPE", "-o", out]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("NOPE"), "{}", stderr(&o));
    let o = chiptrace_os(&["export", "fixtures/demo", "--lot", "L-100", "-o", "x.unknown"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--format"));
}

fn demo() -> chiptrace::read::Loaded {
    // A relative path, so the dataset fingerprint is the same in every checkout.
    read_case(Path::new("fixtures/demo"), &ReadOptions::default()).expect("the demo case reads")
}

#[test]
fn snapshot_dot_of_demo_lot_l100() {
    let loaded = demo();
    let (case, policy) = (&loaded.case, &loaded.policy);
    let lot = case.sym("L-100").expect("the demo has lot L-100");
    // No findings: the snapshot guards the drawing, not the scan.
    let d = diagram::of_lot(case, policy, lot, &[]);
    insta::assert_snapshot!("export_demo_lot_L-100_dot", dot::to_dot(case, &d));
}

#[test]
fn snapshot_dot_of_demo_top_finding() {
    let loaded = demo();
    let (case, policy) = (&loaded.case, &loaded.policy);
    let report = scan(case, policy, &ScanConfig::default());
    let Some(top) = report.findings.first() else {
        eprintln!("skipped: the scan returned no findings");
        return;
    };
    let x = Export::finding(case, policy, top);
    insta::assert_snapshot!("export_demo_top_finding_dot", dot::to_dot(case, &x.diagram));
}

#[test]
fn a_finding_of_the_scan_exports_by_id_through_the_cli() {
    let o = chiptrace_os(&["scan", "fixtures/demo", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let Some(id) = report["findings"][0]["id"].as_str().map(String::from) else {
        eprintln!("skipped: the scan returned no findings");
        return;
    };
    let tmp = TempDir::new("export-finding");
    let dot = String::from_utf8(export("fixtures/demo", &["--finding", &id], &tmp.path().join("f.dot"))).unwrap();
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}"));
    assert!(dot.contains(&format!("finding {id}")));
    let html = String::from_utf8(export("fixtures/demo", &["--finding", &id], &tmp.path().join("f.html"))).unwrap();
    assert!(html.contains(&id));
    assert!(html.contains("Route ("), "the route is a table");
    let o = chiptrace_os(&["export", "fixtures/demo", "--finding", &id, "--format", "graphml", "-o", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    xml_elements(&String::from_utf8(o.stdout).unwrap());
}
