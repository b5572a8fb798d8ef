//! Reports that print: the HTML report of a finding printed to PDF by
//! headless Chromium holds the whole diagram (its terminal and its legend),
//! `--dpi` sets the PNG resolution, and `scan --export-dir` of HTML writes an
//! index page linking every finding's report.

use crate::common::{TempDir, chiptrace_os, code, stderr, tool_or_skip};
use std::process::{Command, Stdio};

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool).arg(arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|c| have(c, "--version"))
}

fn top_finding() -> serde_json::Value {
    let o = chiptrace_os(&["scan", "fixtures/demo", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"][0].clone()
}

#[test]
fn printed_finding_report_shows_the_terminal_and_the_legend() {
    let test = "report::printed_finding_report_shows_the_terminal_and_the_legend";
    let browser = chromium();
    if !tool_or_skip("dot", have("dot", "-V"), test)
        || !tool_or_skip("chromium", browser.is_some(), test)
        || !tool_or_skip("pdftotext", have("pdftotext", "-v"), test)
    {
        return;
    }
    let dir = TempDir::new("report-pdf");
    let f = top_finding();
    let id = f["id"].as_str().unwrap();
    let html = dir.path().join("finding.html");
    let o = chiptrace_os(&[
        "export".as_ref(),
        "fixtures/demo".as_ref(),
        "--finding".as_ref(),
        id.as_ref(),
        "-o".as_ref(),
        html.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("@media print"), "the report has print CSS");
    let pdf = dir.path().join("finding.pdf");
    let o = Command::new(browser.unwrap())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.exists(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&o.stderr));
    let text = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    // Text that only the diagram holds: the terminal's node label, the
    // legend's title and its flag swatch, and the diagram's headline.
    let terminal = f["terminal"]["id"].as_str().unwrap();
    let node = format!(
        "{terminal} · {} · {}",
        f["terminal"]["kind"].as_str().unwrap(),
        f["terminal"]["country"].as_str().unwrap()
    );
    assert!(text.contains(&node), "the terminal's node `{node}` is not in the PDF");
    assert!(text.contains("legend"), "the legend is not in the PDF");
    assert!(text.contains("flag: listed_party"), "the legend's flags are not in the PDF");
    assert!(
        text.contains(&format!("{} {:.2}", f["severity"].as_str().unwrap(), f["score"].as_f64().unwrap())),
        "severity and score head the diagram"
    );
    // The diagram is on the first page, whole: the terminal and legend come before the route table.
    let first_page = text.split('\u{c}').next().unwrap();
    assert!(first_page.contains(&node) && first_page.contains("legend"), "the diagram is split across pages");
}

#[test]
fn dpi_sets_the_png_resolution() {
    if !tool_or_skip("dot", have("dot", "-V"), "report::dpi_sets_the_png_resolution") {
        return;
    }
    let dir = TempDir::new("report-dpi");
    let width = |dpi: &str| {
        let out = dir.path().join(format!("l{dpi}.png"));
        let o = chiptrace_os(&[
            "export".as_ref(),
            "fixtures/demo".as_ref(),
            "--lot".as_ref(),
            "L-100".as_ref(),
            "--dpi".as_ref(),
            dpi.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let b = std::fs::read(out).unwrap();
        u32::from_be_bytes([b[16], b[17], b[18], b[19]])
    };
    let (w96, w288) = (width("96"), width("288"));
    let ratio = w288 as f64 / w96 as f64;
    assert!((2.9..3.1).contains(&ratio), "288 dpi is three times 96 dpi: {w96} -> {w288}");
    let o = chiptrace_os(&["export", "fixtures/demo", "--lot", "L-100", "--dpi", "5", "-o", "x.png"]);
    assert_eq!(code(&o), 2, "a resolution below 24 is refused");
}

#[test]
fn export_dir_of_html_has_an_index_linking_every_finding() {
    let dir = TempDir::new("report-index");
    let out = dir.path().join("out");
    let o = chiptrace_os(&[
        "scan".as_ref(),
        "fixtures/demo".as_ref(),
        "--min-severity".as_ref(),
        "medium".as_ref(),
        "--export-dir".as_ref(),
        out.as_os_str(),
        "--export-format".as_ref(),
        "html".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let index = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    let pages: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "index.html")
        .collect();
    assert!(!pages.is_empty());
    for p in &pages {
        assert!(index.contains(&format!("href=\"{p}\"")), "index does not link {p}");
    }
    assert_eq!(index.matches("<tr><td>").count(), pages.len(), "one row per finding page");
    assert!(index.contains("sev-high") && index.contains("listed_party"));
}

#[test]
fn overview_of_a_big_world_is_a_bounded_country_map_with_a_note() {
    let dir = TempDir::new("report-overview");
    let world = dir.path().join("world");
    crate::common::generate(&world, 20_000, 3);
    let dot = dir.path().join("all.dot");
    let o = chiptrace_os(&["export".as_ref(), world.as_os_str(), "--all".as_ref(), "-o".as_ref(), dot.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&dot).unwrap();
    let g = graphviz_rust::parse(&text).expect("the overview's DOT parses");
    let printed = graphviz_rust::printer::DotPrinter::print(&g, &mut graphviz_rust::printer::PrinterContext::default());
    // One node per country (and the legend's), one edge per flow: bounded whatever the records.
    let countries = text.lines().filter(|l| l.trim_start().starts_with("c_") && !l.contains(" -> ")).count();
    let flows = text.lines().filter(|l| l.trim_start().starts_with("c_") && l.contains(" -> ")).count();
    assert!(flows > 10 && flows <= 40, "{flows} flows drawn (at most 40)");
    assert!(countries > 5 && countries <= 250, "{countries} country nodes");
    assert!(printed.lines().count() < 400, "the overview's DOT has {} lines", printed.lines().count());
    // The note says what was left out and how to see it.
    let flat = text.replace("\\n", " ");
    assert!(flat.contains("Overview: the case has 20000 records, more than the 400"), "no overview note");
    for how in ["--entity ID", "--max-records N", "graphml", "smaller flows left out"] {
        assert!(flat.contains(how), "the note does not say `{how}`");
    }
    // Drawn by Graphviz, it fits on a large sheet (the record-by-record drawing of such a case
    // was 3713x25675 px).
    if tool_or_skip("dot", have("dot", "-V"), "report::overview_of_a_big_world_is_a_bounded_country_map_with_a_note") {
        let svg = Command::new("dot").arg("-Tsvg").arg(&dot).output().unwrap();
        let svg = String::from_utf8_lossy(&svg.stdout);
        let root = &svg[svg.find("<svg").expect("an svg element")..];
        let size = |attr: &str| -> f64 {
            let at = root.find(&format!(" {attr}=\"")).expect("the svg has a size");
            root[at + attr.len() + 3..].split("pt").next().unwrap().parse().unwrap()
        };
        let (w, h) = (size("width"), size("height"));
        assert!(w < 4000.0 && h < 4000.0, "the overview is {w}x{h} pt");
    }
    // The HTML report lists the flows and the components, each with the command that draws it.
    let page = dir.path().join("all.html");
    let o = chiptrace_os(&["export".as_ref(), world.as_os_str(), "--all".as_ref(), "-o".as_ref(), page.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Flows between countries") && html.contains("Connected components"));
    assert!(html.contains("--entity"), "no command to draw a component");
    // A case within the bound is drawn record by record, with no overview.
    let small = dir.path().join("demo.dot");
    let o = chiptrace_os(&[
        "export".as_ref(),
        "fixtures/demo".as_ref(),
        "--all".as_ref(),
        "-o".as_ref(),
        small.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!std::fs::read_to_string(&small).unwrap().contains("Overview:"));
}
