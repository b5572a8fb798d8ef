//! Planted diversion schemes, each a pattern from reported cases, and decoys
//! that look alike but are lawful. Every scheme is one self-contained flow
//! (from the maker's sale to the terminal) whose records and terminal go to
//! truth.json; all conserve units except `phantom_quantity`, whose point is
//! units that appear from nowhere.

use super::Gen;
use super::flows::Holder;
use super::names;
use super::world::{ALLIED, GenEntity, GenRelation, HUBS, World};
use super::writer::Rec;
use crate::model::{EntityKind, Payment, RecordKind, RelationKind};

/// Scheme types, in the order they are planted round-robin.
pub const SCHEME_TYPES: &[&str] = &[
    "hub_remote_access",
    "undeployed_datacentre",
    "listed_subsidiary",
    "domestic_cloud_lease",
    "shell_layering",
    "end_user_mismatch",
    "crypto_rapid_lease",
    "phantom_quantity",
];

/// Decoy types: lawful look-alikes a scan should not report.
pub const DECOY_TYPES: &[&str] = &["listed_associate", "allied_lease", "slow_resale", "uncontrolled_to_china"];

/// A planted scheme or decoy before its records have ids.
pub struct Planted {
    pub terminal: u32,
    /// The lot that reaches the terminal, if the route carries lots.
    pub lot: Option<String>,
    pub note: String,
    pub recs: Vec<Rec>,
}

impl Gen {
    /// A new entity made for a scheme.
    fn entity(&mut self, kind: EntityKind, country: &'static str, incorporated: i64) -> u32 {
        let name = match kind {
            EntityKind::Person => names::person(&mut self.rng, country),
            _ => names::company(&mut self.rng, kind.as_str(), country),
        };
        let capacity =
            matches!(kind, EntityKind::DataCentre | EntityKind::Cloud).then(|| self.rng.range(5, 40) as u32 * 100);
        let address = names::address(&mut self.rng, country);
        let incorporated = (kind != EntityKind::Person).then_some(incorporated);
        self.world.add(GenEntity { name, kind, country, aliases: vec![], incorporated, address, capacity })
    }

    /// An existing background partner, or a new entity when the world has none.
    fn existing(&mut self, kind: EntityKind, country: &'static str, controlled: bool) -> u32 {
        match self.world.partner_in(&mut self.rng, kind, country, controlled) {
            Some(id) if self.world.entities[id as usize].country == country => id,
            _ => {
                let inc = super::world::EPOCH_DAY - self.rng.range(800, 5000);
                self.entity(kind, country, inc)
            }
        }
    }

    fn owns(&mut self, from: u32, to: u32, share: u32, since: i64) {
        self.world.relations.push(GenRelation { kind: RelationKind::Owns, from, to, share: Some(share), since });
    }

    fn director(&mut self, person: u32, company: u32, since: i64) {
        self.world.relations.push(GenRelation {
            kind: RelationKind::Director,
            from: person,
            to: company,
            share: None,
            since,
        });
    }

    /// The maker's sale of a new lot to a US distributor: where every scheme starts.
    fn seed(&mut self, product: &'static str, quantity: u32, day: i64, lotted: bool) -> (Vec<Rec>, Holder) {
        let maker = self.world.maker_of(&mut self.rng, product);
        let dist = self.existing(EntityKind::Distributor, "US", true);
        let price = super::world::product(product).price as f64;
        let lot = lotted.then(|| self.new_lot());
        let controlled = super::world::product(product).controlled;
        let m = Holder { id: maker, quantity, lot: None, day, depth: 0, product, controlled, price };
        let r = self.sale(&m, dist, quantity, day, (lot.clone(), None));
        (vec![r], Holder { id: dist, quantity, lot, day, depth: 1, product, controlled, price: price * 1.04 })
    }

    /// Sells `quantity` of what `h` holds to `to` after `dwell` days: the same
    /// lot when all of it goes, a child lot otherwise. Returns the buyer's holding.
    fn pass(&mut self, recs: &mut Vec<Rec>, h: &Holder, to: u32, quantity: u32, dwell: i64) -> Holder {
        let day = h.day + dwell;
        let lot = match &h.lot {
            Some(l) if quantity == h.quantity => (Some(l.clone()), None),
            Some(l) => {
                self.next_lot += 1;
                (Some(format!("{l}-{}", self.next_lot)), Some(l.clone()))
            }
            None => (None, None),
        };
        let r = self.sale(h, to, quantity, day, lot.clone());
        recs.push(r);
        Holder { id: to, quantity, lot: lot.0, day, depth: h.depth + 1, price: h.price * 1.06, ..h.clone() }
    }

    fn install(&mut self, recs: &mut Vec<Rec>, h: &Holder, site: u32, quantity: u32, day: i64) {
        let mut r = Rec::new(day, RecordKind::Install, h.id, site, h.product, quantity);
        r.lot = h.lot.clone();
        r.source = "site audit";
        recs.push(r);
    }

    fn lease(&mut self, recs: &mut Vec<Rec>, h: &Holder, to: u32, quantity: u32, day: i64, payment: Payment) {
        let mut r = Rec::new(day, RecordKind::Lease, h.id, to, h.product, quantity);
        r.lot = h.lot.clone();
        r.end_day = Some(day + 365);
        r.value_usd = Some((quantity as f64 * h.price * 0.3) as u64);
        r.payment = Some(payment);
        r.source = "lease contract";
        recs.push(r);
    }

    /// A restricted end user in China: listed under a variant name, or not.
    fn restricted(&mut self, day: i64, p_listed: f64) -> u32 {
        if self.rng.chance(p_listed) {
            self.world.listed_party(&mut self.rng, EntityKind::EndUser, "CN", day)
        } else {
            let inc = day - self.rng.range(700, 4000);
            self.entity(EntityKind::EndUser, "CN", inc)
        }
    }

    fn scheme_day(&mut self) -> i64 {
        // 2023-01-01 .. 2025-06-30: after the October 2022 and 2023 rules.
        19_358 + self.rng.range(0, 911)
    }

    fn servers(&mut self, lo: i64, hi: i64) -> u32 {
        self.rng.range(lo, hi) as u32 * 8
    }

    /// Plants one scheme of `kind`; `nth` varies the sub-pattern.
    pub(super) fn scheme(&mut self, kind: &'static str, nth: usize) -> Planted {
        let day = self.scheme_day();
        let product = self.rng.pick(&["H100", "H100", "H200", "A100", "B200", "H20"]);
        match kind {
            "hub_remote_access" => {
                let q = self.servers(20, 120);
                let (mut recs, d) = self.seed(product, q, day, true);
                let hub = self.rng.pick(HUBS);
                let cloud = self.entity(EntityKind::Cloud, hub, day - self.rng.range(150, 1500));
                if self.rng.chance(0.4) {
                    let p = self.entity(EntityKind::Person, "CN", 0);
                    self.director(p, cloud, day - 100);
                }
                let part = (q / 8 * self.rng.range(5, 10) as u32 / 10).max(1) * 8;
                let h = self.pass(&mut recs, &d, cloud, part.min(q), self.rng.range(7, 40));
                let mut day2 = h.day + self.rng.range(2, 10);
                let mut site = cloud;
                if self.rng.chance(0.5) {
                    site = self.existing(EntityKind::DataCentre, hub, true);
                    let fwd = self.existing(EntityKind::Logistics, hub, true);
                    for (from, to) in [(cloud, fwd), (fwd, site)] {
                        let mut s = Rec::new(day2, RecordKind::Shipment, from, to, product, h.quantity);
                        s.lot = h.lot.clone();
                        s.ship_to = Some(hub);
                        s.source = "forwarder manifest";
                        recs.push(s);
                        day2 += self.rng.range(1, 5);
                    }
                }
                self.install(&mut recs, &h, site, h.quantity, day2 + self.rng.range(3, 20));
                let x = self.restricted(day, 0.5);
                let lq = (h.quantity / 8 * self.rng.range(5, 10) as u32 / 10).max(1) * 8;
                let pay = if self.rng.chance(0.3) { Payment::Crypto } else { Payment::Wire };
                self.lease(&mut recs, &h, x, lq.min(h.quantity), day2 + self.rng.range(25, 60), pay);
                let note = format!(
                    "{} in {hub} rents {} {product} to {} in CN",
                    World::key(cloud),
                    lq.min(h.quantity),
                    World::key(x)
                );
                Planted { terminal: x, lot: h.lot, note, recs }
            }
            "undeployed_datacentre" => {
                let hub = self.rng.pick(HUBS);
                let dc = self.entity(EntityKind::DataCentre, hub, day - self.rng.range(200, 1500));
                let q = self.servers(40, 200);
                let (mut recs, h) = self.seed(product, q, day, true);
                let first = self.pass(&mut recs, &h, dc, q, self.rng.range(5, 20));
                let mut total = q;
                let mut d = day;
                for _ in 1..self.rng.range(2, 4) {
                    d += self.rng.range(15, 45);
                    let q = self.servers(40, 200);
                    let (seed, h) = self.seed(product, q, d, true);
                    recs.extend(seed);
                    self.pass(&mut recs, &h, dc, q, self.rng.range(5, 20));
                    total += q;
                }
                let installed = (total / 8 * self.rng.range(1, 3) as u32 / 10).max(1) * 8;
                let installed = installed.min(first.quantity);
                // The declared capacity fits what was installed, not what arrived.
                self.world.entities[dc as usize].capacity = Some((installed * 5 / 4).div_ceil(100) * 100);
                self.install(&mut recs, &first, dc, installed, d + self.rng.range(10, 40));
                let note = format!(
                    "{} in {hub} (declared capacity {}) received {total} {product} and installed {installed}",
                    World::key(dc),
                    self.world.entities[dc as usize].capacity.unwrap_or(0)
                );
                Planted { terminal: dc, lot: first.lot, note, recs }
            }
            "listed_subsidiary" => {
                let country = self.rng.weighted(&[("SG", 2.0), ("MY", 2.0), ("AE", 2.0), ("HK", 1.0), ("CN", 1.0)]);
                let sub_kind = self.rng.pick(&[EntityKind::EndUser, EntityKind::Cloud, EntityKind::Reseller]);
                let sub = self.entity(sub_kind, country, day - self.rng.range(200, 2500));
                let since = day - self.rng.range(100, 700);
                let how = match nth % 3 {
                    0 => {
                        let g = self.world.listed_party(&mut self.rng, EntityKind::Investor, "CN", since);
                        let share = self.rng.pick(&[50, 51, 60, 75, 100]);
                        self.owns(g, sub, share, since);
                        format!("{} holds {share}% of it directly", World::key(g))
                    }
                    1 => {
                        let g = self.world.listed_party(&mut self.rng, EntityKind::Investor, "CN", since);
                        let mid_country = self.rng.pick(&["HK", "SG", "AE"]);
                        let mid = self.entity(EntityKind::Investor, mid_country, since - self.rng.range(100, 900));
                        let (a, b) = (self.rng.pick(&[100, 80, 70]), self.rng.pick(&[100, 90, 80]));
                        self.owns(g, mid, a, since);
                        self.owns(mid, sub, b, since);
                        format!("{} holds {a}% of {} which holds {b}% of it (a chain)", World::key(g), World::key(mid))
                    }
                    _ => {
                        let g1 = self.world.listed_party(&mut self.rng, EntityKind::Investor, "CN", since);
                        let g2 = self.world.listed_party(&mut self.rng, EntityKind::Investor, "HK", since);
                        let (a, b) = (self.rng.range(25, 35) as u32, self.rng.range(25, 35) as u32);
                        let (a, b) = if a + b < 50 { (25, 25) } else { (a, b) };
                        self.owns(g1, sub, a, since);
                        self.owns(g2, sub, b, since);
                        format!("{} holds {a}% and {} holds {b}% of it (together)", World::key(g1), World::key(g2))
                    }
                };
                let q = self.servers(10, 80);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, sub, q, self.rng.range(10, 45));
                if sub_kind == EntityKind::Cloud {
                    self.install(&mut recs, &h, sub, q, h.day + self.rng.range(5, 20));
                }
                let note = format!("{} in {country} is an unlisted subsidiary: {how}", World::key(sub));
                Planted { terminal: sub, lot: h.lot, note, recs }
            }
            "domestic_cloud_lease" => {
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let cloud = self.existing(EntityKind::Cloud, "US", true);
                let h = self.pass(&mut recs, &d, cloud, q, self.rng.range(7, 30));
                let inst = h.day + self.rng.range(5, 20);
                self.install(&mut recs, &h, cloud, q, inst);
                let country = self.rng.weighted(&[("CN", 4.0), ("RU", 1.0), ("HK", 1.0)]);
                let p = self.world.listed_party(&mut self.rng, EntityKind::EndUser, country, day);
                let lq = (q / 8 * self.rng.range(3, 10) as u32 / 10).max(1) * 8;
                self.lease(&mut recs, &h, p, lq.min(q), inst + self.rng.range(30, 200), Payment::Wire);
                let note = format!(
                    "US cloud {} rents {} {product} to {}, listed in {country}: no export takes place",
                    World::key(cloud),
                    lq.min(q),
                    World::key(p)
                );
                Planted { terminal: p, lot: h.lot, note, recs }
            }
            "shell_layering" => {
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let address = names::address(&mut self.rng, "HK");
                let boss = self.entity(EntityKind::Person, "CN", 0);
                let n = self.rng.range(2, 4);
                let mut h = d;
                let mut shells = vec![];
                for i in 0..n {
                    let c = self.rng.pick(&["HK", "SG", "MY", "AE"]);
                    let inc = day - self.rng.range(10, 90);
                    let s = self.entity(EntityKind::Reseller, c, inc);
                    self.world.entities[s as usize].address = address.clone();
                    self.director(boss, s, inc);
                    let dwell = if i == 0 { self.rng.range(5, 20) } else { self.rng.range(1, 4) };
                    h = self.pass(&mut recs, &h, s, q, dwell);
                    if i > 0
                        && self.rng.chance(0.4)
                        && let Some(r) = recs.last_mut()
                    {
                        r.payment = Some(Payment::Crypto);
                    }
                    shells.push(World::key(s));
                }
                let t = self.restricted(day, 0.3);
                h = self.pass(&mut recs, &h, t, q, self.rng.range(1, 5));
                if let Some(r) = recs.last_mut() {
                    r.ship_to = Some("CN");
                }
                let note = format!(
                    "new shells {} share an address and a director and pass the lot within days",
                    shells.join(", ")
                );
                Planted { terminal: t, lot: h.lot, note, recs }
            }
            "end_user_mismatch" => {
                let lotted = self.rng.chance(0.6);
                let q = self.servers(5, 50);
                let (mut recs, d) = self.seed(product, q, day, lotted);
                let hub = self.rng.pick(&["MY", "SG", "TH", "VN", "IN"]);
                let r = self.entity(EntityKind::Reseller, hub, day - self.rng.range(300, 3000));
                let declared = match self.world.partner_in(&mut self.rng, EntityKind::EndUser, hub, true) {
                    Some(e) if self.world.entities[e as usize].country == hub => World::key(e),
                    _ => format!("{} University AI Lab", hub),
                };
                let h = self.pass(&mut recs, &d, r, q, self.rng.range(7, 30));
                if let Some(last) = recs.last_mut() {
                    last.declared_end_user = Some(declared.clone());
                    last.ship_to = Some(hub);
                }
                let t = self.restricted(day, 0.3);
                let h = self.pass(&mut recs, &h, t, q, self.rng.range(5, 30));
                if let Some(last) = recs.last_mut() {
                    last.declared_end_user = Some(declared.clone());
                }
                let note = format!("declared end user {declared} in {hub}; the units went to {} in CN", World::key(t));
                Planted { terminal: t, lot: h.lot, note, recs }
            }
            "crypto_rapid_lease" => {
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let c = self.rng.pick(&["AU", "DE", "SG", "MY", "JP", "US", "GB"]);
                let cloud = self.entity(EntityKind::Cloud, c, day - self.rng.range(200, 1200));
                let h = self.pass(&mut recs, &d, cloud, q, self.rng.range(7, 30));
                let inst = h.day + self.rng.range(5, 15);
                self.install(&mut recs, &h, cloud, q, inst);
                let country = self.rng.weighted(&[("CN", 4.0), ("HK", 1.0), ("RU", 1.0)]);
                let lessee = if country == "CN" {
                    self.restricted(day, 0.4)
                } else {
                    let inc = day - self.rng.range(300, 3000);
                    self.entity(EntityKind::EndUser, country, inc)
                };
                let gap = self.rng.range(7, 30);
                self.lease(&mut recs, &h, lessee, q, inst + gap, Payment::Crypto);
                let note = format!(
                    "{} in {c} leases {q} {product} to {} in {country} for crypto {gap} days after installing them",
                    World::key(cloud),
                    World::key(lessee)
                );
                Planted { terminal: lessee, lot: h.lot, note, recs }
            }
            _ => {
                // phantom_quantity
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let hub = self.rng.pick(HUBS);
                let p = self.entity(EntityKind::Reseller, hub, day - self.rng.range(100, 1500));
                let h = self.pass(&mut recs, &d, p, q, self.rng.range(7, 30));
                let extra = (q / 8 * self.rng.range(2, 10) as u32 / 10).max(1) * 8;
                let t = if self.rng.chance(0.5) {
                    self.restricted(day, 0.2)
                } else {
                    let c = self.rng.pick(&["HK", "AE", "MY"]);
                    self.entity(EntityKind::Reseller, c, day - self.rng.range(100, 1500))
                };
                // The phantom: all of the lot and `extra` units more, under the same lot.
                let mut r = self.sale(&h, t, q + extra, h.day + self.rng.range(3, 20), (h.lot.clone(), None));
                r.source = "customs declaration";
                recs.push(r);
                let note =
                    format!("{} received {q} {product} and sent {} to {}", World::key(p), q + extra, World::key(t));
                Planted { terminal: t, lot: h.lot, note, recs }
            }
        }
    }

    /// Plants one lawful look-alike of `kind`.
    pub(super) fn decoy(&mut self, kind: &'static str) -> Planted {
        let day = self.scheme_day();
        match kind {
            "listed_associate" => {
                let product = self.rng.pick(&["H100", "A100", "H200"]);
                let c = self.rng.pick(ALLIED);
                let a = self.entity(EntityKind::Cloud, c, day - self.rng.range(500, 4000));
                let since = day - self.rng.range(100, 700);
                let g = self.world.listed_party(&mut self.rng, EntityKind::Investor, "CN", since);
                let minority = self.rng.range(20, 40) as u32;
                self.owns(g, a, minority, since);
                let local = self.entity(EntityKind::Investor, c, since - self.rng.range(500, 3000));
                self.owns(local, a, 100 - minority, since);
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, a, q, self.rng.range(15, 60));
                self.install(&mut recs, &h, a, q, h.day + self.rng.range(10, 40));
                let note = format!(
                    "{} in {c}: listed {} holds only {minority}%, a local investor the rest",
                    World::key(a),
                    World::key(g)
                );
                Planted { terminal: a, lot: h.lot, note, recs }
            }
            "allied_lease" => {
                let product = self.rng.pick(&["H100", "H200", "B200"]);
                let c = self.rng.pick(ALLIED);
                let cloud = self.existing(EntityKind::Cloud, c, true);
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, cloud, q, self.rng.range(15, 60));
                let inst = h.day + self.rng.range(10, 40);
                self.install(&mut recs, &h, cloud, q, inst);
                let e = self.existing(EntityKind::EndUser, c, true);
                let lq = (q / 8 / 2).max(1) * 8;
                self.lease(&mut recs, &h, e, lq, inst + self.rng.range(60, 200), Payment::Wire);
                let note = format!("{} leases to {} in {c}, an allied country", World::key(cloud), World::key(e));
                Planted { terminal: e, lot: h.lot, note, recs }
            }
            "slow_resale" => {
                let product = self.rng.pick(&["H100", "A100", "H200"]);
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let c1 = self.rng.pick(&["SG", "JP", "DE", "TW"]);
                let r1 = self.existing(EntityKind::Reseller, c1, true);
                let c2 = self.rng.pick(ALLIED);
                let r2 = self.existing(EntityKind::Integrator, c2, true);
                let e = self.existing(EntityKind::EndUser, c2, true);
                let mut h = d;
                for (to, dwell) in [(r1, (20, 60)), (r2, (45, 120)), (e, (45, 120))] {
                    if to == h.id {
                        continue;
                    }
                    h = self.pass(&mut recs, &h, to, q, self.rng.range(dwell.0, dwell.1));
                }
                let note = format!("a normal channel through {c1} and {c2} with months between resales");
                Planted { terminal: h.id, lot: h.lot, note, recs }
            }
            _ => {
                // uncontrolled_to_china
                let product = self.rng.pick(&["RTX4090", "L4", "RTX5090", "L40S"]);
                let q = self.rng.range(50, 2000) as u32;
                let (mut recs, d) = self.seed(product, q, day, self.rng.chance(0.5));
                let r = self.existing(EntityKind::Reseller, "CN", false);
                let e = self.existing(EntityKind::EndUser, "CN", false);
                let h = self.pass(&mut recs, &d, r, q, self.rng.range(10, 40));
                let h = self.pass(&mut recs, &h, e, q, self.rng.range(10, 40));
                let note = format!("{q} {product}, an uncontrolled product, to {} in CN", World::key(e));
                Planted { terminal: e, lot: h.lot, note, recs }
            }
        }
    }
}
