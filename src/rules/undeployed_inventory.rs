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
    /// The party that shipped every one of the arrivals there while keeping
    /// title (the site's owner or a colocation customer): the stock is its.
    pub title_holder: Option<EntityId>,
}

/// What one data centre or cloud did with one product.
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

/// Data centres and clouds holding stock undeployed at the case's last date.
///
/// # Complexity
/// O(R) over the records in time order.
pub fn idle_stock(case: &Case, policy: &Policy, inv: &Inventory, last: Timestamp) -> HashMap<(EntityId, Sym), Idle> {
    let holds = |e: EntityId| matches!(case.entity(e).kind, EntityKind::DataCentre | EntityKind::Cloud);
    let mut tally: HashMap<(EntityId, Sym), Tally> = HashMap::default();
    for &ri in &inv.order {
        let r = &case.records[ri as usize];
        let q = r.quantity as u64;
        if r.kind.moves_goods() && holds(r.to) {
            let t = tally.entry((r.to, r.product)).or_default();
            t.arrivals.push(ri);
            t.first_arrival.get_or_insert(r.date);
        }
        if holds(r.from) {
            let t = tally.entry((r.from, r.product)).or_default();
            match r.kind {
                RecordKind::Install => {
                    t.installed += q;
                    t.installs.push(ri);
                    t.last_deployed = Some(r.date);
                }
                RecordKind::Lease => {
                    t.leased += q;
                    t.last_deployed = Some(r.date);
                }
                RecordKind::Sale | RecordKind::Shipment => t.passed_on += q,
            }
        }
        if r.kind == RecordKind::Install && r.to != r.from && holds(r.to) {
            let t = tally.entry((r.to, r.product)).or_default();
            t.installed += q;
            t.installs.push(ri);
            t.last_deployed = Some(r.date);
        }
    }
    let mut out = HashMap::default();
    for (key, t) in tally {
        let aged: Vec<RecordId> = t
            .arrivals
            .iter()
            .copied()
            .filter(|&ri| case.records[ri as usize].date.days_until(last) >= policy.undeployed_grace_days)
            .collect();
        let received: u64 = aged.iter().map(|&ri| case.records[ri as usize].quantity as u64).sum();
        if received == 0 {
            continue;
        }
        let deployed = t.installed.max(t.leased);
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
        // A shipment moves goods but not title: when every unit arrived by
        // shipment from one party that bought the product (not a forwarder
        // moving someone else's goods), the boxes are that party's.
        let senders: Vec<&Record> = aged.iter().map(|&ri| &case.records[ri as usize]).collect();
        let title_holder = senders.first().map(|r| r.from).filter(|&s| {
            s != key.0
                && inv.holding(s, key.1).bought > 0
                && senders.iter().all(|r| r.kind == RecordKind::Shipment && r.from == s)
        });
        out.insert(
            key,
            Idle { received, used, last_arrival, unknown: t.installs.is_empty(), records, more, title_holder },
        );
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
        for p in parties {
            for &site in ctx.undeployed_sites.get(&(p, route.product)).map(Vec::as_slice).unwrap_or(&[]) {
                if !candidates.contains(&site) {
                    candidates.push(site);
                }
            }
        }
        for e in candidates {
            let Some(idle) = ctx.undeployed.get(&(e, route.product)) else { continue };
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
