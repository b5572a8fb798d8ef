//! Findings: a route that plausibly ends with a restricted end user, its
//! flags and evidence, score and severity, and their JSON form (SPEC §3).

use crate::model::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt;

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

/// One red flag on a route, with what it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    /// A rule id of SPEC §3.
    pub rule: &'static str,
    /// One sentence an investigator can check.
    pub detail: String,
    /// Entity ids, record ids and list entries (`list:<list>:<entry>`) behind the flag.
    pub evidence: Vec<String>,
}

/// A route to a terminal, with its flags.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `F-` and a hash of the terminal, the lot or flow and the route: stable for the same input.
    pub id: String,
    pub score: f64,
    pub severity: Severity,
    /// Where the route ends: the last holder, or the lessee of a lease.
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
    /// Records from the origin to the terminal, in time order.
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
    /// Findings before `--min-severity` and `--top` were applied.
    pub findings_total: usize,
    /// Records of products the product table does not know: they were not
    /// checked against export controls (each is a warning in `validate`).
    pub records_unknown_product: usize,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
    /// Wall time of each stage, for `--timings` and benchmarks (never in the JSON:
    /// output must not change from run to run).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Finding {
    /// The finding as SPEC §3 prints it (extended with `plausibility` and names).
    pub fn to_json(&self, case: &Case) -> Value {
        let t = case.entity(self.terminal);
        json!({
            "id": self.id,
            "score": round3(self.score),
            "severity": self.severity,
            "terminal": {"id": t.id, "name": t.name, "country": t.country, "kind": t.kind},
            "product": case.s(self.product),
            "quantity": self.quantity,
            "lot": self.lot.map(|l| case.s(l)),
            "inferred": self.inferred,
            "plausibility": round3(self.plausibility),
            "path": self.path.iter().map(|&ri| step_json(case, ri)).collect::<Vec<_>>(),
            "flags": self.flags,
        })
    }
}

/// One record of a route as JSON.
pub fn step_json(case: &Case, ri: RecordId) -> Value {
    let r = &case.records[ri as usize];
    json!({
        "record": case.s(r.id),
        "kind": r.kind,
        "from": case.entity(r.from).id,
        "to": case.entity(r.to).id,
        "date": r.date,
        "quantity": r.quantity,
        "lot": r.lot.map(|l| case.s(l)),
    })
}

/// Scores print with three decimals so that output is byte-stable.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl ScanReport {
    /// The whole report as SPEC §3 prints it. Serialising this view builds one
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
            seq.serialize_element(&f.to_json(self.0))?;
        }
        seq.end()
    }
}

impl Serialize for ReportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("case", &self.case.root.display().to_string())?;
        m.serialize_entry("findings", &FindingsJson(self.case, &self.report.findings))?;
        m.serialize_entry("stats", &self.report.stats)?;
        m.end()
    }
}
