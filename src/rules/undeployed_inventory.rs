//! `undeployed_inventory`: a data centre or cloud on the route, or a site
//! where a holder on the route placed the units, received far more than it
//! installed, leased or passed on (stock held in boxes). Controlled products only.
//!
//! Stock is judged against time: units that arrived within the policy's
//! `undeployed_grace_days` of the case's last record are still being
//! installed, and a holder still installing (a ramp) whose pace would use
//! the rest within `undeployed_ramp_days` is not holding boxes. A holder with no install
//! record of the product at all may install without filing it: its stock is
//! "unknown", said so, and counts for less.

use super::{Ctx, Rule};
use crate::analysis::inventory::Inventory;
use crate::analysis::routes::Route;
use crate::model::*;
use crate::policy::Policy;
use crate::scan::Flag;
use rustc_hash::FxHashMap as HashMap;

pub struct UndeployedInventory;

/// Stock a data centre or cloud holds undeployed, of one product.
#[derive(Clone, Debug, Default)]
pub struct Idle {
    /// Units that arrived before the grace period.
    pub received: u64,
    /// Units installed (by it or at its site) or leased out, whichever is larger, plus those passed on.
    pub used: u64,
    /// The latest of those arrivals.
    pub last_arrival: Option<Timestamp>,
    /// True when the case has no install record of the product by or at the holder.
    pub unknown: bool,
    /// The arrivals and installs the judgement rests on (at most 12 of each).
    pub records: Vec<RecordId>,
    /// Arrivals and installs left out of `records`.
    pub more: usize,
    /// The party whose account this is: it shipped these arrivals there
    /// while keeping title (the site's owner or a colocation customer), so
    /// the stock is its. None for the site's own stock.
    pub title_holder: Option<EntityId>,
}

/// What one data centre or cloud did with one product, on one account: its
/// own stock, or one colocation customer's (see [`idle_stock`]).
#[derive(Default)]
struct Tally {
    arrivals: Vec<RecordId>,
    installs: Vec<RecordId>,
    installed: u64,
    leased: u64,
    passed_on: u64,
    first_arrival: Option<Timestamp>,
    last_deployed: Option<Timestamp>,
}

impl Tally {
    fn deploy(&mut self, ri: RecordId, r: &Record) {
        self.installed += r.quantity as u64;
        self.installs.push(ri);
        self.last_deployed = Some(r.date);
    }
}

/// Data centres and clouds holding stock undeployed at the case's last date,
/// per site and product, one [`Idle`] per account that holds boxes.
///
/// A site keeps one account per party that shipped units there while
/// keeping title (a party that bought the product: the site's owner or a
/// colocation customer) and one of its own for everything else (units it
/// bought, a forwarder's deliveries). A customer's installs at the site
/// count against its own account, so one tenant that installed everything
/// neither hides another tenant's boxes nor is blamed for them. Installs,
/// leases and sales the site itself records count against its own account
/// first; what they deploy beyond it is the customers' units (the hall's
/// staff installed them), taken from the accounts in the order they first
/// arrived.
///
/// # Complexity
/// O(R) over the records in time order, plus O(A log A) for A accounts.
pub fn idle_stock(
    case: &Case,
    policy: &Policy,
    inv: &Inventory,
    last: Timestamp,
) -> HashMap<(EntityId, Sym), Vec<Idle>> {
    let holds = |e: EntityId| matches!(case.entity(e).kind, EntityKind::DataCentre | EntityKind::Cloud);
    // The account a shipment into `site` lands on: the sender's when it
    // bought the product (so it keeps title), the site's own otherwise.
    let tenant = |r: &Record| {
        (r.kind == RecordKind::Shipment && r.from != r.to && inv.holding(r.from, r.product).bought > 0)
            .then_some(r.from)
    };
    let mut tally: HashMap<(EntityId, Sym, Option<EntityId>), Tally> = HashMap::default();
    for &ri in &inv.order {
        let r = &case.records[ri as usize];
        let q = r.quantity as u64;
        if r.kind.moves_goods() && holds(r.to) {
            let t = tally.entry((r.to, r.product, tenant(r))).or_default();
            t.arrivals.push(ri);
            t.first_arrival.get_or_insert(r.date);
        }
        if holds(r.from) {
            let t = tally.entry((r.from, r.product, None)).or_default();
            match r.kind {
                RecordKind::Install => t.deploy(ri, r),
                RecordKind::Lease => {
                    t.leased += q;
                    t.last_deployed = Some(r.date);
                }
                RecordKind::Sale | RecordKind::Shipment => t.passed_on += q,
            }
        }
        if r.kind == RecordKind::Install && r.to != r.from && holds(r.to) {
            // On the installer's account when it shipped units there, else the site's.
            let key = if tally.contains_key(&(r.to, r.product, Some(r.from))) {
                (r.to, r.product, Some(r.from))
            } else {
                (r.to, r.product, None)
            };
            tally.entry(key).or_default().deploy(ri, r);
        }
    }
    let aged = |t: &Tally| -> Vec<RecordId> {
        t.arrivals
            .iter()
            .copied()
            .filter(|&ri| case.records[ri as usize].date.days_until(last) >= policy.undeployed_grace_days)
            .collect()
    };
    let sum = |v: &[RecordId]| -> u64 { v.iter().map(|&ri| case.records[ri as usize].quantity as u64).sum() };
    // What the site's own installs, leases and sales deployed beyond its own
    // stock went to its customers' units, first arrived first.
    let mut keys: Vec<(EntityId, Sym, Option<EntityId>)> = tally.keys().copied().collect();
    keys.sort_unstable_by_key(|&(site, p, t)| (site, p, t.is_some(), tally[&(site, p, t)].first_arrival, t));
    let mut spare: HashMap<(EntityId, Sym), u64> = HashMap::default();
    let mut extra: HashMap<(EntityId, Sym, Option<EntityId>), u64> = HashMap::default();
    for &(site, p, owner) in &keys {
        let t = &tally[&(site, p, owner)];
        let received: u64 = t.arrivals.iter().map(|&ri| case.records[ri as usize].quantity as u64).sum();
        match owner {
            None => {
                let used = t.installed.max(t.leased) + t.passed_on;
                spare.insert((site, p), used.saturating_sub(received));
            }
            Some(_) => {
                let open = received.saturating_sub(t.installed);
                let s = spare.entry((site, p)).or_default();
                let take = open.min(*s);
                *s -= take;
                extra.insert((site, p, owner), take);
            }
        }
    }
    let mut out: HashMap<(EntityId, Sym), Vec<Idle>> = HashMap::default();
    for key @ (site, product, owner) in keys {
        let t = &tally[&key];
        let aged = aged(t);
        let received = sum(&aged);
        if received == 0 {
            continue;
        }
        let deployed = t.installed.max(t.leased) + extra.get(&key).copied().unwrap_or(0);
        let used = deployed + t.passed_on;
        let idle = received.saturating_sub(used);
        if idle < policy.undeployed_min_units || used as f64 >= policy.undeployed_ratio * received as f64 {
            continue;
        }
        // A ramp: still deploying within the grace period, at a pace that
        // would deploy the rest within the ramp horizon.
        if let (Some(first), Some(lastd)) = (t.first_arrival, t.last_deployed)
            && lastd.days_until(last) < policy.undeployed_grace_days
        {
            let rate = deployed as f64 / first.days_until(lastd).max(1.0);
            if idle as f64 <= rate * policy.undeployed_ramp_days {
                continue;
            }
        }
        let mut records: Vec<RecordId> = aged.iter().rev().take(12).copied().collect();
        records.extend(t.installs.iter().rev().take(12));
        let more = aged.len().saturating_sub(12) + t.installs.len().saturating_sub(12);
        let last_arrival = aged.last().map(|&ri| case.records[ri as usize].date);
        let unknown = t.installs.is_empty() && extra.get(&key).is_none_or(|&x| x == 0);
        out.entry((site, product)).or_default().push(Idle {
            received,
            used,
            last_arrival,
            unknown,
            records,
            more,
            title_holder: owner,
        });
    }
    out
}

impl Rule for UndeployedInventory {
    fn id(&self) -> &'static str {
        "undeployed_inventory"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let parties = route.parties(ctx.case);
        let mut candidates: Vec<EntityId> = parties.clone();
        // Sites where holders on the route installed or shipped this product.
        for &p in &parties {
            for &site in ctx.undeployed_sites.get(&(p, route.product)).map(Vec::as_slice).unwrap_or(&[]) {
                if !candidates.contains(&site) {
                    candidates.push(site);
                }
            }
        }
        let accounts = candidates
            .iter()
            .flat_map(|&e| ctx.undeployed.get(&(e, route.product)).into_iter().flatten().map(move |idle| (e, idle)));
        for (e, idle) in accounts {
            // Another colocation customer's boxes say nothing about this route.
            if idle.title_holder.is_some_and(|h| !parties.contains(&h)) {
                continue;
            }
            let ent = ctx.case.entity(e);
            let held = idle.received - idle.used;
            let cap = match ent.capacity_gpus {
                Some(c) if idle.received > c => format!("; that is more than its declared capacity of {c} GPUs"),
                Some(c) => format!("; declared capacity {c} GPUs"),
                None => String::new(),
            };
            let product = ctx.case.s(route.product);
            let when = idle.last_arrival.map_or(String::new(), |d| {
                format!(
                    " (the last of them on {d}, {:.0} days before the case's last record on {})",
                    d.days_until(ctx.last_date),
                    ctx.last_date
                )
            });
            // Boxes shipped to a site by a party that kept title are that
            // party's stock: the flag is about it (with the site named), so
            // its own risks (a director, a shell) meet its boxes in one
            // entity finding.
            let subject = idle.title_holder.unwrap_or(e);
            let owner = match idle.title_holder {
                Some(h) => format!("{} holds title to the units it shipped to ", ctx.who(h)),
                None => String::new(),
            };
            let mut detail = format!(
                "{owner}{}{} received {} {product}{when} but installed, leased or passed on only {}: {held} units undeployed{cap}",
                ctx.who(e),
                if idle.title_holder.is_some() { ", which" } else { "" },
                idle.received,
                idle.used,
            );
            if idle.unknown {
                detail.push_str(&format!(
                    "; the case has no install record of {product} by or at it, so whether the units are installed is unknown (counted at {} instead of {})",
                    ctx.policy.undeployed_unknown_weight,
                    ctx.policy.weight(self.id())
                ));
            }
            if idle.more > 0 {
                detail.push_str(&format!("; {} more records not cited", idle.more));
            }
            let mut evidence = vec![ent.id.clone()];
            if subject != e {
                evidence.insert(0, ctx.case.entity(subject).id.clone());
            }
            evidence.extend(idle.records.iter().map(|&r| ctx.rid(r)));
            let flag = Flag::new(self.id(), subject, detail, evidence);
            let unknown = ctx.policy.undeployed_unknown_weight.min(ctx.policy.weight(self.id()));
            out.push(if idle.unknown { flag.weighted(unknown) } else { flag });
        }
    }
}
