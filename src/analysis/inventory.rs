//! Units per holder: what each entity received, sent on, installed and leased,
//! per lot and per product, and where the units do not add up.

use crate::model::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// Units one entity handled of one lot or product.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// Units that came in by sale or shipment.
    pub received: u64,
    /// Units that came in by sale: title passed to this entity.
    pub bought: u64,
    /// Units sold on (title and goods left).
    pub sent: u64,
    /// Units shipped on while keeping title (to a forwarder or warehouse).
    pub shipped: u64,
    /// Units this entity installed at a site (it keeps title).
    pub installed: u64,
    /// Units this entity leased out (it keeps title).
    pub leased: u64,
    /// Units others installed at this site.
    pub hosted: u64,
    /// Units this entity rents from others.
    pub leased_in: u64,
}

impl Holding {
    /// Units physically held at the end: received less sold and shipped on
    /// (negative when more left than came).
    pub fn held(&self) -> i64 {
        self.received as i64 - self.sent as i64 - self.shipped as i64
    }

    /// Units still owned: bought less sold. Units shipped away stay owned;
    /// units that arrived by shipment (at a forwarder or a site) never were.
    pub fn owned(&self) -> i64 {
        self.bought as i64 - self.sent as i64
    }

    pub fn add(&mut self, r: &Record, as_sender: bool) {
        let q = r.quantity as u64;
        match (r.kind, as_sender) {
            (RecordKind::Sale, true) => self.sent += q,
            (RecordKind::Shipment, true) => self.shipped += q,
            (RecordKind::Sale, false) => {
                self.received += q;
                self.bought += q;
            }
            (RecordKind::Shipment, false) => self.received += q,
            (RecordKind::Install, true) => self.installed += q,
            (RecordKind::Install, false) => self.hosted += q,
            (RecordKind::Lease, true) => self.leased += q,
            (RecordKind::Lease, false) => self.leased_in += q,
        }
    }
}

/// A place where units do not add up.
#[derive(Clone, Debug, Serialize)]
pub struct Shortfall {
    pub entity: EntityId,
    pub record: RecordId,
    /// Units sent, installed or leased beyond what the entity could have held then.
    pub excess: u64,
    /// The lot concerned, or none when counted by product.
    pub lot: Option<Sym>,
    pub product: Sym,
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// Units in hand and units owned, for the time-ordered balance check.
#[derive(Clone, Copy, Debug, Default)]
struct Balance {
    in_hand: i64,
    owned: i64,
    /// Units leased in: they can be leased on (a sub-lease), not sold or installed.
    leased_in: i64,
}

impl Balance {
    fn receive(&mut self, r: &Record) {
        self.in_hand += r.quantity as i64;
        if r.kind == RecordKind::Sale {
            self.owned += r.quantity as i64;
        }
    }

    fn send(&mut self, r: &Record) {
        self.in_hand -= r.quantity as i64;
        if r.kind == RecordKind::Sale {
            self.owned -= r.quantity as i64;
        }
    }

    /// What the entity could pass on, lease or install: units in hand, or units it owns elsewhere.
    fn available(&self) -> i64 {
        self.in_hand.max(self.owned)
    }

    /// What the entity could do `r` with: a lease out may also use units leased in.
    fn available_for(&self, r: &Record) -> i64 {
        if r.kind == RecordKind::Lease { self.available() + self.leased_in } else { self.available() }
    }
}

/// Per-entity holdings by product, with a time-ordered check of balances.
pub struct Inventory {
    /// (entity, product) -> units.
    pub by_product: HashMap<(EntityId, Sym), Holding>,
    /// Record indices sorted by date (ties in file order), the order every analysis walks them in.
    pub order: Vec<RecordId>,
}

impl Inventory {
    /// # Complexity
    /// O(R log R) for R records.
    pub fn build(case: &Case) -> Inventory {
        // Ties on the date keep file order: deterministic, and cheaper than
        // comparing ids. Sorting (date, index) keys in place reads no record
        // during the sort (an indirect key would fetch a random record per
        // comparison); the keys are unique, so an unstable sort gives the
        // order a stable sort by date would.
        let mut keyed: Vec<(i64, RecordId)> =
            case.records.iter().enumerate().map(|(i, r)| (r.date.0, i as RecordId)).collect();
        keyed.sort_unstable();
        let order: Vec<RecordId> = keyed.into_iter().map(|(_, i)| i).collect();
        let mut by_product: HashMap<(EntityId, Sym), Holding> = HashMap::default();
        for r in &case.records {
            by_product.entry((r.from, r.product)).or_default().add(r, true);
            by_product.entry((r.to, r.product)).or_default().add(r, false);
        }
        Inventory { by_product, order }
    }

    pub fn holding(&self, e: EntityId, product: Sym) -> Holding {
        self.by_product.get(&(e, product)).copied().unwrap_or_default()
    }

    /// Every record that sends on, installs or leases more units than its
    /// sender could hold at that time, counted per product and, where records
    /// carry lots, per lot (a split's parent lot covers its children).
    /// Manufacturers make units and are exempt.
    ///
    /// # Complexity
    /// O(R) after `build`.
    pub fn shortfalls(&self, case: &Case) -> Vec<Shortfall> {
        let mut out = Vec::new();
        // Balances as (units in hand, units owned): a shipment moves goods but
        // not title, so an owner can lease units that sit at a forwarder's.
        let mut product_bal: HashMap<(EntityId, Sym), Balance> = HashMap::default();
        let mut lot_bal: HashMap<(EntityId, Sym), Balance> = HashMap::default();
        // Lots an entity ever received, so a split sent on from a parent lot is
        // charged to the parent.
        let mut received_lots: HashMap<(EntityId, Sym), ()> = HashMap::default();
        // Same-day records: receipts count before sends, since dates are often
        // days without times (each day is walked twice below).
        let order = &self.order;
        let mut i = 0;
        while i < order.len() {
            let day = case.records[order[i] as usize].date;
            let mut j = i;
            while j < order.len() && case.records[order[j] as usize].date == day {
                j += 1;
            }
            for &ri in &order[i..j] {
                let r = &case.records[ri as usize];
                if r.kind.moves_goods() {
                    product_bal.entry((r.to, r.product)).or_default().receive(r);
                    if let Some(l) = r.lot {
                        lot_bal.entry((r.to, l)).or_default().receive(r);
                        received_lots.insert((r.to, l), ());
                    }
                } else if r.kind == RecordKind::Lease {
                    // Units leased in can be leased on: a sub-lease has a source.
                    product_bal.entry((r.to, r.product)).or_default().leased_in += r.quantity as i64;
                    if let Some(l) = r.lot {
                        lot_bal.entry((r.to, l)).or_default().leased_in += r.quantity as i64;
                        received_lots.insert((r.to, l), ());
                    }
                }
            }
            for &ri in &order[i..j] {
                let r = &case.records[ri as usize];
                let sender = case.entity(r.from);
                if sender.kind == EntityKind::Manufacturer {
                    continue;
                }
                let q = r.quantity as i64;
                let what = match r.kind {
                    RecordKind::Sale | RecordKind::Shipment => "sends on",
                    RecordKind::Install => "installs",
                    RecordKind::Lease => "leases out",
                };
                let held = product_bal.get(&(r.from, r.product)).map_or(0, |b| b.available_for(r));
                let product = case.s(r.product);
                if held < q {
                    out.push(self.shortfall(
                        case,
                        ri,
                        None,
                        (q - held.max(0)) as u64,
                        format!(
                            "`{}` {what} {q} {product} in record `{}` but held only {} by then",
                            sender.id,
                            case.s(r.id),
                            held.max(0)
                        ),
                    ));
                } else if let Some(l) = r.lot {
                    let key = if received_lots.contains_key(&(r.from, l)) { l } else { r.parent_lot.unwrap_or(l) };
                    let lheld = lot_bal.get(&(r.from, key)).map_or(0, |b| b.available_for(r));
                    if lheld < q {
                        out.push(self.shortfall(
                            case,
                            ri,
                            Some(key),
                            (q - lheld.max(0)) as u64,
                            format!(
                                "`{}` {what} {q} units of lot `{}` in record `{}` but held only {} of that lot by then",
                                sender.id,
                                case.s(key),
                                case.s(r.id),
                                lheld.max(0)
                            ),
                        ));
                    }
                }
                if r.kind.moves_goods() {
                    product_bal.entry((r.from, r.product)).or_default().send(r);
                    if let Some(l) = r.lot {
                        let key = if received_lots.contains_key(&(r.from, l)) { l } else { r.parent_lot.unwrap_or(l) };
                        lot_bal.entry((r.from, key)).or_default().send(r);
                    }
                }
            }
            i = j;
        }
        out.sort_by_key(|s| s.record);
        out
    }

    fn shortfall(&self, case: &Case, ri: RecordId, lot: Option<Sym>, excess: u64, message: String) -> Shortfall {
        let r = &case.records[ri as usize];
        let file = case.record_file(ri).map_or_else(|| records_file(case), String::from);
        Shortfall { entity: r.from, record: ri, excess, lot, product: r.product, file, line: r.line, message }
    }

    /// Totals per entity over all products, sorted by entity id.
    pub fn per_entity(&self) -> BTreeMap<EntityId, Holding> {
        let mut out: BTreeMap<EntityId, Holding> = BTreeMap::new();
        for ((e, _), h) in &self.by_product {
            let t = out.entry(*e).or_default();
            t.received += h.received;
            t.bought += h.bought;
            t.sent += h.sent;
            t.shipped += h.shipped;
            t.installed += h.installed;
            t.leased += h.leased;
            t.hosted += h.hosted;
            t.leased_in += h.leased_in;
        }
        out
    }
}

/// The path of the records file the case was read from (records.jsonl only
/// when that is the one that was read; the readers list the files they read).
pub fn records_file(case: &Case) -> String {
    let jsonl_read =
        case.files.iter().any(|f| f.path == "records.jsonl") && !case.files.iter().any(|f| f.path == "records.csv");
    case.root.join(if jsonl_read { "records.jsonl" } else { "records.csv" }).display().to_string()
}
