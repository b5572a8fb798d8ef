//! A self-contained HTML report an investigator can hand on: the diagram as
//! inline SVG, the route as a table, every flag with the records, entities
//! and list rows (list, entry id, file:line) behind it, the dataset
//! fingerprint with every input file's hash, and the policy used, so a reader
//! can audit each statement.
//!
//! The page loads nothing (no scripts, fonts, styles or images from
//! anywhere) and carries a Content-Security-Policy that forbids scripts and
//! network access, so even a value that escaped escaping could not run.
//! The page is a maud template: every value spliced into it is escaped by
//! maud, after [`t`] has flattened controls and revealed bidirectional
//! overrides ([`text::display`]); only Graphviz's SVG goes in unescaped. Where Graphviz `dot`
//! is missing the page says so and still gives every table.

use super::render::render;
use super::{Diagram, Export, ExportError, Exporter, Format, RecordIndex, dot, text};
use crate::analysis::inventory::records_file;
use crate::model::*;
use crate::scan::Finding;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Findings drawn in one report: each drawing runs Graphviz once and adds to
/// the page; beyond this the page stays quick to open and the rest are tables.
const MAX_DIAGRAMS: usize = 50;

/// The HTML exporter.
pub struct Html;

impl Exporter for Html {
    fn name(&self) -> &'static str {
        "html"
    }
    fn extension(&self) -> &'static str {
        "html"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        Ok(page(x).into_bytes())
    }
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#cfd8dc}
main{padding:8px 28px 40px;max-width:1600px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px 18px;margin:16px 0}
h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;unicode-bidi:isolate}
th{background:#eceff1;overflow-wrap:normal;word-break:keep-all;hyphens:none}
code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}
pre{background:#f5f5f5;padding:8px;overflow:auto;max-height:480px}
.diagram{overflow:auto;max-height:85vh;border:1px solid #eeeeee;background:#fff;padding:4px}
.diagram svg{max-width:100%;height:auto}
.headline{font-size:14px;margin:2px 0 8px}.flags code{margin-right:4px}
td.nw{white-space:nowrap}td.w{min-width:12em}
.note{color:#5d4037;background:#fff8e1;border-left:4px solid #ffb300;padding:6px 10px}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.sev-high{background:#c62828}.sev-medium{background:#ef6c00}.sev-low{background:#757575}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}dt{color:#616161}dd{margin:0;overflow-wrap:anywhere}
ul.ev{margin:4px 0;padding-left:18px}
@page{size:A4 landscape;margin:10mm}
@media print{
body{background:#fff;font-size:11px}
header{background:#fff;color:#000;border-bottom:2px solid #000;padding:4px 0}header p{color:#333}
main{padding:0;max-width:none}
section{border:none;padding:0;margin:0 0 10px;break-before:page}
section:first-of-type{break-before:auto}
.diagram{overflow:visible;max-height:none;border:none;padding:0;break-inside:avoid}
.diagram svg{width:100%;height:auto;max-height:180mm}
table{font-size:10px}tr,dl{break-inside:avoid}thead{display:table-header-group}
a{color:inherit;text-decoration:none}
.sev{border:1px solid #000;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.screen-only{display:none}
.part{break-before:page;break-inside:avoid}.part.first{break-before:auto}.part h3{margin:0 0 4px}
.part .diagram svg{width:auto;height:auto;max-width:100%;max-height:165mm}
.hop,.legend{break-inside:avoid;margin:0 0 4mm}.hop .diagram svg{width:auto;height:auto;max-width:100%;max-height:165mm}
.legend{break-inside:avoid}.legend .diagram svg{width:auto;height:auto;max-width:100%;max-height:120mm}
}
@media screen{.print-only{display:none}}
";

/// Text from the data for a reader: [`text::display`] (controls flattened,
/// bidirectional overrides shown as `⟨U+202E⟩`), less what XML forbids;
/// maud escapes it where it is spliced.
fn t(s: &str) -> String {
    text::xml_chars(&text::display(s))
}

/// The page's `<head>`: no scripts, nothing loaded from anywhere.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="generator" content=(format!("chiptrace {}", env!("CARGO_PKG_VERSION")));
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// The whole page.
pub fn page(x: &Export) -> String {
    let case = x.case;
    let subject = t(&x.diagram.subject.title());
    let single = x.findings.len() == 1 && x.diagram.subject != super::Subject::Case;
    let body = html! {
        @if x.findings.len() > 1 || (x.findings.len() == 1 && x.diagram.subject == super::Subject::Case) {
            (summary(x))
        }
        @if !single {
            section #diagram {
                @if x.diagram.overview.is_some() {
                    h2 { "Overview: " (subject) }
                } @else {
                    h2 { "Diagram: " (subject) }
                }
                (diagram(case, &x.diagram))
                (overview_table(x))
                (records_table(case, &x.diagram))
                (entities_table(case, &x.diagram))
            }
        }
        @for (i, v) in x.findings.iter().enumerate() {
            (finding(x, i, v.finding, &v.diagram))
        }
        @if x.findings.is_empty() && x.diagram.subject == super::Subject::Case {
            section #findings { h2 { "Findings" } p { "The scan reported no findings." } }
        }
        (dataset(case))
        (policy(x))
    };
    let footer = html! {
        footer style="padding:0 28px 24px;color:#757575;font-size:12px" {
            "Generated by chiptrace " (env!("CARGO_PKG_VERSION")) " from the dataset above. This page runs no scripts and loads nothing from the network."
        }
    };
    document(
        &format!("chiptrace report: {subject}"),
        "chiptrace report",
        html! { (subject) " \u{b7} case " code { (t(&case.root.display().to_string())) } " \u{b7} dataset " (case.fingerprint()) },
        body,
        footer,
    )
}

/// A whole page: the head, a header with a heading and a line under it, the
/// main content and a footer.
fn document(title: &str, heading: &str, sub: Markup, main: Markup, footer: Markup) -> String {
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header { h1 { (heading) } p { (sub) } }
                main { (main) }
                (footer)
            }
        }
    };
    doc.into_string() + "\n"
}

fn sev(f: &Finding) -> Markup {
    html! { span class=(format!("sev sev-{}", f.severity)) { (f.severity) } }
}

/// The rule ids of a finding's flags, each once, in the order they first appear.
fn rules_of(f: &Finding) -> Vec<&'static str> {
    let mut rules: Vec<&'static str> = Vec::new();
    for fl in &f.flags {
        if !rules.contains(&fl.rule) {
            rules.push(fl.rule);
        }
    }
    rules
}

/// An entity in a table cell: id, name (long names cut, in full in the
/// tooltip and the entities table), kind and country.
fn entity_cell(case: &Case, e: EntityId) -> Markup {
    let ent = case.entity(e);
    let name = t(&ent.name);
    let shown = text::shorten(&name, 90);
    let title = (shown != name).then_some(name.as_str());
    html! {
        code { (t(&ent.id)) } " " bdi title=[title] { (shown) } " " small { "(" (ent.kind) ", " (ent.country) ")" }
    }
}

/// Every entity of a diagram in full, with where it was read.
fn entities_table(case: &Case, d: &Diagram) -> Markup {
    let file = case.root.join("entities.csv").display().to_string();
    html! {
        @if !d.entities.is_empty() {
            h3 { "Entities (" (d.entities.len()) ")" }
            table {
                tr { th { "id" } th { "name" } th { "kind" } th { "country" } th { "aliases" } th { "incorporated" } th { "address" } th { "flags" } th { "at" } }
                @for &e in &d.entities {
                    @let ent = case.entity(e);
                    tr {
                        td.nw { code { (t(&ent.id)) } }
                        td.w { bdi { (t(&ent.name)) } }
                        td.nw { (ent.kind) }
                        td.nw { (ent.country) }
                        td.w { (t(&ent.aliases.join("; "))) }
                        td.nw { @if let Some(i) = ent.incorporated { (i) } }
                        td.w { @if let Some(a) = &ent.address { (t(a)) } }
                        td.w {
                            @if let Some(m) = d.marks.get(&e) { code { (t(&m.rule)) } " " (t(&m.detail)) }
                            @if let Some(all) = d.entity_flags.get(&e).filter(|f| f.len() > 1 || d.marks.get(&e).is_none_or(|m| !f.contains(&m.rule))) {
                                br; small { "all flags: " (all.iter().cloned().collect::<Vec<_>>().join(", ")) }
                            }
                        }
                        td.nw { (place(&file, ent.line)) }
                    }
                }
            }
        }
    }
}

fn summary(x: &Export) -> Markup {
    html! {
        section #summary {
            h2 { "Findings" }
            table {
                tr { th { "#" } th { "finding" } th { "severity" } th { "score" } th { "terminal" } th { "product" } th { "units" } th { "lot" } th { "flags" } }
                @for (i, v) in x.findings.iter().enumerate() {
                    @let f = v.finding;
                    tr {
                        td { (i + 1) }
                        td.nw { a href=(format!("#finding-{i}")) { code { (t(&f.id)) } } }
                        td.nw { (sev(f)) }
                        td.nw { (format!("{:.3}", f.score)) }
                        td { (entity_cell(x.case, f.terminal)) }
                        td.nw { (t(x.case.s(f.product))) }
                        td.nw { (f.quantity) }
                        td.nw { @if let Some(l) = f.lot { (t(x.case.s(l))) } @else { "inferred" } }
                        td { (rules_of(f).join(", ")) }
                    }
                }
            }
        }
    }
}

/// The diagram as inline SVG, or a note saying why it is missing. An
/// overview is its whole map (on screen) and its printable parts.
fn diagram(case: &Case, d: &Diagram) -> Markup {
    if let Some(o) = &d.overview {
        return overview_map(case, d, o);
    }
    let whole = svg_of(&dot::to_dot(case, d));
    let scale = whole.as_ref().map_or(1.0, |svg| print_scale(svg, PRINT_HEIGHT_MM));
    let parts = if scale * SMALLEST_PT < LEGIBLE_PT { printed_route(case, d) } else { Vec::new() };
    html! {
        @if parts.is_empty() {
            (drawn(whole))
        } @else {
            div.whole.screen-only { (drawn(whole)) }
            p.note.print-only {
                "In print the route is drawn in " (parts.len()) " parts, so that its labels keep their size (the whole drawing would print at "
                (format!("{:.0}", 100.0 * scale)) "%). A party where one part ends opens the next; the legend follows the last part."
            }
            @for svg in parts {
                div.hop.print-only { (drawn(Ok(svg))) }
            }
            div.legend.print-only { (drawing(&dot::legend_dot(case, d))) }
        }
        @if d.truncated {
            p.note {
                "The diagram was cut at the bound on records; export GraphML for the whole graph or raise " code { "--max-records" } "."
            }
        }
    }
}

/// An overview's country map. Whole it is too tall for a page (a 100,000
/// record case printed at about a quarter of its size), so when it has more
/// than one part the whole map is shown on screen only, and each part
/// follows on a page of its own, scaled to the page no further than its
/// labels stay legible (print CSS: 165 mm high at most, and a part is sized
/// by [`super::diagram::parts`] to need no more than about 85%).
fn overview_map(case: &Case, d: &Diagram, o: &super::Overview) -> Markup {
    let n = o.parts.len();
    html! {
        div class=(if n > 1 { "whole screen-only" } else { "whole" }) { (drawing(&dot::to_dot(case, d))) }
        p.note { (t(&o.note)) }
        @if n > 1 {
            p.note.print-only {
                "In print the country map is given in " (n) " parts, one a page, so that its labels keep their size; every flow above is in one of them. The whole map is in this report on screen and in "
                code { "chiptrace export CASE --all -o map.svg" } "."
            }
            h3.screen-only { "The map in " (n) " printable parts" }
            @for (k, p) in o.parts.iter().enumerate() {
                @let of = p.countries.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
                div class=(if k == 0 { "part first" } else { "part" }) {
                    h3 { "Country map, part " (k + 1) " of " (n) ": flows of " (of) " (" (p.flows.len()) " flows)" }
                    (drawing(&dot::part_dot(case, d, o, k)))
                }
            }
        }
    }
}

/// The printable width of a landscape A4 page (297 mm less 10 mm margins), in points.
const PRINT_WIDTH_MM: f64 = 277.0;
/// The height a whole diagram may take in print (the print CSS' `max-height`).
const PRINT_HEIGHT_MM: f64 = 180.0;
/// The height a printed part may take under its heading (`.part .diagram svg`).
const PART_HEIGHT_MM: f64 = 165.0;
/// The smallest type in a drawing: edge labels (dot.rs).
const SMALLEST_PT: f64 = 8.0;
/// The smallest type a reader reads on paper without a lens.
const LEGIBLE_PT: f64 = 7.0;

/// Graphviz's drawing of DOT text as SVG.
fn svg_of(dot_text: &str) -> Result<String, ExportError> {
    render(dot_text, Format::Svg).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The factor a drawing is printed at: its size in points (Graphviz writes
/// `width="703pt" height="460pt"`) fitted into the page's width and
/// `height_mm`, never enlarged past its size.
fn print_scale(svg: &str, height_mm: f64) -> f64 {
    let root = svg.find("<svg").map_or("", |i| &svg[i..]);
    let size = |attr: &str| -> Option<f64> {
        let at = root.find(&format!(" {attr}=\""))? + attr.len() + 3;
        root[at..].split("pt").next()?.parse().ok()
    };
    let mm = 72.0 / 25.4;
    match (size("width"), size("height")) {
        (Some(w), Some(h)) if w > 0.0 && h > 0.0 => (PRINT_WIDTH_MM * mm / w).min(height_mm * mm / h).min(1.0),
        _ => 1.0,
    }
}

/// A route too wide for the page, drawn in parts: the most route records a
/// part (3, 2, then 1) at which every part prints with its labels legible,
/// each part left to right where that is legible, else left to right or top
/// to bottom, whichever prints larger (Graphviz is run for the second only
/// when the first falls short); where
/// even one record a part does not fit, one a part, as large as it goes.
/// Empty when the diagram has no route to split or Graphviz fails.
fn printed_route(case: &Case, d: &Diagram) -> Vec<String> {
    let mut best = Vec::new();
    for per_part in [3, 2, 1] {
        let parts = super::diagram::route_parts(case, d, per_part);
        let n = parts.len();
        let mut svgs = Vec::with_capacity(n);
        for (k, p) in parts.iter().enumerate() {
            let draw = |vertical: bool| {
                svg_of(&dot::route_part_dot(case, p, k, n, vertical))
                    .map(|svg| (print_scale(&svg, PART_HEIGHT_MM), svg))
            };
            // Left to right where that is legible; else top to bottom where it prints larger.
            let Ok(across) = draw(false) else { return Vec::new() };
            let best = if across.0 * SMALLEST_PT >= LEGIBLE_PT {
                across
            } else {
                match draw(true) {
                    Ok(down) if down.0 > across.0 => down,
                    Ok(_) => across,
                    Err(_) => return Vec::new(),
                }
            };
            svgs.push(best);
        }
        let legible = svgs.iter().all(|(scale, _)| scale * SMALLEST_PT >= LEGIBLE_PT);
        best = svgs.into_iter().map(|(_, svg)| svg).collect();
        if legible {
            break;
        }
    }
    best
}

/// DOT text drawn as inline SVG, or a note saying why it is missing.
fn drawing(dot_text: &str) -> Markup {
    drawn(svg_of(dot_text))
}

/// An SVG drawing, or a note saying why it is missing.
fn drawn(svg: Result<String, ExportError>) -> Markup {
    html! {
        @match &svg {
            Ok(svg) => {
                // Inline SVG starts at the element: the XML prolog and doctype are for files.
                // Graphviz wrote it from DOT whose every value was escaped (dot.rs).
                @let body = svg.find("<svg").map(|i| &svg[i..]).unwrap_or("");
                div.diagram { (PreEscaped(body.trim_end())) }
            }
            Err(ExportError::DotMissing { .. }) => {
                p.note {
                    "The diagram is not included: Graphviz " code { "dot" } " was not found when this report was made (install it with "
                    code { "apt-get install graphviz" } " and export again). The tables below hold everything the diagram would show."
                }
            }
            Err(e) => { p.note { "The diagram could not be drawn: " (t(&e.to_string())) } }
        }
    }
}

/// An overview's tables: the flows on its map, and the connected components
/// with the command that draws each.
fn overview_table(x: &Export) -> Markup {
    let Some(o) = &x.diagram.overview else { return html! {} };
    let case_arg = x.case.root.display().to_string();
    html! {
        h3 { "Flows between countries (" (o.flows.len()) ")" }
        table {
            tr { th { "from" } th { "to" } th { "kind" } th { "records" } th { "units" } th { "on findings' routes" } }
            @for f in &o.flows {
                tr { td { (f.from) } td { (f.to) } td { (f.kind) } td { (f.records) } td { (f.units) } td { (f.on_routes) } }
            }
        }
        @if o.flows_left_out > 0 {
            p.note { (o.flows_left_out) " smaller flows are not drawn or listed." }
        }
        h3 { "Connected components (" (o.components.len()) ", largest first)" }
        table {
            tr { th { "#" } th { "entities" } th { "records" } th { "countries" } th { "findings" } th { "draw one party of it" } }
            @for (i, c) in o.components.iter().take(super::diagram::MAX_COMPONENT_ROWS).enumerate() {
                @let hub = &x.case.entity(c.hub).id;
                tr {
                    td { (i + 1) }
                    td { (c.entities) }
                    td { (c.records) }
                    td { (c.countries.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" ")) }
                    td { (c.findings) }
                    td { code { (t(&format!("chiptrace export {case_arg} --entity {hub} -o {}.svg", super::file_stem(hub)))) } }
                }
            }
        }
        @if o.components.len() > super::diagram::MAX_COMPONENT_ROWS {
            p.note { (o.components.len() - super::diagram::MAX_COMPONENT_ROWS) " smaller components are not listed; every one is in " code { "--format graphml" } " or " code { "gexf" } "." }
        }
    }
}

fn place(file: &str, line: u64) -> Markup {
    html! { code { (t(file)) ":" (line) } }
}

fn records_table(case: &Case, d: &Diagram) -> Markup {
    html! {
        @if d.records.is_empty() {
            p { "No records." }
        } @else {
            h3 { "Records (" (d.records.len()) ")" }
            (route_rows(case, &d.records))
        }
    }
}

/// A table of records in the order given.
fn route_rows(case: &Case, records: &[RecordId]) -> Markup {
    let file = records_file(case);
    let opt = |x: Option<Sym>| html! { @if let Some(v) = x { bdi { (t(case.s(v))) } } };
    html! {
        table {
            tr { th { "#" } th { "record" } th { "date" } th { "kind" } th { "from" } th { "to" } th { "product" } th { "units" } th { "lot" } th { "payment" } th { "declared end user" } th { "source" } th { "at" } }
            @for (i, &ri) in records.iter().enumerate() {
                @let r = &case.records[ri as usize];
                tr {
                    td { (i + 1) }
                    td.nw { code { (t(case.s(r.id))) } }
                    td.nw { (r.date) @if let Some(end) = case.records.end_date(ri) { br; "\u{2192} " (end) } }
                    td.nw { (r.kind) }
                    td { (entity_cell(case, r.from)) }
                    td { (entity_cell(case, r.to)) }
                    td.nw { (t(case.s(r.product))) }
                    td.nw { (r.quantity) }
                    td.nw { (opt(r.lot)) }
                    td.nw { @if let Some(p) = r.payment { (p) } }
                    td { (opt(case.records.declared_end_user(ri))) }
                    td { (opt(case.records.source(ri))) }
                    td.nw { (place(&case.record_file(ri).map_or_else(|| file.clone(), String::from), r.line)) }
                }
            }
        }
    }
}

fn finding(x: &Export, i: usize, f: &Finding, d: &Diagram) -> Markup {
    let case = x.case;
    let term = case.entity(f.terminal);
    // A route finding names its terminal; an entity finding the party it is about (docs/spec.md §5.1).
    let whom = if f.kind == crate::scan::FindingKind::Entity { "subject" } else { "terminal" };
    html! {
        section id=(format!("finding-{i}")) {
            h2 { "Finding " code { (t(&f.id)) } " " (sev(f)) }
            p.headline {
                (f.severity) " \u{b7} score " (format!("{:.2}", f.score)) " \u{b7} " (f.kind.as_str()) " " code { (t(&term.id)) }
                " (" (term.country) ") \u{b7} " (t(case.s(f.product))) " \u{d7} " (f.quantity) " \u{b7} "
                span.flags { @for r in rules_of(f) { code { (r) } " " } }
            }
            dl {
                dt { "score" } dd { (format!("{:.3}", f.score)) }
                dt { "kind" } dd { (f.kind.as_str()) }
                dt { (whom) } dd { (entity_cell(case, f.terminal)) }
                dt { "product" } dd { (t(case.s(f.product))) " \u{d7} " (f.quantity) }
                dt { "lot" }
                dd {
                    @match (f.kind, f.lot) {
                        (crate::scan::FindingKind::Entity, _) => { "not applicable: an entity finding" }
                        (_, Some(l)) => { bdi { (t(case.s(l))) } }
                        (_, None) => { "none: the route was inferred from time, product and quantity" }
                    }
                }
                @if f.inferred {
                    dt { "inferred" } dd { "yes, plausibility " (format!("{:.3}", f.plausibility)) }
                    dt { "why inferred" } dd { (t(&crate::analysis::routes::inferred_reason(case, &f.path, f.plausibility))) }
                }
            }
            h3 { "Diagram" }
            @if i < MAX_DIAGRAMS {
                (diagram(case, d))
            } @else {
                p.note {
                    "Only the first " (MAX_DIAGRAMS) " findings are drawn in one report; export this one with "
                    code { "chiptrace export CASE --finding " (t(&f.id)) } "."
                }
            }
            h3 { "Route (" (f.path.len()) " records)" }
            (route_rows(case, &f.path))
            h3 { "Flags (" (f.flags.len()) ")" }
            table {
                tr { th { "rule" } th { "about" } th { "weight" } th { "detail" } th { "evidence" } }
                @for fl in &f.flags {
                    tr {
                        td.nw { code { (fl.rule) } }
                        td { (entity_cell(case, fl.subject)) }
                        td { (format!("{:.2}", fl.weight.unwrap_or_else(|| x.policy.weight(fl.rule)))) }
                        td { (t(&fl.detail)) }
                        td { ul.ev { @for k in fl.evidence.iter() { li { (evidence(case, &x.index, k)) } } } }
                    }
                }
            }
            (entities_table(case, d))
        }
    }
}

/// One evidence key resolved to what it names: an entity, a record or list rows.
fn evidence(case: &Case, index: &RecordIndex, key: &str) -> Markup {
    let root = |f: &str| case.root.join(f).display().to_string();
    if let Some(e) = case.entity_by_key(key) {
        return html! { "entity " (entity_cell(case, e)) " \u{2014} " (place(&root("entities.csv"), case.entity(e).line)) };
    }
    if let Some(ri) = index.get(case, key) {
        let r = &case.records[ri as usize];
        return html! {
            "record " code { (t(key)) } " " (r.date) " " (r.kind) " " code { (t(&case.entity(r.from).id)) } " \u{2192} "
            code { (t(&case.entity(r.to).id)) } ", " (t(case.s(r.product))) " \u{d7} " (r.quantity) " \u{2014} "
            (place(&case.record_file(ri).map_or_else(|| records_file(case), String::from), r.line))
        };
    }
    let rows: Vec<&ListEntry> =
        if key.starts_with("list:") { case.lists.iter().filter(|l| l.evidence() == key).collect() } else { vec![] };
    if rows.is_empty() {
        return html! { code { (t(key)) } };
    }
    html! {
        "list entry " code { (t(key)) } ":"
        table {
            tr { th { "list" } th { "entry id" } th { "listed name" } th { "programs" } th { "since" } th { "at" } }
            @for l in rows {
                tr {
                    td { (t(&l.list_name)) " " small { "(" (t(&l.list)) ")" } }
                    td { code { (t(&l.entry_id)) } }
                    td { bdi { (t(&l.name)) } }
                    td { (t(&l.programs.join("; "))) }
                    td { @if let Some(s) = l.since { (s) } }
                    td { (place(&l.file, l.line)) }
                }
            }
        }
    }
}

fn dataset(case: &Case) -> Markup {
    let mut files: Vec<&InputFile> = case.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    html! {
        section #dataset {
            h2 { "Dataset" }
            dl {
                dt { "case" } dd { code { (t(&case.root.display().to_string())) } }
                dt { "fingerprint" } dd { code { (case.fingerprint()) } }
                dt { "read" }
                dd { (case.entities.len()) " entities, " (case.records.len()) " records, " (case.relations.len()) " relations, " (case.lists.len()) " list entries" }
            }
            table {
                tr { th { "file" } th { "sha256" } th { "bytes" } }
                @for f in files {
                    tr { td { code { (t(&f.path)) } } td { code { (t(&f.sha256)) } } td { (f.bytes) } }
                }
            }
        }
    }
}

fn policy(x: &Export) -> Markup {
    let body = toml::to_string_pretty(x.policy)
        .or_else(|_| serde_json::to_string_pretty(x.policy))
        .unwrap_or_else(|e| format!("the policy could not be printed: {e}"));
    html! {
        section #policy {
            h2 { "Policy used" }
            p { "Save this as " code { "policy.toml" } " to run the same screening again." }
            // Line breaks are the point of a <pre>: only what XML forbids is dropped.
            pre { (text::xml_chars(&body)) }
        }
    }
}

/// The index page of a folder of finding reports (`scan --export-dir`): one
/// row per finding, linked to `<finding id>.<ext>`, in the scan's order.
pub fn index(case: &Case, findings: &[&Finding], ext: &str) -> String {
    let root = t(&case.root.display().to_string());
    let body = html! {
        section {
            table {
                tr { th { "#" } th { "finding" } th { "severity" } th { "score" } th { "kind" } th { "terminal or subject" } th { "units" } th { "flags" } }
                @for (i, f) in findings.iter().enumerate() {
                    tr {
                        td { (i + 1) }
                        td.nw { a href=(format!("{}.{ext}", super::file_stem(&f.id))) { code { (t(&f.id)) } } }
                        td { (sev(f)) }
                        td { (format!("{:.2}", f.score)) }
                        td { (f.kind.as_str()) }
                        td { (entity_cell(case, f.terminal)) }
                        td.nw { (t(case.s(f.product))) " \u{d7} " (f.quantity) }
                        td { (rules_of(f).join(", ")) }
                    }
                }
            }
        }
    };
    document(
        &format!("chiptrace findings: {root}"),
        "chiptrace findings",
        html! { "case " code { (root) } " \u{b7} dataset " (case.fingerprint()) " \u{b7} " (findings.len()) " finding(s)" },
        body,
        html! {},
    )
}
