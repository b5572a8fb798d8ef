//! Graphviz DOT, built with graphviz-rust's `dot_structures` and printed by
//! its printer. Left to right in time; entities shaped by kind, grouped in
//! one cluster per country, filled by their strongest flag; records as edges
//! labelled with record id, date, product and units (leases dashed "remote
//! access", installs dotted); ownership and control in blue with the share;
//! a legend of what is used.
//!
//! Node ids are synthetic (`n0`, `n1`, ... in diagram order) so that no data
//! value ever becomes a DOT or SVG identifier; every data value goes through
//! [`text::dot_quote`].

use super::diagram::{Flow, Mark, Overview, Part};
use super::{Diagram, Export, ExportError, Exporter, text};
use crate::model::*;
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use std::collections::{BTreeMap, BTreeSet};

/// The DOT exporter.
pub struct Dot;

impl Exporter for Dot {
    fn name(&self) -> &'static str {
        "dot"
    }
    fn extension(&self) -> &'static str {
        "dot"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        Ok(export_dot(x)?.into_bytes())
    }
}

/// The DOT text of a diagram, ending with a newline.
pub fn to_dot(case: &Case, d: &Diagram) -> String {
    let mut s = graph(case, d).print(&mut PrinterContext::default());
    s.push('\n');
    s
}

fn q(s: &str) -> Id {
    Id::Escaped(text::dot_quote(s))
}

fn attr(k: &str, v: &str) -> Attribute {
    Attribute(Id::Plain(k.to_string()), q(v))
}

fn nid(s: &str) -> NodeId {
    NodeId(Id::Plain(s.to_string()), None)
}

fn node(id: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(nid(id), attrs))
}

fn edge(from: &str, to: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Edge(Edge { ty: EdgeTy::Pair(Vertex::N(nid(from)), Vertex::N(nid(to))), attributes: attrs })
}

fn cluster(id: &str, stmts: Vec<Stmt>) -> Stmt {
    Stmt::Subgraph(Subgraph { id: Id::Plain(id.to_string()), stmts })
}

/// The Graphviz shape of an entity kind.
pub fn shape(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Manufacturer => "house",
        EntityKind::Distributor => "box",
        EntityKind::Reseller => "parallelogram",
        EntityKind::Integrator => "component",
        EntityKind::Logistics => "cds",
        EntityKind::DataCentre => "box3d",
        EntityKind::Cloud => "cylinder",
        EntityKind::EndUser => "doubleoctagon",
        EntityKind::Investor => "hexagon",
        EntityKind::Person => "ellipse",
        EntityKind::Unknown => "octagon",
    }
}

/// Fill and text colour for an entity's strongest flag: reds for listing,
/// purple for remote access, oranges for country and control concerns, and a
/// distinct light colour for each pattern flag.
pub fn colours(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "listed_party" => ("#c62828", "#ffffff"),
        "listed_affiliate" => ("#ef5350", "#ffffff"),
        "remote_access" => ("#ab47bc", "#ffffff"),
        "country_of_concern" => ("#ff9800", "#000000"),
        "parent_in_country_of_concern" => ("#ffb74d", "#000000"),
        "control_ties" => ("#ffcc80", "#000000"),
        "end_user_mismatch" => ("#fff176", "#000000"),
        "transshipment_hub" => ("#80deea", "#000000"),
        "shell_indicators" => ("#bcaaa4", "#000000"),
        "crypto_payment" => ("#a5d6a7", "#000000"),
        "rapid_resale" => ("#b3e5fc", "#000000"),
        "undeployed_inventory" => ("#e6ee9c", "#000000"),
        "quantity_mismatch" => ("#f48fb1", "#000000"),
        "long_chain" => ("#d1c4e9", "#000000"),
        _ => ("#fff9c4", "#000000"),
    }
}

const SALE: &str = "#37474f";
const MOVE: &str = "#78909c";
const INSTALL: &str = "#2e7d32";
const LEASE: &str = "#6a1b9a";
const ROUTE: &str = "#d50000";
const TIE: &str = "#1565c0";

fn record_style(kind: RecordKind) -> Vec<Attribute> {
    match kind {
        RecordKind::Sale => vec![attr("color", SALE)],
        RecordKind::Shipment => vec![attr("color", MOVE), attr("arrowhead", "empty")],
        RecordKind::Install => vec![attr("color", INSTALL), attr("style", "dotted"), attr("arrowhead", "dot")],
        RecordKind::Lease => vec![attr("color", LEASE), attr("style", "dashed"), attr("arrowhead", "vee")],
    }
}

fn relation_style(kind: RelationKind) -> Vec<Attribute> {
    match kind {
        RelationKind::Owns => vec![attr("style", "bold"), attr("arrowhead", "odiamond")],
        RelationKind::Director | RelationKind::Officer => {
            vec![attr("style", "dashed"), attr("arrowhead", "odot")]
        }
        RelationKind::Controls => vec![attr("style", "bold,dashed"), attr("arrowhead", "diamond")],
    }
    .into_iter()
    .chain([attr("color", TIE), attr("fontcolor", TIE)])
    .collect()
}

/// What a record's edge says: kind (but for sales), record id and dates,
/// product and units, lot, and a crypto payment.
fn record_label(case: &Case, ri: RecordId) -> String {
    let r = &case.records[ri as usize];
    let mut lines = Vec::new();
    match r.kind {
        RecordKind::Sale => {}
        RecordKind::Lease => lines.push("remote access (lease)".to_string()),
        k => lines.push(k.to_string()),
    }
    let id = text::shorten(&text::display(case.s(r.id)), 32);
    match (r.kind, case.records.end_date(ri)) {
        (RecordKind::Lease, Some(end)) => lines.push(format!("{id} \u{b7} {} \u{2192} {end}", r.date)),
        _ => lines.push(format!("{id} \u{b7} {}", r.date)),
    }
    lines.push(format!("{} \u{d7} {}", text::shorten(&text::display(case.s(r.product)), 24), r.quantity));
    if let Some(l) = r.lot {
        lines.push(format!("lot {}", text::shorten(&text::display(case.s(l)), 28)));
    }
    if r.payment == Some(Payment::Crypto) {
        lines.push("paid in crypto".to_string());
    }
    lines.join("\n")
}

/// Most records listed on one merged edge before the rest are counted.
const MAX_LINES: usize = 8;

/// The label of several records of one kind between the same two entities:
/// one line per record.
fn records_label(case: &Case, kind: RecordKind, rs: &[RecordId]) -> String {
    let mut lines = Vec::new();
    match kind {
        RecordKind::Sale => {}
        RecordKind::Lease => lines.push(format!("remote access (lease) \u{d7}{}", rs.len())),
        k => lines.push(format!("{k} \u{d7}{}", rs.len())),
    }
    for &ri in rs.iter().take(MAX_LINES) {
        let r = &case.records[ri as usize];
        let date = match case.records.end_date(ri) {
            Some(end) if kind == RecordKind::Lease => format!("{} \u{2192} {end}", r.date),
            _ => r.date.to_string(),
        };
        let mut line = format!(
            "{} \u{b7} {date} \u{b7} {} \u{d7} {}",
            text::shorten(&text::display(case.s(r.id)), 24),
            text::shorten(&text::display(case.s(r.product)), 16),
            r.quantity
        );
        if let Some(l) = r.lot {
            line.push_str(&format!(" \u{b7} lot {}", text::shorten(&text::display(case.s(l)), 20)));
        }
        if r.payment == Some(Payment::Crypto) {
            line.push_str(" \u{b7} crypto");
        }
        lines.push(line);
    }
    if rs.len() > MAX_LINES {
        lines.push(format!("and {} more records", rs.len() - MAX_LINES));
    }
    lines.join("\n")
}

fn relation_label(r: &Relation) -> String {
    match (r.kind, r.share) {
        (RelationKind::Owns, Some(s)) => format!("owns {}%", trim_float(s)),
        (k, _) => k.to_string(),
    }
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The flags line of a label: every rule id, wrapped, after a flag sign.
fn flags_line(flags: Option<&BTreeSet<String>>) -> Option<String> {
    let f = flags.filter(|f| !f.is_empty())?;
    let all: Vec<&str> = f.iter().map(String::as_str).collect();
    Some(text::wrap(&format!("\u{2691} {}", all.join(", ")), 34, 5).join("\n"))
}

/// The node of an entity: name on up to two lines, then id, kind and
/// country, then every flag about it.
fn entity_node(id: &str, e: &Entity, mark: Option<&Mark>, flags: Option<&BTreeSet<String>>) -> Stmt {
    let name = text::wrap(&text::display(&e.name), 24, 3).join("\n");
    let key = text::shorten(&text::display(&e.id), 24);
    let mut label = format!("{name}\n{key} \u{b7} {} \u{b7} {}", e.kind, e.country);
    if let Some(f) = flags_line(flags) {
        label.push('\n');
        label.push_str(&f);
    }
    let mut tip = format!("{} ({}, {}, {})", text::display(&e.name), text::display(&e.id), e.kind, e.country);
    let mut attrs = vec![attr("label", &label), attr("shape", shape(e.kind))];
    if let Some(m) = mark {
        let (fill, font) = colours(&m.rule);
        tip.push_str(&format!(" \u{2014} {}: {}", m.rule, text::display(&m.detail)));
        attrs.extend([attr("fillcolor", fill), attr("fontcolor", font), attr("penwidth", "2")]);
    }
    if e.kind == EntityKind::Logistics {
        // The arrow of the `cds` shape eats into its label.
        attrs.push(attr("margin", "0.3,0.05"));
    }
    if e.kind == EntityKind::Unknown {
        attrs.push(attr("style", "filled,dashed"));
    }
    attrs.push(attr("tooltip", &text::shorten(&tip, 600)));
    node(id, attrs)
}

/// The graph of a diagram.
pub fn graph(case: &Case, d: &Diagram) -> Graph {
    if let Some(o) = &d.overview {
        return overview_graph(case, d, o, None);
    }
    diagram_graph(case, d, None)
}

/// The DOT text of part `k` (0-based) of `n` printed parts of a finding's
/// route (see [`super::diagram::route_parts`]), left to right or, with
/// `vertical`, top to bottom (whichever prints larger), titled with the part
/// and its records on the route; the legend is drawn once, by [`legend_dot`].
pub fn route_part_dot(case: &Case, part: &Diagram, k: usize, n: usize, vertical: bool) -> String {
    let mut s = diagram_graph(case, part, Some((k, n, vertical))).print(&mut PrinterContext::default());
    s.push('\n');
    s
}

/// The DOT text of a diagram's legend alone, for the printed parts of a route.
pub fn legend_dot(case: &Case, d: &Diagram) -> String {
    let ids: BTreeMap<EntityId, String> = d.entities.iter().enumerate().map(|(i, &e)| (e, format!("n{i}"))).collect();
    let mut stmts = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![
        attr("rankdir", "LR"),
        attr("fontname", "Helvetica,Arial,sans-serif"),
        attr("bgcolor", "#ffffff"),
    ]))];
    stmts.push(Stmt::GAttribute(GraphAttributes::Node(vec![
        attr("fontname", "Helvetica,Arial,sans-serif"),
        attr("style", "filled"),
        attr("fillcolor", "#ffffff"),
    ])));
    stmts.push(Stmt::GAttribute(GraphAttributes::Edge(vec![attr("fontname", "Helvetica,Arial,sans-serif")])));
    // The cluster only: the anchoring edges and column of the whole drawing place it beside entities.
    stmts.extend(legend(case, d, &ids).into_iter().take(1));
    let g = Graph::DiGraph { id: Id::Plain("legend".to_string()), strict: false, stmts };
    let mut s = g.print(&mut PrinterContext::default());
    s.push('\n');
    s
}

/// A finding's, lot's or entity's drawing; with `part` = (k, n, vertical),
/// part k of the n printed parts of a route.
fn diagram_graph(case: &Case, d: &Diagram, part: Option<(usize, usize, bool)>) -> Graph {
    let ids: BTreeMap<EntityId, String> = d.entities.iter().enumerate().map(|(i, &e)| (e, format!("n{i}"))).collect();
    let mut title = format!("chiptrace \u{b7} {}", text::shorten(&text::display(&d.subject.title()), 80));
    if let Some((k, n, _)) = part {
        title.push_str(&format!(" \u{b7} route, part {} of {n}", k + 1));
        let ids: Vec<String> = d
            .records
            .iter()
            .filter(|r| d.route.contains(r))
            .map(|&r| text::shorten(&text::display(case.record_id(r)), 40))
            .collect();
        title.push_str(&format!("\nrecords on the route: {}", text::wrap(&ids.join(", "), 60, 3).join("\n")));
    }
    // A printed part stands under the report's headline, which it does not repeat.
    if let (Some(h), None) = (&d.headline, part) {
        title.push('\n');
        title.push_str(&text::wrap(&text::display(h), 110, 3).join("\n"));
    }
    title.push_str(&format!(
        "\ncase {} \u{b7} {} entities, {} records, {} relations",
        case.fingerprint(),
        d.entities.len(),
        d.records.len(),
        d.relations.len()
    ));
    // An overview is drawn by `overview_graph`, which writes its own note.
    if d.truncated {
        title.push_str("\ncut at the bound on records (raise --max-records to draw more)");
    }
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", if matches!(part, Some((_, _, true))) { "TB" } else { "LR" }),
            attr("newrank", "true"),
            attr("label", &title),
            attr("labelloc", "t"),
            attr("labeljust", "l"),
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", "14"),
            attr("nodesep", "0.35"),
            attr("ranksep", "0.8"),
            attr("bgcolor", "#ffffff"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", "10"),
            attr("style", "filled"),
            attr("fillcolor", "#ffffff"),
            attr("margin", "0.08,0.04"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", "8"),
        ])),
    ];

    // One cluster per country, in order of the country's first entity.
    let mut countries: Vec<Country> = Vec::new();
    let mut members: BTreeMap<Country, Vec<Stmt>> = BTreeMap::new();
    for &e in &d.entities {
        let ent = case.entity(e);
        if !members.contains_key(&ent.country) {
            countries.push(ent.country);
        }
        members.entry(ent.country).or_default().push(entity_node(
            &ids[&e],
            ent,
            d.marks.get(&e),
            d.entity_flags.get(&e),
        ));
    }
    for c in countries {
        let mut body = vec![
            Stmt::Attribute(attr("label", c.as_str())),
            Stmt::Attribute(attr("style", "rounded,dashed")),
            Stmt::Attribute(attr("color", "#9e9e9e")),
            Stmt::Attribute(attr("fontcolor", "#616161")),
            Stmt::Attribute(attr("fontsize", "12")),
        ];
        body.extend(members.remove(&c).unwrap_or_default());
        stmts.push(cluster(&format!("cluster_country_{}", c.as_str()), body));
    }

    // Records of one kind between the same two entities share one edge (one
    // label line each): Graphviz stacks the labels of parallel edges on top of
    // each other. Route records are never merged with others, nor records
    // that different flags cite: a lease no flag cites (made before the
    // lessee was bought by a Chinese group) is drawn apart from the renewals
    // that carry `remote_access`, without their badge.
    type Key<'f> = (EntityId, EntityId, RecordKind, bool, Option<&'f BTreeSet<String>>);
    let mut groups: Vec<(Key, Vec<RecordId>)> = Vec::new();
    let mut index: BTreeMap<Key, usize> = BTreeMap::new();
    for &ri in &d.records {
        let r = &case.records[ri as usize];
        let key = (r.from, r.to, r.kind, d.route.contains(&ri), d.record_flags.get(&ri).filter(|f| !f.is_empty()));
        match index.get(&key) {
            Some(&i) => groups[i].1.push(ri),
            None => {
                index.insert(key, groups.len());
                groups.push((key, vec![ri]));
            }
        }
    }
    for ((from, to, kind, on_route, _), rs) in groups {
        let mut label = match rs.as_slice() {
            [one] => record_label(case, *one),
            many => records_label(case, kind, many),
        };
        let flags: BTreeSet<String> = rs.iter().filter_map(|r| d.record_flags.get(r)).flatten().cloned().collect();
        if let Some(f) = flags_line(Some(&flags)) {
            label.push('\n');
            label.push_str(&f);
        }
        let mut attrs = vec![attr("label", &label)];
        attrs.extend(record_style(kind));
        if on_route {
            attrs.retain(|a| a.0 != Id::Plain("color".into()));
            attrs.extend([attr("color", ROUTE), attr("fontcolor", ROUTE), attr("penwidth", "2.5")]);
        }
        let names: Vec<String> = rs.iter().map(|&ri| text::shorten(&text::display(case.record_id(ri)), 40)).collect();
        let tip = format!("record{} {}", if rs.len() > 1 { "s" } else { "" }, names.join(", "));
        attrs.push(attr("tooltip", &text::shorten(&tip, 600)));
        stmts.push(edge(&ids[&from], &ids[&to], attrs));
    }
    for &li in &d.relations {
        let r = &case.relations[li as usize];
        let mut attrs = vec![attr("label", &relation_label(r))];
        attrs.extend(relation_style(r.kind));
        stmts.push(edge(&ids[&r.from], &ids[&r.to], attrs));
    }
    if part.is_none() {
        stmts.extend(legend(case, d, &ids));
    }
    Graph::DiGraph { id: Id::Plain("chiptrace".to_string()), strict: false, stmts }
}

/// A legend of the shapes, flags and edge styles the diagram uses, in two
/// columns, ranked after the last entities so it stands at the right of the
/// drawing rather than above it.
fn legend(case: &Case, d: &Diagram, ids: &BTreeMap<EntityId, String>) -> Vec<Stmt> {
    let mut body = vec![
        Stmt::Attribute(attr("label", "legend")),
        Stmt::Attribute(attr("style", "rounded")),
        Stmt::Attribute(attr("color", "#bdbdbd")),
        Stmt::Attribute(attr("fontcolor", "#616161")),
        Stmt::Attribute(attr("fontsize", "11")),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontsize", "9"),
            attr("width", "0.3"),
            attr("height", "0.25"),
        ])),
    ];
    let mut items: Vec<(String, Vec<Attribute>)> = Vec::new();
    let kinds: BTreeSet<EntityKind> = d.entities.iter().map(|&e| case.entity(e).kind).collect();
    for k in &kinds {
        items.push((format!("legend_kind_{}", k.as_str()), vec![attr("label", k.as_str()), attr("shape", shape(*k))]));
    }
    let mut rules: Vec<(&str, f64)> = d.marks.values().map(|m| (m.rule.as_str(), m.weight)).collect();
    rules.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    rules.dedup_by(|a, b| a.0 == b.0);
    for (rule, _) in rules {
        let (fill, font) = colours(rule);
        items.push((
            format!("legend_flag_{}", rule.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
            vec![
                attr("label", &format!("flag: {rule}")),
                attr("shape", "box"),
                attr("fillcolor", fill),
                attr("fontcolor", font),
                attr("penwidth", "2"),
            ],
        ));
    }
    // Two columns: each even item is tied to the next by an invisible edge.
    let mut left: Vec<String> = Vec::new();
    let mut pairs: Vec<Stmt> = Vec::new();
    for (i, (id, attrs)) in items.iter().enumerate() {
        body.push(node(id, attrs.clone()));
        if i % 2 == 0 {
            left.push(id.clone());
            if let Some((next, _)) = items.get(i + 1) {
                pairs.push(edge(id, next, vec![attr("style", "invis")]));
            }
        }
    }
    body.extend(pairs);
    // Edge samples: one pair of points per style used.
    let mut samples: Vec<(String, Vec<Attribute>)> = Vec::new();
    let record_kinds: BTreeSet<RecordKind> = d.records.iter().map(|&r| case.records[r as usize].kind).collect();
    for k in record_kinds {
        let label = if k == RecordKind::Lease { "lease: remote access".to_string() } else { k.to_string() };
        samples.push((label, record_style(k)));
    }
    if !d.route.is_empty() {
        samples.push(("the finding's route".to_string(), vec![attr("color", ROUTE), attr("penwidth", "2.5")]));
    }
    let relation_kinds: BTreeSet<RelationKind> = d.relations.iter().map(|&r| case.relations[r as usize].kind).collect();
    for k in relation_kinds {
        let label = if k == RelationKind::Owns { "owns (share)".to_string() } else { k.to_string() };
        samples.push((label, relation_style(k)));
    }
    left.extend(edge_samples(&mut body, samples));
    let mut out = vec![cluster("cluster_legend", body)];
    // Invisible, weightless edges from the entities nothing leaves put the legend after them.
    let Some(anchor) = left.first() else { return out };
    let mut senders: BTreeSet<EntityId> = d.records.iter().map(|&r| case.records[r as usize].from).collect();
    senders.extend(d.relations.iter().map(|&r| case.relations[r as usize].from));
    let mut sinks: Vec<&EntityId> = d.entities.iter().filter(|e| !senders.contains(e)).collect();
    if sinks.is_empty() {
        sinks.extend(d.entities.last());
    }
    for e in sinks {
        out.push(edge(&ids[e], anchor, vec![attr("style", "invis"), attr("weight", "0")]));
    }
    let mut same = vec![Stmt::Attribute(attr("rank", "same"))];
    same.extend(left.iter().map(|n| node(n, vec![])));
    out.push(Stmt::Subgraph(Subgraph { id: Id::Plain("legend_column".to_string()), stmts: same }));
    out
}

/// The DOT text an export draws: the diagram, or where `x.part` is set, that
/// part of an overview's map.
pub fn export_dot(x: &Export) -> Result<String, ExportError> {
    let Some(k) = x.part else { return Ok(to_dot(x.case, &x.diagram)) };
    let parts = x.diagram.overview.as_ref().map_or(0, |o| o.parts.len());
    match &x.diagram.overview {
        Some(o) if (1..=parts).contains(&k) => Ok(part_dot(x.case, &x.diagram, o, k - 1)),
        _ => Err(ExportError::Encode {
            format: super::Format::Dot,
            message: format!("there is no part {k}: the diagram has {parts} printable part(s)"),
        }),
    }
}

/// The DOT text of part `k` (0-based) of an overview's map.
pub fn part_dot(case: &Case, d: &Diagram, o: &Overview, k: usize) -> String {
    let part = o.parts.get(k).map(|p| (k + 1, p));
    let mut s = overview_graph(case, d, o, part).print(&mut PrinterContext::default());
    s.push('\n');
    s
}

/// Point pairs in a legend cluster, one per edge style: each drawn as a
/// short labelled edge. Returns the first point of each pair.
fn edge_samples(body: &mut Vec<Stmt>, samples: Vec<(String, Vec<Attribute>)>) -> Vec<String> {
    let mut firsts = Vec::new();
    for (i, (label, mut style)) in samples.into_iter().enumerate() {
        let (a, b) = (format!("legend_e{i}a"), format!("legend_e{i}b"));
        for n in [&a, &b] {
            body.push(node(n, vec![attr("shape", "point"), attr("width", "0.05"), attr("label", "")]));
        }
        style.push(attr("label", &label));
        style.push(attr("fontsize", "9"));
        body.push(edge(&a, &b, style));
        firsts.push(a);
    }
    firsts
}

/// An overview's map: one node per country (entities, flagged entities,
/// findings ending there; countries of concern filled), one edge per pair of
/// countries with a label line per kind of record, its width growing with the
/// count, red where findings' routes run. With `part`, only that part's flows
/// and their countries, at a larger type, with the key to the styles in the
/// title rather than a legend cluster, so that it prints on one page.
fn overview_graph(case: &Case, d: &Diagram, o: &Overview, part: Option<(usize, &Part)>) -> Graph {
    let mut title = format!("chiptrace \u{b7} {} \u{b7} country map", d.subject.title());
    if let Some((k, p)) = part {
        let of: Vec<&str> = p.countries.iter().map(|c| c.as_str()).collect();
        title.push_str(&format!(", part {k} of {}: flows of {}", o.parts.len(), of.join(", ")));
    }
    title.push_str(&format!("\ncase {} \u{b7} {} records", case.fingerprint(), case.records.len()));
    title.push('\n');
    if part.is_some() {
        title.push_str(
            "key: solid sale \u{b7} hollow arrow shipment \u{b7} dotted install \u{b7} dashed lease (remote access)\n\
             red: on findings' routes \u{b7} orange box: country of concern",
        );
    } else {
        title.push_str(&text::wrap(&text::display(&o.note), 110, 8).join("\n"));
    }
    let (node_size, edge_size) = if part.is_some() { ("12", "11") } else { ("11", "9") };
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", "LR"),
            attr("label", &title),
            attr("labelloc", "t"),
            attr("labeljust", "l"),
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", "14"),
            attr("nodesep", "0.4"),
            attr("ranksep", "1.2"),
            attr("bgcolor", "#ffffff"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", node_size),
            attr("shape", "box"),
            attr("style", "rounded,filled"),
            attr("fillcolor", "#ffffff"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", "Helvetica,Arial,sans-serif"),
            attr("fontsize", edge_size),
        ])),
    ];
    let flows: Vec<&Flow> = match part {
        Some((_, p)) => p.flows.iter().filter_map(|&i| o.flows.get(i)).collect(),
        None => o.flows.iter().collect(),
    };
    let drawn: BTreeSet<Country> = flows.iter().flat_map(|f| [f.from, f.to]).collect();
    for c in o.countries.iter().filter(|c| drawn.contains(&c.country)) {
        let mut label = format!("{}\n{} entities", c.country.as_str(), c.entities);
        if c.flagged > 0 {
            label.push_str(&format!("\n\u{2691} {} flagged", c.flagged));
        }
        if c.terminals > 0 {
            label.push_str(&format!("\n{} finding(s) end here", c.terminals));
        }
        let mut attrs = vec![attr("label", &label)];
        if c.of_concern {
            let (fill, font) = colours("country_of_concern");
            attrs.extend([attr("fillcolor", fill), attr("fontcolor", font), attr("penwidth", "2")]);
        }
        stmts.push(node(&format!("c_{}", c.country.as_str()), attrs));
    }
    // One edge per pair of countries, a label line per record kind, styled by
    // the kind with the most records: parallel edges would stack their labels.
    let mut pairs: BTreeMap<(Country, Country), Vec<&Flow>> = BTreeMap::new();
    for f in &flows {
        pairs.entry((f.from, f.to)).or_default().push(f);
    }
    for ((from, to), fs) in pairs {
        let lines: Vec<String> = fs
            .iter()
            .map(|f| {
                let mut l = format!("{} \u{d7}{} \u{b7} {} units", f.kind, f.records, f.units);
                if f.on_routes > 0 {
                    l.push_str(&format!(" ({} on routes)", f.on_routes));
                }
                l
            })
            .collect();
        let records: usize = fs.iter().map(|f| f.records).sum();
        let main =
            fs.iter().max_by_key(|f| (f.records, std::cmp::Reverse(f.kind))).map_or(RecordKind::Sale, |f| f.kind);
        let width = 1.0 + (records as f64).log10().max(0.0);
        let mut attrs = vec![attr("label", &lines.join("\n")), attr("penwidth", &format!("{width:.1}"))];
        attrs.extend(record_style(main));
        if fs.iter().any(|f| f.on_routes > 0) {
            attrs.retain(|a| a.0 != Id::Plain("color".into()));
            attrs.extend([attr("color", ROUTE), attr("fontcolor", ROUTE)]);
        }
        stmts.push(edge(&format!("c_{}", from.as_str()), &format!("c_{}", to.as_str()), attrs));
    }
    if part.is_none() {
        stmts.push(overview_legend(o));
    }
    Graph::DiGraph { id: Id::Plain("chiptrace".to_string()), strict: false, stmts }
}

/// The legend of the whole country map: the two node kinds and a sample of
/// each edge style drawn.
fn overview_legend(o: &Overview) -> Stmt {
    let mut body = vec![
        Stmt::Attribute(attr("label", "legend")),
        Stmt::Attribute(attr("style", "rounded")),
        Stmt::Attribute(attr("color", "#bdbdbd")),
        Stmt::Attribute(attr("fontcolor", "#616161")),
        Stmt::Attribute(attr("fontsize", "11")),
    ];
    let (fill, font) = colours("country_of_concern");
    body.push(node(
        "legend_concern",
        vec![
            attr("label", "country of concern"),
            attr("fillcolor", fill),
            attr("fontcolor", font),
            attr("fontsize", "9"),
        ],
    ));
    body.push(node(
        "legend_country",
        vec![attr("label", "country: entities, flagged, findings"), attr("fontsize", "9")],
    ));
    let kinds: BTreeSet<RecordKind> = o.flows.iter().map(|f| f.kind).collect();
    let mut samples: Vec<(String, Vec<Attribute>)> =
        kinds.into_iter().map(|k| (k.to_string(), record_style(k))).collect();
    if o.flows.iter().any(|f| f.on_routes > 0) {
        samples.push(("on findings' routes".to_string(), vec![attr("color", ROUTE), attr("penwidth", "2.5")]));
    }
    edge_samples(&mut body, samples);
    cluster("cluster_legend", body)
}
