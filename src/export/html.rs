//! A self-contained HTML report an investigator can hand on: the diagram as
//! inline SVG, the route as a table, every flag with the records, entities
//! and list rows (list, entry id, file:line) behind it, the dataset
//! fingerprint with every input file's hash, and the policy used, so a reader
//! can audit each statement.
//!
//! The page loads nothing (no scripts, fonts, styles or images from
//! anywhere) and carries a Content-Security-Policy that forbids scripts and
//! network access, so even a value that escaped escaping could not run.
//! Every value from the data goes through [`text::html`]. Where Graphviz `dot`
//! is missing the page says so and still gives every table.

use super::render::render;
use super::{Diagram, Export, ExportError, Exporter, Format, RecordIndex, dot, text};
use crate::analysis::inventory::records_file;
use crate::model::*;
use crate::scan::Finding;
use std::fmt::Write;

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
}
";

/// The whole page.
pub fn page(x: &Export) -> String {
    let case = x.case;
    let mut s = String::new();
    let subject = text::html(&x.diagram.subject.title());
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(s, "<meta name=\"generator\" content=\"chiptrace {}\">", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(s, "<title>chiptrace report: {subject}</title>");
    let _ = writeln!(s, "<style>\n{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        s,
        "<header><h1>chiptrace report</h1><p>{subject} \u{b7} case <code>{}</code> \u{b7} dataset {}</p></header>\n<main>",
        text::html(&case.root.display().to_string()),
        case.fingerprint()
    );

    if x.findings.len() > 1 || (x.findings.len() == 1 && x.diagram.subject == super::Subject::Case) {
        summary(&mut s, x);
    }
    let single = x.findings.len() == 1 && x.diagram.subject != super::Subject::Case;
    if !single {
        s.push_str("<section id=\"diagram\">\n");
        let _ = writeln!(s, "<h2>Diagram: {subject}</h2>");
        diagram(&mut s, case, &x.diagram);
        records_table(&mut s, case, &x.diagram);
        entities_table(&mut s, case, &x.diagram);
        s.push_str("</section>\n");
    }
    for (i, v) in x.findings.iter().enumerate() {
        finding(&mut s, x, i, v.finding, &v.diagram);
    }
    if x.findings.is_empty() && x.diagram.subject == super::Subject::Case {
        s.push_str("<section id=\"findings\"><h2>Findings</h2><p>The scan reported no findings.</p></section>\n");
    }
    dataset(&mut s, case);
    policy(&mut s, x);
    let _ = writeln!(
        s,
        "</main>\n<footer style=\"padding:0 28px 24px;color:#757575;font-size:12px\">Generated by chiptrace {} from the \
         dataset above. This page runs no scripts and loads nothing from the network.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    s
}

fn sev(f: &Finding) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", f.severity)
}

/// An entity in a table cell: id, name (long names cut, in full in the
/// tooltip and the entities table), kind and country.
fn entity_cell(case: &Case, e: EntityId) -> String {
    let ent = case.entity(e);
    let name = text::display(&ent.name);
    let shown = text::shorten(&name, 90);
    let title = if shown == name { String::new() } else { format!(" title=\"{}\"", text::xml(&name)) };
    format!(
        "<code>{}</code> <bdi{title}>{}</bdi> <small>({}, {})</small>",
        text::html(&ent.id),
        text::xml(&shown),
        ent.kind,
        ent.country
    )
}

/// Every entity of a diagram in full, with where it was read.
fn entities_table(s: &mut String, case: &Case, d: &Diagram) {
    if d.entities.is_empty() {
        return;
    }
    let file = case.root.join("entities.csv").display().to_string();
    let _ = writeln!(s, "<h3>Entities ({})</h3>", d.entities.len());
    s.push_str("<table>\n<tr><th>id</th><th>name</th><th>kind</th><th>country</th><th>aliases</th><th>incorporated</th><th>address</th><th>flag</th><th>at</th></tr>\n");
    for &e in &d.entities {
        let ent = case.entity(e);
        let flag = d
            .marks
            .get(&e)
            .map(|m| format!("<code>{}</code> {}", text::html(&m.rule), text::html(&m.detail)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<tr><td class=\"nw\"><code>{}</code></td><td class=\"w\"><bdi>{}</bdi></td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"w\">{}</td><td class=\"nw\">{}</td><td class=\"w\">{}</td><td class=\"w\">{flag}</td><td class=\"nw\">{}</td></tr>",
            text::html(&ent.id),
            text::html(&ent.name),
            ent.kind,
            ent.country,
            text::html(&ent.aliases.join("; ")),
            ent.incorporated.map(|t| t.to_string()).unwrap_or_default(),
            ent.address.as_deref().map(text::html).unwrap_or_default(),
            place(&file, ent.line)
        );
    }
    s.push_str("</table>\n");
}

fn summary(s: &mut String, x: &Export) {
    s.push_str("<section id=\"summary\">\n<h2>Findings</h2>\n<table>\n");
    s.push_str("<tr><th>#</th><th>finding</th><th>severity</th><th>score</th><th>terminal</th><th>product</th><th>units</th><th>lot</th><th>flags</th></tr>\n");
    for (i, v) in x.findings.iter().enumerate() {
        let f = v.finding;
        let mut rules: Vec<&str> = Vec::new();
        for fl in &f.flags {
            if !rules.contains(&fl.rule) {
                rules.push(fl.rule);
            }
        }
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"nw\"><a href=\"#finding-{i}\"><code>{}</code></a></td><td class=\"nw\">{}</td><td class=\"nw\">{:.3}</td><td>{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td>{}</td></tr>",
            i + 1,
            text::html(&f.id),
            sev(f),
            f.score,
            entity_cell(x.case, f.terminal),
            text::html(x.case.s(f.product)),
            f.quantity,
            f.lot.map(|l| text::html(x.case.s(l))).unwrap_or_else(|| "inferred".into()),
            text::html(&rules.join(", "))
        );
    }
    s.push_str("</table>\n</section>\n");
}

/// The diagram as inline SVG, or a note saying why it is missing.
fn diagram(s: &mut String, case: &Case, d: &Diagram) {
    match render(&dot::to_dot(case, d), Format::Svg) {
        Ok(svg) => {
            let svg = String::from_utf8_lossy(&svg);
            // Inline SVG starts at the element: the XML prolog and doctype are for files.
            let body = svg.find("<svg").map(|i| &svg[i..]).unwrap_or("");
            let _ = writeln!(s, "<div class=\"diagram\">\n{}</div>", body.trim_end());
        }
        Err(ExportError::DotMissing { .. }) => s.push_str(
            "<p class=\"note\">The diagram is not included: Graphviz <code>dot</code> was not found when this report \
             was made (install it with <code>apt-get install graphviz</code> and export again). The tables below \
             hold everything the diagram would show.</p>\n",
        ),
        Err(e) => {
            let _ = writeln!(s, "<p class=\"note\">The diagram could not be drawn: {}</p>", text::html(&e.to_string()));
        }
    }
    if d.truncated {
        s.push_str("<p class=\"note\">The diagram was cut at the bound on records; export GraphML for the whole graph or raise <code>--max-records</code>.</p>\n");
    }
}

fn place(file: &str, line: u64) -> String {
    format!("<code>{}:{line}</code>", text::html(file))
}

fn records_table(s: &mut String, case: &Case, d: &Diagram) {
    if d.records.is_empty() {
        s.push_str("<p>No records.</p>\n");
        return;
    }
    let _ = writeln!(s, "<h3>Records ({})</h3>", d.records.len());
    route_rows(s, case, &d.records);
}

/// A table of records in the order given.
fn route_rows(s: &mut String, case: &Case, records: &[RecordId]) {
    let file = records_file(case);
    s.push_str("<table>\n<tr><th>#</th><th>record</th><th>date</th><th>kind</th><th>from</th><th>to</th><th>product</th><th>units</th><th>lot</th><th>payment</th><th>declared end user</th><th>source</th><th>at</th></tr>\n");
    for (i, &ri) in records.iter().enumerate() {
        let r = &case.records[ri as usize];
        let date = match r.end_date {
            Some(end) => format!("{}<br>\u{2192} {end}", r.date),
            None => r.date.to_string(),
        };
        let opt = |x: Option<Sym>| x.map(|v| format!("<bdi>{}</bdi>", text::html(case.s(v)))).unwrap_or_default();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"nw\"><code>{}</code></td><td class=\"nw\">{date}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td></tr>",
            i + 1,
            text::html(case.s(r.id)),
            r.kind,
            entity_cell(case, r.from),
            entity_cell(case, r.to),
            text::html(case.s(r.product)),
            r.quantity,
            opt(r.lot),
            r.payment.map(|p| p.to_string()).unwrap_or_default(),
            opt(r.declared_end_user),
            opt(r.source),
            place(&file, r.line)
        );
    }
    s.push_str("</table>\n");
}

fn finding(s: &mut String, x: &Export, i: usize, f: &Finding, d: &Diagram) {
    let case = x.case;
    let _ = writeln!(s, "<section id=\"finding-{i}\">\n<h2>Finding <code>{}</code> {}</h2>", text::html(&f.id), sev(f));
    let mut rules: Vec<&str> = f.flags.iter().map(|x| x.rule).collect();
    rules.dedup();
    let t = case.entity(f.terminal);
    let _ = writeln!(
        s,
        "<p class=\"headline\">{} \u{b7} score {:.2} \u{b7} {} <code>{}</code> ({}) \u{b7} {} \u{d7} {} \u{b7} <span class=\"flags\">{}</span></p>",
        f.severity,
        f.score,
        f.kind.as_str(),
        text::html(&t.id),
        t.country,
        text::html(case.s(f.product)),
        f.quantity,
        rules.iter().map(|r| format!("<code>{}</code>", text::html(r))).collect::<Vec<_>>().join(" ")
    );
    s.push_str("<dl>\n");
    let _ = writeln!(s, "<dt>score</dt><dd>{:.3}</dd>", f.score);
    // A route finding names its terminal; an entity finding the party it is about (docs/spec.md §5.1).
    let whom = if f.kind == crate::scan::FindingKind::Entity { "subject" } else { "terminal" };
    let _ = writeln!(s, "<dt>kind</dt><dd>{}</dd>", f.kind.as_str());
    let _ = writeln!(s, "<dt>{whom}</dt><dd>{}</dd>", entity_cell(case, f.terminal));
    let _ = writeln!(s, "<dt>product</dt><dd>{} \u{d7} {}</dd>", text::html(case.s(f.product)), f.quantity);
    let lot = match (f.kind, f.lot) {
        (crate::scan::FindingKind::Entity, _) => "not applicable: an entity finding".to_string(),
        (_, Some(l)) => format!("<bdi>{}</bdi>", text::html(case.s(l))),
        (_, None) => "none: the route was inferred from time, product and quantity".to_string(),
    };
    let _ = writeln!(s, "<dt>lot</dt><dd>{lot}</dd>");
    if f.inferred {
        let _ = writeln!(s, "<dt>inferred</dt><dd>yes, plausibility {:.3}</dd>", f.plausibility);
    }
    s.push_str("</dl>\n<h3>Diagram</h3>\n");
    if i < MAX_DIAGRAMS {
        diagram(s, case, d);
    } else {
        let _ = writeln!(
            s,
            "<p class=\"note\">Only the first {MAX_DIAGRAMS} findings are drawn in one report; export this one \
             with <code>chiptrace export CASE --finding {}</code>.</p>",
            text::html(&f.id)
        );
    }
    let _ = writeln!(s, "<h3>Route ({} records)</h3>", f.path.len());
    route_rows(s, case, &f.path);
    let _ = writeln!(s, "<h3>Flags ({})</h3>", f.flags.len());
    s.push_str("<table>\n<tr><th>rule</th><th>weight</th><th>detail</th><th>evidence</th></tr>\n");
    for fl in &f.flags {
        let mut ev = String::from("<ul class=\"ev\">");
        for k in &fl.evidence {
            let _ = write!(ev, "<li>{}</li>", evidence(case, &x.index, k));
        }
        ev.push_str("</ul>");
        let _ = writeln!(
            s,
            "<tr><td class=\"nw\"><code>{}</code></td><td>{:.2}</td><td>{}</td><td>{ev}</td></tr>",
            text::html(fl.rule),
            x.policy.weight(fl.rule),
            text::html(&fl.detail)
        );
    }
    s.push_str("</table>\n");
    entities_table(s, case, d);
    s.push_str("</section>\n");
}

/// One evidence key resolved to what it names: an entity, a record or list rows.
fn evidence(case: &Case, index: &RecordIndex, key: &str) -> String {
    let root = |f: &str| case.root.join(f).display().to_string();
    if let Some(e) = case.entity_by_key(key) {
        let ent = case.entity(e);
        return format!("entity {} \u{2014} {}", entity_cell(case, e), place(&root("entities.csv"), ent.line));
    }
    if let Some(ri) = index.get(case, key) {
        let r = &case.records[ri as usize];
        return format!(
            "record <code>{}</code> {} {} <code>{}</code> \u{2192} <code>{}</code>, {} \u{d7} {} \u{2014} {}",
            text::html(key),
            r.date,
            r.kind,
            text::html(&case.entity(r.from).id),
            text::html(&case.entity(r.to).id),
            text::html(case.s(r.product)),
            r.quantity,
            place(&case.record_file(ri).map_or_else(|| records_file(case), String::from), r.line)
        );
    }
    let rows: Vec<&ListEntry> =
        if key.starts_with("list:") { case.lists.iter().filter(|l| l.evidence() == key).collect() } else { vec![] };
    if !rows.is_empty() {
        let mut s = format!("list entry <code>{}</code>:", text::html(key));
        s.push_str("<table><tr><th>list</th><th>entry id</th><th>listed name</th><th>programs</th><th>since</th><th>at</th></tr>");
        for l in rows {
            let _ = write!(
                s,
                "<tr><td>{} <small>({})</small></td><td><code>{}</code></td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text::html(&l.list_name),
                text::html(&l.list),
                text::html(&l.entry_id),
                text::html(&l.name),
                text::html(&l.programs.join("; ")),
                l.since.map(|t| t.to_string()).unwrap_or_default(),
                place(&l.file, l.line)
            );
        }
        s.push_str("</table>");
        return s;
    }
    format!("<code>{}</code>", text::html(key))
}

fn dataset(s: &mut String, case: &Case) {
    s.push_str("<section id=\"dataset\">\n<h2>Dataset</h2>\n<dl>\n");
    let _ = writeln!(s, "<dt>case</dt><dd><code>{}</code></dd>", text::html(&case.root.display().to_string()));
    let _ = writeln!(s, "<dt>fingerprint</dt><dd><code>{}</code></dd>", case.fingerprint());
    let _ = writeln!(
        s,
        "<dt>read</dt><dd>{} entities, {} records, {} relations, {} list entries</dd>",
        case.entities.len(),
        case.records.len(),
        case.relations.len(),
        case.lists.len()
    );
    s.push_str("</dl>\n<table>\n<tr><th>file</th><th>sha256</th><th>bytes</th></tr>\n");
    let mut files: Vec<&InputFile> = case.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            text::html(&f.path),
            text::html(&f.sha256),
            f.bytes
        );
    }
    s.push_str("</table>\n</section>\n");
}

fn policy(s: &mut String, x: &Export) {
    let body = toml::to_string_pretty(x.policy)
        .or_else(|_| serde_json::to_string_pretty(x.policy))
        .unwrap_or_else(|e| format!("the policy could not be printed: {e}"));
    s.push_str("<section id=\"policy\">\n<h2>Policy used</h2>\n");
    s.push_str("<p>Save this as <code>policy.toml</code> to run the same screening again.</p>\n");
    let _ = writeln!(s, "<pre>{}</pre>\n</section>", text::xml(&body));
}

/// The index page of a folder of finding reports (`scan --export-dir`): one
/// row per finding, linked to `<finding id>.<ext>`, in the scan's order.
pub fn index(case: &Case, findings: &[&Finding], ext: &str) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    let _ = writeln!(s, "<meta name=\"generator\" content=\"chiptrace {}\">", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(s, "<title>chiptrace findings: {}</title>", text::html(&case.root.display().to_string()));
    let _ = writeln!(s, "<style>\n{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        s,
        "<header><h1>chiptrace findings</h1><p>case <code>{}</code> \u{b7} dataset {} \u{b7} {} finding(s)</p></header>\n<main>\n<section>",
        text::html(&case.root.display().to_string()),
        case.fingerprint(),
        findings.len()
    );
    s.push_str("<table>\n<tr><th>#</th><th>finding</th><th>severity</th><th>score</th><th>kind</th><th>terminal or subject</th><th>units</th><th>flags</th></tr>\n");
    for (i, f) in findings.iter().enumerate() {
        let mut rules: Vec<&str> = f.flags.iter().map(|x| x.rule).collect();
        rules.dedup();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"nw\"><a href=\"{}.{ext}\"><code>{}</code></a></td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td class=\"nw\">{} \u{d7} {}</td><td>{}</td></tr>",
            i + 1,
            text::xml(&super::file_stem(&f.id)),
            text::html(&f.id),
            sev(f),
            f.score,
            f.kind.as_str(),
            entity_cell(case, f.terminal),
            text::html(case.s(f.product)),
            f.quantity,
            text::html(&rules.join(", "))
        );
    }
    s.push_str("</table>\n</section>\n</main>\n</body>\n</html>\n");
    s
}
