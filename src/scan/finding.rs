//! Findings: a route that plausibly ends with a restricted end user, or a
//! risk that belongs to one party (docs/spec.md §5.1); their flags and evidence,
//! score and severity, and their JSON form (docs/spec.md §3, §5.1).

use crate::analysis::routes;
use crate::model::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt;
use std::sync::Arc;

/// How urgent a finding is, from its score and the policy's cut-offs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One red flag, with whom it is about and what it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    /// A rule id of docs/spec.md §3 or §5.1.
    pub rule: &'static str,
    /// The entity the flag is about (docs/spec.md §5.1): the terminal, an
    /// intermediary, a lessor, a site, an owner.
    pub subject: EntityId,
    /// One sentence an investigator can check. Shared: a rule that meets
    /// the same party on many routes renders the sentence once and hands
    /// out the same text (cloning a flag copies no text).
    pub detail: Arc<str>,
    /// Entity ids, record ids and list entries (`list:<list>:<entry>`) behind the flag.
    pub evidence: Arc<[String]>,
    /// The weight the flag counts with, where it differs from its rule's
    /// (a listing that came after the trade, stock whose state is unknown).
    pub weight: Option<f64>,
}

impl Flag {
    pub fn new(
        rule: &'static str,
        subject: EntityId,
        detail: impl Into<Arc<str>>,
        evidence: impl Into<Arc<[String]>>,
    ) -> Flag {
        Flag { rule, subject, detail: detail.into(), evidence: evidence.into(), weight: None }
    }

    /// The same flag counted with `w` instead of its rule's weight.
    pub fn weighted(mut self, w: f64) -> Flag {
        self.weight = Some(w);
        self
    }

    /// The flag as JSON: `rule`, `subject` (an entity id), `detail`, `evidence`,
    /// and `weight` only where it differs from the rule's.
    pub fn to_json(&self, case: &Case) -> Value {
        serde_json::to_value(FlagJson(case, self)).unwrap_or(Value::Null)
    }
}

/// A flag serialised straight to a writer, keys in the order a
/// `serde_json::Value` object prints them (sorted), so the bytes are those
/// of [`Flag::to_json`].
struct FlagJson<'a>(&'a Case, &'a Flag);

impl Serialize for FlagJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (case, f) = (self.0, self.1);
        let mut m = s.serialize_map(Some(4 + f.weight.is_some() as usize))?;
        m.serialize_entry("detail", &*f.detail)?;
        m.serialize_entry("evidence", &*f.evidence)?;
        m.serialize_entry("rule", f.rule)?;
        m.serialize_entry("subject", &case.entity(f.subject).id)?;
        if let Some(w) = f.weight {
            m.serialize_entry("weight", &round3(w))?;
        }
        m.end()
    }
}

/// What a finding is about (docs/spec.md §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A route that plausibly ends with a restricted end user, judged by its terminal.
    Route,
    /// A risk that belongs to one party: stock in boxes, units with no
    /// source, a shell, ties to a country of concern.
    Entity,
}

impl FindingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::Route => "route",
            FindingKind::Entity => "entity",
        }
    }
}

/// A route to a terminal, or one party's risk, with its flags.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `F-` and a hash of the kind, the terminal or subject, the lot or
    /// product and the records: stable for the same input.
    pub id: String,
    pub score: f64,
    pub severity: Severity,
    pub kind: FindingKind,
    /// Whom the finding is about: where a route ends (the last holder, or
    /// the lessee of a lease), or the subject of an entity finding.
    pub terminal: EntityId,
    pub product: Sym,
    /// Units that reached the terminal.
    pub quantity: u32,
    /// The lot followed; None where the route was inferred without lots.
    pub lot: Option<Sym>,
    /// True when at least one step was inferred from time, product and quantity.
    pub inferred: bool,
    /// How plausible the inferred steps are, 0..1 (1 for a route followed by lot).
    pub plausibility: f64,
    /// Records from the origin to the terminal, in time order; for an entity
    /// finding, the records its flags rest on, in time order.
    pub path: Vec<RecordId>,
    /// Flags, sorted by weight (strongest first), then rule id.
    pub flags: Vec<Flag>,
}

/// Counts that tell how much was searched and whether a bound cut it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanStats {
    pub records: usize,
    pub entities: usize,
    pub routes_examined: u64,
    pub truncated: bool,
    /// When `truncated`: which bound cut where, one line per bound (the
    /// policy key and value, how many routes it cut, the first of them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub truncated_by: Vec<String>,
    /// Findings before `--min-severity` and `--top` were applied.
    pub findings_total: usize,
    /// Records of products the product table does not know: they were not
    /// checked against export controls (each is a warning in `validate`).
    pub records_unknown_product: usize,
    /// The screening against the case's lists: names compared and the
    /// bounds that cut it (its bound notes are in `truncated_by` and the
    /// report's notes too).
    pub screening: crate::screen::ScreenStats,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
    /// What a reader must know to read the findings right (no screening
    /// lists, products that could not be checked), one sentence each.
    pub notes: Vec<String>,
    /// Warnings the readers reported while reading the case (set by the caller that read it).
    pub diagnostics: usize,
    /// SHA-256 of the policy in force, as canonical JSON.
    pub policy_sha256: String,
    /// Wall time of each stage, for `--timings` and benchmarks (never in the JSON:
    /// output must not change from run to run).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Finding {
    /// Whom the finding is about: the terminal of a route, the subject of an entity finding.
    pub fn subject(&self) -> EntityId {
        self.terminal
    }

    /// The finding as docs/spec.md §3 and §5.1 print it (extended with `plausibility`
    /// and the entity's kind). A route finding has `terminal`, `lot`,
    /// `inferred`, `plausibility` and `path`; an entity finding has `subject`
    /// and `records` instead.
    pub fn to_json(&self, case: &Case) -> Value {
        serde_json::to_value(self.json(case)).unwrap_or(Value::Null)
    }

    /// The finding of [`Finding::to_json`] as a view that serialises
    /// straight to a writer, rendering each value as it is written (no
    /// `Value` tree is built): the same bytes.
    pub fn json<'a>(&'a self, case: &'a Case) -> FindingJson<'a> {
        FindingJson { case, finding: self }
    }
}

/// A serialisable view of a finding (see [`Finding::json`]). Keys go out in
/// the order a `serde_json::Value` object prints them (sorted).
pub struct FindingJson<'a> {
    case: &'a Case,
    finding: &'a Finding,
}

/// An entity as a finding names it: id, name, country, kind.
struct WhoJson<'a>(&'a Entity);

impl Serialize for WhoJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let t = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("country", &t.country)?;
        m.serialize_entry("id", &t.id)?;
        m.serialize_entry("kind", &t.kind)?;
        m.serialize_entry("name", &t.name)?;
        m.end()
    }
}

/// A path record as [`Case::record_json`] prints it without the product.
struct StepJson<'a>(&'a Case, RecordId);

impl Serialize for StepJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let case = self.0;
        let r = &case.records[self.1 as usize];
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("date", &r.date)?;
        m.serialize_entry("from", &case.entity(r.from).id)?;
        m.serialize_entry("kind", &r.kind)?;
        m.serialize_entry("lot", &r.lot.map(|l| case.s(l)))?;
        m.serialize_entry("quantity", &r.quantity)?;
        m.serialize_entry("record", case.s(r.id))?;
        m.serialize_entry("to", &case.entity(r.to).id)?;
        m.end()
    }
}

/// A link of an inferred route that no lot ties.
struct LinkJson<'a>(&'a Case, &'a routes::InferredLink);

impl Serialize for LinkJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (case, l) = (self.0, self.1);
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("days", &round3(l.days))?;
        m.serialize_entry("from_record", case.record_id(l.prev))?;
        m.serialize_entry("plausibility", &round3(l.plausibility))?;
        m.serialize_entry("quantity", &case.records[l.next as usize].quantity)?;
        m.serialize_entry("received", &case.records[l.prev as usize].quantity)?;
        m.serialize_entry("record", case.record_id(l.next))?;
        m.end()
    }
}

/// A sequence serialised element by element from an iterator.
struct SeqJson<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for SeqJson<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let items = self.0.take().ok_or_else(|| serde::ser::Error::custom("a sequence serialised twice"))?;
        let mut seq = s.serialize_seq(None)?;
        for x in items {
            seq.serialize_element(&x)?;
        }
        seq.end()
    }
}

fn seq<I: Iterator>(items: I) -> SeqJson<I> {
    SeqJson(std::cell::Cell::new(Some(items)))
}

impl Serialize for FindingJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (case, f) = (self.case, self.finding);
        let who = WhoJson(case.entity(f.terminal));
        let flags = seq(f.flags.iter().map(|fl| FlagJson(case, fl)));
        match f.kind {
            FindingKind::Route => {
                let mut m = s.serialize_map(Some(if f.inferred { 14 } else { 12 }))?;
                m.serialize_entry("flags", &flags)?;
                m.serialize_entry("id", &f.id)?;
                m.serialize_entry("inferred", &f.inferred)?;
                // An inferred route says why (an extension of the contract's
                // keys, present only where `inferred` is true): each link no
                // lot ties and what its plausibility rests on.
                if f.inferred {
                    let links = routes::inferred_links(case, &f.path);
                    m.serialize_entry("inferred_links", &seq(links.iter().map(|l| LinkJson(case, l))))?;
                    m.serialize_entry("inferred_reason", &routes::inferred_reason(case, &f.path, f.plausibility))?;
                }
                m.serialize_entry("kind", &f.kind)?;
                m.serialize_entry("lot", &f.lot.map(|l| case.s(l)))?;
                m.serialize_entry("path", &seq(f.path.iter().map(|&ri| StepJson(case, ri))))?;
                m.serialize_entry("plausibility", &round3(f.plausibility))?;
                m.serialize_entry("product", case.s(f.product))?;
                m.serialize_entry("quantity", &f.quantity)?;
                m.serialize_entry("score", &round3(f.score))?;
                m.serialize_entry("severity", &f.severity)?;
                m.serialize_entry("terminal", &who)?;
                m.end()
            }
            FindingKind::Entity => {
                let mut m = s.serialize_map(Some(9))?;
                m.serialize_entry("flags", &flags)?;
                m.serialize_entry("id", &f.id)?;
                m.serialize_entry("kind", &f.kind)?;
                m.serialize_entry("product", case.s(f.product))?;
                m.serialize_entry("quantity", &f.quantity)?;
                m.serialize_entry("records", &seq(f.path.iter().map(|&ri| case.record_id(ri))))?;
                m.serialize_entry("score", &round3(f.score))?;
                m.serialize_entry("severity", &f.severity)?;
                m.serialize_entry("subject", &who)?;
                m.end()
            }
        }
    }
}

/// Scores print with three decimals so that output is byte-stable.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl ScanReport {
    /// The whole report as docs/spec.md §3 prints it. Serialising this view builds one
    /// finding's JSON at a time, so a million-record scan does not hold the
    /// whole document in memory.
    pub fn json<'a>(&'a self, case: &'a Case) -> ReportJson<'a> {
        ReportJson { case, report: self }
    }

    /// The whole report as a JSON value (small reports, tests).
    pub fn to_json(&self, case: &Case) -> Value {
        serde_json::to_value(self.json(case)).unwrap_or(Value::Null)
    }
}

/// A serialisable view of a report (see [`ScanReport::json`]).
pub struct ReportJson<'a> {
    case: &'a Case,
    report: &'a ScanReport,
}

struct FindingsJson<'a>(&'a Case, &'a [Finding]);

impl Serialize for FindingsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for f in self.1 {
            seq.serialize_element(&f.json(self.0))?;
        }
        seq.end()
    }
}

/// Version of the JSON report's shape (docs/spec.md §5.1).
pub const SCHEMA_VERSION: u32 = 2;

/// The files the case was read from, each with its hash and the rows it held
/// (rows read plus rows rejected; none for a policy file).
pub fn dataset_json(case: &Case) -> Value {
    let st = &case.stats;
    let base = |p: &str| p.split('.').next().unwrap_or(p).to_string();
    let files: Vec<Value> = case
        .files
        .iter()
        .map(|f| {
            let (path, rows) = match base(&f.path).as_str() {
                "entities" => (f.path.clone(), Some(st.entities_read + st.entities_rejected)),
                "records" => (f.path.clone(), Some(st.records_read + st.records_rejected)),
                // A shard of a sharded case (docs/spec.md §5.5): its own rows.
                _ if crate::read::shards::parse_shard_name(crate::read::compressed::split_name(&f.path).0)
                    .is_some() =>
                {
                    let own = case
                        .record_files
                        .iter()
                        .find(|r| std::path::Path::new(&r.1).file_name().is_some_and(|n| n == f.path.as_str()));
                    (f.path.clone(), own.map(|r| r.2))
                }
                "relations" => (f.path.clone(), Some(st.relations_read + st.relations_rejected)),
                // A policy file, or the policy read from standard input (`--policy -`).
                _ if f.path.ends_with(".toml") || f.path == "<stdin>" => (f.path.clone(), None),
                _ => {
                    let n = case
                        .lists
                        .iter()
                        .filter(|l| std::path::Path::new(&l.file).file_name().is_some_and(|n| n == f.path.as_str()))
                        .count();
                    (format!("lists/{}", f.path), Some(n))
                }
            };
            json!({"path": path, "sha256": f.sha256, "rows": rows})
        })
        .collect();
    json!({ "files": files })
}

impl Serialize for ReportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.report;
        let mut m = s.serialize_map(Some(9))?;
        m.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        m.serialize_entry("chiptrace_version", env!("CARGO_PKG_VERSION"))?;
        m.serialize_entry("case", &self.case.root.display().to_string())?;
        m.serialize_entry("dataset", &dataset_json(self.case))?;
        m.serialize_entry("policy_sha256", &r.policy_sha256)?;
        m.serialize_entry(
            "warnings",
            &json!({"count": r.diagnostics + r.notes.len(), "diagnostics": r.diagnostics, "notes": r.notes}),
        )?;
        m.serialize_entry("findings", &FindingsJson(self.case, &self.report.findings))?;
        m.serialize_entry("stats", &self.report.stats)?;
        m.end()
    }
}
