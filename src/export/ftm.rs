//! FollowTheMoney entities (docs/spec.md §5.4), one JSON object a line, for Aleph,
//! OpenSanctions tooling and `ftm` (`ftm validate`, `ftm export-gexf`).
//!
//! - Entities: a person is a `Person`, a party of unknown kind a
//!   `LegalEntity`, every other kind a `Company` (its kind in
//!   `classification`); name, aliases, country, address, incorporation date.
//!   Flags that name an entity add FtM topics (`export.control` for a listed
//!   party, `export.control.linked` for one owned by listed parties,
//!   `corp.shell` for shell indicators, `export.risk` otherwise) and a note.
//! - Records: a sale is a `Payment` (the buyer pays the seller; the value in
//!   `amountUsd`, the goods in `purpose`); a shipment, install or lease an
//!   `UnknownLink` from sender to receiver with the goods in `role`, the lease's
//!   dates in `startDate`/`endDate`. Each carries the record id in `recordId`.
//! - Relations: `owns` an `Ownership` with `percentage`, `director` and
//!   `officer` a `Directorship`, `controls` an `UnknownLink` with role `controls`.
//! - Findings: a `Risk` on the terminal (or subject) with the finding id in
//!   `recordId`, severity and score in `summary`, every flag in `description`.
//!
//! Ids are `ct-` and a hash of what they stand for, so the same case gives the
//! same ids, and a data value never becomes an id. Every entity names
//! `chiptrace` and the dataset fingerprint in `publisher`.

use super::{Export, ExportError, Exporter};
use crate::model::*;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The FollowTheMoney exporter.
pub struct Ftm;

impl Exporter for Ftm {
    fn name(&self) -> &'static str {
        "ftm"
    }
    fn extension(&self) -> &'static str {
        "ftm.json"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        let mut out = Vec::new();
        for e in entities(x) {
            serde_json::to_writer(&mut out, &e)
                .map_err(|e| ExportError::Encode { format: super::Format::Ftm, message: e.to_string() })?;
            out.push(b'\n');
        }
        Ok(out)
    }
}

/// A stable FtM id for a thing of `kind` known by `key`.
pub fn ftm_id(kind: &str, key: &str) -> String {
    let h = Sha256::digest(format!("{kind}\u{1f}{key}").as_bytes());
    let hex: String = h.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("ct-{kind}-{hex}")
}

/// Properties under construction: each a list of values, empty ones left out.
#[derive(Default)]
struct Props(BTreeMap<&'static str, Vec<String>>);

impl Props {
    fn add(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        let v: String = value.into();
        let v = v.trim().to_string();
        if !v.is_empty() {
            let list = self.0.entry(key).or_default();
            if !list.contains(&v) {
                list.push(v);
            }
        }
        self
    }

    fn entity(self, id: String, schema: &str) -> Value {
        let mut props = Map::new();
        for (k, v) in self.0 {
            props.insert(k.to_string(), json!(v));
        }
        json!({"id": id, "schema": schema, "properties": props})
    }
}

/// FtM countries are lower-case ISO codes.
fn country(c: Country) -> String {
    c.as_str().to_ascii_lowercase()
}

/// The topic a flag gives the entity it names.
fn topic(rule: &str) -> &'static str {
    match rule {
        "listed_party" => "export.control",
        "listed_affiliate" => "export.control.linked",
        "shell_indicators" => "corp.shell",
        _ => "export.risk",
    }
}

/// The schema of an entity kind.
fn schema(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Unknown => "LegalEntity",
        _ => "Company",
    }
}

/// Every FtM entity of an export, in a fixed order: parties, records,
/// relations, findings.
///
/// # Complexity
/// O(E + R + L + F·G) for the drawn entities, records and relations and the
/// findings' flags.
pub fn entities(x: &Export) -> Vec<Value> {
    let case = x.case;
    let d = &x.diagram;
    let publisher = format!("chiptrace {} (dataset {})", env!("CARGO_PKG_VERSION"), case.fingerprint());
    let eid = |e: EntityId| ftm_id("entity", &case.entity(e).id);
    // Topics and notes per entity, from the findings' flags and the diagram's marks.
    let mut topics: BTreeMap<EntityId, BTreeSet<&'static str>> = BTreeMap::new();
    let mut notes: BTreeMap<EntityId, BTreeSet<String>> = BTreeMap::new();
    for v in &x.findings {
        for fl in &v.finding.flags {
            topics.entry(fl.subject).or_default().insert(topic(fl.rule));
            notes.entry(fl.subject).or_default().insert(format!("{}: {}", fl.rule, fl.detail));
        }
    }
    for (&e, m) in &d.marks {
        topics.entry(e).or_default().insert(topic(&m.rule));
        notes.entry(e).or_default().insert(format!("{}: {}", m.rule, m.detail));
    }
    // Every entity a finding or flag names is in the file, so references resolve.
    let mut drawn: Vec<EntityId> = d.entities.clone();
    let mut have: BTreeSet<EntityId> = drawn.iter().copied().collect();
    for v in &x.findings {
        for e in std::iter::once(v.finding.terminal).chain(v.finding.flags.iter().map(|f| f.subject)) {
            if have.insert(e) {
                drawn.push(e);
            }
        }
    }
    let mut out = Vec::new();
    for &e in &drawn {
        let ent = case.entity(e);
        let mut p = Props::default();
        p.add("name", ent.name.as_str()).add("country", country(ent.country)).add("publisher", publisher.as_str());
        for a in &ent.aliases {
            p.add("alias", a.as_str());
        }
        if ent.kind != EntityKind::Person {
            p.add("classification", ent.kind.as_str());
        }
        if let Some(a) = &ent.address {
            p.add("address", a.as_str());
        }
        if let Some(t) = ent.incorporated {
            p.add(if ent.kind == EntityKind::Person { "birthDate" } else { "incorporationDate" }, t.date().to_string());
        }
        for t in topics.get(&e).into_iter().flatten() {
            p.add("topics", *t);
        }
        for n in notes.get(&e).into_iter().flatten() {
            p.add("notes", n.as_str());
        }
        p.add("description", format!("chiptrace entity {}", ent.id));
        out.push(p.entity(eid(e), schema(ent.kind)));
    }
    let mut drawn_records: Vec<RecordId> = d.records.clone();
    let mut seen: BTreeSet<RecordId> = drawn_records.iter().copied().collect();
    for v in &x.findings {
        for &r in &v.finding.path {
            if seen.insert(r) {
                drawn_records.push(r);
            }
        }
    }
    for &ri in &drawn_records {
        let r = &case.records[ri as usize];
        let rid = case.s(r.id);
        let mut goods = format!("{} {} \u{d7} {}", r.kind, case.s(r.product), r.quantity);
        if let Some(l) = r.lot {
            goods.push_str(&format!(", lot {}", case.s(l)));
        }
        let mut p = Props::default();
        p.add("recordId", rid).add("date", r.date.date().to_string()).add("publisher", publisher.as_str());
        if let Some(s) = case.records.source(ri) {
            p.add("summary", format!("source: {}", case.s(s)));
        }
        p.add("description", format!("chiptrace record {rid}: {goods}"));
        let (schema, from_key, to_key, what_key) = match r.kind {
            // The buyer pays the seller: payer is the receiver of the goods.
            RecordKind::Sale => ("Payment", "beneficiary", "payer", "purpose"),
            _ => ("UnknownLink", "subject", "object", "role"),
        };
        p.add(from_key, eid(r.from)).add(to_key, eid(r.to)).add(what_key, goods.as_str());
        if r.kind == RecordKind::Sale {
            if let Some(v) = case.records.value_usd(ri).filter(|v| v.is_finite()) {
                p.add("amountUsd", format!("{v}")).add("amount", format!("{v}")).add("currency", "USD");
            }
            if let Some(pay) = r.payment {
                p.add("programme", format!("paid by {pay}"));
            }
        }
        if r.kind == RecordKind::Lease {
            p.add("startDate", r.date.date().to_string());
            if let Some(end) = case.records.end_date(ri) {
                p.add("endDate", end.date().to_string());
            }
        }
        out.push(p.entity(ftm_id("record", rid), schema));
    }
    for &li in &d.relations {
        let rel = &case.relations[li as usize];
        let key = format!("{}|{}|{}|{}", rel.kind, case.entity(rel.from).id, case.entity(rel.to).id, rel.line);
        let mut p = Props::default();
        p.add("publisher", publisher.as_str());
        if let Some(t) = rel.since {
            p.add("startDate", t.date().to_string());
        }
        if let Some(t) = rel.until {
            p.add("endDate", t.date().to_string());
        }
        let schema = match rel.kind {
            RelationKind::Owns => {
                p.add("owner", eid(rel.from)).add("asset", eid(rel.to));
                if let Some(s) = rel.share.filter(|s| s.is_finite()) {
                    p.add("percentage", format!("{s}"));
                }
                "Ownership"
            }
            RelationKind::Director | RelationKind::Officer => {
                p.add("director", eid(rel.from)).add("organization", eid(rel.to)).add("role", rel.kind.as_str());
                "Directorship"
            }
            RelationKind::Controls => {
                p.add("subject", eid(rel.from)).add("object", eid(rel.to)).add("role", "controls");
                "UnknownLink"
            }
        };
        out.push(p.entity(ftm_id("relation", &key), schema));
    }
    for v in &x.findings {
        let f = v.finding;
        let mut p = Props::default();
        let rules: Vec<&str> = f.flags.iter().map(|fl| fl.rule).collect::<BTreeSet<_>>().into_iter().collect();
        p.add("entity", eid(f.terminal))
            .add("recordId", f.id.as_str())
            .add("publisher", publisher.as_str())
            .add("topics", "export.risk")
            .add(
                "summary",
                format!(
                    "chiptrace finding {} ({}): {} {:.2}, {} \u{d7} {}; flags {}",
                    f.id,
                    f.kind.as_str(),
                    f.severity,
                    f.score,
                    case.s(f.product),
                    f.quantity,
                    rules.join(", ")
                ),
            );
        if let Some(last) = f.path.iter().map(|&r| case.records[r as usize].date).max() {
            p.add("date", last.date().to_string());
        }
        for fl in &f.flags {
            p.add("description", format!("{} [{}]: {}", fl.rule, case.entity(fl.subject).id, fl.detail));
            if fl.rule == "listed_party" || fl.rule == "listed_affiliate" {
                p.add("topics", topic(fl.rule));
            }
        }
        out.push(p.entity(ftm_id("finding", &f.id), "Risk"));
    }
    out
}
