//! Lawful background trade: a maker sells a lot to a distributor, and the
//! units move down a heavy-tailed channel (resellers, integrators) to data
//! centres, clouds and end users, split into child lots on the way. Clouds
//! and data centres install what they buy (some through a forwarder to a
//! colocation site) and clouds lease capacity out.
//!
//! Invariants every background flow keeps, so that a scan has nothing to find
//! in it: units move on only after they arrived and never more than arrived;
//! a lot that is dropped (a customs record without one) never comes back;
//! controlled products never reach a country of concern; data centres and
//! clouds deploy at least 95% of what they receive.

use super::Gen;
use super::world::{EPOCH_DAY, LAST_START_DAY, PRODUCTS, World};
use super::writer::Rec;
use crate::model::{EntityKind, Payment, RecordKind};

/// Most records one background flow may have.
const MAX_FLOW: usize = 40;
/// Most sales between the maker's first sale and the last holder.
const MAX_DEPTH: u32 = 4;

/// Units held by one entity in a flow.
#[derive(Clone, Debug)]
pub(super) struct Holder {
    pub id: u32,
    pub quantity: u32,
    pub lot: Option<String>,
    pub day: i64,
    pub depth: u32,
    pub product: &'static str,
    pub controlled: bool,
    pub price: f64,
}

impl Gen {
    /// A new root lot id.
    pub(super) fn new_lot(&mut self) -> String {
        self.next_lot += 1;
        format!("L{}", self.next_lot)
    }

    /// A product of the given class, by trade share.
    pub(super) fn product(&mut self, controlled: bool) -> &'static str {
        let choices: Vec<(&'static str, f64)> =
            PRODUCTS.iter().filter(|p| p.controlled == controlled).map(|p| (p.name, p.share)).collect();
        self.rng.weighted(&choices)
    }

    /// A start day, more trade later in the period (the market grew).
    pub(super) fn start_day(&mut self) -> i64 {
        EPOCH_DAY + (self.rng.unit().sqrt() * (LAST_START_DAY - EPOCH_DAY) as f64) as i64
    }

    /// A sale with its declared value and a wire payment.
    pub(super) fn sale(
        &mut self,
        h: &Holder,
        to: u32,
        quantity: u32,
        day: i64,
        lot: (Option<String>, Option<String>),
    ) -> Rec {
        let mut r = Rec::new(day, RecordKind::Sale, h.id, to, h.product, quantity);
        let markup = 1.0 + 0.03 * (h.depth + 1) as f64 + self.rng.unit() * 0.04;
        r.value_usd = Some((quantity as f64 * h.price * markup).round() as u64);
        r.payment =
            Some(if !h.controlled && quantity < 50 && self.rng.chance(0.2) { Payment::Card } else { Payment::Wire });
        r.lot = lot.0;
        r.parent_lot = lot.1;
        r.source = if h.depth == 0 { "maker invoice" } else { "commercial invoice" };
        r
    }

    /// One background flow, in generation order (the writer sorts it by date).
    pub(super) fn background(&mut self) -> Vec<Rec> {
        let controlled = self.rng.chance(0.6);
        let product = self.product(controlled);
        let maker = self.world.maker_of(&mut self.rng, product);
        let Some(dist) = self.world.partner(&mut self.rng, EntityKind::Distributor, controlled) else {
            return vec![];
        };
        let quantity =
            if controlled { (self.rng.log_uniform(16, 2048) / 8).max(1) * 8 } else { self.rng.log_uniform(20, 5000) };
        let lot = self.rng.chance(0.68).then(|| self.new_lot());
        let day = self.start_day();
        let price = super::world::product(product).price as f64;
        let maker_h = Holder { id: maker, quantity, lot: None, day, depth: 0, product, controlled, price };
        let mut recs = vec![self.sale(&maker_h, dist, quantity, day, (lot.clone(), None))];
        let h = Holder { id: dist, quantity, lot, day, depth: 1, product, controlled, price: price * 1.04 };
        self.distribute(&mut recs, h);
        recs
    }

    /// Passes a holder's units on, or deploys them, by what the holder is.
    pub(super) fn distribute(&mut self, recs: &mut Vec<Rec>, h: Holder) {
        if recs.len() >= MAX_FLOW {
            return;
        }
        let kind = self.world.entities[h.id as usize].kind;
        match kind {
            EntityKind::Distributor | EntityKind::Reseller | EntityKind::Integrator if h.depth < MAX_DEPTH => {
                self.resell(recs, h, kind)
            }
            EntityKind::Cloud => self.deploy(recs, &h, true),
            EntityKind::DataCentre => {
                let lease = self.rng.chance(0.2);
                self.deploy(recs, &h, lease)
            }
            EntityKind::EndUser if self.rng.chance(0.25) => {
                // The end user colocates its servers at a data centre nearby.
                let country = self.world.entities[h.id as usize].country;
                if let Some(dc) = self.world.partner_in(&mut self.rng, EntityKind::DataCentre, country, h.controlled)
                    && dc != h.id
                {
                    let mut r =
                        Rec::new(h.day + self.rng.range(7, 45), RecordKind::Install, h.id, dc, h.product, h.quantity);
                    r.lot = h.lot.clone();
                    r.source = "colocation contract";
                    recs.push(r);
                }
            }
            _ => {}
        }
    }

    fn resell(&mut self, recs: &mut Vec<Rec>, h: Holder, kind: EntityKind) {
        let keep_pct = match kind {
            EntityKind::Distributor => self.rng.range(0, 20),
            EntityKind::Reseller => self.rng.range(0, 10),
            _ => 0,
        } as u32;
        let keep = (h.quantity as u64 * keep_pct as u64 / 100) as u32;
        let sendable = h.quantity - keep;
        if sendable == 0 {
            return;
        }
        let k = (self.rng.weighted(&[(1u32, 0.45), (2, 0.3), (3, 0.15), (4, 0.1)])).min(sendable);
        let parts = split(&mut self.rng, sendable, k, if h.controlled { 8 } else { 1 });
        let whole = parts.len() == 1 && keep == 0;
        let from_country = self.world.entities[h.id as usize].country;
        for (i, part) in parts.into_iter().enumerate() {
            let last = h.depth + 1 >= MAX_DEPTH;
            let choices: &[(EntityKind, f64)] = match (kind, last) {
                (EntityKind::Distributor, false) => &[
                    (EntityKind::Reseller, 35.0),
                    (EntityKind::Integrator, 20.0),
                    (EntityKind::Cloud, 12.0),
                    (EntityKind::DataCentre, 10.0),
                    (EntityKind::EndUser, 23.0),
                ],
                (EntityKind::Reseller, false) => &[
                    (EntityKind::Reseller, 12.0),
                    (EntityKind::Integrator, 15.0),
                    (EntityKind::Cloud, 10.0),
                    (EntityKind::DataCentre, 10.0),
                    (EntityKind::EndUser, 53.0),
                ],
                _ => &[(EntityKind::EndUser, 60.0), (EntityKind::DataCentre, 25.0), (EntityKind::Cloud, 15.0)],
            };
            let next = self.rng.weighted(choices);
            let Some(buyer) = self.world.partner(&mut self.rng, next, h.controlled) else { continue };
            if buyer == h.id {
                continue;
            }
            let dwell = match kind {
                EntityKind::Distributor => self.rng.range(10, 60),
                EntityKind::Reseller => self.rng.range(15, 90),
                _ => self.rng.range(20, 60),
            };
            let day = h.day + dwell;
            let to_country = self.world.entities[buyer as usize].country;
            let lot = match &h.lot {
                // Customs records across a border often carry no lot; once lost it stays lost.
                Some(_) if to_country != from_country && self.rng.chance(0.08) => (None, None),
                Some(l) if whole => (Some(l.clone()), None),
                Some(l) => (Some(format!("{l}-{}", i + 1)), Some(l.clone())),
                None => (None, None),
            };
            let mut r = self.sale(&h, buyer, part, day, lot.clone());
            if next == EntityKind::EndUser && self.rng.chance(0.5) {
                r.declared_end_user = Some(World::key(buyer));
            }
            recs.push(r);
            let child = Holder {
                id: buyer,
                quantity: part,
                lot: lot.0,
                day,
                depth: h.depth + 1,
                price: h.price * 1.05,
                ..h.clone()
            };
            self.distribute(recs, child);
            if recs.len() >= MAX_FLOW {
                return;
            }
        }
    }

    /// A data centre or cloud installs what it bought (at its own site or a
    /// colocation site, through a forwarder now and then) and may lease it out.
    pub(super) fn deploy(&mut self, recs: &mut Vec<Rec>, h: &Holder, lease: bool) {
        let spare = (h.quantity as u64 * self.rng.range(0, 5) as u64 / 100) as u32;
        let installed = h.quantity - spare;
        if installed == 0 {
            return;
        }
        let e = &self.world.entities[h.id as usize];
        let (country, kind) = (e.country, e.kind);
        let mut site = h.id;
        let mut day = h.day;
        if kind == EntityKind::Cloud
            && self.rng.chance(0.4)
            && let Some(dc) = self.world.partner_in(&mut self.rng, EntityKind::DataCentre, country, h.controlled)
            && dc != h.id
        {
            site = dc;
            if self.rng.chance(0.4)
                && let Some(fwd) = self.world.partner_in(&mut self.rng, EntityKind::Logistics, country, h.controlled)
                && fwd != h.id
                && fwd != dc
            {
                day += self.rng.range(2, 10);
                let mut a = Rec::new(day, RecordKind::Shipment, h.id, fwd, h.product, h.quantity);
                a.lot = h.lot.clone();
                a.source = "airway bill";
                day += self.rng.range(2, 12);
                let mut b = Rec::new(day, RecordKind::Shipment, fwd, dc, h.product, h.quantity);
                b.lot = h.lot.clone();
                b.source = "forwarder manifest";
                recs.push(a);
                recs.push(b);
            }
        }
        day += self.rng.range(5, 40);
        let mut r = Rec::new(day, RecordKind::Install, h.id, site, h.product, installed);
        r.lot = h.lot.clone();
        r.source = "site audit";
        recs.push(r);
        if !lease {
            return;
        }
        let mut left = installed;
        for _ in 0..self.rng.range(1, 3) {
            if left == 0 || recs.len() >= MAX_FLOW {
                break;
            }
            let Some(lessee) = self.world.partner(&mut self.rng, EntityKind::EndUser, h.controlled) else { break };
            if lessee == h.id {
                continue;
            }
            let q = (self.rng.range(1, left as i64).max(1) as u32).min(left);
            left -= q;
            let start = day + self.rng.range(20, 240);
            let mut l = Rec::new(start, RecordKind::Lease, h.id, lessee, h.product, q);
            l.lot = h.lot.clone();
            l.end_day = Some(start + self.rng.range(90, 730));
            l.value_usd = Some((q as f64 * h.price * 0.25) as u64);
            l.payment = Some(if q < 16 && self.rng.chance(0.3) { Payment::Card } else { Payment::Wire });
            l.source = "lease contract";
            recs.push(l);
        }
    }
}

/// Splits `total` into `k` parts of at least one each, in multiples of `unit`
/// where the total allows (servers hold eight accelerators).
pub(super) fn split(rng: &mut super::rng::Rng, total: u32, k: u32, unit: u32) -> Vec<u32> {
    let k = k.max(1).min(total.max(1));
    let unit = if total / unit.max(1) >= k { unit.max(1) } else { 1 };
    let units = total / unit;
    let mut cuts: Vec<u32> = (1..k).map(|_| rng.range(1, units.max(2) as i64 - 1) as u32).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut parts = Vec::with_capacity(k as usize);
    let mut prev = 0;
    for c in cuts {
        if c > prev && c < units {
            parts.push((c - prev) * unit);
            prev = c;
        }
    }
    parts.push(total - prev * unit);
    parts.retain(|&p| p > 0);
    parts
}

#[cfg(test)]
mod tests {
    use super::split;
    use crate::generate::rng::Rng;

    #[test]
    fn split_conserves_units() {
        let mut rng = Rng::new(7);
        for total in [1u32, 2, 7, 8, 16, 100, 1024, 5000] {
            for k in 1..=4 {
                let parts = split(&mut rng, total, k, 8);
                assert_eq!(parts.iter().sum::<u32>(), total, "{total} in {k}");
                assert!(parts.iter().all(|&p| p > 0));
                assert!(parts.len() as u32 <= k);
            }
        }
    }
}
