//! The subgraph an export draws: which entities, records and relations, in
//! which order, and the strongest flag on each entity. Every exporter reads a
//! [`Diagram`]; none of them decides what belongs in the picture.
//!
//! - a finding: its path records, the entities on them, the ownership and
//!   control relations touching them, and every entity and record its flags
//!   cite as evidence;
//! - a lot: the records of its forward trace (the lot and the lots split from it);
//! - an entity: the records in and out of it and their counterparties, bounded;
//! - the whole case, or where it is too big to draw, an overview: its
//!   connected components largest first, with a note of what was left out.
//!
//! Everything is sorted (entities by first appearance then id, records by date then
//! id), so the same input draws the same picture byte for byte.

use crate::analysis::inventory::Inventory;
use crate::analysis::trace::{Direction, TraceRoot, trace};
use crate::graph::Lots;
use crate::model::*;
use crate::policy::Policy;
use crate::scan::Finding;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a diagram shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A finding's route, by finding id.
    Finding(String),
    /// A lot's forward trace, by lot id.
    Lot(String),
    /// An entity's neighbourhood, by entity id.
    Entity(String),
    /// Every entity, record and relation of the case.
    Case,
}

impl Subject {
    /// A heading such as `finding F-1a2b` or `lot L-100`.
    pub fn title(&self) -> String {
        match self {
            Subject::Finding(id) => format!("finding {id}"),
            Subject::Lot(l) => format!("lot {l} (forward trace)"),
            Subject::Entity(e) => format!("entity {e} (neighbourhood)"),
            Subject::Case => "whole case".to_string(),
        }
    }
}

/// The strongest flag on an entity, which colours it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// A rule id of docs/spec.md §3 (`listed_party`, `country_of_concern`, ...).
    pub rule: String,
    /// The rule's weight in the policy, which orders marks.
    pub weight: f64,
    /// Why, in one sentence.
    pub detail: String,
}

/// The picture to draw.
#[derive(Clone, Debug)]
pub struct Diagram {
    pub subject: Subject,
    /// Entities in order of their first drawn record (a sender before its
    /// receiver); one without records follows the entity it is tied to.
    pub entities: Vec<EntityId>,
    /// Records, ordered by date, then record id.
    pub records: Vec<RecordId>,
    /// Indices into [`Case::relations`], ordered by (from id, to id, kind).
    pub relations: Vec<u32>,
    /// The strongest flag per entity, where any.
    pub marks: BTreeMap<EntityId, Mark>,
    /// Records on a finding's route, drawn heavier.
    pub route: BTreeSet<RecordId>,
    /// True when the bound on records cut the picture.
    pub truncated: bool,
    /// Every flag per entity (the rule ids of the flags about it, by
    /// `subject`), not only the strongest, for labels and graph files.
    pub entity_flags: BTreeMap<EntityId, BTreeSet<String>>,
    /// Every flag per record: the rule ids of the flags whose evidence cites it.
    pub record_flags: BTreeMap<RecordId, BTreeSet<String>>,
    /// The findings each entity is the terminal or a flag's subject of.
    pub entity_findings: BTreeMap<EntityId, BTreeSet<String>>,
    /// The findings whose route or evidence holds each record.
    pub record_findings: BTreeMap<RecordId, BTreeSet<String>>,
    /// For a finding: `high 0.93 · ZYC (CN) · H100 × 300 · flags …`, the
    /// line a printed diagram is titled with.
    pub headline: Option<String>,
    /// For a case too big to draw whole: its components and what was left out.
    pub overview: Option<Overview>,
}

/// How much a diagram may hold.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Most records drawn for an entity's neighbourhood or the whole case.
    pub max_records: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        // Beyond a few hundred edges a Graphviz drawing stops being readable.
        Bounds { max_records: 400 }
    }
}

/// Records in time order, ties broken by id, as every analysis walks them.
fn by_time(case: &Case, mut rs: Vec<RecordId>) -> Vec<RecordId> {
    rs.sort_by(|&a, &b| {
        let (ra, rb) = (&case.records[a as usize], &case.records[b as usize]);
        ra.date.cmp(&rb.date).then_with(|| case.s(ra.id).cmp(case.s(rb.id))).then(a.cmp(&b))
    });
    rs.dedup();
    rs
}

/// Records by their id, to resolve the record ids that evidence cites.
pub struct RecordIndex(HashMap<Sym, RecordId>);

impl RecordIndex {
    /// # Complexity
    /// O(R).
    pub fn build(case: &Case) -> RecordIndex {
        RecordIndex(case.records.iter().enumerate().map(|(i, r)| (r.id, i as RecordId)).collect())
    }

    /// The record with id `key`, if any.
    pub fn get(&self, case: &Case, key: &str) -> Option<RecordId> {
        case.sym(key).and_then(|s| self.0.get(&s).copied())
    }
}

/// The diagram of a finding's route and the evidence of its flags.
///
/// # Complexity
/// O(P log P + L log L) for P records on the route and in evidence and L relations.
pub fn of_finding(case: &Case, policy: &Policy, f: &Finding, index: &RecordIndex) -> Diagram {
    let mut records: Vec<RecordId> = f.path.clone();
    let mut extra_entities = vec![f.terminal];
    let record_keys: BTreeMap<&str, RecordId> = evidence_keys(f)
        .filter(|k| case.entity_by_key(k).is_none())
        .filter_map(|k| index.get(case, k).map(|r| (k, r)))
        .collect();
    records.extend(record_keys.values().copied());
    for k in evidence_keys(f) {
        if let Some(e) = case.entity_by_key(k) {
            extra_entities.push(e);
        }
    }
    let mut d = build(case, Subject::Finding(f.id.clone()), by_time(case, records), extra_entities, false);
    d.route = f.path.iter().copied().collect();
    d.marks = marks(case, policy, std::slice::from_ref(f), &d.entities);
    annotate(case, std::slice::from_ref(f), &mut d);
    let t = case.entity(f.terminal);
    let mut rules: Vec<&str> = f.flags.iter().map(|x| x.rule).collect();
    rules.dedup();
    // An inferred route says so, and which receipt each untied link was
    // taken from with its plausibility (the full reason is in the reports).
    let inferred = if f.inferred {
        let links: Vec<String> = crate::analysis::routes::inferred_links(case, &f.path)
            .iter()
            .map(|l| format!("{} from {} {:.2}", case.record_id(l.next), case.record_id(l.prev), l.plausibility))
            .collect();
        format!(" \u{b7} inferred {:.2} ({})", f.plausibility, links.join("; "))
    } else {
        String::new()
    };
    d.headline = Some(format!(
        "{} {:.2} \u{b7} {} {} ({}) \u{b7} {} \u{d7} {}{inferred} \u{b7} flags: {}",
        f.severity,
        f.score,
        f.kind.as_str(),
        t.id,
        t.country,
        case.s(f.product),
        f.quantity,
        rules.join(", ")
    ));
    d
}

/// Splits a finding's diagram into printable parts along its route. The
/// route's records are taken as hops, one per pair of parties in the order
/// of the pair's first record (two leases between the same two parties are
/// one hop, drawn as one edge); part k holds hops `k·per_part ..` and the
/// entities at their ends, so a party where one part ends opens the next.
/// Every other record and relation joins the first part holding one of its
/// ends, bringing its other end along (a director beside the intermediary, a
/// shipment into the site a lot was installed at); what touches no part
/// (an entity cited only as evidence) joins the last one, the terminal's.
/// Each drawn record and relation is in exactly one part. A diagram with no
/// more than `per_part` hops, or none, is not split (empty result).
///
/// # Complexity
/// O(P · (R + L) log E) for P parts, R records, L relations and E entities drawn.
pub fn route_parts(case: &Case, d: &Diagram, per_part: usize) -> Vec<Diagram> {
    let ends = |r: RecordId| {
        let x = &case.records[r as usize];
        [x.from, x.to]
    };
    let mut hops: Vec<([EntityId; 2], Vec<RecordId>)> = Vec::new();
    for &r in d.records.iter().filter(|r| d.route.contains(r)) {
        match hops.iter_mut().find(|(pair, _)| *pair == ends(r)) {
            Some((_, rs)) => rs.push(r),
            None => hops.push((ends(r), vec![r])),
        }
    }
    if per_part == 0 || hops.len() <= per_part || d.overview.is_some() {
        return Vec::new();
    }
    let chunks: Vec<&[([EntityId; 2], Vec<RecordId>)]> = hops.chunks(per_part).collect();
    let mut entities: Vec<BTreeSet<EntityId>> =
        chunks.iter().map(|c| c.iter().flat_map(|(pair, _)| *pair).collect()).collect();
    let mut records: Vec<BTreeSet<RecordId>> =
        chunks.iter().map(|c| c.iter().flat_map(|(_, rs)| rs.iter().copied()).collect()).collect();
    let mut relations: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); chunks.len()];
    // Records off the route and relations, as (record or relation, its ends);
    // placed in passes, as each may tie on to one placed before it.
    enum Item {
        Record(RecordId),
        Relation(u32),
    }
    let mut waiting: Vec<(Item, [EntityId; 2])> = d
        .records
        .iter()
        .filter(|r| !d.route.contains(r))
        .map(|&r| (Item::Record(r), ends(r)))
        .chain(d.relations.iter().map(|&l| {
            let x = &case.relations[l as usize];
            (Item::Relation(l), [x.from, x.to])
        }))
        .collect();
    let last = chunks.len() - 1;
    loop {
        let before = waiting.len();
        let mut next = Vec::new();
        for (item, [a, b]) in waiting {
            match entities.iter().position(|es| es.contains(&a) || es.contains(&b)) {
                Some(k) => {
                    entities[k].extend([a, b]);
                    match item {
                        Item::Record(r) => records[k].insert(r),
                        Item::Relation(l) => relations[k].insert(l),
                    };
                }
                None => next.push((item, [a, b])),
            }
        }
        waiting = next;
        if waiting.is_empty() || waiting.len() == before {
            break;
        }
    }
    for (item, [a, b]) in waiting {
        entities[last].extend([a, b]);
        match item {
            Item::Record(r) => records[last].insert(r),
            Item::Relation(l) => relations[last].insert(l),
        };
    }
    for &e in &d.entities {
        if !entities.iter().any(|es| es.contains(&e)) {
            entities[last].insert(e);
        }
    }
    (0..chunks.len())
        .map(|k| {
            let keep = |e: &EntityId| entities[k].contains(e);
            Diagram {
                subject: d.subject.clone(),
                entities: d.entities.iter().copied().filter(keep).collect(),
                records: d.records.iter().copied().filter(|r| records[k].contains(r)).collect(),
                relations: d.relations.iter().copied().filter(|l| relations[k].contains(l)).collect(),
                marks: d.marks.iter().filter(|(e, _)| keep(e)).map(|(e, m)| (*e, m.clone())).collect(),
                route: d.route.iter().copied().filter(|r| records[k].contains(r)).collect(),
                truncated: false,
                entity_flags: d.entity_flags.iter().filter(|(e, _)| keep(e)).map(|(e, f)| (*e, f.clone())).collect(),
                record_flags: d
                    .record_flags
                    .iter()
                    .filter(|(r, _)| records[k].contains(r))
                    .map(|(r, f)| (*r, f.clone()))
                    .collect(),
                entity_findings: d
                    .entity_findings
                    .iter()
                    .filter(|(e, _)| keep(e))
                    .map(|(e, f)| (*e, f.clone()))
                    .collect(),
                record_findings: d
                    .record_findings
                    .iter()
                    .filter(|(r, _)| records[k].contains(r))
                    .map(|(r, f)| (*r, f.clone()))
                    .collect(),
                headline: d.headline.clone(),
                overview: None,
            }
        })
        .collect()
}

/// Entity, record and list keys cited by a finding's flags.
fn evidence_keys(f: &Finding) -> impl Iterator<Item = &str> {
    f.flags.iter().flat_map(|fl| fl.evidence.iter().map(String::as_str))
}

/// The diagram of a lot's forward trace: the lot and every lot split from it.
///
/// # Complexity
/// O(R log R) for R records (the time sort of the case).
pub fn of_lot(case: &Case, policy: &Policy, lot: Sym, findings: &[Finding]) -> Diagram {
    let inv = Inventory::build(case);
    let lots = Lots::build(case, &inv.order);
    let t = trace(case, &lots, &inv.order, &TraceRoot::Lot(lot), Direction::Forward, u32::MAX);
    let records = by_time(case, t.steps.iter().map(|s| s.record).collect());
    let mut d = build(case, Subject::Lot(case.s(lot).to_string()), records, vec![], t.truncated);
    d.marks = marks(case, policy, findings, &d.entities);
    annotate(case, findings, &mut d);
    d
}

/// The diagram of an entity's neighbourhood: every record in or out of it
/// (the earliest `bounds.max_records`) and the relations touching it.
///
/// # Complexity
/// O(R log R) for R records.
pub fn of_entity(case: &Case, policy: &Policy, e: EntityId, findings: &[Finding], bounds: Bounds) -> Diagram {
    let rs: Vec<RecordId> = (0..case.records.len() as RecordId)
        .filter(|&r| case.records[r as usize].from == e || case.records[r as usize].to == e)
        .collect();
    let mut rs = by_time(case, rs);
    let truncated = rs.len() > bounds.max_records;
    rs.truncate(bounds.max_records);
    let mut d = build(case, Subject::Entity(case.entity(e).id.clone()), rs, vec![e], truncated);
    d.marks = marks(case, policy, findings, &d.entities);
    annotate(case, findings, &mut d);
    d
}

/// The whole case: every entity, record and relation when the records fit in
/// `max_records` (or no bound is given). Otherwise an [`Overview`]: a map of
/// countries with the flows of records between them (always a few dozen
/// nodes, whatever the case's size), and the case's connected components,
/// largest first, each with an entity whose `--entity` export draws it.
///
/// # Complexity
/// O(R log R + E log E + L log L + F·G) for F findings of G flags.
pub fn of_case(case: &Case, policy: &Policy, findings: &[Finding], max_records: Option<usize>) -> Diagram {
    let all_records = by_time(case, (0..case.records.len() as RecordId).collect());
    match max_records {
        Some(m) if all_records.len() > m => overview(case, policy, findings, all_records.len(), m),
        _ => {
            let mut d = build(case, Subject::Case, all_records, (0..case.entities.len() as EntityId).collect(), false);
            d.marks = marks(case, policy, findings, &d.entities);
            annotate(case, findings, &mut d);
            d
        }
    }
}

/// Rows of the component table an HTML overview shows; the rest are counted.
pub const MAX_COMPONENT_ROWS: usize = 50;

/// Flows drawn on an overview's country map, the largest; the rest are counted.
pub const MAX_FLOWS: usize = 40;

/// One connected component of a case: entities linked by records or relations.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub entities: usize,
    pub records: usize,
    /// Countries of its entities, sorted.
    pub countries: Vec<Country>,
    /// Findings whose terminal or a flag's subject is in it.
    pub findings: usize,
    /// The entity with the most records (ties: the smallest id): `--entity` of it draws its neighbourhood.
    pub hub: EntityId,
}

/// A country on an overview's map.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryNode {
    pub country: Country,
    pub entities: usize,
    /// Entities of it that a flag is about (a flag's `subject`).
    pub flagged: usize,
    /// Findings whose terminal is in it.
    pub terminals: usize,
    /// A country of concern under the policy.
    pub of_concern: bool,
}

/// The records of one kind from one country to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub from: Country,
    pub to: Country,
    pub kind: RecordKind,
    pub records: usize,
    pub units: u64,
    /// Records of it on a finding's route.
    pub on_routes: usize,
}

/// What an overview of a case too big to draw record by record shows, and
/// how to see the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    /// Countries, most entities first (ties: code).
    pub countries: Vec<CountryNode>,
    /// The largest flows (records, then units), at most [`MAX_FLOWS`].
    pub flows: Vec<Flow>,
    /// Flows left off the map.
    pub flows_left_out: usize,
    /// Every component, largest first (records, then entities, then hub id).
    pub components: Vec<Component>,
    /// The map split into parts that each print legibly on one page; every
    /// flow of [`Overview::flows`] is in exactly one part.
    pub parts: Vec<Part>,
    /// One paragraph: what is drawn, what is left out, how to see it.
    pub note: String,
}

/// One printable part of an overview's map: the flows touching a few
/// countries, few enough that Graphviz draws them on one landscape A4 or
/// Letter page with labels at their full size.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The countries the part is about, in the order they were taken; every
    /// flow of the part has one of them at an end.
    pub countries: Vec<Country>,
    /// Indices into [`Overview::flows`], in that order.
    pub flows: Vec<usize>,
}

/// Most country pairs (edges) drawn in one part of an overview: Graphviz
/// stacks the countries of a rank, about 85 pt each with their labels, and
/// six of them with the title fit the height of a landscape page (165 mm
/// under the heading) at 85% or more of their size.
pub const PART_MAX_PAIRS: usize = 6;

/// Most ranks (columns, left to right) in one part: a column with its edge
/// labels is about 330 pt wide, three fit a landscape page's 277 mm.
pub const PART_MAX_RANKS: usize = 3;

/// Splits an overview's flows into printable parts. The flows are grouped by
/// country pair (one edge each), and each pair is filed under its less central
/// end (the country with fewer entities), so a part reads as "the flows of
/// CN, HK": the pairs of a country stay together where they fit, countries of
/// concern come first, then the others in the order of their most important
/// flow. A part takes pairs while it has at most [`PART_MAX_PAIRS`] of them
/// and its longest chain of countries spans at most [`PART_MAX_RANKS`] columns.
///
/// # Complexity
/// O(F · P) for F flows and P pairs per part (both bounded by [`MAX_FLOWS`]).
pub fn parts(countries: &[CountryNode], flows: &[Flow]) -> Vec<Part> {
    let order: BTreeMap<Country, usize> = countries.iter().enumerate().map(|(i, c)| (c.country, i)).collect();
    let concern: BTreeSet<Country> = countries.iter().filter(|c| c.of_concern).map(|c| c.country).collect();
    let pos = |c: &Country| order.get(c).copied().unwrap_or(usize::MAX);
    // Pairs in the order of their first (most important) flow.
    let mut pairs: Vec<((Country, Country), Vec<usize>)> = Vec::new();
    for (i, f) in flows.iter().enumerate() {
        match pairs.iter_mut().find(|(k, _)| *k == (f.from, f.to)) {
            Some((_, v)) => v.push(i),
            None => pairs.push(((f.from, f.to), vec![i])),
        }
    }
    let anchor = |(a, b): (Country, Country)| if pos(&b) > pos(&a) { b } else { a };
    let mut anchors: Vec<Country> = Vec::new();
    for (k, _) in &pairs {
        if !anchors.contains(&anchor(*k)) {
            anchors.push(anchor(*k));
        }
    }
    // A stable sort keeps the order of the most important flow within each class.
    anchors.sort_by_key(|c| !concern.contains(c));
    let mut out: Vec<Part> = Vec::new();
    let mut cur: Vec<(Country, Country)> = Vec::new();
    let mut cur_part = Part { countries: vec![], flows: vec![] };
    for a in anchors {
        let mine: Vec<&((Country, Country), Vec<usize>)> = pairs.iter().filter(|(k, _)| anchor(*k) == a).collect();
        let all: Vec<(Country, Country)> = cur.iter().copied().chain(mine.iter().map(|(k, _)| *k)).collect();
        if !cur.is_empty() && !fits(&all) {
            out.push(std::mem::replace(&mut cur_part, Part { countries: vec![], flows: vec![] }));
            cur.clear();
        }
        for (k, fs) in mine {
            let mut with = cur.clone();
            with.push(*k);
            if !cur.is_empty() && !fits(&with) {
                out.push(std::mem::replace(&mut cur_part, Part { countries: vec![], flows: vec![] }));
                cur.clear();
            }
            cur.push(*k);
            cur_part.flows.extend(fs);
            if !cur_part.countries.contains(&a) {
                cur_part.countries.push(a);
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur_part);
    }
    for p in &mut out {
        p.flows.sort_unstable();
    }
    out
}

/// Whether country pairs fit one printed part: at most [`PART_MAX_PAIRS`],
/// and no chain of them longer than [`PART_MAX_RANKS`] countries (the
/// longest simple path, an upper bound on the columns Graphviz ranks them in).
fn fits(pairs: &[(Country, Country)]) -> bool {
    if pairs.len() > PART_MAX_PAIRS {
        return false;
    }
    fn longest(pairs: &[(Country, Country)], at: Country, seen: &mut Vec<Country>) -> usize {
        let mut best = 0;
        for &(a, b) in pairs {
            if a == at && !seen.contains(&b) {
                seen.push(b);
                best = best.max(1 + longest(pairs, b, seen));
                seen.pop();
            }
        }
        best
    }
    pairs.iter().all(|&(a, _)| longest(pairs, a, &mut vec![a]) < PART_MAX_RANKS)
}

/// The root of `x` in a union-find forest, halving paths on the way.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// The connected components of a case, largest first.
///
/// # Complexity
/// O((R + L) α(E) + E log E + F·G).
pub fn components(case: &Case, findings: &[Finding]) -> Vec<Component> {
    let n = case.entities.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let links = case.records.iter().map(|r| (r.from, r.to)).chain(case.relations.iter().map(|r| (r.from, r.to)));
    for (a, b) in links {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let root: Vec<u32> = (0..n as u32).map(|e| find(&mut parent, e)).collect();
    let mut members: BTreeMap<u32, Vec<EntityId>> = BTreeMap::new();
    for e in 0..n as EntityId {
        members.entry(root[e as usize]).or_default().push(e);
    }
    let mut records: BTreeMap<u32, usize> = BTreeMap::new();
    let mut degree = vec![0u32; n];
    for r in &case.records {
        *records.entry(root[r.from as usize]).or_default() += 1;
        degree[r.from as usize] += 1;
        degree[r.to as usize] += 1;
    }
    let mut found: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    for f in findings {
        found.entry(root[f.terminal as usize]).or_default().insert(&f.id);
        for fl in &f.flags {
            found.entry(root[fl.subject as usize]).or_default().insert(&f.id);
        }
    }
    let mut out: Vec<Component> = members
        .iter()
        .map(|(k, es)| {
            let hub = es
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    degree[a as usize].cmp(&degree[b as usize]).then_with(|| case.entity(b).id.cmp(&case.entity(a).id))
                })
                .unwrap_or(*k);
            let countries: BTreeSet<Country> = es.iter().map(|&e| case.entity(e).country).collect();
            Component {
                entities: es.len(),
                records: records.get(k).copied().unwrap_or(0),
                countries: countries.into_iter().collect(),
                findings: found.get(k).map_or(0, BTreeSet::len),
                hub,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.records, b.entities)
            .cmp(&(a.records, a.entities))
            .then_with(|| case.entity(a.hub).id.cmp(&case.entity(b.hub).id))
    });
    out
}

fn overview(case: &Case, policy: &Policy, findings: &[Finding], total: usize, max: usize) -> Diagram {
    let mut nodes: BTreeMap<Country, CountryNode> = BTreeMap::new();
    for e in &case.entities {
        nodes
            .entry(e.country)
            .or_insert_with(|| CountryNode {
                country: e.country,
                entities: 0,
                flagged: 0,
                terminals: 0,
                of_concern: policy.is_country_of_concern(e.country),
            })
            .entities += 1;
    }
    let subjects: BTreeSet<EntityId> = findings.iter().flat_map(|f| f.flags.iter().map(|fl| fl.subject)).collect();
    for &e in &subjects {
        if let Some(n) = nodes.get_mut(&case.entity(e).country) {
            n.flagged += 1;
        }
    }
    for f in findings {
        if let Some(n) = nodes.get_mut(&case.entity(f.terminal).country) {
            n.terminals += 1;
        }
    }
    let routes: BTreeSet<RecordId> = findings.iter().flat_map(|f| f.path.iter().copied()).collect();
    let mut flows: BTreeMap<(Country, Country, RecordKind), Flow> = BTreeMap::new();
    for (i, r) in case.records.iter().enumerate() {
        let (from, to) = (case.entity(r.from).country, case.entity(r.to).country);
        let f = flows.entry((from, to, r.kind)).or_insert_with(|| Flow {
            from,
            to,
            kind: r.kind,
            records: 0,
            units: 0,
            on_routes: 0,
        });
        f.records += 1;
        f.units += u64::from(r.quantity);
        f.on_routes += usize::from(routes.contains(&(i as RecordId)));
    }
    let mut flows: Vec<Flow> = flows.into_values().collect();
    // Flows on a finding's route first, so the map always shows where the findings went.
    flows.sort_by(|a, b| {
        (b.on_routes > 0, b.records, b.units)
            .cmp(&(a.on_routes > 0, a.records, a.units))
            .then_with(|| (a.from, a.to, a.kind).cmp(&(b.from, b.to, b.kind)))
    });
    let flows_left_out = flows.len().saturating_sub(MAX_FLOWS);
    flows.truncate(MAX_FLOWS);
    let mut countries: Vec<CountryNode> = nodes.into_values().collect();
    countries.sort_by(|a, b| b.entities.cmp(&a.entities).then(a.country.cmp(&b.country)));
    let comps = components(case, findings);
    let parts = parts(&countries, &flows);
    let mut note = format!(
        "Overview: the case has {total} records, more than the {max} drawn one by one (--max-records), so this map \
         draws its {} countries and the records between them, counted by kind",
        countries.len()
    );
    if flows_left_out > 0 {
        note.push_str(&format!(
            " (the {MAX_FLOWS} largest flows, those on findings' routes first; {flows_left_out} smaller flows left out)"
        ));
    }
    if parts.len() > 1 {
        note.push_str(&format!(
            ". Printed, the map is split into {} parts of a few countries each, one a page at full size (the HTML \
             report prints them; `--part K` draws part K alone)",
            parts.len()
        ));
    }
    note.push_str(&format!(
        ". The case holds {} connected component(s); the largest has {} entities and {} records. To see records and \
         parties: each finding's own diagram, `chiptrace export {} --entity ID` for one party's neighbourhood, \
         `--max-records N` to draw every record, or `--format graphml`, `gexf` or `ftm`, which hold every record.",
        comps.len(),
        comps.first().map_or(0, |c| c.entities),
        comps.first().map_or(0, |c| c.records),
        case.root.display()
    ));
    let mut d = build(case, Subject::Case, vec![], vec![], true);
    d.overview = Some(Overview { countries, flows, flows_left_out, components: comps, parts, note });
    d
}

/// Entities of `records` plus `extra`, and the relations touching them (one
/// hop, so a terminal's owner or director is drawn, and chains between drawn
/// entities are closed).
fn build(case: &Case, subject: Subject, records: Vec<RecordId>, extra: Vec<EntityId>, truncated: bool) -> Diagram {
    // Where an entity first appears: (record position in time order, 0 as
    // sender or 1 as receiver), so a sender comes before its buyer on the same day.
    let mut first: BTreeMap<EntityId, (usize, u8)> = BTreeMap::new();
    for (pos, &r) in records.iter().enumerate() {
        let rec = &case.records[r as usize];
        for (e, side) in [(rec.from, 0), (rec.to, 1)] {
            first.entry(e).or_insert((pos, side));
        }
    }
    let far = (usize::MAX, u8::MAX);
    for e in extra {
        first.entry(e).or_insert(far);
    }
    let core: BTreeSet<EntityId> = first.keys().copied().collect();
    let relations: Vec<u32> = case
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| core.contains(&r.from) || core.contains(&r.to))
        .map(|(i, _)| i as u32)
        .collect();
    // An entity without drawn records (an owner, a director, evidence) takes
    // the date of the entity it is tied to, so it is drawn beside it. Chains
    // of ties are followed a few steps.
    for &i in &relations {
        let r = &case.relations[i as usize];
        for e in [r.from, r.to] {
            first.entry(e).or_insert(far);
        }
    }
    let dated: BTreeSet<EntityId> = first.iter().filter(|(_, t)| **t < far).map(|(e, _)| *e).collect();
    // A tied entity sorts just after the one it is tied to.
    for _ in 0..4 {
        for &i in &relations {
            let r = &case.relations[i as usize];
            for (a, b) in [(r.from, r.to), (r.to, r.from)] {
                let t = (first[&b].0, 2);
                if !dated.contains(&a) && first[&b] < far && t < first[&a] {
                    first.insert(a, t);
                }
            }
        }
    }
    let mut relations = relations;
    relations.sort_by(|&a, &b| {
        let (ra, rb) = (&case.relations[a as usize], &case.relations[b as usize]);
        (&case.entity(ra.from).id, &case.entity(ra.to).id, ra.kind, ra.line).cmp(&(
            &case.entity(rb.from).id,
            &case.entity(rb.to).id,
            rb.kind,
            rb.line,
        ))
    });
    let mut entities: Vec<EntityId> = first.keys().copied().collect();
    entities.sort_by(|&a, &b| first[&a].cmp(&first[&b]).then_with(|| case.entity(a).id.cmp(&case.entity(b).id)));
    Diagram {
        subject,
        entities,
        records,
        relations,
        marks: BTreeMap::new(),
        route: BTreeSet::new(),
        truncated,
        entity_flags: BTreeMap::new(),
        record_flags: BTreeMap::new(),
        entity_findings: BTreeMap::new(),
        record_findings: BTreeMap::new(),
        headline: None,
        overview: None,
    }
}

/// The strongest flag on each drawn entity. A flag marks the entity it is
/// about, its `subject` (docs/spec.md §5.1), never the other entities its
/// evidence names (a supplier cited as the seller of a lot is not flagged by
/// that). An entity in a country of concern that no flag of a finding marks
/// is marked `country_of_concern`, so a lot or entity diagram shows where the
/// goods reached such a country; a finding's own flag always wins over it.
pub fn marks(case: &Case, policy: &Policy, findings: &[Finding], drawn: &[EntityId]) -> BTreeMap<EntityId, Mark> {
    let drawn: BTreeSet<EntityId> = drawn.iter().copied().collect();
    let mut out: BTreeMap<EntityId, Mark> = BTreeMap::new();
    for f in findings {
        for flag in &f.flags {
            let e = flag.subject;
            if !drawn.contains(&e) {
                continue;
            }
            let m = Mark {
                rule: flag.rule.to_string(),
                weight: flag.weight.unwrap_or_else(|| policy.weight(flag.rule)),
                detail: flag.detail.to_string(),
            };
            let stronger = match out.get(&e) {
                None => true,
                Some(old) => m.weight > old.weight || (m.weight == old.weight && m.rule < old.rule),
            };
            if stronger {
                out.insert(e, m);
            }
        }
    }
    for &e in &drawn {
        let ent = case.entity(e);
        if policy.is_country_of_concern(ent.country) {
            out.entry(e).or_insert_with(|| Mark {
                rule: "country_of_concern".to_string(),
                weight: policy.weight("country_of_concern"),
                detail: format!("{} sits in {}, a country of concern under the policy", ent.id, ent.country),
            });
        }
    }
    out
}

/// Fills the diagram's per-entity and per-record flags and findings from
/// `findings`: a flag marks its subject, and every drawn record its evidence
/// cites; a finding marks its terminal, its flags' subjects and its route.
///
/// # Complexity
/// O(P + F·G·V·log) for P drawn records and F findings of G flags of V evidence keys.
pub fn annotate(case: &Case, findings: &[Finding], d: &mut Diagram) {
    let drawn_entities: BTreeSet<EntityId> = d.entities.iter().copied().collect();
    let by_id: HashMap<&str, RecordId> = d.records.iter().map(|&r| (case.record_id(r), r)).collect();
    for f in findings {
        let mut touched = false;
        for fl in &f.flags {
            if drawn_entities.contains(&fl.subject) {
                d.entity_flags.entry(fl.subject).or_default().insert(fl.rule.to_string());
                d.entity_findings.entry(fl.subject).or_default().insert(f.id.clone());
                touched = true;
            }
            for k in fl.evidence.iter() {
                if let Some(&r) = by_id.get(k.as_str()) {
                    d.record_flags.entry(r).or_default().insert(fl.rule.to_string());
                    d.record_findings.entry(r).or_default().insert(f.id.clone());
                    touched = true;
                }
            }
        }
        for &r in &f.path {
            if by_id.contains_key(case.record_id(r)) {
                d.record_findings.entry(r).or_default().insert(f.id.clone());
                touched = true;
            }
        }
        if touched && drawn_entities.contains(&f.terminal) {
            d.entity_findings.entry(f.terminal).or_default().insert(f.id.clone());
        }
    }
}

/// The date each entity first appears in the diagram's records.
///
/// # Complexity
/// O(P log E) for P drawn records and E drawn entities.
pub fn first_dates(case: &Case, d: &Diagram) -> BTreeMap<EntityId, Timestamp> {
    let mut out: BTreeMap<EntityId, Timestamp> = BTreeMap::new();
    for &r in &d.records {
        let rec = &case.records[r as usize];
        for e in [rec.from, rec.to] {
            out.entry(e).and_modify(|t| *t = (*t).min(rec.date)).or_insert(rec.date);
        }
    }
    out
}

/// When each drawn entity is active: the days of its drawn records (a lease
/// from its start to its end), runs that overlap merged, in time order; the
/// spells of a dynamic GEXF node.
///
/// # Complexity
/// O(P log P) for P drawn records.
pub fn spells(case: &Case, d: &Diagram) -> BTreeMap<EntityId, Vec<(chrono::NaiveDate, chrono::NaiveDate)>> {
    let mut raw: BTreeMap<EntityId, Vec<(chrono::NaiveDate, chrono::NaiveDate)>> = BTreeMap::new();
    for &r in &d.records {
        let rec = &case.records[r as usize];
        let start = rec.date.date();
        let end = case.records.end_date(r).map_or(start, |t| t.date()).max(start);
        for e in [rec.from, rec.to] {
            raw.entry(e).or_default().push((start, end));
        }
    }
    for v in raw.values_mut() {
        v.sort();
        let mut merged: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = Vec::with_capacity(v.len());
        for &(a, b) in v.iter() {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *v = merged;
    }
    raw
}
