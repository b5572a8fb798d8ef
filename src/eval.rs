//! `eval`: precision and recall of the scan's findings against the truth
//! planted by `generate` (docs/spec.md §2).
//!
//! How findings are counted, precisely:
//! - **Positives** are the findings at or above `min_severity` (default
//!   `medium`); lower findings are leads, not alerts, and count neither way.
//! - A finding **matches** a planted scheme (or decoy) when its terminal is the
//!   scheme's terminal and its route covers the scheme: the finding's path
//!   contains at least one of the scheme's records, or the finding's lot is the
//!   scheme's lot or the lot of one of its records.
//! - A positive that matches no scheme but whose route ends with one of a
//!   scheme's records is **related**: it reports a planted scheme from another
//!   end (the colocation site where a scheme's units were shipped, say, rather
//!   than the lessee). It counts as correct for precision, not for recall.
//! - **Precision** = positives that match or are related to a scheme / all
//!   positives. A positive on a decoy, or on anything else unplanted, is a
//!   false positive.
//! - **Recall** = schemes matched by at least one positive / schemes planted.
//! - **Per scheme type**: `planted` and `found` count schemes of that type;
//!   `recall` = found / planted; `precision` = of the positives that carry the
//!   type's signature rule (see [`signature_rule`]), the share that match some
//!   scheme: how far that rule can be trusted when it fires.
//! - A ratio with nothing to divide by is 0 (as scikit-learn's `zero_division=0`).
//! - **Bands**: the same precision and recall with the positives taken as
//!   the `high` findings, and as the `medium+` ones, whatever `min_severity`;
//!   `benign_high` counts the distinct terminals of `high` findings that match
//!   no scheme (decoys and the lawful background), and `benign_high_rules`
//!   the rules on those findings, so a false high names the rule behind it.
//! - `unmatched` lists the 20 highest-scoring positives that match no scheme,
//!   naming the decoy they hit, if any; `missed` lists the schemes no positive
//!   matched, with the best finding below the threshold that did, if any.

use crate::generate::Truth;
use crate::model::{Case, EntityId, RecordId, Sym};
use crate::scan::{Finding, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How to count.
#[derive(Clone, Copy, Debug)]
pub struct EvalConfig {
    /// Findings at or above this severity are the positives.
    pub min_severity: Severity,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig { min_severity: Severity::Medium }
    }
}

/// The rule whose firing is characteristic of a scheme type.
pub fn signature_rule(scheme_type: &str) -> Option<&'static str> {
    Some(match scheme_type {
        "hub_remote_access" | "domestic_cloud_lease" => "remote_access",
        "undeployed_datacentre" => "undeployed_inventory",
        "listed_subsidiary" => "listed_affiliate",
        "shell_layering" => "shell_indicators",
        "end_user_mismatch" => "end_user_mismatch",
        "crypto_rapid_lease" => "crypto_payment",
        "phantom_quantity" => "quantity_mismatch",
        _ => return None,
    })
}

/// Scores of one scheme type.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TypeScore {
    pub precision: f64,
    pub recall: f64,
    pub planted: usize,
    pub found: usize,
    /// Schemes of the type matched by a `high` finding.
    pub found_high: usize,
}

/// Decoys of one type and how many a positive hit.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DecoyScore {
    pub planted: usize,
    pub flagged: usize,
    /// Decoys hit by a `high` finding.
    pub flagged_high: usize,
}

/// Precision and recall when the positives are the findings of one severity
/// band: `high`, or `medium+` (medium and high).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Band {
    pub precision: f64,
    pub recall: f64,
    pub positives: usize,
    pub true_positives: usize,
    pub found: usize,
    /// Distinct terminals of positives that match no scheme (decoys and the
    /// lawful background): what an investigator would open for nothing.
    pub benign_terminals: usize,
}

/// A scheme no positive matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Missed {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub terminal: String,
    pub lot: Option<String>,
    pub note: String,
    /// The highest-scoring finding below the threshold that matched it.
    pub below_threshold: Option<FindingRef>,
}

/// A finding, briefly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingRef {
    pub id: String,
    pub score: f64,
    pub severity: Severity,
    pub terminal: String,
    pub lot: Option<String>,
    pub rules: Vec<&'static str>,
    /// The decoy it hit, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoy: Option<String>,
}

/// The evaluation, in docs/spec.md §2's JSON shape (extended with counts and decoys).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Eval {
    pub precision: f64,
    pub recall: f64,
    pub by_scheme: BTreeMap<String, TypeScore>,
    pub missed: Vec<Missed>,
    pub unmatched: Vec<FindingRef>,
    pub min_severity: Option<Severity>,
    pub findings: usize,
    pub positives: usize,
    /// Positives matching a scheme, plus the related ones.
    pub true_positives: usize,
    /// Positives related to a scheme without matching it (counted in `true_positives`).
    pub related: usize,
    pub planted: usize,
    pub found: usize,
    pub decoys: BTreeMap<String, DecoyScore>,
    /// Truth entries naming a terminal or record the case does not have.
    pub unresolved: Vec<String>,
    /// The same counts by severity band, `high` and `medium+`, whatever `min_severity`.
    pub bands: BTreeMap<String, Band>,
    /// Distinct benign terminals (no scheme's) with a `high` finding.
    pub benign_high: usize,
    /// Rules on the `high` findings of benign terminals, and on how many of
    /// those findings each fired: which rules make the false highs.
    pub benign_high_rules: BTreeMap<String, usize>,
    /// Rules on the best finding below the threshold of each missed scheme,
    /// and on how many: what the scan saw of what it missed.
    pub missed_rules: BTreeMap<String, usize>,
}

/// A planted scheme resolved against the case.
struct Resolved {
    terminal: Option<EntityId>,
    records: HashSet<Sym>,
    lots: HashSet<Sym>,
}

fn resolve(case: &Case, truth: &Truth, unresolved: &mut Vec<String>) -> (Vec<Resolved>, Vec<Resolved>) {
    // One pass over the records finds the lots of every planted record.
    let mut lot_of: HashMap<Sym, Option<Sym>> = HashMap::new();
    for p in truth.schemes.iter().chain(&truth.decoys) {
        for r in &p.records {
            if let Some(s) = case.sym(r) {
                lot_of.insert(s, None);
            }
        }
    }
    for r in &case.records {
        if let Some(slot) = lot_of.get_mut(&r.id) {
            *slot = r.lot;
        }
    }
    let mut one = |p: &crate::generate::Planted| {
        let terminal = case.entity_by_key(&p.terminal);
        if terminal.is_none() {
            unresolved.push(format!("{}: terminal `{}` is not an entity of the case", p.id, p.terminal));
        }
        let mut records = HashSet::new();
        let mut lots = HashSet::new();
        for r in &p.records {
            match case.sym(r).filter(|s| lot_of.contains_key(s)) {
                Some(s) => {
                    records.insert(s);
                    if let Some(Some(l)) = lot_of.get(&s) {
                        lots.insert(*l);
                    }
                }
                None => unresolved.push(format!("{}: record `{r}` is not in the case", p.id)),
            }
        }
        if let Some(l) = p.lot.as_deref().and_then(|l| case.sym(l)) {
            lots.insert(l);
        }
        Resolved { terminal, records, lots }
    };
    let schemes = truth.schemes.iter().map(&mut one).collect();
    let decoys = truth.decoys.iter().map(&mut one).collect();
    (schemes, decoys)
}

fn matches(case: &Case, f: &Finding, p: &Resolved) -> bool {
    p.terminal == Some(f.terminal)
        && (f.lot.is_some_and(|l| p.lots.contains(&l))
            || f.path
                .iter()
                .any(|&ri: &RecordId| case.records.get(ri as usize).is_some_and(|r| p.records.contains(&r.id))))
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { crate::scan::finding::round3(a as f64 / b as f64) }
}

fn brief(case: &Case, f: &Finding, decoy: Option<String>) -> FindingRef {
    FindingRef {
        id: f.id.clone(),
        score: crate::scan::finding::round3(f.score),
        severity: f.severity,
        terminal: case.entities.get(f.terminal as usize).map(|e| e.id.clone()).unwrap_or_default(),
        lot: f.lot.map(|l| case.s(l).to_string()),
        rules: f.flags.iter().map(|fl| fl.rule).collect(),
        decoy,
    }
}

/// Scores `findings` (as the scan ranked them) against `truth`.
///
/// # Complexity
/// O(R + F x (P + S)) for R records, F findings of path length P, and S
/// schemes per terminal (usually one).
pub fn evaluate(case: &Case, truth: &Truth, findings: &[Finding], config: &EvalConfig) -> Eval {
    let mut unresolved = Vec::new();
    let (schemes, decoys) = resolve(case, truth, &mut unresolved);
    let mut by_terminal: HashMap<EntityId, Vec<usize>> = HashMap::new();
    for (i, s) in schemes.iter().enumerate() {
        if let Some(t) = s.terminal {
            by_terminal.entry(t).or_default().push(i);
        }
    }
    // Planted records, to tell a route that ends inside a scheme.
    let planted_records: HashSet<Sym> = schemes.iter().flat_map(|s| s.records.iter().copied()).collect();
    let ends_in_scheme = |f: &Finding| {
        f.path.last().and_then(|&ri| case.records.get(ri as usize)).is_some_and(|r| planted_records.contains(&r.id))
    };
    let mut decoys_by_terminal: HashMap<EntityId, Vec<usize>> = HashMap::new();
    for (i, d) in decoys.iter().enumerate() {
        if let Some(t) = d.terminal {
            decoys_by_terminal.entry(t).or_default().push(i);
        }
    }
    // Highest score first, then id, whatever order the findings came in.
    // Planted schemes end at terminals, so only route findings are matched;
    // entity findings are about the parties on the way.
    let mut order: Vec<&Finding> = findings.iter().filter(|f| f.kind == crate::scan::FindingKind::Route).collect();
    order.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));

    let mut found = vec![false; schemes.len()];
    let mut near: Vec<Option<&Finding>> = vec![None; schemes.len()];
    let mut flagged_decoys = vec![false; decoys.len()];
    let mut positives = 0;
    let mut true_positives = 0;
    let mut related = 0;
    // Per signature rule: (positives carrying it, of which matching a scheme).
    let mut by_rule: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut unmatched = Vec::new();
    for f in order {
        let hits: Vec<usize> = by_terminal
            .get(&f.terminal)
            .map(|v| v.iter().copied().filter(|&i| matches(case, f, &schemes[i])).collect())
            .unwrap_or_default();
        if f.severity < config.min_severity {
            for i in hits {
                near[i].get_or_insert(f);
            }
            continue;
        }
        positives += 1;
        let related_hit = hits.is_empty() && ends_in_scheme(f);
        related += usize::from(related_hit);
        let hit = !hits.is_empty() || related_hit;
        if hit {
            true_positives += 1;
        }
        for &i in &hits {
            found[i] = true;
        }
        let mut rules: Vec<&str> = f.flags.iter().map(|fl| fl.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        for r in rules {
            let e = by_rule.entry(r).or_default();
            e.0 += 1;
            e.1 += usize::from(hit);
        }
        if !hit {
            let decoy = decoys_by_terminal
                .get(&f.terminal)
                .and_then(|v| v.iter().copied().find(|&i| matches(case, f, &decoys[i])));
            if let Some(i) = decoy {
                flagged_decoys[i] = true;
            }
            if unmatched.len() < 20 {
                unmatched.push(brief(case, f, decoy.map(|i| truth.decoys[i].id.clone())));
            }
        }
    }

    let high = band(case, &schemes, &by_terminal, &ends_in_scheme, findings, Severity::High);
    let medium = band(case, &schemes, &by_terminal, &ends_in_scheme, findings, Severity::Medium);
    let mut by_scheme: BTreeMap<String, TypeScore> = BTreeMap::new();
    for (i, p) in truth.schemes.iter().enumerate() {
        let t = by_scheme.entry(p.kind.clone()).or_default();
        t.planted += 1;
        t.found += usize::from(found[i]);
        t.found_high += usize::from(high.found[i]);
    }
    for (kind, t) in by_scheme.iter_mut() {
        t.recall = ratio(t.found, t.planted);
        t.precision = match signature_rule(kind) {
            Some(rule) => {
                let (n, ok) = by_rule.get(rule).copied().unwrap_or_default();
                ratio(ok, n)
            }
            None => ratio(true_positives, positives),
        };
    }
    let mut decoy_scores: BTreeMap<String, DecoyScore> = BTreeMap::new();
    for (i, d) in truth.decoys.iter().enumerate() {
        let s = decoy_scores.entry(d.kind.clone()).or_default();
        s.planted += 1;
        s.flagged += usize::from(flagged_decoys[i]);
        s.flagged_high += usize::from(decoys[i].terminal.is_some_and(|t| {
            findings.iter().any(|f| {
                f.kind == crate::scan::FindingKind::Route
                    && f.severity == Severity::High
                    && f.terminal == t
                    && matches(case, f, &decoys[i])
            })
        }));
    }
    let mut missed_rules: BTreeMap<String, usize> = BTreeMap::new();
    for (i, f) in near.iter().enumerate() {
        if found[i] {
            continue;
        }
        let Some(f) = f else { continue };
        let mut rules: Vec<&str> = f.flags.iter().map(|fl| fl.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        for r in rules {
            *missed_rules.entry(r.to_string()).or_default() += 1;
        }
    }
    let missed = truth
        .schemes
        .iter()
        .enumerate()
        .filter(|(i, _)| !found[*i])
        .map(|(i, p)| Missed {
            id: p.id.clone(),
            kind: p.kind.clone(),
            terminal: p.terminal.clone(),
            lot: p.lot.clone(),
            note: p.note.clone(),
            below_threshold: near[i].map(|f| brief(case, f, None)),
        })
        .collect();
    let found_n = found.iter().filter(|&&b| b).count();
    Eval {
        precision: ratio(true_positives, positives),
        recall: ratio(found_n, schemes.len()),
        by_scheme,
        missed,
        unmatched,
        min_severity: Some(config.min_severity),
        findings: findings.iter().filter(|f| f.kind == crate::scan::FindingKind::Route).count(),
        positives,
        true_positives,
        related,
        planted: schemes.len(),
        found: found_n,
        decoys: decoy_scores,
        unresolved,
        benign_high: high.band.benign_terminals,
        benign_high_rules: high.benign_rules,
        bands: [("high".to_string(), high.band), ("medium+".to_string(), medium.band)].into_iter().collect(),
        missed_rules,
    }
}

/// One band's counts, which schemes it found, and the rules on its benign positives.
struct BandCount {
    band: Band,
    found: Vec<bool>,
    benign_rules: BTreeMap<String, usize>,
}

/// Counts the route findings at or above `min` as positives, as [`evaluate`] does.
fn band(
    case: &Case,
    schemes: &[Resolved],
    by_terminal: &HashMap<EntityId, Vec<usize>>,
    ends_in_scheme: &dyn Fn(&Finding) -> bool,
    findings: &[Finding],
    min: Severity,
) -> BandCount {
    let mut found = vec![false; schemes.len()];
    let (mut positives, mut tp) = (0, 0);
    let mut benign: HashSet<EntityId> = HashSet::new();
    let mut benign_rules: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.kind == crate::scan::FindingKind::Route && f.severity >= min) {
        positives += 1;
        let mut hit = false;
        for &i in by_terminal.get(&f.terminal).map(Vec::as_slice).unwrap_or(&[]) {
            if matches(case, f, &schemes[i]) {
                found[i] = true;
                hit = true;
            }
        }
        if hit || ends_in_scheme(f) {
            tp += 1;
            continue;
        }
        benign.insert(f.terminal);
        let mut rules: Vec<&str> = f.flags.iter().map(|fl| fl.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        for r in rules {
            *benign_rules.entry(r.to_string()).or_default() += 1;
        }
    }
    let n_found = found.iter().filter(|&&b| b).count();
    BandCount {
        band: Band {
            precision: ratio(tp, positives),
            recall: ratio(n_found, schemes.len()),
            positives,
            true_positives: tp,
            found: n_found,
            benign_terminals: benign.len(),
        },
        found,
        benign_rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Planted;
    use crate::model::{EntityKind, Record, Timestamp};
    use crate::scan::Flag;

    /// A case of four entities and records R1..R4 (R1, R2 of lot L1; R3, R4 without lots).
    fn case() -> Case {
        let mut c = Case::default();
        for id in ["E1", "E2", "E3", "E4"] {
            c.entity_index.insert(id.into(), c.entities.len() as EntityId);
            c.entities.push(crate::model::Entity::new(
                id,
                id,
                EntityKind::EndUser,
                crate::model::Country::from_code(b"CN"),
            ));
        }
        for (i, lot) in [Some("L1"), Some("L1"), None, None].into_iter().enumerate() {
            let id = c.strings.intern(&format!("R{}", i + 1));
            let product = c.strings.intern("H100");
            let lot = lot.map(|l| c.strings.intern(l));
            c.records.push(
                Record { lot, ..Record::sale(id, Timestamp(0), 0, (i as u32 % 3) + 1, product, 8, i as u64 + 2) },
                crate::model::RecordExtras::default(),
            );
        }
        c
    }

    fn planted(id: &str, kind: &str, terminal: &str, records: &[&str], lot: Option<&str>) -> Planted {
        Planted {
            id: id.into(),
            kind: kind.into(),
            terminal: terminal.into(),
            records: records.iter().map(|s| s.to_string()).collect(),
            lot: lot.map(String::from),
            note: String::new(),
        }
    }

    fn finding(
        case: &Case,
        id: &str,
        terminal: EntityId,
        lot: Option<&str>,
        path: &[RecordId],
        sev: Severity,
        rules: &[&'static str],
    ) -> Finding {
        Finding {
            id: id.into(),
            score: match sev {
                Severity::High => 0.9,
                Severity::Medium => 0.5,
                Severity::Low => 0.2,
            },
            severity: sev,
            kind: crate::scan::FindingKind::Route,
            terminal,
            product: case.sym("H100").unwrap(),
            quantity: 8,
            lot: lot.and_then(|l| case.sym(l)),
            inferred: lot.is_none(),
            plausibility: 1.0,
            path: path.to_vec(),
            flags: rules.iter().map(|r| Flag::new(r, terminal, String::new(), vec![])).collect(),
        }
    }

    fn truth() -> Truth {
        Truth {
            seed: 1,
            records: 4,
            schemes: vec![
                planted("S-1", "hub_remote_access", "E2", &["R1"], Some("L1")),
                planted("S-2", "phantom_quantity", "E4", &["R3"], None),
                planted("S-3", "phantom_quantity", "E3", &["R2"], None),
            ],
            decoys: vec![planted("D-1", "allied_lease", "E3", &["R4"], None)],
        }
    }

    #[test]
    fn no_findings_recall_zero() {
        let c = case();
        let e = evaluate(&c, &truth(), &[], &EvalConfig::default());
        assert_eq!((e.precision, e.recall, e.planted, e.found, e.positives), (0.0, 0.0, 3, 0, 0));
        assert_eq!(e.missed.len(), 3);
        assert!(e.unresolved.is_empty(), "{:?}", e.unresolved);
    }

    #[test]
    fn matching_by_terminal_and_lot_or_record() {
        let c = case();
        let fs = vec![
            // Matches S-1 by lot (path empty).
            finding(&c, "F-a", 1, Some("L1"), &[], Severity::High, &["remote_access"]),
            // Right terminal for S-2 (E4) but shares no record and no lot, and ends outside any scheme.
            finding(&c, "F-b", 3, None, &[3], Severity::High, &["quantity_mismatch"]),
            // Matches S-3 by record R2, but only low: a near miss.
            finding(&c, "F-c", 2, None, &[1], Severity::Low, &["quantity_mismatch"]),
            // Hits the decoy D-1 (terminal E3, record R4): a false positive.
            finding(&c, "F-d", 2, None, &[3], Severity::Medium, &["remote_access"]),
            // Another terminal (E1), but the route ends with S-2's record R3: related.
            finding(&c, "F-e", 0, None, &[0, 2], Severity::Medium, &["control_ties"]),
        ];
        let e = evaluate(&c, &truth(), &fs, &EvalConfig::default());
        assert_eq!((e.positives, e.true_positives, e.related, e.found), (4, 2, 1, 1));
        assert_eq!(e.precision, 0.5);
        assert_eq!(e.recall, 0.333);
        let hub = &e.by_scheme["hub_remote_access"];
        assert_eq!((hub.planted, hub.found, hub.recall), (1, 1, 1.0));
        // remote_access fired on F-a (right) and F-d (decoy).
        assert_eq!(hub.precision, 0.5);
        let ph = &e.by_scheme["phantom_quantity"];
        assert_eq!((ph.planted, ph.found, ph.recall, ph.precision), (2, 0, 0.0, 0.0));
        assert_eq!(e.unmatched.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["F-b", "F-d"]);
        assert_eq!(e.unmatched[1].decoy.as_deref(), Some("D-1"));
        assert_eq!(e.decoys["allied_lease"], DecoyScore { planted: 1, flagged: 1, flagged_high: 0 });
        // Bands: at high, F-a finds S-1 and F-b is a benign terminal (E4) at high.
        let high = &e.bands["high"];
        assert_eq!((high.positives, high.true_positives, high.found, high.benign_terminals), (2, 1, 1, 1));
        assert_eq!((high.precision, high.recall), (0.5, 0.333));
        assert_eq!(e.benign_high, 1);
        assert_eq!(e.benign_high_rules, [("quantity_mismatch".to_string(), 1)].into_iter().collect());
        let medium = &e.bands["medium+"];
        assert_eq!((medium.positives, medium.true_positives, medium.benign_terminals), (4, 2, 2));
        // S-3 was missed; its best finding below the threshold carried quantity_mismatch.
        assert_eq!(e.missed_rules.get("quantity_mismatch"), Some(&1));
        let s3 = e.missed.iter().find(|m| m.id == "S-3").unwrap();
        assert_eq!(s3.below_threshold.as_ref().map(|f| f.id.as_str()), Some("F-c"));
        // With the threshold at low, F-c counts and finds S-3.
        let e = evaluate(&c, &truth(), &fs, &EvalConfig { min_severity: Severity::Low });
        assert_eq!((e.positives, e.found), (5, 2));
    }

    #[test]
    fn unknown_ids_are_reported_not_fatal() {
        let c = case();
        let t = Truth { schemes: vec![planted("S-1", "x", "E99", &["R99"], Some("L9"))], ..Truth::default() };
        let f = finding(&c, "F-a", 1, Some("L1"), &[0], Severity::High, &[]);
        let e = evaluate(&c, &t, &[f], &EvalConfig::default());
        assert_eq!(e.unresolved.len(), 2);
        assert_eq!((e.found, e.precision), (0, 0.0));
    }
}
