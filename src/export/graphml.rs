//! GraphML for yEd, Gephi and Cytoscape: entities as nodes and records and
//! relations as edges, each with its attributes (id, name, kind, country;
//! record id, kind, date, product, quantity, lot, payment, ...) as typed data
//! keys. Dates are ISO 8601 strings. Extra columns of the case files are kept
//! as further keys named after their column.
//!
//! Node and edge ids are synthetic (`n0`, `r0`, `t0`), as the GraphML schema
//! wants name tokens; the case's own ids are the `entity` and `record` keys.
//! The attribute [`Table`] is shared with the GEXF exporter.

use super::{Diagram, Export, ExportError, Exporter, text};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

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
    /// `string`, `long`, `double` or `boolean`.
    pub ty: &'static str,
}

/// A node or edge with its attribute values by column index.
pub struct Item {
    pub id: String,
    pub source: String,
    pub target: String,
    pub label: String,
    pub values: Vec<(usize, String)>,
}

/// Entities and edges of a diagram as attribute rows.
pub struct Table {
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
    ("incorporated", "string"),
    ("address", "string"),
    ("capacity_gpus", "long"),
    ("first_date", "string"),
    ("flag", "string"),
    ("flag_detail", "string"),
];

const EDGE_COLUMNS: &[(&str, &str)] = &[
    ("label", "string"),
    ("edge_type", "string"),
    ("record", "string"),
    ("kind", "string"),
    ("date", "string"),
    ("end_date", "string"),
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
    ("since", "string"),
    ("until", "string"),
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
        let record_extra: BTreeSet<&str> = d
            .records
            .iter()
            .flat_map(|&r| case.records[r as usize].attrs.iter().flat_map(|a| a.iter().map(|(k, _)| case.s(*k))))
            .collect();
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
            for (k, val) in &ent.attrs {
                v.push((entity_extra[k.as_str()], val.clone()));
            }
            nodes.push(Item {
                id: ids[&e].clone(),
                source: String::new(),
                target: String::new(),
                label: ent.name.clone(),
                values: v,
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
            let opt = [
                ("end_date", r.end_date.map(|t| t.to_string())),
                ("lot", r.lot.map(|s| case.s(s).to_string())),
                ("parent_lot", r.parent_lot.map(|s| case.s(s).to_string())),
                ("value_usd", r.value_usd.filter(|x| x.is_finite()).map(|x| x.to_string())),
                ("payment", r.payment.map(|p| p.to_string())),
                ("declared_end_user", r.declared_end_user.map(|s| case.s(s).to_string())),
                ("ship_to_country", r.ship_to_country.map(|c| c.to_string())),
                ("source", r.source.map(|s| case.s(s).to_string())),
            ];
            for (name, val) in opt {
                if let Some(val) = val {
                    v.push((edge_col(name), val));
                }
            }
            for (k, val) in r.attrs.iter().flat_map(|a| a.iter()) {
                v.push((record_extra[case.s(*k)], case.s(*val).to_string()));
            }
            v.sort_by_key(|x| x.0);
            edges.push(Item {
                id: format!("r{i}"),
                source: ids[&r.from].clone(),
                target: ids[&r.to].clone(),
                label: rid,
                values: v,
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
            });
        }
        Table { node_columns, edge_columns, nodes, edges }
    }
}

fn ty(t: &str) -> &'static str {
    match t {
        "long" => "long",
        "double" => "double",
        "boolean" => "boolean",
        _ => "string",
    }
}

/// The GraphML document of a table.
pub fn to_graphml(t: &Table) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (cols, target) in [(&t.node_columns, "node"), (&t.edge_columns, "edge")] {
        for c in cols.iter() {
            let _ = writeln!(
                s,
                "  <key id=\"{}\" for=\"{target}\" attr.name=\"{}\" attr.type=\"{}\"/>",
                text::xml(&c.id),
                text::xml(&c.name),
                c.ty
            );
        }
    }
    s.push_str("  <graph id=\"chiptrace\" edgedefault=\"directed\">\n");
    for n in &t.nodes {
        let _ = writeln!(s, "    <node id=\"{}\">", text::xml(&n.id));
        data(&mut s, &t.node_columns, &n.values);
        s.push_str("    </node>\n");
    }
    for e in &t.edges {
        let _ = writeln!(
            s,
            "    <edge id=\"{}\" source=\"{}\" target=\"{}\">",
            text::xml(&e.id),
            text::xml(&e.source),
            text::xml(&e.target)
        );
        data(&mut s, &t.edge_columns, &e.values);
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

fn data(s: &mut String, cols: &[Column], values: &[(usize, String)]) {
    for (c, v) in values {
        let _ = writeln!(s, "      <data key=\"{}\">{}</data>", text::xml(&cols[*c].id), text::xml(v));
    }
}
