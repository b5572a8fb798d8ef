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

/// A finding's diagram is wider than a page (the demo's top route drew
/// 2,251 pt wide and printed at 35%, its labels near 3 pt): in print its
/// route comes in parts, each record of the route on one of them, every
/// edge label at 7 pt or more, and the legend after them.
#[test]
fn printed_finding_report_shows_the_route_legibly_and_the_legend() {
    let test = "report::printed_finding_report_shows_the_route_legibly_and_the_legend";
    let browser = chromium();
    if !tool_or_skip("dot", have("dot", "-V"), test)
        || !tool_or_skip("chromium", browser.is_some(), test)
        || !tool_or_skip("pdftotext", have("pdftotext", "-v"), test)
    {
        return;
    }
    let browser = browser.unwrap();
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
    print_pdf(browser, &dir, &html, &pdf);
    let per_point = points_per_point(browser, &dir);
    let text = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let parts: usize = flat
        .split("In print the route is drawn in ")
        .nth(1)
        .expect("the report says the route is printed in parts")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(parts > 1, "the route is printed whole");
    // The words of the printed parts: from the first part's title to the route table.
    let pages = text.split('\u{c}').count();
    let mut drawn: Vec<(String, f64)> = Vec::new();
    let mut started = false;
    'pages: for p in 1..=pages {
        let ws = words(&pdf, p);
        for (i, (w, _, h)) in ws.iter().enumerate() {
            let next = |k: usize| ws.get(i + k).map_or("", |x| x.0.as_str());
            if w == "route," && next(1) == "part" && next(2) == "1" {
                started = true;
            }
            if started && w == "Route" && next(1).starts_with('(') {
                break 'pages;
            }
            if started {
                drawn.push((w.clone(), h / per_point));
            }
        }
    }
    assert!(!drawn.is_empty(), "no printed part found");
    let printed: Vec<&str> = drawn.iter().map(|(w, _)| w.as_str()).collect();
    // Every record of the route is drawn in a part, its edge label legible.
    let path: Vec<&str> = f["path"].as_array().unwrap().iter().map(|r| r["record"].as_str().unwrap()).collect();
    for r in &path {
        assert!(printed.contains(r), "the route's record {r} is in no printed part");
    }
    let dates: Vec<&(String, f64)> =
        drawn.iter().filter(|(w, _)| w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-').collect();
    assert!(dates.len() >= path.len(), "{} dated edge labels for {} records", dates.len(), path.len());
    for (w, size) in &dates {
        assert!(*size >= 7.0, "the edge label `{w}` prints at {size:.1} pt");
    }
    eprintln!(
        "{parts} parts, {} edge labels, the smallest {:.1} pt",
        dates.len(),
        dates.iter().map(|d| d.1).fold(f64::MAX, f64::min)
    );
    // The terminal's node, the legend and its flag swatch are printed; the
    // report's headline says severity and score.
    let terminal = f["terminal"]["id"].as_str().unwrap();
    let node = format!(
        "{terminal} · {} · {}",
        f["terminal"]["kind"].as_str().unwrap(),
        f["terminal"]["country"].as_str().unwrap()
    );
    assert!(text.contains(&node), "the terminal's node `{node}` is not in the PDF");
    assert!(printed.contains(&"legend"), "the legend is not printed with the parts");
    assert!(text.contains("flag: listed_party"), "the legend's flags are not in the PDF");
    assert!(
        flat.contains(&format!("{} · score {:.2}", f["severity"].as_str().unwrap(), f["score"].as_f64().unwrap())),
        "severity and score head the finding"
    );
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

/// A generated world of `records` records (seed 3) in `dir`, and its `--all`
/// overview exported as DOT: the world's folder, the DOT file and its text.
fn overview_dot(dir: &TempDir, records: u64) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let world = dir.path().join("world");
    crate::common::generate(&world, records, 3);
    let dot = dir.path().join("all.dot");
    let o = chiptrace_os(&["export".as_ref(), world.as_os_str(), "--all".as_ref(), "-o".as_ref(), dot.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&dot).unwrap();
    (world, dot, text)
}

#[test]
fn overview_of_a_big_world_is_a_bounded_country_map_with_a_note() {
    let dir = TempDir::new("report-overview");
    let (world, dot, text) = overview_dot(&dir, 20_000);
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

/// The words of a PDF page with their top and their height in points, as `pdftotext -bbox` gives them.
fn words(pdf: &std::path::Path, page: usize) -> Vec<(String, f64, f64)> {
    let o = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&o.stdout);
    let num = |w: &str, key: &str| -> f64 {
        let at = w.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    xml.split("<word ")
        .skip(1)
        .map(|w| {
            let text = w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()].to_string();
            let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
            (text, num(w, "yMin"), num(w, "yMax") - num(w, "yMin"))
        })
        .collect()
}

/// How tall pdftotext makes a word per point of type in the diagrams' font,
/// to turn word heights into type sizes: a word of 10 pt printed and measured.
fn points_per_point(browser: &str, dir: &TempDir) -> f64 {
    let calibration = dir.path().join("ten.html");
    std::fs::write(
        &calibration,
        "<p style=\"font-family:Helvetica,Arial,sans-serif;font-size:10pt\">ten point reference 12345</p>",
    )
    .unwrap();
    let calibration_pdf = dir.path().join("ten.pdf");
    print_pdf(browser, dir, &calibration, &calibration_pdf);
    let per_point = words(&calibration_pdf, 1).iter().map(|w| w.2).fold(f64::MAX, f64::min) / 10.0;
    assert!(per_point > 0.8 && per_point < 1.6, "a 10 pt word is {} pt tall", per_point * 10.0);
    per_point
}

/// Prints `html` to PDF with headless Chromium.
fn print_pdf(browser: &str, dir: &TempDir, html: &std::path::Path, pdf: &std::path::Path) {
    let o = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.exists(), "chromium wrote no PDF of {}: {}", html.display(), String::from_utf8_lossy(&o.stderr));
}

/// Regression for the `--all` overview of a big case printing at about a
/// quarter of its size (labels near 2 pt): printed from the HTML report, the
/// country map comes in parts, one a page, every flow of the map is on a
/// part's page, every edge and node label there is at least 7 pt, and the
/// note of what was left out is printed.
#[test]
fn printed_overview_of_a_big_world_is_legible_in_parts() {
    let test = "report::printed_overview_of_a_big_world_is_legible_in_parts";
    let browser = chromium();
    if !tool_or_skip("dot", have("dot", "-V"), test)
        || !tool_or_skip("chromium", browser.is_some(), test)
        || !tool_or_skip("pdftotext", have("pdftotext", "-v"), test)
    {
        return;
    }
    let browser = browser.unwrap();
    let dir = TempDir::new("report-overview-print");
    // 3,000 records are over the 400 drawn one by one; the map is bounded by
    // its 40 largest flows whatever the size (a 100,000 record world gives the
    // same kind of map), and the report of a smaller world prints quicker.
    let (world, _, text) = overview_dot(&dir, 3_000);
    // The flows the whole map draws: a label line per flow, `sale ×18 · 646 units (2 on routes)`.
    let flows: Vec<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("c_") && l.contains(" -> "))
        .flat_map(|l| {
            let label = l.split("label=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            label.split("\\n").map(|f| f.split(" (").next().unwrap().to_string()).collect::<Vec<_>>()
        })
        .collect();
    assert!(flows.len() > 20, "{} flows on the map", flows.len());
    let flat = text.replace("\\n", " ");
    let parts: usize = flat
        .split("split into ")
        .nth(1)
        .expect("the note says how many parts")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(parts > 1, "the map of {} flows is one part", flows.len());

    let html = dir.path().join("all.html");
    let o = chiptrace_os(&["export".as_ref(), world.as_os_str(), "--all".as_ref(), "-o".as_ref(), html.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let pdf = dir.path().join("all.pdf");
    print_pdf(browser, &dir, &html, &pdf);
    let per_point = points_per_point(browser, &dir);

    let all = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let all = String::from_utf8_lossy(&all.stdout).to_string();
    let pages: Vec<&str> = all.split('\u{c}').collect();
    let part_pages: Vec<usize> = (0..pages.len()).filter(|&i| pages[i].contains("Country map, part ")).collect();
    assert_eq!(part_pages.len(), parts, "one page per part");
    let mut printed = String::new();
    let (mut labels, mut smallest) = (0, f64::MAX);
    for &i in &part_pages {
        // The part's drawing: the words under its heading (the first part shares its page with the note).
        let ws = words(&pdf, i + 1);
        let top = ws.windows(3).find(|w| w[0].0 == "Country" && w[1].0 == "map," && w[2].0 == "part").unwrap()[0].1;
        let ws: Vec<_> = ws.into_iter().filter(|w| w.1 > top).collect();
        printed.push_str(&ws.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" "));
        printed.push('\n');
        // Edge labels (`×18`: records of a flow) and node labels (`24 entities`, `⚑ 6 flagged`).
        for (w, _, h) in ws.iter().filter(|(w, _, _)| w.starts_with('\u{d7}') || w == "entities" || w == "flagged") {
            let size = h / per_point;
            assert!(size >= 7.0, "`{w}` on page {} prints at {size:.1} pt", i + 1);
            labels += 1;
            smallest = smallest.min(size);
        }
    }
    eprintln!("{parts} parts, {} flows, {labels} labels measured, the smallest {smallest:.1} pt", flows.len());
    assert!(labels >= flows.len(), "{labels} labels measured for {} flows", flows.len());
    for f in &flows {
        assert!(printed.contains(f.as_str()), "the flow `{f}` is on no part's page");
    }
    // The whole map is not printed (its labels would be a quarter of their size), the note is.
    let flat_pdf = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat_pdf.contains("smaller flows left out"), "the note of what the map leaves out is not printed");
    assert!(flat_pdf.contains(&format!("In print the country map is given in {parts} parts")));
    assert!(!flat_pdf.contains("country: entities, flagged, findings"), "the whole map's legend is printed");
}

#[test]
fn part_of_an_overview_draws_only_its_flows() {
    let dir = TempDir::new("report-part");
    let world = dir.path().join("world");
    crate::common::generate(&world, 3_000, 3);
    let dot = |extra: &[&str]| -> (i32, String, String) {
        let out = dir.path().join("p.dot");
        let mut args: Vec<&std::ffi::OsStr> = vec!["export".as_ref(), world.as_os_str(), "--all".as_ref()];
        args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
        args.extend(["-o".as_ref(), out.as_os_str()]);
        let o = chiptrace_os(&args);
        (code(&o), std::fs::read_to_string(&out).unwrap_or_default(), stderr(&o))
    };
    let (c, whole, e) = dot(&[]);
    assert_eq!(c, 0, "{e}");
    let edges = |t: &str| t.lines().filter(|l| l.contains(" -> ") && l.trim_start().starts_with("c_")).count();
    let flat = whole.replace("\\n", " ");
    let n: usize = flat.split("split into ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let mut total = 0;
    for k in 1..=n {
        let (c, part, e) = dot(&["--part", &k.to_string()]);
        assert_eq!(c, 0, "{e}");
        assert!(part.contains(&format!("part {k} of {n}: flows of ")), "part {k} is not titled");
        assert!(!part.contains("cluster_legend"), "a part carries its key in the title");
        assert!(edges(&part) <= 6, "part {k} has {} edges", edges(&part));
        total += edges(&part);
    }
    assert_eq!(total, edges(&whole), "the parts draw every edge of the map once");
    let (c, _, e) = dot(&["--part", &(n + 1).to_string()]);
    assert_eq!(c, 2);
    assert!(e.contains(&format!("has {n} part(s); pass 1 to {n}")), "{e}");
    let o = chiptrace_os(&["export", "fixtures/demo", "--lot", "L-100", "--part", "1", "-o", "x.dot"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--part 1 goes with --all"), "{}", stderr(&o));
    let o = chiptrace_os(&["export", "fixtures/demo", "--all", "--part", "1", "-o", "x.dot"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("drawn whole"), "{}", stderr(&o));
}
