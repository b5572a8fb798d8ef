//! The route search: from every step that ends a route (a lease, or a receipt
//! whose units the receiver keeps) back to where the units came from. Lots are
//! followed exactly; where records carry no lot the previous step is inferred
//! from time order, product and quantity, and the route says how plausible
//! that inference is. A sub-lease walks back through the lease its lessor
//! holds the units by, so the route reaches the last lessee.
//!
//! Each terminal step is searched on its own, so the search parallelises over
//! terminal steps with no shared state; [`find_routes`] has a sequential twin
//! that must give the same routes.

use crate::analysis::inventory::Inventory;
use crate::graph::{Adjacency, LEASE_GOODS, Lots, NO_GOODS, goods_key};
use crate::model::*;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A route from an origin to a terminal.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Records from the first known holder to the terminal step, in time order.
    pub records: Vec<RecordId>,
    /// The last holder, or the lessee of a lease.
    pub terminal: EntityId,
    pub product: Sym,
    /// Units of the terminal step.
    pub quantity: u32,
    /// The terminal step's lot, if any.
    pub lot: Option<Sym>,
    /// True when at least one step was inferred without a lot.
    pub inferred: bool,
    /// Product of the inferred steps' plausibilities (1 when none was inferred).
    pub plausibility: f64,
    /// True when the depth or candidate bound cut the search.
    pub truncated: bool,
    /// The bound that cut it, if one did.
    pub cut: Option<Cut>,
    /// Candidate steps looked at while building the route.
    pub examined: u64,
}

impl Route {
    /// The step that ends the route.
    pub fn last(&self) -> RecordId {
        *self.records.last().expect("a route has at least one record")
    }

    /// Everyone on the route in order: the first sender, then each receiver.
    pub fn parties(&self, case: &Case) -> Vec<EntityId> {
        let mut out = Vec::with_capacity(self.records.len() + 1);
        for (i, &ri) in self.records.iter().enumerate() {
            let r = &case.records[ri as usize];
            if i == 0 {
                out.push(r.from);
            }
            out.push(r.to);
        }
        out
    }

    /// Holders between the origin and the terminal (senders of every step but the first).
    pub fn intermediaries(&self, case: &Case) -> Vec<EntityId> {
        let mut out: Vec<EntityId> = self.records.iter().skip(1).map(|&ri| case.records[ri as usize].from).collect();
        out.dedup();
        out.retain(|&e| e != self.terminal);
        out
    }
}

/// Bounds of the search.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Longest route, in records.
    pub max_depth: usize,
    /// Most earlier receipts looked at for one inferred step.
    pub max_candidates: usize,
    /// Most candidate steps (lots of the lineage and their records, earlier
    /// receipts) looked at for one route, all steps together.
    pub max_examined: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds { max_depth: 12, max_candidates: 64, max_examined: 20_000 }
    }
}

/// Which bound cut a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cut {
    /// The route reached `max_depth` records.
    Depth,
    /// One inferred step had more than `max_candidates` earlier receipts.
    Candidates,
    /// The route looked at `max_examined` candidates (`max_expansions`).
    Examined,
}

impl Cut {
    /// The policy key that sets the bound.
    pub fn policy_key(self) -> &'static str {
        match self {
            Cut::Depth => "max_depth",
            Cut::Candidates => "max_expansions (candidates per inferred step: max_expansions / 256)",
            Cut::Examined => "max_expansions",
        }
    }
}

/// What the route search reads.
pub struct RouteIndex<'a> {
    pub case: &'a Case,
    pub adj: &'a Adjacency,
    pub lots: &'a Lots,
    pub inv: &'a Inventory,
    /// On a cluster rank, whether it owns an entity: the search there may
    /// read only records with an end the rank owns (its adjacency) and the
    /// lots' columns ([`Lots::with_columns`]), never another record, so
    /// that the rank need hold no other. Every record the search reads goes
    /// through [`RouteIndex::rec`], which checks this in debug builds (what
    /// the tests run). None in one process.
    pub owns: Option<&'a (dyn Fn(EntityId) -> bool + Sync)>,
}

impl<'a> RouteIndex<'a> {
    /// Record `r`, as the search reads it (see [`RouteIndex::owns`]).
    pub fn rec(&self, r: RecordId) -> &'a Record {
        let x = &self.case.records[r as usize];
        debug_assert!(
            self.owns.is_none_or(|owns| owns(x.from) || owns(x.to)),
            "the route search read record {r}, which has no end this rank owns"
        );
        x
    }
}

/// The records that end a route: every lease (a sub-lease continues the
/// route of the lease it came from, and the lease in still ends its own
/// route at the sub-lessor), and every sale or shipment
/// whose receiver keeps the units (it never passes that lot on, or for
/// lot-less records, still holds some of the product at the end). Sorted.
///
/// # Complexity
/// O(R).
pub fn terminal_steps(ix: &RouteIndex) -> Vec<RecordId> {
    terminal_steps_among(ix, 0..ix.case.records.len() as RecordId, |_| true)
}

/// The terminal steps (see [`terminal_steps`]) among `records` (ascending)
/// whose record passes `candidate`, judged from `records` alone: whether
/// a receiver passed its lot on is read from the records it sent among
/// them, so `records` must hold every record each candidate's receiver
/// sent. A cluster rank passes the records with an end it owns and takes
/// the steps received by an entity it owns.
///
/// # Complexity
/// O(|records|).
pub fn terminal_steps_among(
    ix: &RouteIndex,
    records: impl Iterator<Item = RecordId> + Clone,
    candidate: impl Fn(&Record) -> bool,
) -> Vec<RecordId> {
    // Lots each entity passed on (sold or shipped), to tell last holders.
    let mut passed_on: HashSet<(EntityId, Sym)> = HashSet::default();
    for r in records.clone().map(|i| ix.rec(i)) {
        if let (true, Some(l)) = (r.kind.moves_goods(), r.lot) {
            passed_on.insert((r.from, l));
            if let Some(p) = r.parent_lot {
                passed_on.insert((r.from, p));
            }
        }
    }
    let mut out = Vec::new();
    for i in records {
        let r = ix.rec(i);
        if !candidate(r) {
            continue;
        }
        let keep = match r.kind {
            RecordKind::Lease => true,
            RecordKind::Install => false,
            RecordKind::Sale | RecordKind::Shipment => match r.lot {
                Some(l) => !passed_on.contains(&(r.to, l)),
                None => ix.inv.holding(r.to, r.product).held() > 0,
            },
        };
        if keep {
            out.push(i);
        }
    }
    out
}

/// Builds the route that ends with record `last`, walking back one step at a
/// time: to the latest earlier receipt of the same lot (or the lot it was split
/// from), or, without a lot, to the most plausible earlier receipt of the same
/// product by the sender.
///
/// # Complexity
/// O(min(depth x (lineage + candidates), max_examined)): every lot of the
/// lineage and every record looked at counts against `bounds.max_examined`.
pub fn route_to(ix: &RouteIndex, last: RecordId, bounds: &Bounds) -> Route {
    let mut walk = Walk::start(ix, last);
    while walk.step(ix, bounds) {}
    walk.route()
}

/// A route being built backward, one step at a time ([`route_to`] walks it
/// to the end at once; the cluster scan moves it between processes, each
/// step on the process that holds the receipts of the holder it reads).
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    /// The records found so far, the terminal step first (the reverse of the route's order).
    pub records: Vec<RecordId>,
    /// The terminal step's receiver, product, units and lot, read where the
    /// walk starts: what the route says of its end, carried so that the
    /// process where the walk ends need not hold the terminal step.
    pub terminal: EntityId,
    pub product: Sym,
    pub quantity: u32,
    pub lot: Option<Sym>,
    pub inferred: bool,
    pub plausibility: f64,
    pub cut: Option<Cut>,
    pub examined: u64,
}

impl Walk {
    /// A walk back from the terminal step `last`.
    pub fn start(ix: &RouteIndex, last: RecordId) -> Walk {
        let end = ix.rec(last);
        Walk {
            records: vec![last],
            terminal: end.to,
            product: end.product,
            quantity: end.quantity,
            lot: end.lot,
            inferred: false,
            plausibility: 1.0,
            cut: None,
            examined: 0,
        }
    }

    /// The earliest record found so far: the next step reads the receipts of its sender.
    pub fn head(&self) -> RecordId {
        *self.records.last().expect("a walk has at least one record")
    }

    /// Looks for the receipt that supplied the head's units among its
    /// sender's receipts (the lots of its lineage first) and adds it. False
    /// when the walk is over: the units were made here, a bound cut it, or
    /// no recorded receipt supplied them (the route starts at this holder).
    pub fn step(&mut self, ix: &RouteIndex, bounds: &Bounds) -> bool {
        let case = ix.case;
        let records = &mut self.records;
        let cur = *records.last().expect("a walk has at least one record");
        let r = ix.rec(cur);
        if ix.adj.is_maker(r.from) {
            return false; // the units were made here
        }
        if records.len() >= bounds.max_depth {
            self.cut = Some(Cut::Depth);
            return false;
        }
        if self.examined >= bounds.max_examined {
            self.cut = Some(Cut::Examined);
            return false;
        }
        let examined = &mut self.examined;
        let cut = &mut self.cut;
        // Receipts up to the step's date (receipts on the same day count: dates
        // often lack times), found and filtered on the narrow date and goods
        // columns; only a receipt of the same product reads its record.
        let inn = ix.adj.inn_columns(r.from);
        let upto = inn.dates.partition_point(|&d| d <= r.date.0);
        let want = goods_key(r.product);
        let mut best: Option<(RecordId, f64, bool)> = None;
        // A lease of units the lessor shipped to a site (its own data centre
        // or a colocation hall) while keeping title: the units were leased
        // where they sat, so the route runs through that shipment and the
        // site to the lessee instead of skipping the site.
        if r.kind == RecordKind::Lease {
            let out = ix.adj.out(r.from);
            let upto = out.partition_point(|&c| ix.rec(c).date <= r.date);
            for &c in out[..upto].iter().rev().take(bounds.max_candidates) {
                if *examined >= bounds.max_examined {
                    *cut = Some(Cut::Examined);
                    break;
                }
                *examined += 1;
                let cr = ix.rec(c);
                if cr.kind != RecordKind::Shipment
                    || cr.product != r.product
                    || cr.to == r.to
                    || !matches!(case.entity(cr.to).kind, EntityKind::DataCentre | EntityKind::Cloud)
                    || records.contains(&c)
                {
                    continue;
                }
                let (p, was_inferred) = match (cr.lot, r.lot) {
                    (Some(a), Some(b))
                        if a == b || ix.lots.ancestors_iter(b).take(bounds.max_depth).any(|l| l == a) =>
                    {
                        (1.0, false)
                    }
                    (Some(_), Some(_)) => continue,
                    _ => (step_plausibility(cr, r), true),
                };
                if best.is_none_or(|(_, bp, _)| p > bp) {
                    best = Some((c, p, was_inferred));
                }
            }
        }
        if best.is_none()
            && let Some(lot) = r.lot
        {
            // The latest receipt by this holder of the lot or a lot it was split
            // from: walk the lots' own records, which are few, not the holder's.
            // Each lot of the lineage and each record looked at counts
            // against the route's budget, so a chain of thousands of nested
            // sub-lots is cut (and says so) rather than walked from every step.
            'lineage: for l in ix.lots.ancestors_iter(lot) {
                *examined += 1;
                let Some(lr) = ix.lots.get(l) else { continue };
                // The lot's dates and receivers from its columns where it
                // has them (a cluster rank), so that only the holder's own
                // receipt is read whole.
                let upto = match lr.columns {
                    Some((dates, _)) => dates.partition_point(|&d| d <= r.date.0),
                    None => lr.records.partition_point(|&c| ix.rec(c).date <= r.date),
                };
                let to = |i: usize| lr.columns.map_or_else(|| ix.rec(lr.records[i]).to, |(_, tos)| tos[i]);
                for i in (0..upto).rev() {
                    if *examined >= bounds.max_examined {
                        *cut = Some(Cut::Examined);
                        break 'lineage;
                    }
                    *examined += 1;
                    if to(i) != r.from {
                        continue;
                    }
                    let c = lr.records[i];
                    let cr = ix.rec(c);
                    if supplies(ix.case, c, cr, r) && cr.product == r.product && !records.contains(&c) {
                        if best.is_none_or(|(b, _, _)| ix.rec(b).date < cr.date) {
                            best = Some((c, 1.0, false));
                        }
                        break;
                    }
                }
            }
        }
        if best.is_none() && *cut != Some(Cut::Examined) {
            for (n, i) in (0..upto).rev().enumerate() {
                if n >= bounds.max_candidates {
                    *cut = Some(Cut::Candidates);
                    break;
                }
                if *examined >= bounds.max_examined {
                    *cut = Some(Cut::Examined);
                    break;
                }
                *examined += 1;
                let c = inn.records[i];
                // A receipt of another product, or an install (NO_GOODS), is
                // skipped on the narrow column without reading its record,
                // and a receipt of the product is weighed on the columns
                // too: what `supplies` and `step_plausibility` read of it
                // (its kind, units and date) is there, and only a lease's
                // end date is read beside it.
                let g = inn.goods[i];
                if g == NO_GOODS || g & !LEASE_GOODS != want || records.contains(&c) {
                    continue;
                }
                if g & LEASE_GOODS != 0
                    && !(r.kind == RecordKind::Lease && case.records.end_date(c).is_none_or(|end| r.date <= end))
                {
                    continue;
                }
                let p = plausibility(inn.quantity[i], Timestamp(inn.dates[i]), r);
                if best.is_none_or(|(_, bp, _)| p > bp) {
                    best = Some((c, p, true));
                }
            }
        }
        match best {
            Some((c, p, was_inferred)) => {
                if was_inferred {
                    self.inferred = true;
                    self.plausibility *= p;
                }
                records.push(c);
                true
            }
            None => false, // no recorded receipt: the route starts at this holder
        }
    }

    /// The route the walk found.
    pub fn route(self) -> Route {
        let Walk { mut records, terminal, product, quantity, lot, inferred, plausibility, cut, examined } = self;
        records.reverse();
        Route {
            records,
            terminal,
            product,
            quantity,
            lot,
            inferred,
            plausibility,
            truncated: cut.is_some(),
            cut,
            examined,
        }
    }
}

/// Whether receipt `prev` can have supplied the units of step `next`: goods
/// that came in by sale or shipment supply any step; units leased in supply
/// only a lease out (a sub-lease), and only while the lease in ran. `prev`
/// is record `pi` of the case.
fn supplies(case: &Case, pi: RecordId, prev: &Record, next: &Record) -> bool {
    match prev.kind {
        RecordKind::Sale | RecordKind::Shipment => true,
        RecordKind::Lease => {
            next.kind == RecordKind::Lease && case.records.end_date(pi).is_none_or(|end| next.date <= end)
        }
        RecordKind::Install => false,
    }
}

/// One step of a path taken from an earlier receipt without a lot to tie
/// them: what [`step_plausibility`] weighed, for a reader of an inferred route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InferredLink {
    /// The receipt taken as the source.
    pub prev: RecordId,
    /// The step it is taken to have supplied.
    pub next: RecordId,
    /// Days between them.
    pub days: f64,
    /// [`step_plausibility`] of the pair.
    pub plausibility: f64,
}

/// The links of a finding's path (records in time order) that no lot ties:
/// for each record, the latest earlier record of the path that delivered the
/// same product to its sender, where either lacks a lot. What an inferred
/// route's plausibility rests on (it is the product of its links'; a
/// finding shows the highest of its routes').
///
/// # Complexity
/// O(p²) for a path of p records (paths are bounded by the route depth).
pub fn inferred_links(case: &Case, path: &[RecordId]) -> Vec<InferredLink> {
    let mut out = Vec::new();
    for (j, &n) in path.iter().enumerate() {
        let next = &case.records[n as usize];
        let prev = path[..j].iter().rev().copied().find(|&p| {
            let r = &case.records[p as usize];
            r.to == next.from && r.product == next.product && r.date <= next.date && r.kind != RecordKind::Install
        });
        if let Some(p) = prev {
            let r = &case.records[p as usize];
            if r.lot.is_none() || next.lot.is_none() {
                out.push(InferredLink {
                    prev: p,
                    next: n,
                    days: r.date.days_until(next.date).max(0.0),
                    plausibility: step_plausibility(r, next),
                });
            }
        }
    }
    out
}

/// Why a route is inferred and what its plausibility rests on, in one
/// sentence: each link no lot ties ([`inferred_links`]) with the units
/// passed on and received and the days between, and how
/// [`step_plausibility`] weighs them. The text report, the JSON
/// (`inferred_reason`) and the HTML report print it.
///
/// # Complexity
/// O(p²) for a path of p records, as [`inferred_links`].
pub fn inferred_reason(case: &Case, path: &[RecordId], plausibility: f64) -> String {
    let each: Vec<String> = inferred_links(case, path)
        .iter()
        .map(|l| {
            let (p, n) = (&case.records[l.prev as usize], &case.records[l.next as usize]);
            format!(
                "{} ({}) taken from {} ({} received) {:.0} days before: {:.2}",
                case.record_id(l.next),
                n.quantity,
                case.record_id(l.prev),
                p.quantity,
                l.days,
                l.plausibility
            )
        })
        .collect();
    format!(
        "no lot ties {}; a link is min(1, received / passed on) x (0.5 + 0.5 e^(-days/120)) x (0.9 unless the quantities are equal), a route's plausibility the product of its links', and the finding shows its best route's, {plausibility:.2}",
        if each.is_empty() { "its steps".to_string() } else { each.join("; ") },
    )
}

/// How plausible it is that receipt `prev` supplied the units of `next`:
/// enough units (a receipt smaller than what is passed on explains only part
/// of it) and a short wait (stock turns over in weeks, not years). The scan
/// report quotes this formula beside an inferred route ([`inferred_reason`]);
/// keep the two together.
pub fn step_plausibility(prev: &Record, next: &Record) -> f64 {
    plausibility(prev.quantity, prev.date, next)
}

/// [`step_plausibility`] of a receipt of `quantity` units dated `date`
/// (what the route search reads of it on the adjacency's columns).
fn plausibility(quantity: u32, date: Timestamp, next: &Record) -> f64 {
    let qty = (quantity as f64 / next.quantity as f64).min(1.0);
    let days = date.days_until(next.date).max(0.0);
    let time = 0.5 + 0.5 * (-days / 120.0).exp();
    // Exact quantity matches are typical of pass-through trade.
    let exact = if quantity == next.quantity { 1.0 } else { 0.9 };
    (qty * time * exact).clamp(0.0, 1.0)
}

/// Routes for the given terminal steps, in the order of `steps`. With
/// `parallel`, steps are spread over rayon's pool (work-stealing, so a few
/// long searches do not hold up the rest); otherwise searched one by one.
pub fn find_routes(
    ix: &RouteIndex,
    steps: &[RecordId],
    bounds: &Bounds,
    parallel: bool,
    tick: &(dyn Fn() + Sync),
) -> Vec<Route> {
    let one = |&s: &RecordId| {
        let r = route_to(ix, s, bounds);
        tick();
        r
    };
    if parallel { steps.par_iter().with_min_len(64).map(one).collect() } else { steps.iter().map(one).collect() }
}

/// Groups routes that reach the same terminal with the same lot (or, without
/// a lot, the same product through the same previous step): docs/spec.md §3 reports a
/// route once per terminal and lot or inferred flow.
pub fn group_key(route: &Route) -> (EntityId, u8, Sym, Option<RecordId>) {
    match route.lot {
        Some(l) => (route.terminal, 0, l, None),
        None => {
            let prev = route.records.len().checked_sub(2).map(|i| route.records[i]);
            (route.terminal, 1, route.product, prev)
        }
    }
}

/// Groups routes by [`group_key`], keeping the first-seen order of groups.
pub fn group(routes: Vec<Route>) -> Vec<Vec<Route>> {
    let mut index: HashMap<(EntityId, u8, Sym, Option<RecordId>), usize> = HashMap::default();
    let mut groups: Vec<Vec<Route>> = Vec::new();
    for r in routes {
        let k = group_key(&r);
        match index.get(&k) {
            Some(&i) => groups[i].push(r),
            None => {
                index.insert(k, groups.len());
                groups.push(vec![r]);
            }
        }
    }
    groups
}
