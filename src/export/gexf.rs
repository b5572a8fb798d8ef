//! GEXF 1.3 for Gephi, dynamic: the same nodes, edges and attributes as the
//! GraphML export (see [`super::graphml::Table`]), with time. The graph is
//! `mode="dynamic"` with `timeformat="date"`, so every time value is an
//! `xsd:date` the schema checks: a node is active in one `<spell>` per run of
//! its records' dates (a record's day, a lease from its start to its end),
//! a record's edge from its date (a lease until its end), an ownership or
//! directorship from `since` to `until`. Gephi's timeline plays the route in
//! order from these.
//!
//! Dates are typed there and only there: GEXF 1.3 has no date attribute type
//! (its `attrtype` is integer, long, double, float, boolean, big and small
//! numbers, lists, string and anyURI), and networkx's `read_gexf` refuses any
//! type it does not map (it reads `timeformat="date"` values as ISO strings).
//! So date columns (`date`, `end_date`, `since`, `incorporated`, ...) stay
//! ISO 8601 strings for tools that ignore time, and every other attribute is
//! typed (quantities `long`, values `double`, `on_route` `boolean`).
//!
//! `<meta>` names the tool and its version, and its description carries the
//! contract's `schema_version`, the dataset fingerprint, the subject and the
//! finding ids, as the GraphML graph keys do.

use super::graphml::{Column, Item, Table};
use super::{Export, ExportError, Exporter, text};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The GEXF exporter.
pub struct Gexf;

impl Exporter for Gexf {
    fn name(&self) -> &'static str {
        "gexf"
    }
    fn extension(&self) -> &'static str {
        "gexf"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        Ok(to_gexf(&Table::of(x.case, &x.diagram)).into_bytes())
    }
}

fn gexf_type(ty: &str) -> &'static str {
    match ty {
        "long" => "long",
        "double" => "double",
        "boolean" => "boolean",
        // GEXF 1.3 has no date attribute type (see the module doc): date
        // values stay ISO 8601 strings; the typed dates are each element's
        // time (start, end, spells) under `timeformat="date"`.
        _ => "string",
    }
}

/// The GEXF document of a table.
pub fn to_gexf(t: &Table) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = write(&mut w, t);
    String::from_utf8(w.into_inner()).unwrap_or_default() + "\n"
}

fn write(w: &mut Writer<Vec<u8>>, t: &Table) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("gexf").with_attributes([
        ("xmlns", "http://gexf.net/1.3"),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xsi:schemaLocation", "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"),
        ("version", "1.3"),
    ])))?;
    let m = &t.meta;
    w.write_event(Event::Start(BytesStart::new("meta")))?;
    let creator = format!("chiptrace {}", m.chiptrace_version);
    w.create_element("creator").write_text_content(BytesText::new(&creator))?;
    w.create_element("keywords").write_text_content(BytesText::new("chiptrace, provenance, export control"))?;
    let mut description = format!(
        "schema_version={}; chiptrace_version={}; dataset={}; subject={}",
        m.schema_version,
        m.chiptrace_version,
        m.dataset,
        text::xml_chars(&m.subject)
    );
    if let Some(h) = &m.headline {
        description.push_str(&format!("; headline={}", text::xml_chars(h)));
    }
    if !m.findings.is_empty() {
        description.push_str(&format!("; findings={}", m.findings.join(",")));
    }
    w.create_element("description").write_text_content(BytesText::new(&description))?;
    w.write_event(Event::End(BytesEnd::new("meta")))?;
    w.write_event(Event::Start(BytesStart::new("graph").with_attributes([
        ("defaultedgetype", "directed"),
        ("mode", "dynamic"),
        ("timeformat", "date"),
    ])))?;
    for (cols, class) in [(&t.node_columns, "node"), (&t.edge_columns, "edge")] {
        w.write_event(Event::Start(BytesStart::new("attributes").with_attributes([("class", class)])))?;
        for c in cols.iter() {
            let (id, name) = (text::xml_chars(&c.id), text::xml_chars(&c.name));
            w.write_event(Event::Empty(BytesStart::new("attribute").with_attributes([
                ("id", id.as_str()),
                ("title", name.as_str()),
                ("type", gexf_type(c.ty)),
            ])))?;
        }
        w.write_event(Event::End(BytesEnd::new("attributes")))?;
    }
    w.write_event(Event::Start(BytesStart::new("nodes")))?;
    for n in &t.nodes {
        item(w, "node", n, &t.node_columns)?;
    }
    w.write_event(Event::End(BytesEnd::new("nodes")))?;
    w.write_event(Event::Start(BytesStart::new("edges")))?;
    for e in &t.edges {
        item(w, "edge", e, &t.edge_columns)?;
    }
    w.write_event(Event::End(BytesEnd::new("edges")))?;
    w.write_event(Event::End(BytesEnd::new("graph")))?;
    w.write_event(Event::End(BytesEnd::new("gexf")))?;
    Ok(())
}

fn item(w: &mut Writer<Vec<u8>>, tag: &str, it: &Item, cols: &[Column]) -> std::io::Result<()> {
    let (id, label, source, target) =
        (text::xml_chars(&it.id), text::xml_chars(&it.label), text::xml_chars(&it.source), text::xml_chars(&it.target));
    let mut start = BytesStart::new(tag).with_attributes([("id", id.as_str())]);
    if tag == "edge" {
        start.push_attribute(("source", source.as_str()));
        start.push_attribute(("target", target.as_str()));
    }
    start.push_attribute(("label", label.as_str()));
    if let Some(s) = &it.start {
        start.push_attribute(("start", s.as_str()));
    }
    if let Some(e) = &it.end {
        start.push_attribute(("end", e.as_str()));
    }
    let spells = |w: &mut Writer<Vec<u8>>| -> std::io::Result<()> {
        if it.spells.is_empty() {
            return Ok(());
        }
        w.write_event(Event::Start(BytesStart::new("spells")))?;
        for (a, b) in &it.spells {
            w.write_event(Event::Empty(
                BytesStart::new("spell").with_attributes([("start", a.as_str()), ("end", b.as_str())]),
            ))?;
        }
        w.write_event(Event::End(BytesEnd::new("spells")))
    };
    // The label is the element's own attribute; repeating it as a value would
    // double it in Gephi. Column 0 is the label in both tables.
    let shown: Vec<&(usize, String)> = it.values.iter().filter(|(c, _)| *c != 0).collect();
    if shown.is_empty() && it.spells.is_empty() {
        return w.write_event(Event::Empty(start));
    }
    w.write_event(Event::Start(start))?;
    if !shown.is_empty() {
        w.write_event(Event::Start(BytesStart::new("attvalues")))?;
        for (c, v) in shown {
            let (f, v) = (text::xml_chars(&cols[*c].id), text::xml_chars(v));
            w.write_event(Event::Empty(
                BytesStart::new("attvalue").with_attributes([("for", f.as_str()), ("value", v.as_str())]),
            ))?;
        }
        w.write_event(Event::End(BytesEnd::new("attvalues")))?;
    }
    spells(w)?;
    w.write_event(Event::End(BytesEnd::new(tag)))?;
    Ok(())
}
