//! Planted diversion schemes, each a pattern from reported cases, and decoys
//! that look alike but are lawful. Harder schemes write what investigators
//! meet in real data: customs rows without lots, products as invoices write
//! them (`HGX H100 8-GPU server` counts 8 GPUs a unit), names as customs
//! data spells them, a buyer listed after it bought, a sub-lease through a
//! front. Decoys resemble the schemes: a hyperscaler's intra-group transfer
//! and leases to allied firms, a hub distributor chain with one back-to-back
//! order, a data centre ramping installs over months (some past the end of
//! the data), a new subsidiary of an old group, lawful sales before a
//! product's control date, the allied lessees of a lessor with ties to China.
//! The generator is written from the cases, never tuned to the scan: where
//! eval is poor, the rule at fault is named in BENCHMARKS.md. Every scheme is one self-contained flow
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
    "invoice_server_lease",
    "customs_lotless",
    "listed_after_trade",
    "sublease_front",
];

/// Decoy types: lawful look-alikes a scan should not report.
pub const DECOY_TYPES: &[&str] = &[
    "listed_associate",
    "allied_lease",
    "slow_resale",
    "uncontrolled_to_china",
    "hyperscaler_intragroup",
    "hub_distributor_chain",
    "datacentre_ramp",
    "new_subsidiary",
    "pre_control_sale",
    "lessees_of_flagged_lessor",
];

/// How an invoice or a customs row writes a model: as a card, or as a server
/// of eight (the text, GPUs per unit).
fn invoice_text(rng: &mut super::rng::Rng, product: &str, server: bool) -> (&'static str, u32) {
    let (cards, servers): (&[&'static str], &[&'static str]) = match product {
        "H100" => (
            &["NVIDIA H100 80GB HBM3 SXM5 GPU ACCELERATOR", "GPU H100 PCIE", "H100-SXM5-80GB", "NVIDIA H100 NVL 94GB"],
            &["HGX H100 8-GPU server", "NVIDIA HGX H100 8-GPU SERVER", "DGX H100"],
        ),
        "H200" => (&["NVIDIA H200 141GB HBM3E SXM", "H200 NVL"], &["HGX H200 8-GPU server", "DGX H200"]),
        "A100" => (&["NVIDIA A100-SXM4-80GB", "A100 80GB PCIe GPU"], &["DGX A100", "HGX A100 8-GPU baseboard"]),
        "B200" => (&["NVIDIA B200 192GB HBM3E"], &["DGX B200", "HGX B200 8-GPU server"]),
        _ => (&["NVIDIA H20 96GB HBM3 GPU"], &["8x NVIDIA H20 server"]),
    };
    if server { (rng.pick(servers), 8) } else { (rng.pick(cards), 1) }
}

/// A planted scheme or decoy before its records have ids.
pub struct Planted {
    pub terminal: u32,
    /// Further terminals of the same flow (the other lessees of one lessor),
    /// each written to truth.json as an entry of its own.
    pub also: Vec<u32>,
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
        let mut day = self.scheme_day();
        let product = self.rng.pick(&["H100", "H100", "H200", "A100", "B200", "H20"]);
        if product == "H20" {
            // H20 needed a licence for China only from 2025-04-09: a diversion
            // of H20 is planted after that date (2025-04-10 .. 2025-06-28).
            day = 20_188 + self.rng.range(0, 80);
        }
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
                Planted { also: vec![], terminal: x, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: dc, lot: first.lot, note, recs }
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
                Planted { also: vec![], terminal: sub, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: p, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: t, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: t, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: lessee, lot: h.lot, note, recs }
            }
            "invoice_server_lease" => {
                // A hub cloud buys servers written as on the invoice, installs
                // them and rents them for crypto to a Chinese firm.
                let servers = self.rng.range(20, 300) as u32;
                let q = servers * 8;
                let server = invoice_text(&mut self.rng, product, true);
                let card = invoice_text(&mut self.rng, product, false);
                let (mut recs, d) = self.seed(product, q, day, true);
                recs[0].written = Some(server);
                let hub = self.rng.pick(&["MY", "SG", "TH", "AE"]);
                let cloud = self.entity(EntityKind::Cloud, hub, day - self.rng.range(200, 1500));
                let h = self.pass(&mut recs, &d, cloud, q, self.rng.range(7, 30));
                let inst = h.day + self.rng.range(5, 20);
                self.install(&mut recs, &h, cloud, q, inst);
                for r in recs.iter_mut().skip(1) {
                    r.written = Some(server);
                }
                let x = self.restricted(day, 0.3);
                self.lease(&mut recs, &h, x, q, inst + self.rng.range(10, 60), Payment::Crypto);
                if let Some(l) = recs.last_mut() {
                    l.written = Some(card);
                }
                let note = format!(
                    "{} in {hub} rents {servers} x `{}` ({q} {product}) for crypto to {} in CN",
                    World::key(cloud),
                    server.0,
                    World::key(x)
                );
                Planted { also: vec![], terminal: x, lot: h.lot, note, recs }
            }
            "customs_lotless" => {
                // Customs rows: no lots, the product as declared, the buyer's
                // name as customs data spells it (a listed party).
                let q = self.servers(5, 60);
                let text = invoice_text(&mut self.rng, product, false);
                let (mut recs, d) = self.seed(product, q, day, false);
                let hub = self.rng.pick(&["HK", "SG", "MY", "AE", "VN"]);
                let r = self.existing(EntityKind::Reseller, hub, true);
                let h = self.pass(&mut recs, &d, r, q, self.rng.range(5, 40));
                let listed_on = day - self.rng.range(60, 900);
                let t = self.world.listed_party_as(
                    &mut self.rng,
                    EntityKind::EndUser,
                    "CN",
                    day,
                    listed_on,
                    names::Variant::Customs,
                );
                let h = self.pass(&mut recs, &h, t, q, self.rng.range(3, 30));
                for r in recs.iter_mut() {
                    r.written = Some(text);
                    r.source = "customs declaration";
                }
                let note = format!(
                    "customs rows without lots: {q} `{}` via {} in {hub} to {}, spelled `{}`",
                    text.0,
                    World::key(r),
                    World::key(t),
                    self.world.entities[t as usize].name
                );
                Planted { also: vec![], terminal: t, lot: h.lot, note, recs }
            }
            "listed_after_trade" => {
                // The buyer was listed months after it bought.
                let q = self.servers(5, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let hub = self.rng.pick(&["HK", "SG", "MY"]);
                let r = self.existing(EntityKind::Reseller, hub, true);
                let (d1, d2) = (self.rng.range(20, 60), self.rng.range(5, 30));
                let trade = day + d1 + d2;
                let listed_on = trade + self.rng.range(60, 300);
                let how = self.rng.pick(&[names::Variant::LegalForm, names::Variant::Abbreviation]);
                let t = self.world.listed_party_as(&mut self.rng, EntityKind::EndUser, "CN", trade, listed_on, how);
                let h = self.pass(&mut recs, &d, r, q, d1);
                let h = self.pass(&mut recs, &h, t, q, d2);
                let note = format!(
                    "{} in CN bought {q} {product} on day {trade} and was listed {} days later",
                    World::key(t),
                    listed_on - trade
                );
                Planted { also: vec![], terminal: t, lot: h.lot, note, recs }
            }
            "sublease_front" => {
                // An allied SPV leases to a Hong Kong front, which sub-leases to Beijing.
                let q = self.servers(10, 80);
                let (mut recs, d) = self.seed(product, q, day, true);
                let c = self.rng.pick(&["AU", "JP", "SG", "GB"]);
                let spv = self.entity(EntityKind::Cloud, c, day - self.rng.range(100, 900));
                let h = self.pass(&mut recs, &d, spv, q, self.rng.range(10, 40));
                let inst = h.day + self.rng.range(5, 20);
                self.install(&mut recs, &h, spv, q, inst);
                let front = self.entity(EntityKind::EndUser, "HK", day - self.rng.range(60, 700));
                let start = inst + self.rng.range(15, 60);
                self.lease(&mut recs, &h, front, q, start, Payment::Wire);
                let x = self.restricted(day, 0.3);
                let fh = Holder { id: front, ..h.clone() };
                self.lease(&mut recs, &fh, x, q, start + self.rng.range(1, 10), Payment::Wire);
                let note = format!(
                    "{} in {c} leases {q} {product} to {}, a Hong Kong front, which sub-leases them to {} in CN",
                    World::key(spv),
                    World::key(front),
                    World::key(x)
                );
                Planted { also: vec![], terminal: x, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: t, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: a, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: e, lot: h.lot, note, recs }
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
                Planted { also: vec![], terminal: h.id, lot: h.lot, note, recs }
            }
            "hyperscaler_intragroup" => {
                // A US cloud moves servers to its own Singapore or Malaysian
                // subsidiary within days, which rents them to allied firms.
                let product = self.rng.pick(&["H100", "H200", "B200"]);
                let parent = self.existing(EntityKind::Cloud, "US", true);
                let c = self.rng.pick(&["SG", "MY"]);
                let sub = self.entity(EntityKind::Cloud, c, day - self.rng.range(700, 4000));
                self.owns(parent, sub, 100, day - self.rng.range(600, 3000));
                let q = self.servers(20, 100);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, parent, q, self.rng.range(10, 40));
                let h = self.pass(&mut recs, &h, sub, q, self.rng.range(1, 6));
                let inst = h.day + self.rng.range(7, 30);
                self.install(&mut recs, &h, sub, q, inst);
                let mut lessees = vec![];
                for _ in 0..self.rng.range(2, 4) {
                    let lc = self.rng.pick(&["JP", "AU", "KR", "SG", "DE", "GB"]);
                    let e = self.existing(EntityKind::EndUser, lc, true);
                    if lessees.contains(&e) {
                        continue;
                    }
                    let lq = (q / 8 / 4).max(1) * 8;
                    self.lease(&mut recs, &h, e, lq, inst + self.rng.range(14, 120), Payment::Wire);
                    lessees.push(e);
                }
                let note = format!(
                    "{} (US) transfers {q} {product} to its subsidiary {} in {c}, which leases them to allied firms",
                    World::key(parent),
                    World::key(sub)
                );
                Planted { terminal: lessees[0], also: lessees[1..].to_vec(), lot: h.lot, note, recs }
            }
            "hub_distributor_chain" => {
                // An established channel through hubs: one to two months at
                // each hand, and one back-to-back order.
                let product = self.rng.pick(&["H100", "A100", "H200", "L40S"]);
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, self.rng.chance(0.6));
                let c1 = self.rng.pick(&["SG", "TW", "AE"]);
                let d1 = self.existing(EntityKind::Distributor, c1, true);
                let c2 = self.rng.pick(&["MY", "TH", "IN", "VN"]);
                let i2 = self.existing(EntityKind::Integrator, c2, true);
                let e = self.existing(EntityKind::EndUser, c2, true);
                let back_to_back = self.rng.range(0, 2);
                let mut h = d;
                for (i, to) in [d1, i2, e].into_iter().enumerate() {
                    if to == h.id {
                        continue;
                    }
                    let dwell =
                        if i as i64 == back_to_back + 1 { self.rng.range(1, 4) } else { self.rng.range(30, 61) };
                    h = self.pass(&mut recs, &h, to, q, dwell);
                }
                let note =
                    format!("a distributor chain through {c1} and {c2}, 30-60 days a hand, one back-to-back order");
                Planted { also: vec![], terminal: h.id, lot: h.lot, note, recs }
            }
            "datacentre_ramp" => {
                // A data centre installs a large delivery in tranches over
                // months; a third of them start near the end of the data, so
                // that only the first tranches are on record.
                let product = self.rng.pick(&["H100", "H200", "B200"]);
                let c = self.rng.pick(&["MY", "SG", "JP", "AU", "IN", "AE"]);
                let dc = self.existing(EntityKind::DataCentre, c, true);
                let late = self.rng.chance(0.33);
                let day = if late { super::world::LAST_START_DAY - self.rng.range(0, 40) } else { day };
                let q = self.servers(60, 250);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, dc, q, self.rng.range(10, 30));
                let tranches = self.rng.range(3, 7) as u32;
                let recorded = if late { self.rng.range(1, 3) as u32 } else { tranches };
                let each = (q / 8 / tranches).max(1) * 8;
                let mut t = h.day;
                let mut installed = 0;
                for i in 0..recorded {
                    t += self.rng.range(14, 40);
                    let n = if i + 1 == tranches { q - installed } else { each.min(q - installed) };
                    if n == 0 {
                        break;
                    }
                    self.install(&mut recs, &h, dc, n, t);
                    installed += n;
                }
                let note = format!(
                    "{} in {c} installs {q} {product} in {tranches} tranches; {installed} on record{}",
                    World::key(dc),
                    if late { " (the ramp runs past the end of the data)" } else { "" }
                );
                Planted { also: vec![], terminal: dc, lot: h.lot, note, recs }
            }
            "new_subsidiary" => {
                // A decades-old group sets up a subsidiary that buys within weeks.
                let product = self.rng.pick(&["H100", "H200", "A100"]);
                let c = self.rng.pick(&["JP", "DE", "GB", "SG", "KR", "AU"]);
                let group = self.entity(EntityKind::Investor, c, day - self.rng.range(7_000, 15_000));
                let inc = day - self.rng.range(20, 90);
                let sub = self.entity(EntityKind::Cloud, c, inc);
                self.owns(group, sub, 100, inc);
                let q = self.servers(10, 60);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, sub, q, self.rng.range(10, 40));
                self.install(&mut recs, &h, sub, q, h.day + self.rng.range(10, 40));
                let note = format!(
                    "{} in {c}, a subsidiary of {} (incorporated decades ago), buys {} days after its incorporation",
                    World::key(sub),
                    World::key(group),
                    h.day - inc
                );
                Planted { also: vec![], terminal: sub, lot: h.lot, note, recs }
            }
            "pre_control_sale" => {
                // A lawful sale to China before the product needed a licence.
                let (product, from, to) = self.rng.pick(&[
                    ("H20", 19_723, 20_170),      // 2024-01-01 .. 2025-03-23 (licence from 2025-04-09)
                    ("A100", 18_993, 19_210),     // 2022-01-01 .. 2022-08-06 (from 2022-08-31)
                    ("RTX 4090", 19_358, 19_655), // 2023-01-01 .. 2023-10-25 (from 2023-11-17)
                    ("L40S", 19_540, 19_655),     // 2023-07-02 .. 2023-10-25 (from 2023-11-17)
                ]);
                let day = from + self.rng.range(0, to - from);
                let q = self.servers(5, 60);
                let (mut recs, d) = self.seed(product, q, day, self.rng.chance(0.5));
                let r = self.existing(EntityKind::Reseller, "CN", false);
                let e = self.existing(EntityKind::EndUser, "CN", false);
                let h = self.pass(&mut recs, &d, r, q, self.rng.range(3, 10));
                let h = self.pass(&mut recs, &h, e, q, self.rng.range(3, 10));
                let note = format!("{q} {product} to {} in CN before the product's control date", World::key(e));
                Planted { also: vec![], terminal: e, lot: h.lot, note, recs }
            }
            "lessees_of_flagged_lessor" => {
                // A Malaysian lessor with a director in China and stock in
                // boxes leases to firms in allied countries only.
                let product = self.rng.pick(&["H100", "H200"]);
                let lessor = self.entity(EntityKind::Cloud, "MY", day - self.rng.range(300, 2000));
                let p = self.entity(EntityKind::Person, "CN", 0);
                self.director(p, lessor, day - 200);
                let q = self.servers(60, 200);
                let (mut recs, d) = self.seed(product, q, day, true);
                let h = self.pass(&mut recs, &d, lessor, q, self.rng.range(5, 20));
                let inst = (q / 8 / 4).max(1) * 8;
                self.install(&mut recs, &h, lessor, inst, h.day + self.rng.range(5, 20));
                let mut lessees = vec![];
                for _ in 0..self.rng.range(2, 4) {
                    let lc = self.rng.pick(&["JP", "SG", "AU", "KR"]);
                    let e = self.existing(EntityKind::EndUser, lc, true);
                    if lessees.contains(&e) {
                        continue;
                    }
                    self.lease(
                        &mut recs,
                        &h,
                        e,
                        (inst / 8 / 3).max(1) * 8,
                        h.day + self.rng.range(30, 90),
                        Payment::Wire,
                    );
                    lessees.push(e);
                }
                let note = format!(
                    "{} in MY (a director in CN, {} of {q} {product} installed) leases only to allied firms",
                    World::key(lessor),
                    inst
                );
                // The lessor is a terminal too (it keeps units): a lead about
                // its own ties and stock, but no diversion took place.
                let mut also = lessees[1..].to_vec();
                also.push(lessor);
                Planted { terminal: lessees[0], also, lot: h.lot, note, recs }
            }
            _ => {
                // uncontrolled_to_china
                let product = self.rng.pick(&["RTX 4090 D", "RTX 4080", "A10", "T4"]);
                let q = self.rng.range(50, 2000) as u32;
                let (mut recs, d) = self.seed(product, q, day, self.rng.chance(0.5));
                let r = self.existing(EntityKind::Reseller, "CN", false);
                let e = self.existing(EntityKind::EndUser, "CN", false);
                let h = self.pass(&mut recs, &d, r, q, self.rng.range(10, 40));
                let h = self.pass(&mut recs, &h, e, q, self.rng.range(10, 40));
                let note = format!("{q} {product}, an uncontrolled product, to {} in CN", World::key(e));
                Planted { also: vec![], terminal: e, lot: h.lot, note, recs }
            }
        }
    }
}
