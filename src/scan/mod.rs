//! The risk scan: routes to terminals, flagged by the rules, scored and
//! ranked into findings (SPEC §2-§4).
//!
//! Flow: inventory and lot lineage -> terminal steps -> one route per
//! terminal step (in parallel) -> routes grouped once per terminal and lot or
//! inferred flow -> rules -> score -> findings sorted by score and id.

pub mod finding;

pub use finding::{Finding, Flag, ScanReport, ScanStats, Severity};

use crate::analysis::inventory::Inventory;
use crate::analysis::routes::{self, Bounds, Route, RouteIndex};
use crate::graph::{Adjacency, Lots};
use crate::model::*;
use crate::policy::Policy;
use crate::rules::{Ctx, Rule};
use rayon::prelude::*;
use std::time::Instant;

/// How to run a scan.
#[derive(Default)]
pub struct ScanConfig<'a> {
    /// Worker threads; 0 = one per core. 1 runs the sequential twin.
    pub threads: usize,
    /// Told how many terminal steps will be searched, then once per step (for a progress bar).
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

/// What a scan reports as it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The number of terminal steps the route search will walk back from.
    Start(u64),
    /// One terminal step done.
    Step,
}

impl std::fmt::Debug for ScanConfig<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanConfig").field("threads", &self.threads).finish()
    }
}

/// Everything a scan needs that depends only on the case, built once.
pub struct Prepared<'a> {
    pub ctx: Ctx<'a>,
    pub adj: Adjacency,
    pub lots: Lots,
}

impl<'a> Prepared<'a> {
    pub fn new(case: &'a Case, policy: &'a Policy, inv: &'a Inventory) -> Prepared<'a> {
        let adj = Adjacency::build(case, &inv.order);
        let lots = Lots::build(case, &inv.order);
        Prepared { ctx: Ctx::build(case, policy, inv), adj, lots }
    }

    pub fn index(&self) -> RouteIndex<'_> {
        RouteIndex { case: self.ctx.case, adj: &self.adj, lots: &self.lots, inv: self.ctx.inv }
    }

    /// The terminal steps the scan searches from.
    pub fn terminal_steps(&self) -> Vec<RecordId> {
        routes::terminal_steps(&self.index())
    }
}

/// Finds every route that plausibly ends with a restricted end user.
/// The same input gives the same findings, in the same order, with the same
/// ids, whatever the thread count.
///
/// # Complexity
/// O(R log R) to index, then O(T x depth x candidates) for T terminal steps.
pub fn scan(case: &Case, policy: &Policy, config: &ScanConfig) -> ScanReport {
    let t0 = Instant::now();
    let inv = Inventory::build(case);
    let prep = Prepared::new(case, policy, &inv);
    let index = t0.elapsed();
    let mut report = scan_prepared(&prep, config);
    report.timings.insert(0, ("index", index));
    report
}

/// [`scan`] on indexes built beforehand (benchmarks time the stages apart).
pub fn scan_prepared(prep: &Prepared, config: &ScanConfig) -> ScanReport {
    let run = || scan_inner(prep, config);
    match config.threads {
        // 0 uses rayon's global pool (one thread per core); 1 is the sequential twin.
        0 | 1 => run(),
        n => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
    }
}

fn scan_inner(prep: &Prepared, config: &ScanConfig) -> ScanReport {
    let parallel = config.threads != 1;
    let t0 = Instant::now();
    let steps = prep.terminal_steps();
    let found = search(prep, &steps, config);
    let t_routes = t0.elapsed();
    let (examined, truncated) = search_stats(&found);
    let t1 = Instant::now();
    let findings = judge(prep, &routes::group(found), parallel);
    let mut report = finish(prep, findings, examined, truncated);
    report.timings = vec![("routes", t_routes), ("rules", t1.elapsed())];
    report
}

// The stages below are what both the single-process scan above and the
// cluster scan (`crate::cluster`) call: the cluster runs `search` and `judge`
// on its share of terminal steps and groups, and rank 0 runs `finish` on
// everything gathered, so a change to any stage reaches both and their
// reports stay byte-identical by construction.

/// The search bounds the policy sets.
pub fn bounds(policy: &Policy) -> Bounds {
    Bounds { max_depth: policy.max_depth.max(1), max_candidates: (policy.max_expansions / 256).clamp(8, 4096) }
}

/// Stage 1: the route ending with each of `steps`, in the order of `steps`
/// (in parallel unless `config.threads` is 1), reporting progress.
///
/// # Complexity
/// O(T x depth x candidates) for T steps.
pub fn search(prep: &Prepared, steps: &[RecordId], config: &ScanConfig) -> Vec<Route> {
    let noop = |_: Progress| {};
    let report: &(dyn Fn(Progress) + Sync) = config.progress.unwrap_or(&noop);
    report(Progress::Start(steps.len() as u64));
    let tick = || report(Progress::Step);
    routes::find_routes(&prep.index(), steps, &bounds(prep.ctx.policy), config.threads != 1, &tick)
}

/// Candidate steps examined by a search, and whether a bound cut any route.
pub fn search_stats(found: &[Route]) -> (u64, bool) {
    (found.iter().map(|r| r.examined).sum(), found.iter().any(|r| r.truncated))
}

/// Stage 2: a finding for each group of routes (see [`routes::group`]) that
/// some rule flags, in the order of the groups.
///
/// # Complexity
/// O(G x rules) for G groups.
pub fn judge(prep: &Prepared, groups: &[Vec<Route>], parallel: bool) -> Vec<Finding> {
    let rules = crate::rules::registry();
    let judge = |g: &Vec<Route>| judge_group(&prep.ctx, &rules, g);
    if parallel { groups.par_iter().filter_map(judge).collect() } else { groups.iter().filter_map(judge).collect() }
}

/// Stage 3: every finding of the case, in the order of their groups, ranked
/// by score then id into the report (`examined` and `truncated` from
/// [`search_stats`] over all routes). Timings are left empty.
pub fn finish(prep: &Prepared, mut findings: Vec<Finding>, examined: u64, truncated: bool) -> ScanReport {
    let case = prep.ctx.case;
    // A stable sort: equal scores and ids keep the order of their groups.
    findings.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let total = findings.len();
    ScanReport {
        timings: Vec::new(),
        findings,
        stats: ScanStats {
            records: case.records.len(),
            entities: case.entities.len(),
            routes_examined: examined,
            truncated,
            findings_total: total,
            records_unknown_product: case.stats.records_unknown_product,
        },
    }
}

/// Runs every rule on a group of routes that reach one terminal with one lot
/// or inferred flow, and makes a finding when any flag fires.
fn judge_group(ctx: &Ctx, rules: &[Box<dyn Rule>], group: &[Route]) -> Option<Finding> {
    let case = ctx.case;
    let mut flags: Vec<Flag> = Vec::new();
    for route in group {
        let mut mine: Vec<Flag> = Vec::new();
        for rule in rules {
            let mut out = Vec::new();
            rule.check(ctx, route, &mine, &mut out);
            mine.extend(out);
        }
        for f in mine {
            if !flags.contains(&f) {
                flags.push(f);
            }
        }
    }
    if flags.is_empty() {
        return None;
    }
    let policy = ctx.policy;
    flags.sort_by(|a, b| policy.weight(b.rule).total_cmp(&policy.weight(a.rule)).then_with(|| a.rule.cmp(b.rule)));
    // The path: every record of the grouped routes, in time order.
    let mut path: Vec<RecordId> = group.iter().flat_map(|r| r.records.iter().copied()).collect();
    path.sort_by(|&a, &b| {
        let (ra, rb) = (&case.records[a as usize], &case.records[b as usize]);
        ra.date.cmp(&rb.date).then_with(|| case.s(ra.id).cmp(case.s(rb.id)))
    });
    path.dedup();
    let first = &group[0];
    let quantity = group.iter().map(|r| r.quantity as u64).sum::<u64>().min(u32::MAX as u64) as u32;
    let inferred = group.iter().any(|r| r.inferred);
    let plausibility = group.iter().map(|r| r.plausibility).fold(0.0, f64::max);
    let score = score(policy, &flags, plausibility);
    let severity = severity(policy, score);
    let id = finding_id(case, first.terminal, first.lot.unwrap_or(first.product), &path);
    Some(Finding {
        id,
        score,
        severity,
        terminal: first.terminal,
        product: first.product,
        quantity,
        lot: first.lot,
        inferred,
        plausibility,
        path,
        flags,
    })
}

/// The score of a route: a noisy-or of the weights of the rules that fired
/// (each rule counted once), so one more flag never lowers it, scaled by how
/// plausible the route is: from 0.6 for an implausible inferred route to 1 for
/// a route followed by lot.
pub fn score(policy: &Policy, flags: &[Flag], plausibility: f64) -> f64 {
    let mut rules: Vec<&str> = flags.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let miss: f64 = rules.iter().map(|r| 1.0 - policy.weight(r).clamp(0.0, 1.0)).product();
    let raw = 1.0 - miss;
    // Rounded to six places so that 1 - (1 - 0.45) is 0.45 and meets a 0.45
    // cut-off; rounding is monotone, so one more flag still never lowers a score.
    ((raw * (0.6 + 0.4 * plausibility.clamp(0.0, 1.0))) * 1e6).round() / 1e6
}

/// Severity from the policy's cut-offs.
pub fn severity(policy: &Policy, score: f64) -> Severity {
    if score >= policy.severity_high {
        Severity::High
    } else if score >= policy.severity_medium {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// `F-` and twelve hex digits of a hash of the terminal, the lot or product,
/// and the record ids of the path: stable for the same input. 48 bits keep the
/// chance of two findings sharing an id near one in a thousand even for the
/// million findings of a ten-million-record scan.
fn finding_id(case: &Case, terminal: EntityId, key: Sym, path: &[RecordId]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(case.entity(terminal).id.as_bytes());
    h.update([0]);
    h.update(case.s(key).as_bytes());
    for &r in path {
        h.update([0]);
        h.update(case.record_id(r).as_bytes());
    }
    let d = h.finalize();
    format!("F-{}", d.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>())
}
