//! GraphML for yEd, Gephi and Cytoscape: entities as nodes and records and
//! relations as edges, each with its attributes (id, name, kind, country;
//! record id, kind, date, product, quantity, lot, payment, ...) as typed data
//! keys. Dates are ISO 8601 strings. Extra columns of the case files are kept
//! as further keys named after their column.
//!
//! The graph itself carries `schema_version`, `chiptrace_version`, the
//! dataset fingerprint, the subject and the ids of the findings drawn; every
//! node and edge carries all its flags (`flags`, rule ids) and the findings
//! it belongs to (`findings`), not only the strongest flag (`flag`).
//!
//! Node and edge ids are synthetic (`n0`, `r0`, `t0`), as the GraphML schema
//! wants name tokens; the case's own ids are the `entity` and `record` keys.
//! The attribute [`Table`] is shared with the GEXF exporter.

use super::{Diagram, Export, ExportError, Exporter, text};
use crate::model::*;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::collections::{BTreeMap, BTreeSet};

/// The GraphML exporter.
pub struct GraphMl;

impl Exporter for GraphMl {
    fn name(&self) -> &'static str {
        "graphml"
    }
    fn extension(&self) -> &'static str {
        "graphml"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        Ok(to_graphml(&Table::of(x.case, &x.diagram)).into_bytes())
    }
}

/// A typed attribute column.
pub struct Column {
    /// Key id, unique within the file.
    pub id: String,
    /// The attribute's name as shown in the tools.
    pub name: String,
    /// `string`, `long`, `double`, `boolean` or `date` (ISO 8601; GraphML has
    /// no date type and writes it as a string).
    pub ty: &'static str,
}

/// A node or edge with its attribute values by column index.
pub struct Item {
    pub id: String,
    pub source: String,
    pub target: String,
    pub label: String,
    pub values: Vec<(usize, String)>,
    /// When it exists, for dynamic graphs: a record from its date (a lease
    /// until its end), a relation from `since` to `until`.
    pub start: Option<String>,
    pub end: Option<String>,
    /// When a node is active: one `(start, end)` a run of its records' dates
    /// (a record on one day, a lease from its start to its end), overlapping
    /// ones merged, in time order. Empty for an entity without drawn records
    /// (an owner, a director), which exists throughout.
    pub spells: Vec<(String, String)>,
}

/// What a graph file says about itself: the contract version, the tool,
/// the dataset and the findings drawn.
pub struct Meta {
    pub schema_version: u32,
    pub chiptrace_version: &'static str,
    /// [`Case::fingerprint`] of the input files.
    pub dataset: String,
    /// What is drawn (`finding F-…`, `lot L-100 (forward trace)`).
    pub subject: String,
    /// The finding's severity, score and flags, where the subject is a finding.
    pub headline: Option<String>,
    /// Ids of the findings that touch the drawn entities and records.
    pub findings: Vec<String>,
}

/// Entities and edges of a diagram as attribute rows.
pub struct Table {
    pub meta: Meta,
    pub node_columns: Vec<Column>,
    pub edge_columns: Vec<Column>,
    pub nodes: Vec<Item>,
    pub edges: Vec<Item>,
}

fn col(prefix: &str, name: &str, ty: &'static str) -> Column {
    Column { id: format!("{prefix}_{name}"), name: name.to_string(), ty }
}

const NODE_COLUMNS: &[(&str, &str)] = &[
    ("label", "string"),
    ("entity", "string"),
    ("name", "string"),
    ("kind", "string"),
    ("country", "string"),
    ("aliases", "string"),
    ("incorporated", "date"),
    ("address", "string"),
    ("capacity_gpus", "long"),
    ("first_date", "date"),
    ("flag", "string"),
    ("flag_detail", "string"),
    ("flags", "string"),
    ("findings", "string"),
];

const EDGE_COLUMNS: &[(&str, &str)] = &[
    ("label", "string"),
    ("edge_type", "string"),
    ("record", "string"),
    ("kind", "string"),
    ("date", "date"),
    ("end_date", "date"),
    ("product", "string"),
    ("quantity", "long"),
    ("lot", "string"),
    ("parent_lot", "string"),
    ("value_usd", "double"),
    ("payment", "string"),
    ("declared_end_user", "string"),
    ("ship_to_country", "string"),
    ("source", "string"),
    ("on_route", "boolean"),
    ("share", "double"),
    ("since", "date"),
    ("until", "date"),
    ("flags", "string"),
    ("findings", "string"),
];

impl Table {
    /// The rows of a diagram.
    ///
    /// # Complexity
    /// O((E + R + L) log C) for E entities, R records, L relations and C extra columns.
    pub fn of(case: &Case, d: &Diagram) -> Table {
        let mut node_columns: Vec<Column> = NODE_COLUMNS.iter().map(|&(n, t)| col("n", n, ty(t))).collect();
        let mut edge_columns: Vec<Column> = EDGE_COLUMNS.iter().map(|&(n, t)| col("e", n, ty(t))).collect();
        let node_col = |n: &str| NODE_COLUMNS.iter().position(|c| c.0 == n).unwrap_or(0);
        let edge_col = |n: &str| EDGE_COLUMNS.iter().position(|c| c.0 == n).unwrap_or(0);

        // Extra columns of the case files, by name, after the built-in ones.
        let entity_extra: BTreeSet<&str> =
            d.entities.iter().flat_map(|&e| case.entity(e).attrs.keys().map(String::as_str)).collect();
        let entity_extra: BTreeMap<&str, usize> = entity_extra
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                node_columns.push(Column { id: format!("n_x{i}"), name: name.to_string(), ty: "string" });
                (name, node_columns.len() - 1)
            })
            .collect();
        let record_extra: BTreeSet<&str> =
            d.records.iter().flat_map(|&r| case.records.attrs(r).iter().map(|(k, _)| case.s(*k))).collect();
        let record_extra: BTreeMap<&str, usize> = record_extra
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                edge_columns.push(Column { id: format!("e_x{i}"), name: name.to_string(), ty: "string" });
                (name, edge_columns.len() - 1)
            })
            .collect();

        let ids: BTreeMap<EntityId, String> =
            d.entities.iter().enumerate().map(|(i, &e)| (e, format!("n{i}"))).collect();
        let first = super::diagram::first_dates(case, d);
        let spells = super::diagram::spells(case, d);
        let mut nodes = Vec::new();
        for &e in &d.entities {
            let ent = case.entity(e);
            let mut v: Vec<(usize, String)> = vec![
                (node_col("label"), ent.name.clone()),
                (node_col("entity"), ent.id.clone()),
                (node_col("name"), ent.name.clone()),
                (node_col("kind"), ent.kind.to_string()),
                (node_col("country"), ent.country.to_string()),
            ];
            if !ent.aliases.is_empty() {
                v.push((node_col("aliases"), ent.aliases.join(";")));
            }
            if let Some(t) = ent.incorporated {
                v.push((node_col("incorporated"), t.to_string()));
            }
            if let Some(a) = &ent.address {
                v.push((node_col("address"), a.clone()));
            }
            if let Some(c) = ent.capacity_gpus {
                v.push((node_col("capacity_gpus"), c.to_string()));
            }
            if let Some(t) = first.get(&e) {
                v.push((node_col("first_date"), t.to_string()));
            }
            if let Some(m) = d.marks.get(&e) {
                v.push((node_col("flag"), m.rule.clone()));
                v.push((node_col("flag_detail"), m.detail.clone()));
            }
            if let Some(f) = d.entity_flags.get(&e) {
                v.push((node_col("flags"), f.iter().cloned().collect::<Vec<_>>().join(";")));
            }
            if let Some(f) = d.entity_findings.get(&e) {
                v.push((node_col("findings"), f.iter().cloned().collect::<Vec<_>>().join(";")));
            }
            for (k, val) in &ent.attrs {
                v.push((entity_extra[k.as_str()], val.clone()));
            }
            nodes.push(Item {
                id: ids[&e].clone(),
                source: String::new(),
                target: String::new(),
                label: ent.name.clone(),
                values: v,
                start: None,
                end: None,
                spells: spells
                    .get(&e)
                    .map(|v| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
                    .unwrap_or_default(),
            });
        }

        let mut edges = Vec::new();
        for (i, &ri) in d.records.iter().enumerate() {
            let r = &case.records[ri as usize];
            let rid = case.s(r.id).to_string();
            let mut v: Vec<(usize, String)> = vec![
                (edge_col("label"), rid.clone()),
                (edge_col("edge_type"), "record".to_string()),
                (edge_col("record"), rid.clone()),
                (edge_col("kind"), r.kind.to_string()),
                (edge_col("date"), r.date.to_string()),
                (edge_col("product"), case.s(r.product).to_string()),
                (edge_col("quantity"), r.quantity.to_string()),
                (edge_col("on_route"), d.route.contains(&ri).to_string()),
            ];
            let x = case.records.extras(ri);
            let opt = [
                ("end_date", x.end_date.map(|t| t.to_string())),
                ("lot", r.lot.map(|s| case.s(s).to_string())),
                ("parent_lot", r.parent_lot.map(|s| case.s(s).to_string())),
                ("value_usd", x.value_usd.filter(|x| x.is_finite()).map(|x| x.to_string())),
                ("payment", r.payment.map(|p| p.to_string())),
                ("declared_end_user", x.declared_end_user.map(|s| case.s(s).to_string())),
                ("ship_to_country", x.ship_to_country.map(|c| c.to_string())),
                ("source", x.source.map(|s| case.s(s).to_string())),
            ];
            for (name, val) in opt {
                if let Some(val) = val {
                    v.push((edge_col(name), val));
                }
            }
            if let Some(f) = d.record_flags.get(&ri) {
                v.push((edge_col("flags"), f.iter().cloned().collect::<Vec<_>>().join(";")));
            }
            if let Some(f) = d.record_findings.get(&ri) {
                v.push((edge_col("findings"), f.iter().cloned().collect::<Vec<_>>().join(";")));
            }
            for (k, val) in case.records.attrs(ri) {
                v.push((record_extra[case.s(*k)], case.s(*val).to_string()));
            }
            v.sort_by_key(|x| x.0);
            edges.push(Item {
                id: format!("r{i}"),
                source: ids[&r.from].clone(),
                target: ids[&r.to].clone(),
                label: rid,
                values: v,
                start: Some(r.date.date().to_string()),
                end: x.end_date.map(|t| t.date().to_string()),
                spells: vec![],
            });
        }
        for (i, &li) in d.relations.iter().enumerate() {
            let r = &case.relations[li as usize];
            let label = match r.share {
                Some(s) => format!("{} {s}%", r.kind),
                None => r.kind.to_string(),
            };
            let mut v: Vec<(usize, String)> = vec![
                (edge_col("label"), label.clone()),
                (edge_col("edge_type"), "relation".to_string()),
                (edge_col("kind"), r.kind.to_string()),
            ];
            if let Some(s) = r.share.filter(|x| x.is_finite()) {
                v.push((edge_col("share"), s.to_string()));
            }
            if let Some(t) = r.since {
                v.push((edge_col("since"), t.to_string()));
            }
            if let Some(t) = r.until {
                v.push((edge_col("until"), t.to_string()));
            }
            v.sort_by_key(|x| x.0);
            edges.push(Item {
                id: format!("t{i}"),
                source: ids[&r.from].clone(),
                target: ids[&r.to].clone(),
                label,
                values: v,
                start: r.since.map(|t| t.date().to_string()),
                end: r.until.map(|t| t.date().to_string()),
                spells: vec![],
            });
        }
        let findings: BTreeSet<String> =
            d.entity_findings.values().chain(d.record_findings.values()).flatten().cloned().collect();
        let meta = Meta {
            schema_version: 2,
            chiptrace_version: env!("CARGO_PKG_VERSION"),
            dataset: case.fingerprint(),
            subject: d.subject.title(),
            headline: d.headline.clone(),
            findings: findings.into_iter().collect(),
        };
        Table { meta, node_columns, edge_columns, nodes, edges }
    }
}

fn ty(t: &str) -> &'static str {
    match t {
        "long" => "long",
        "double" => "double",
        "boolean" => "boolean",
        "date" => "date",
        _ => "string",
    }
}

/// The graph-level keys every GraphML file carries.
const GRAPH_KEYS: &[&str] = &["schema_version", "chiptrace_version", "dataset", "subject", "headline", "findings"];

/// The GraphML document of a table, written by quick-xml (which escapes
/// every attribute and text; [`text::xml_chars`] drops the characters XML 1.0 forbids).
pub fn to_graphml(t: &Table) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = write_graphml(&mut w, t);
    String::from_utf8(w.into_inner()).unwrap_or_default() + "\n"
}

fn write_graphml(w: &mut Writer<Vec<u8>>, t: &Table) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = BytesStart::new("graphml").with_attributes([
        ("xmlns", "http://graphml.graphdrawing.org/xmlns"),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        (
            "xsi:schemaLocation",
            "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
        ),
    ]);
    w.write_event(Event::Start(root))?;
    for k in GRAPH_KEYS {
        let ty = if *k == "schema_version" { "int" } else { "string" };
        let id = format!("g_{k}");
        w.write_event(Event::Empty(BytesStart::new("key").with_attributes([
            ("id", id.as_str()),
            ("for", "graph"),
            ("attr.name", k),
            ("attr.type", ty),
        ])))?;
    }
    for (cols, target) in [(&t.node_columns, "node"), (&t.edge_columns, "edge")] {
        for c in cols.iter() {
            let ty = if c.ty == "date" { "string" } else { c.ty };
            let (id, name) = (text::xml_chars(&c.id), text::xml_chars(&c.name));
            w.write_event(Event::Empty(BytesStart::new("key").with_attributes([
                ("id", id.as_str()),
                ("for", target),
                ("attr.name", name.as_str()),
                ("attr.type", ty),
            ])))?;
        }
    }
    w.write_event(Event::Start(
        BytesStart::new("graph").with_attributes([("id", "chiptrace"), ("edgedefault", "directed")]),
    ))?;
    let m = &t.meta;
    let graph_values = [
        ("schema_version", m.schema_version.to_string()),
        ("chiptrace_version", m.chiptrace_version.to_string()),
        ("dataset", m.dataset.clone()),
        ("subject", m.subject.clone()),
        ("headline", m.headline.clone().unwrap_or_default()),
        ("findings", m.findings.join(";")),
    ];
    for (k, v) in graph_values.iter().filter(|(_, v)| !v.is_empty()) {
        data(w, &format!("g_{k}"), v)?;
    }
    for n in &t.nodes {
        let id = text::xml_chars(&n.id);
        w.write_event(Event::Start(BytesStart::new("node").with_attributes([("id", id.as_str())])))?;
        for (c, v) in &n.values {
            data(w, &t.node_columns[*c].id, v)?;
        }
        w.write_event(Event::End(BytesEnd::new("node")))?;
    }
    for e in &t.edges {
        let (id, s, tg) = (text::xml_chars(&e.id), text::xml_chars(&e.source), text::xml_chars(&e.target));
        w.write_event(Event::Start(BytesStart::new("edge").with_attributes([
            ("id", id.as_str()),
            ("source", s.as_str()),
            ("target", tg.as_str()),
        ])))?;
        for (c, v) in &e.values {
            data(w, &t.edge_columns[*c].id, v)?;
        }
        w.write_event(Event::End(BytesEnd::new("edge")))?;
    }
    w.write_event(Event::End(BytesEnd::new("graph")))?;
    w.write_event(Event::End(BytesEnd::new("graphml")))?;
    Ok(())
}

fn data(w: &mut Writer<Vec<u8>>, key: &str, value: &str) -> std::io::Result<()> {
    let key = text::xml_chars(key);
    w.create_element("data")
        .with_attribute(("key", key.as_str()))
        .write_text_content(BytesText::new(&text::xml_chars(value)))?;
    Ok(())
}
