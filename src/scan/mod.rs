//! The risk scan: routes to terminals, flagged by the rules, scored and
//! ranked into findings (docs/spec.md §2-§4).
//!
//! Flow: inventory and lot lineage -> terminal steps -> one route per
//! terminal step (in parallel) -> routes grouped once per terminal and lot or
//! inferred flow -> rules -> score -> findings sorted by score and id.

pub mod finding;

pub use finding::{Finding, FindingKind, Flag, ScanReport, ScanStats, Severity};

use crate::analysis::inventory::Inventory;
use crate::analysis::routes::{self, Bounds, Route, RouteIndex};
use crate::graph::{Adjacency, Lots, goods_key};
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
    /// A stage of the scan ended (`--timings` prints the memory after each).
    Stage(&'static str),
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
    /// [`Prepared::build`] on the rayon pool.
    pub fn new(case: &'a Case, policy: &'a Policy, inv: &'a Inventory) -> Prepared<'a> {
        Prepared::build(case, policy, inv, true)
    }

    /// The adjacency, the lots and the rules' context, side by side on the
    /// rayon pool when `parallel`, else one after the other (the sequential
    /// twin, `--threads 1`): the same indexes either way.
    ///
    /// # Complexity
    /// O(E + R + L) plus the screening.
    pub fn build(case: &'a Case, policy: &'a Policy, inv: &'a Inventory, parallel: bool) -> Prepared<'a> {
        Prepared::build_staged(case, policy, inv, parallel, &|_| {})
    }

    /// [`Prepared::build`], telling `stage` as the search's indexes and
    /// then the rules' context are built.
    pub fn build_staged(
        case: &'a Case,
        policy: &'a Policy,
        inv: &'a Inventory,
        parallel: bool,
        stage: &dyn Fn(Progress),
    ) -> Prepared<'a> {
        // The balance check in the context walks the adjacency, so it comes first.
        let (adj, lots) = crate::par::join(
            parallel,
            || Adjacency::build_with(case, &inv.order, parallel),
            || Lots::build(case, &inv.order),
        );
        stage(Progress::Stage("adjacency and lots"));
        let ctx = Ctx::build(case, policy, inv, Some(&adj), parallel);
        stage(Progress::Stage("rules' context"));
        Prepared { ctx, adj, lots }
    }

    pub fn index(&self) -> RouteIndex<'_> {
        RouteIndex { case: self.ctx.case, adj: &self.adj, lots: &self.lots, inv: self.ctx.inv, owns: None }
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
    in_pool(config.threads, || {
        let t0 = Instant::now();
        let parallel = config.threads != 1;
        let noop = |_| {};
        let stage: &(dyn Fn(Progress) + Sync) = config.progress.unwrap_or(&noop);
        let inv = Inventory::build_with(case, parallel);
        stage(Progress::Stage("inventory"));
        let prep = Prepared::build_staged(case, policy, &inv, parallel, stage);
        let index = t0.elapsed();
        let mut report = scan_inner(&prep, config);
        report.timings.insert(0, ("index", index));
        report
    })
}

/// [`scan`] on indexes built beforehand (benchmarks time the stages apart).
pub fn scan_prepared(prep: &Prepared, config: &ScanConfig) -> ScanReport {
    in_pool(config.threads, || scan_inner(prep, config))
}

/// Runs `run` on a pool of `threads` threads: 0 uses rayon's global pool
/// (one thread per core); 1 runs it here (the stages then take their
/// sequential twins).
fn in_pool<T: Send>(threads: usize, run: impl FnOnce() -> T + Send) -> T {
    match threads {
        0 | 1 => run(),
        n => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
    }
}

fn scan_inner(prep: &Prepared, config: &ScanConfig) -> ScanReport {
    let t0 = Instant::now();
    let steps = prep.terminal_steps();
    let (findings, searched) = search_and_judge(prep, &steps, config);
    let t_routes = t0.elapsed();
    let stage = |name| config.progress.inspect(|f| f(Progress::Stage(name)));
    stage("routes+rules");
    let t1 = Instant::now();
    let mut report = finish(prep, findings, searched);
    stage("finish");
    // Routes are searched and judged block by block (see `search_and_judge`),
    // so the two stages share one timing; `finish` ranks and caps.
    report.timings = vec![("routes+rules", t_routes), ("finish", t1.elapsed())];
    report
}

/// Stages 1 and 2 streamed: the terminal steps sorted by the part of their
/// group key that the step itself gives (terminal and lot, or terminal and
/// product), each block of steps searched, grouped, judged and dropped, so
/// only one block's routes are alive per thread instead of every route of
/// the case. The findings come back in the order [`judge`] gives for
/// `routes::group(search(..))` (each group's judgement is tagged with its
/// first step and sorted back into that order), with the same [`Searched`]
/// stats: `search` + `group` + `judge` is the twin that a property test
/// holds it to, and what the cluster runs on its shares.
///
/// # Complexity
/// O(T log T) to sort the steps, then O(T x depth x candidates) to search
/// and O(G x rules) to judge, with O(largest block) routes held per thread.
pub fn search_and_judge(prep: &Prepared, steps: &[RecordId], config: &ScanConfig) -> (Vec<Finding>, Searched) {
    let noop = |_: Progress| {};
    let report: &(dyn Fn(Progress) + Sync) = config.progress.unwrap_or(&noop);
    report(Progress::Start(steps.len() as u64));
    let parallel = config.threads != 1;
    let case = prep.ctx.case;
    let ix = prep.index();
    let bounds = bounds(prep.ctx.policy);
    let rules = crate::rules::registry();
    // (terminal, 0 and lot | 1 and product, position in `steps`): a route's
    // terminal is its last step's receiver and its lot the last step's lot,
    // so the sort puts every group's steps in one block (lot-less blocks
    // split further by the previous step, known only after the search).
    let key = |(i, &s): (usize, &RecordId)| {
        let r = &case.records[s as usize];
        match r.lot {
            Some(l) => (r.to, goods_key(l) as u64, i as u32),
            None => (r.to, (1u64 << 32) | goods_key(r.product) as u64, i as u32),
        }
    };
    let mut keyed: Vec<(EntityId, u64, u32)> = if parallel {
        steps.par_iter().enumerate().map(key).collect()
    } else {
        steps.iter().enumerate().map(key).collect()
    };
    // Keys are unique (they hold the position), so both sorts give one order.
    if parallel {
        keyed.par_sort_unstable();
    } else {
        keyed.sort_unstable();
    }
    // Only the positions and the blocks' bounds are kept while judging (8
    // bytes a step and 8 a block, not 16 and 16): the keys are dropped.
    let mut blocks: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    for i in 1..=keyed.len() {
        if i == keyed.len() || (keyed[i].0, keyed[i].1) != (keyed[start].0, keyed[start].1) {
            blocks.push((start as u32, i as u32));
            start = i;
        }
    }
    let order: Vec<u32> = keyed.iter().map(|k| k.2).collect();
    drop(keyed);
    // Blocks are visited in the order of their first step, not of their
    // key: most blocks are one step, so the search walks the steps in the
    // order given (record order: neighbouring steps read neighbouring
    // records and receipts), where key order made route_to's cache misses
    // double (cachegrind, 100k records).
    blocks.sort_unstable_by_key(|&(b, _)| order[b as usize]);
    // Each block is judged into an accumulator as it ends and its routes
    // dropped: route findings tagged with their group's position, flags
    // about other parties merged per party and product (`AboutOthers`),
    // the search's stats summed. Each thread folds its own; they merge once.
    let one = |mut acc: Judging, &(from, to): &(u32, u32)| {
        let block = &order[from as usize..to as usize];
        let found: Vec<Route> = block
            .iter()
            .map(|&i| {
                let r = routes::route_to(&ix, steps[i as usize], &bounds);
                report(Progress::Step);
                r
            })
            .collect();
        acc.searched.add(search_stats(&found));
        // Positions ascend within a block and `routes::group` keeps the
        // first-seen order, so each group is tagged with its first position.
        let mut first = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        for (r, &i) in found.iter().zip(block) {
            if seen.insert(routes::group_key(r)) {
                first.push(i);
            }
        }
        for (g, i) in routes::group(found).iter().zip(first) {
            let j = judge_group(&prep.ctx, &rules, g);
            acc.route.extend(j.route.into_iter().map(|f| (i, f)));
            acc.others.add(i, j.others);
        }
        acc
    };
    let all = if parallel {
        blocks.par_iter().fold(Judging::default, one).reduce(Judging::default, Judging::merge)
    } else {
        blocks.iter().fold(Judging::default(), one)
    };
    let Judging { mut route, others, searched } = all;
    // The order `judge` gives: groups by the position of their first step
    // (a stable sort: a group's two findings keep their order).
    route.sort_by_key(|(i, _)| *i);
    let mut findings: Vec<Finding> = route.into_iter().map(|(_, f)| f).collect();
    findings.extend(others.into_findings(&prep.ctx));
    (findings, searched)
}

// The stages below are what both the single-process scan above and the
// cluster scan (`crate::cluster`) call: the cluster runs `search` and `judge`
// on its share of terminal steps and groups, and rank 0 runs `finish` on
// everything gathered, so a change to any stage reaches both and their
// reports stay byte-identical by construction.

/// The search bounds the policy sets.
pub fn bounds(policy: &Policy) -> Bounds {
    Bounds {
        max_depth: policy.max_depth.max(1),
        max_candidates: (policy.max_expansions / 256).clamp(8, 4096),
        max_examined: policy.max_expansions.max(1) as u64,
    }
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

/// What a search says about itself: candidate steps examined, whether a
/// bound cut any route, and each cut (the bound and the route's last record).
/// The stats of several searches add up with [`Searched::add`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Searched {
    pub examined: u64,
    pub truncated: bool,
    pub cuts: Vec<(routes::Cut, RecordId)>,
    /// Bounds that cut an ownership search while judging (a cluster's
    /// ranks send theirs to rank 0; one process's are taken by [`finish`]).
    pub judged: Vec<crate::rules::JudgedCut>,
}

impl Searched {
    pub fn add(&mut self, other: Searched) {
        self.examined += other.examined;
        self.truncated |= other.truncated;
        self.cuts.extend(other.cuts);
        self.judged.extend(other.judged);
    }
}

/// The [`Searched`] of a search's routes (given by reference, so that a
/// caller holding them beside other data need not copy them).
pub fn search_stats<'r>(found: impl IntoIterator<Item = &'r Route>) -> Searched {
    let mut s = Searched::default();
    for r in found {
        s.examined += r.examined;
        s.truncated |= r.truncated;
        s.cuts.extend(r.cut.map(|c| (c, r.last())));
    }
    s
}

/// What [`ScanStats::truncated_by`] says of the bounds that cut ownership
/// searches while judging: per bound, how many searches it cut and the
/// first of them (by the entity searched from) with what was cut.
pub fn judged_cut_notes(cuts: &[crate::rules::JudgedCut]) -> Vec<String> {
    let mut cuts = cuts.to_vec();
    cuts.sort();
    cuts.dedup();
    let mut out = Vec::new();
    for group in cuts.chunk_by(|a, b| a.bound == b.bound) {
        let first = &group[0];
        out.push(format!(
            "{} cut {} ownership search(es) while judging, the first from {}: {}",
            first.bound,
            group.len(),
            first.subject,
            first.note
        ));
    }
    out
}

/// What [`ScanStats::truncated_by`] says: for each bound that cut a route
/// (given as the bound and the route's last record), the policy key and
/// value, how many routes it cut and the first of them by record id.
pub fn cut_notes(prep: &Prepared, cuts: &[(routes::Cut, RecordId)]) -> Vec<String> {
    let case = prep.ctx.case;
    let policy = prep.ctx.policy;
    let mut by: std::collections::BTreeMap<routes::Cut, (usize, &str)> = std::collections::BTreeMap::new();
    for &(cut, last) in cuts {
        let id = case.record_id(last);
        let e = by.entry(cut).or_insert((0, id));
        e.0 += 1;
        if id < e.1 {
            e.1 = id;
        }
    }
    by.into_iter()
        .map(|(cut, (n, first))| {
            let value = match cut {
                routes::Cut::Depth => policy.max_depth,
                routes::Cut::Candidates => bounds(policy).max_candidates,
                routes::Cut::Examined => policy.max_expansions,
            };
            format!("{} = {value} cut {n} route(s), the first ending with record {}", cut.policy_key(), first)
        })
        .collect()
}

/// Stage 2: a route finding for each group of routes (see [`routes::group`])
/// that some rule flags, in the order of the groups, followed by the entity
/// findings about other parties met on these groups' routes (merged across
/// shares of the groups by [`finish`]).
///
/// # Complexity
/// O(G x rules) for G groups.
pub fn judge(prep: &Prepared, groups: &[Vec<Route>], parallel: bool) -> Vec<Finding> {
    let rules = crate::rules::registry();
    let judge = |g: &Vec<Route>| judge_group(&prep.ctx, &rules, g);
    let judged: Vec<Judged> =
        if parallel { groups.par_iter().map(judge).collect() } else { groups.iter().map(judge).collect() };
    let mut findings: Vec<Finding> = Vec::new();
    let mut about_others = AboutOthers::default();
    for (pos, j) in judged.into_iter().enumerate() {
        findings.extend(j.route);
        about_others.add(pos as u32, j.others);
    }
    findings.extend(about_others.into_findings(&prep.ctx));
    findings
}

/// Stage 3: every finding of the case ranked by score then id into the
/// report (with the [`Searched`] stats of all routes).
/// Entity findings about the same party and product, judged from different
/// groups, are merged into one first. Timings are left empty.
pub fn finish(prep: &Prepared, findings: Vec<Finding>, searched: Searched) -> ScanReport {
    let ctx = &prep.ctx;
    let case = ctx.case;
    let mut findings = merge_entity_findings(ctx, findings);
    // A stable sort: equal scores and ids keep the order of their groups.
    findings.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let total = findings.len();
    let flags_cut = cap_flags(&mut findings, ctx.policy.max_flags_per_rule);
    let path_cut = cap_paths(&mut findings, ctx.policy.max_path_records);
    let Searched { examined, truncated, cuts, mut judged } = searched;
    judged.extend(ctx.take_cuts());
    let mut truncated_by = cut_notes(prep, &cuts);
    truncated_by.extend(judged_cut_notes(&judged));
    truncated_by.extend(path_cut.iter().cloned().chain(flags_cut.iter().cloned()));
    let screening = ctx.screening.clone();
    truncated_by.extend(screening.notes().into_iter().map(|n| format!("screening: {n}")));
    ScanReport {
        timings: Vec::new(),
        findings,
        stats: ScanStats {
            records: case.records.len(),
            entities: case.entities.len(),
            routes_examined: examined,
            truncated: truncated
                || !judged.is_empty()
                || flags_cut.is_some()
                || path_cut.is_some()
                || screening.truncated,
            truncated_by,
            findings_total: total,
            records_unknown_product: case.stats.records_unknown_product,
            screening,
        },
        notes: notes(case, &ctx.screening, ctx.unsourced_not_judged),
        diagnostics: 0,
        policy_sha256: policy_sha256(ctx.policy),
    }
}

/// Keeps at most `max` flags of each rule on each finding (the first ones,
/// in the order the rules gave them; scores were computed from all of them).
/// Returns the note for `stats.truncated_by` when any flag was left out.
///
/// # Complexity
/// O(F) for F flags in all.
fn cap_flags(findings: &mut [Finding], max: usize) -> Option<String> {
    let (mut cut, mut of) = (0usize, 0usize);
    let mut first: Option<String> = None;
    for f in findings.iter_mut() {
        let mut seen: std::collections::HashMap<&'static str, usize> = std::collections::HashMap::new();
        let before = f.flags.len();
        f.flags.retain(|x| {
            let n = seen.entry(x.rule).or_insert(0);
            *n += 1;
            *n <= max
        });
        if f.flags.len() < before {
            cut += before - f.flags.len();
            of += 1;
            first.get_or_insert_with(|| f.id.clone());
        }
    }
    first.map(|id| format!("max_flags_per_rule = {max} left out {cut} flag(s) of {of} finding(s), the first {id}"))
}

/// Keeps at most `max` records of each finding's path (the first in time
/// order; the id and score were computed from all). Returns the note for
/// `stats.truncated_by` when any was left out.
fn cap_paths(findings: &mut [Finding], max: usize) -> Option<String> {
    let (mut cut, mut of) = (0usize, 0usize);
    let mut first: Option<String> = None;
    for f in findings.iter_mut() {
        if f.path.len() > max {
            cut += f.path.len() - max;
            of += 1;
            f.path.truncate(max);
            first.get_or_insert_with(|| f.id.clone());
        }
    }
    first.map(|id| format!("max_path_records = {max} left out {cut} path record(s) of {of} finding(s), the first {id}"))
}

/// What a reader of this case's findings must know.
fn notes(case: &Case, screening: &crate::screen::ScreenStats, unsourced: usize) -> Vec<String> {
    let mut out = Vec::new();
    if case.lists.is_empty() {
        out.push("no screening lists: listed_party and listed_affiliate cannot fire".to_string());
    }
    if screening.truncated {
        out.push(
            "screening was cut by a bound (see stats.truncated_by and stats.screening): a listed party may be missed"
                .to_string(),
        );
    }
    let unknown = case.stats.records_unknown_product;
    if unknown > 0 {
        out.push(format!(
            "{unknown} records of products that are not known were not checked against export controls (see `chiptrace validate`)"
        ));
    }
    if unsourced > 0 {
        out.push(format!(
            "{unsourced} records send more than their sender is recorded receiving, from parties the case holds no receipt of (their purchases are outside the case) or a maker's own arm: not judged as units with no source (`chiptrace validate` lists each)"
        ));
    }
    out
}

/// SHA-256 of the policy as JSON (fields in declaration order, maps sorted):
/// two reports with the same hash were judged by the same policy.
pub fn policy_sha256(policy: &Policy) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(policy).unwrap_or_default();
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A flag about someone other than the terminal of the route it was found
/// on, with the product and the route's records that touch its subject.
struct EntityFlag {
    product: Sym,
    flag: Flag,
    records: Vec<RecordId>,
}

/// What the streamed scan has judged so far (one per thread, merged at the
/// end): route findings with their group's position, flags about others
/// gathered per party, and the search's stats.
#[derive(Default)]
struct Judging {
    route: Vec<(u32, Finding)>,
    others: AboutOthers,
    searched: Searched,
}

impl Judging {
    fn merge(mut self, other: Judging) -> Judging {
        self.route.extend(other.route);
        self.others = self.others.merge(other.others);
        self.searched.add(other.searched);
        self
    }
}

/// What judging one group of routes gives: the route finding, if any flag
/// fired, and the flags about other parties for their entity findings.
struct Judged {
    route: Vec<Finding>,
    others: Vec<EntityFlag>,
}

/// Runs every rule on a group of routes that reach one terminal with one lot
/// or inferred flow, and makes a finding when any flag fires. Flags about
/// other parties stay on the route (they aggravate it) and are also handed
/// back for the entity findings about those parties.
fn judge_group(ctx: &Ctx, rules: &[Box<dyn Rule>], group: &[Route]) -> Judged {
    // Deliveries to one terminal from before the product's control date and
    // from after it are two findings: a finding's quantity and path say how
    // many controlled units reached the terminal, never lawful ones beside
    // them (400 H20 delivered before 2025-04-09 and 80 after are not "H20
    // x480"). Each part is judged as a group of its own.
    let controlled = |r: &&Route| ctx.controlled(r);
    if group.iter().any(|r| controlled(&r)) && !group.iter().all(|r| controlled(&r)) {
        let (before, after): (Vec<Route>, Vec<Route>) = group.iter().cloned().partition(|r| !ctx.controlled(r));
        let mut judged = judge_part(ctx, rules, &before);
        let later = judge_part(ctx, rules, &after);
        judged.route.extend(later.route);
        judged.others.extend(later.others);
        return judged;
    }
    judge_part(ctx, rules, group)
}

/// [`judge_group`] on routes that all fall on one side of the product's control date.
fn judge_part(ctx: &Ctx, rules: &[Box<dyn Rule>], group: &[Route]) -> Judged {
    let case = ctx.case;
    let mut flags: Vec<Flag> = Vec::new();
    let mut others: Vec<EntityFlag> = Vec::new();
    let (mut flags_seen, mut others_seen) = (FlagSet::default(), FlagSet::default());
    for route in group {
        let mut mine: Vec<Flag> = Vec::new();
        for rule in rules {
            let mut out = Vec::new();
            rule.check(ctx, route, &mine, &mut out);
            mine.extend(out);
        }
        for f in mine {
            let h = FlagSet::hash(&f);
            if f.subject != route.terminal && !others_seen.contains(h, &f, |i| &others[i].flag) {
                others_seen.add(h, others.len());
                let records = route
                    .records
                    .iter()
                    .copied()
                    .filter(|&ri| {
                        let r = &case.records[ri as usize];
                        r.from == f.subject || r.to == f.subject
                    })
                    .collect();
                others.push(EntityFlag { product: route.product, flag: f.clone(), records });
            }
            if !flags_seen.contains(h, &f, |i| &flags[i]) {
                flags_seen.add(h, flags.len());
                flags.push(f);
            }
        }
    }
    let first = &group[0];
    // A shipment moves goods, not title: a data centre that received units
    // only by shipment houses its customer's (or owner's) units and is not
    // their end user. Unless something is flagged about the site itself,
    // the route ending there is no finding of its own; what it shows about
    // the shipper (boxes, a director) lives in the entity findings, and the
    // shipper's leases run through the shipment to the lessees.
    let site_of_shipper = case.entity(first.terminal).kind == EntityKind::DataCentre
        && group.iter().all(|r| case.records[r.last() as usize].kind == RecordKind::Shipment);
    // Likewise a lessee that leased on every unit of the product it leased
    // in (a sub-lessor, as a reseller that sold everything on): its lease
    // in is a step on its lessees' routes, which run through it, and its
    // own risks (a shell) live in its entity finding; the route ending
    // with it is a finding only for what is flagged about it as terminal.
    let sub_lessor = group.iter().all(|r| case.records[r.last() as usize].kind == RecordKind::Lease) && {
        let h = ctx.inv.holding(first.terminal, first.product);
        h.received == 0 && h.leased_in > 0 && h.leased >= h.leased_in
    };
    if flags.is_empty() || ((site_of_shipper || sub_lessor) && !flags.iter().any(|f| f.subject == first.terminal)) {
        return Judged { route: Vec::new(), others };
    }
    let policy = ctx.policy;
    sort_flags(policy, &mut flags, Some(first.terminal));
    // The path: every record of the grouped routes, in time order.
    let mut path: Vec<RecordId> = group.iter().flat_map(|r| r.records.iter().copied()).collect();
    sort_records(case, &mut path);
    let quantity = units(case, group);
    let inferred = group.iter().any(|r| r.inferred);
    let plausibility = group.iter().map(|r| r.plausibility).fold(0.0, f64::max);
    let score = score(policy, &flags, first.terminal);
    let severity = severity(policy, score);
    let id = finding_id(case, FindingKind::Route, first.terminal, first.lot.unwrap_or(first.product), &path);
    let route = Finding {
        id,
        score,
        severity,
        kind: FindingKind::Route,
        terminal: first.terminal,
        product: first.product,
        quantity,
        lot: first.lot,
        inferred,
        plausibility,
        path,
        flags,
    };
    Judged { route: vec![route], others }
}

/// How many units a group of routes to one terminal brought it: the units
/// of its deliveries (sales, shipments, installs) add up, but leases count
/// the most units leased at one time, so a lease and its renewal of the
/// same 128 GPUs are 128, not 256. A lease is in force from its date to its
/// end date (open-ended without one, so it overlaps every later lease).
///
/// # Complexity
/// O(g log g) for a group of g routes.
fn units(case: &Case, group: &[Route]) -> u32 {
    let mut delivered = 0u64;
    // (date, whether a start, quantity), ends first on a tie: a renewal
    // starting the day the lease before it ends does not overlap it.
    let mut events: Vec<(Timestamp, bool, u64)> = Vec::new();
    for r in group {
        let last = &case.records[r.last() as usize];
        if last.kind == RecordKind::Lease {
            events.push((last.date, true, r.quantity as u64));
            if let Some(end) = case.records.end_date(r.last()).filter(|&e| e >= last.date) {
                events.push((end, false, r.quantity as u64));
            }
        } else {
            delivered += r.quantity as u64;
        }
    }
    events.sort_unstable_by_key(|&(day, start, q)| (day, start, q));
    let (mut now, mut peak) = (0u64, 0u64);
    for (_, start, q) in events {
        if start {
            now += q;
            peak = peak.max(now);
        } else {
            now -= q;
        }
    }
    (delivered + peak).min(u32::MAX as u64) as u32
}

/// Which flags a list holds, found by a hash of their fields: a group of
/// many routes meets the same flags over and over, and comparing each with
/// every flag kept cost time quadratic in the group. Equality is still
/// `Flag`'s own (the hash leaves the weight out, so equal flags always
/// share a hash), so the lists keep exactly the flags, in the order, that
/// a linear `contains` keeps.
#[derive(Default)]
struct FlagSet {
    at: rustc_hash::FxHashMap<u64, Vec<usize>>,
}

impl FlagSet {
    fn hash(f: &Flag) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (f.rule, f.subject, &f.detail, &f.evidence).hash(&mut h);
        h.finish()
    }

    /// Whether a flag equal to `f` (of hash `h`) is in the list, whose `i`th flag is `flag(i)`.
    fn contains<'f>(&self, h: u64, f: &Flag, flag: impl Fn(usize) -> &'f Flag) -> bool {
        self.at.get(&h).is_some_and(|v| v.iter().any(|&i| flag(i) == f))
    }

    /// Notes that the list's `i`th flag has hash `h`.
    fn add(&mut self, h: u64, i: usize) {
        self.at.entry(h).or_default().push(i);
    }
}

/// Records in time order, then by id; duplicates removed.
fn sort_records(case: &Case, records: &mut Vec<RecordId>) {
    records.sort_by(|&a, &b| {
        let (ra, rb) = (&case.records[a as usize], &case.records[b as usize]);
        ra.date.cmp(&rb.date).then_with(|| case.s(ra.id).cmp(case.s(rb.id)))
    });
    records.dedup();
}

/// Flags about the terminal first (they drive the score), then by weight,
/// rule id, detail and evidence, so the order never depends on the order
/// routes were met (nor on how a cluster shared out their groups).
fn sort_flags(policy: &Policy, flags: &mut [Flag], terminal: Option<EntityId>) {
    let w = |f: &Flag| f.weight.unwrap_or_else(|| policy.weight(f.rule));
    flags.sort_by(|a, b| {
        let (ta, tb) = (Some(a.subject) != terminal, Some(b.subject) != terminal);
        ta.cmp(&tb)
            .then_with(|| w(b).total_cmp(&w(a)))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.detail.cmp(&b.detail))
            .then_with(|| a.evidence.cmp(&b.evidence))
    });
}

/// The flags about parties other than a route's terminal, gathered per
/// (subject, product) as groups are judged: the streamed scan adds each
/// block's as the block ends and merges the threads' at the end, so what is
/// held grows with the distinct flags and records, not with the routes that
/// met them. A flag met again is kept once, with the place of its first
/// meeting in the staged order (its group's position, then its place in
/// that group's list), so each party's flags come out in the order one pass
/// over the groups in order gives, however blocks and threads met them; the
/// route records that touch the party are kept without repeats.
#[derive(Default)]
struct AboutOthers {
    slots: rustc_hash::FxHashMap<(EntityId, Sym), Slot>,
}

/// One party's and product's flags and records in [`AboutOthers`].
#[derive(Default)]
struct Slot {
    /// Each distinct flag with where it was first met: (group position, place in the group's list).
    flags: Vec<((u32, u32), Flag)>,
    records: Vec<RecordId>,
    /// How many of `records` were sorted and unique when last tidied.
    tidy: usize,
}

impl Slot {
    fn add_flag(&mut self, at: (u32, u32), flag: Flag) {
        match self.flags.iter_mut().find(|(_, f)| *f == flag) {
            Some(kept) => kept.0 = kept.0.min(at),
            None => self.flags.push((at, flag)),
        }
    }

    fn add_records(&mut self, records: impl IntoIterator<Item = RecordId>) {
        self.records.extend(records);
        // Repeats removed whenever the list doubles: linear in what is added.
        if self.records.len() > 2 * self.tidy.max(16) {
            self.records.sort_unstable();
            self.records.dedup();
            self.tidy = self.records.len();
        }
    }
}

impl AboutOthers {
    /// The flags about others of the group at `pos` in the staged order.
    fn add(&mut self, pos: u32, others: Vec<EntityFlag>) {
        for (i, ef) in others.into_iter().enumerate() {
            let slot = self.slots.entry((ef.flag.subject, ef.product)).or_default();
            slot.add_records(ef.records);
            slot.add_flag((pos, i as u32), ef.flag);
        }
    }

    /// Both gatherings in one (the order of the two does not matter).
    fn merge(mut self, mut other: AboutOthers) -> AboutOthers {
        if other.slots.len() > self.slots.len() {
            std::mem::swap(&mut self, &mut other);
        }
        for (key, theirs) in other.slots {
            let slot = self.slots.entry(key).or_default();
            slot.add_records(theirs.records);
            for (at, flag) in theirs.flags {
                slot.add_flag(at, flag);
            }
        }
        self
    }

    /// One entity finding per (subject, product): the flags about that
    /// party gathered from every route they were found on, the records they
    /// rest on (those their evidence cites and the routes' records that
    /// touch the party).
    fn into_findings(self, ctx: &Ctx) -> Vec<Finding> {
        let case = ctx.case;
        let mut by_subject: Vec<((EntityId, Sym), Slot)> = self.slots.into_iter().collect();
        by_subject.sort_unstable_by_key(|(key, _)| *key);
        for (_, slot) in &mut by_subject {
            slot.flags.sort_unstable_by_key(|(at, _)| *at);
        }
        // Record ids cited as evidence, resolved in one pass over the records.
        let cited: rustc_hash::FxHashSet<Sym> = by_subject
            .iter()
            .flat_map(|(_, slot)| slot.flags.iter().flat_map(|(_, f)| f.evidence.iter()))
            .filter_map(|e| case.sym(e))
            .collect();
        let mut record_of: rustc_hash::FxHashMap<Sym, RecordId> = rustc_hash::FxHashMap::default();
        if !cited.is_empty() {
            for (i, r) in case.records.iter().enumerate() {
                if cited.contains(&r.id) {
                    record_of.entry(r.id).or_insert(i as RecordId);
                }
            }
        }
        let mut out = Vec::with_capacity(by_subject.len());
        for ((subject, product), slot) in by_subject {
            let fl: Vec<Flag> = slot.flags.into_iter().map(|(_, f)| f).collect();
            let mut records = slot.records;
            records.extend(fl.iter().flat_map(|f| f.evidence.iter()).filter_map(|e| record_of.get(&case.sym(e)?)));
            out.push(entity_finding(ctx, subject, product, fl, records));
        }
        out
    }
}

/// The entity finding about `subject` and `product` with these flags and records.
fn entity_finding(
    ctx: &Ctx,
    subject: EntityId,
    product: Sym,
    mut flags: Vec<Flag>,
    mut records: Vec<RecordId>,
) -> Finding {
    let (case, policy) = (ctx.case, ctx.policy);
    sort_records(case, &mut records);
    sort_flags(policy, &mut flags, None);
    flags.dedup();
    let score = entity_score(policy, &flags);
    let h = ctx.inv.holding(subject, product);
    let held = h.received.max(h.leased_in).max(h.hosted);
    let quantity = if held > 0 {
        held.min(u32::MAX as u64) as u32
    } else {
        records.iter().map(|&r| case.records[r as usize].quantity).max().unwrap_or(0)
    };
    Finding {
        id: finding_id(case, FindingKind::Entity, subject, product, &records),
        score,
        severity: severity(policy, score),
        kind: FindingKind::Entity,
        terminal: subject,
        product,
        quantity,
        lot: None,
        inferred: false,
        plausibility: 1.0,
        path: records,
        flags,
    }
}

/// Entity findings about the same party and product (judged from different
/// shares of the groups) merged into one; route findings pass through. The
/// merge sorts flags and records, so it gives the same finding however the
/// groups were shared out.
fn merge_entity_findings(ctx: &Ctx, findings: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::with_capacity(findings.len());
    let mut parts: std::collections::BTreeMap<(EntityId, Sym), Vec<Finding>> = std::collections::BTreeMap::new();
    for f in findings {
        match f.kind {
            FindingKind::Route => out.push(f),
            FindingKind::Entity => parts.entry((f.terminal, f.product)).or_default().push(f),
        }
    }
    for ((subject, product), mut fs) in parts {
        if fs.len() == 1 {
            out.extend(fs.pop());
            continue;
        }
        let mut flags: Vec<Flag> = Vec::new();
        let mut records = Vec::new();
        for f in fs {
            records.extend(f.path);
            for fl in f.flags {
                if !flags.contains(&fl) {
                    flags.push(fl);
                }
            }
        }
        out.push(entity_finding(ctx, subject, product, flags, records));
    }
    out
}

/// Rules that read the same hand-offs of units from one holder to the next:
/// a short hub dwell, a quick resale and a long chain are one observation
/// seen three ways, so the family counts once, with its strongest flag.
pub const HANDOFF_FAMILY: &[&str] = &["transshipment_hub", "rapid_resale", "long_chain"];

/// The family a rule counts in: the hand-off family, or the rule alone.
fn family(rule: &str) -> &str {
    if HANDOFF_FAMILY.contains(&rule) { "handoff" } else { rule }
}

/// A noisy-or over families, each counted once with the weight of its
/// strongest flag: what these flags together say, 0..1.
pub fn strength<'f>(policy: &Policy, flags: impl IntoIterator<Item = &'f Flag>) -> f64 {
    let mut best: Vec<(&str, f64)> = Vec::new();
    for f in flags {
        let w = f.weight.unwrap_or_else(|| policy.weight(f.rule)).clamp(0.0, 1.0);
        let fam = family(f.rule);
        match best.iter_mut().find(|(k, _)| *k == fam) {
            Some(b) => b.1 = b.1.max(w),
            None => best.push((fam, w)),
        }
    }
    1.0 - best.iter().map(|(_, w)| 1.0 - w).product::<f64>()
}

/// Rounded to six places so that 1 - (1 - 0.45) is 0.45 and meets a 0.45
/// cut-off; rounding is monotone, so one more flag still never lowers a score.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The score of a route finding (the model is written out in the README's
/// "How findings are made" and beside the weights in `policy.rs`):
///
/// 1. `own`: the strength of the flags about the terminal (what the
///    terminal is and did), hand-off flags aside.
/// 2. `others`: the strength of the flags about other parties on the route
///    and of the hand-off family.
/// 3. `score = own + (1 - own) x share x others`, where `share` grows from
///    the policy's `aggravation_share` (an unflagged terminal) to 1 (a
///    terminal already certain): others' flags close at most that share of
///    the gap to 1, so on their own they never lift a route past
///    `aggravation_share` (0.40, below medium), and they weigh more the more
///    the terminal is restricted.
///
/// The score rises with every flag about the terminal and every flag about
/// others. The plausibility of an inferred route is shown beside the score
/// and does not move it.
pub fn score(policy: &Policy, flags: &[Flag], terminal: EntityId) -> f64 {
    let about_terminal = |f: &&Flag| f.subject == terminal && family(f.rule) != "handoff";
    let own = strength(policy, flags.iter().filter(about_terminal));
    let others = strength(policy, flags.iter().filter(|f| !about_terminal(f)));
    let base = policy.aggravation_share.clamp(0.0, 1.0);
    let share = base + (1.0 - base) * own;
    round6(own + (1.0 - own) * share * others)
}

/// The score of an entity finding: the strength of its flags, the hand-off
/// family counted once. Signs of concealment alone ([`is_sign`]: a new
/// company, quick hand-offs, a hub passage, a long chain, paperwork naming
/// another end user, a crypto payment, a director residing in a country of
/// concern) make an entity finding medium at most: its score stays under
/// the policy's `severity_high` (0.01 under it, so that the printed score
/// shows the band). A party is high for what it is or what its units
/// reached: a listing or listed owners, units fed to a restricted
/// destination through it (`supplied_by_front`), units with no source, a
/// tie to a listed party, stock in boxes. A new trader whose every unit
/// was installed by allied customers shows every sign of a front and fed
/// none; as the contract caps what flags about others add to a route, this
/// caps what signs add up to about a party.
pub fn entity_score(policy: &Policy, flags: &[Flag]) -> f64 {
    let s = round6(strength(policy, flags));
    if flags.iter().all(is_sign) { s.min(round6(policy.severity_high - 0.01)).max(0.0) } else { s }
}

/// Rules whose flags are signs of concealment rather than a restriction or
/// a fact against the party (see [`entity_score`]); `control_ties` is one
/// unless the tie is to a listed party (its evidence cites a list entry).
pub const SIGN_RULES: &[&str] = &[
    "shell_indicators",
    "rapid_resale",
    "transshipment_hub",
    "long_chain",
    "end_user_mismatch",
    "crypto_payment",
    "control_ties",
];

/// Whether `f` is a sign of concealment alone (see [`SIGN_RULES`]).
pub fn is_sign(f: &Flag) -> bool {
    SIGN_RULES.contains(&f.rule) && !(f.rule == "control_ties" && f.evidence.iter().any(|e| e.starts_with("list:")))
}

/// Severity from the policy's cut-offs, decided on the score as it prints
/// (three decimals, [`finding::round3`]): a reader who sees `0.75` beside a 0.75
/// cut-off sees `high`, never a band that disagrees with the printed score.
pub fn severity(policy: &Policy, score: f64) -> Severity {
    let score = finding::round3(score);
    if score >= policy.severity_high {
        Severity::High
    } else if score >= policy.severity_medium {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// `F-` and twelve hex digits of a hash of the terminal or subject, the lot
/// or product, and the record ids of the path (an entity finding's hash also
/// takes its kind): stable for the same input. 48 bits keep the chance of two
/// findings sharing an id near one in a thousand even for the million
/// findings of a ten-million-record scan.
fn finding_id(case: &Case, kind: FindingKind, terminal: EntityId, key: Sym, path: &[RecordId]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if kind == FindingKind::Entity {
        h.update(b"entity\0");
    }
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

#[cfg(test)]
mod severity_tests {
    use super::*;

    /// The band agrees with the printed score: 0.7496 prints `0.75` and is
    /// high under a 0.75 cut-off; 0.7494 prints `0.749` and is medium.
    #[test]
    fn the_band_is_that_of_the_printed_score() {
        let p = Policy::default();
        assert_eq!(finding::round3(0.7496), 0.75);
        assert_eq!(severity(&p, 0.7496), Severity::High);
        assert_eq!(severity(&p, 0.7494), Severity::Medium);
        assert_eq!(severity(&p, 0.4496), Severity::Medium);
        assert_eq!(severity(&p, 0.4494), Severity::Low);
        assert_eq!(severity(&p, 0.0), Severity::Low);
    }
}
