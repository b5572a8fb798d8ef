//! GEXF 1.3 for Gephi: the same nodes, edges and attributes as the GraphML
//! export (see [`super::graphml::Table`]); dates are string attributes in
//! ISO 8601, which sort in time order in Gephi's data laboratory.

use super::graphml::{Column, Table};
use super::{Export, ExportError, Exporter, text};
use std::fmt::Write;

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
        _ => "string",
    }
}

/// The GEXF document of a table.
pub fn to_gexf(t: &Table) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n");
    s.push_str("  <meta>\n    <creator>chiptrace</creator>\n  </meta>\n");
    s.push_str("  <graph defaultedgetype=\"directed\" mode=\"static\">\n");
    for (cols, class) in [(&t.node_columns, "node"), (&t.edge_columns, "edge")] {
        let _ = writeln!(s, "    <attributes class=\"{class}\">");
        for c in cols.iter() {
            let _ = writeln!(
                s,
                "      <attribute id=\"{}\" title=\"{}\" type=\"{}\"/>",
                text::xml(&c.id),
                text::xml(&c.name),
                gexf_type(c.ty)
            );
        }
        s.push_str("    </attributes>\n");
    }
    s.push_str("    <nodes>\n");
    for n in &t.nodes {
        let _ = writeln!(s, "      <node id=\"{}\" label=\"{}\">", text::xml(&n.id), text::xml(&n.label));
        values(&mut s, &t.node_columns, &n.values);
        s.push_str("      </node>\n");
    }
    s.push_str("    </nodes>\n    <edges>\n");
    for e in &t.edges {
        let _ = writeln!(
            s,
            "      <edge id=\"{}\" source=\"{}\" target=\"{}\" label=\"{}\">",
            text::xml(&e.id),
            text::xml(&e.source),
            text::xml(&e.target),
            text::xml(&e.label)
        );
        values(&mut s, &t.edge_columns, &e.values);
        s.push_str("      </edge>\n");
    }
    s.push_str("    </edges>\n  </graph>\n</gexf>\n");
    s
}

fn values(s: &mut String, cols: &[Column], values: &[(usize, String)]) {
    // The label is the element's own attribute; repeating it as a value would double it in Gephi.
    // Column 0 is the label in both tables.
    let shown: Vec<&(usize, String)> = values.iter().filter(|(c, _)| *c != 0).collect();
    if shown.is_empty() {
        return;
    }
    s.push_str("        <attvalues>\n");
    for (c, v) in shown {
        let _ = writeln!(s, "          <attvalue for=\"{}\" value=\"{}\"/>", text::xml(&cols[*c].id), text::xml(v));
    }
    s.push_str("        </attvalues>\n");
}
