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

/// The balances of the time-ordered check: per (holder, product) and per
/// (holder, lot), and the lots each holder ever received (so a split sent
/// on from a parent lot is charged to the parent).
#[derive(Default)]
struct Balances {
    product: HashMap<(EntityId, Sym), Balance>,
    lot: HashMap<(EntityId, Sym), Balance>,
    received_lots: HashMap<(EntityId, Sym), ()>,
}

impl Balances {
    /// Empties the tables for the next holder; a table grown large by a
    /// big holder is dropped, so that emptying it is not paid again for
    /// every small holder after it.
    fn reset(&mut self) {
        if self.product.capacity() > 4096 || self.lot.capacity() > 4096 || self.received_lots.capacity() > 4096 {
            *self = Balances::default();
        } else {
            self.product.clear();
            self.lot.clear();
            self.received_lots.clear();
        }
    }

    /// Counts what `r` brings its receiver: units in hand (and owned, for a
    /// sale), or units leased in, which can be leased on (a sub-lease has a source).
    fn receive(&mut self, r: &Record) {
        if r.kind.moves_goods() {
            self.product.entry((r.to, r.product)).or_default().receive(r);
            if let Some(l) = r.lot {
                self.lot.entry((r.to, l)).or_default().receive(r);
                self.received_lots.insert((r.to, l), ());
            }
        } else if r.kind == RecordKind::Lease {
            self.product.entry((r.to, r.product)).or_default().leased_in += r.quantity as i64;
            if let Some(l) = r.lot {
                self.lot.entry((r.to, l)).or_default().leased_in += r.quantity as i64;
                self.received_lots.insert((r.to, l), ());
            }
        }
    }

    /// Checks record `ri` against what its sender could hold (a shortfall
    /// goes to `out`), then takes the units it moves off the sender.
    /// Balances are (units in hand, units owned): a shipment moves goods but
    /// not title, so an owner can lease units that sit at a forwarder's.
    fn send(&mut self, case: &Case, ri: RecordId, out: &mut Vec<Shortfall>) {
        let r = &case.records[ri as usize];
        let sender = case.entity(r.from);
        if sender.kind == EntityKind::Manufacturer {
            return;
        }
        let q = r.quantity as i64;
        let what = match r.kind {
            RecordKind::Sale | RecordKind::Shipment => "sends on",
            RecordKind::Install => "installs",
            RecordKind::Lease => "leases out",
        };
        let held = self.product.get(&(r.from, r.product)).map_or(0, |b| b.available_for(r));
        let product = case.s(r.product);
        if held < q {
            out.push(shortfall(
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
            let key = if self.received_lots.contains_key(&(r.from, l)) { l } else { r.parent_lot.unwrap_or(l) };
            let lheld = self.lot.get(&(r.from, key)).map_or(0, |b| b.available_for(r));
            if lheld < q {
                out.push(shortfall(
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
            self.product.entry((r.from, r.product)).or_default().send(r);
            if let Some(l) = r.lot {
                let key = if self.received_lots.contains_key(&(r.from, l)) { l } else { r.parent_lot.unwrap_or(l) };
                self.lot.entry((r.from, key)).or_default().send(r);
            }
        }
    }
}

fn shortfall(case: &Case, ri: RecordId, lot: Option<Sym>, excess: u64, message: String) -> Shortfall {
    let r = &case.records[ri as usize];
    let file = case.record_file(ri).map_or_else(|| records_file(case), String::from);
    Shortfall { entity: r.from, record: ri, excess, lot, product: r.product, file, line: r.line, message }
}

/// Per-entity holdings by product, with a time-ordered check of balances.
pub struct Inventory {
    /// (entity, product) -> units.
    pub by_product: HashMap<(EntityId, Sym), Holding>,
    /// Record indices sorted by date (ties in file order), the order every analysis walks them in.
    pub order: Vec<RecordId>,
}

impl Inventory {
    /// [`Inventory::build_with`] on the rayon pool.
    ///
    /// # Complexity
    /// O(R log R) for R records.
    pub fn build(case: &Case) -> Inventory {
        Inventory::build_with(case, true)
    }

    /// The time order and the holdings, side by side on the rayon pool
    /// (the time order sorted in parallel) when `parallel`, else one after
    /// the other: the same inventory either way.
    ///
    /// # Complexity
    /// O(R log R) for R records.
    pub fn build_with(case: &Case, parallel: bool) -> Inventory {
        use rayon::prelude::*;
        let order = || {
            // Ties on the date keep file order: deterministic, and cheaper than
            // comparing ids. Sorting (date, index) keys in place reads no record
            // during the sort (an indirect key would fetch a random record per
            // comparison); the keys are unique, so an unstable sort gives the
            // order a stable sort by date would, in parallel or not.
            let key = |(i, r): (usize, &Record)| (r.date.0, i as RecordId);
            let mut keyed: Vec<(i64, RecordId)> = if parallel {
                case.records.par_iter().enumerate().map(key).collect()
            } else {
                case.records.iter().enumerate().map(key).collect()
            };
            if parallel {
                keyed.par_sort_unstable();
                keyed.into_par_iter().map(|(_, i)| i).collect()
            } else {
                keyed.sort_unstable();
                keyed.into_iter().map(|(_, i)| i).collect()
            }
        };
        let holdings = || {
            let mut by_product: HashMap<(EntityId, Sym), Holding> = HashMap::default();
            for r in &case.records {
                by_product.entry((r.from, r.product)).or_default().add(r, true);
                by_product.entry((r.to, r.product)).or_default().add(r, false);
            }
            by_product
        };
        let (order, by_product) = crate::par::join(parallel, order, holdings);
        Inventory { by_product, order }
    }

    pub fn holding(&self, e: EntityId, product: Sym) -> Holding {
        self.by_product.get(&(e, product)).copied().unwrap_or_default()
    }

    /// Every record that sends on, installs or leases more units than its
    /// sender could hold at that time, counted per product and, where records
    /// carry lots, per lot (a split's parent lot covers its children).
    /// Manufacturers make units and are exempt. One pass over the records in
    /// time order: the sequential twin of [`Inventory::shortfalls_by_holder`].
    ///
    /// # Complexity
    /// O(R) after `build`.
    pub fn shortfalls(&self, case: &Case) -> Vec<Shortfall> {
        let mut out = Vec::new();
        let mut bal = Balances::default();
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
                bal.receive(&case.records[ri as usize]);
            }
            for &ri in &order[i..j] {
                bal.send(case, ri, &mut out);
            }
            i = j;
        }
        out.sort_by_key(|s| s.record);
        out
    }

    /// [`Inventory::shortfalls`] holder by holder, on the rayon pool when
    /// `parallel`: every balance belongs to one holder, so each holder's
    /// receipts and sends (from `adj`, in time order; built here when not
    /// given) are walked day by day
    /// on their own, receipts of a day before its sends, and the shortfalls
    /// sorted by record come out the same.
    ///
    /// # Complexity
    /// O(E + R), spread over the threads by holder.
    pub fn shortfalls_by_holder(
        &self,
        case: &Case,
        adj: Option<&crate::graph::Adjacency>,
        parallel: bool,
    ) -> Vec<Shortfall> {
        use rayon::prelude::*;
        let own;
        let adj = match adj {
            Some(a) => a,
            None => {
                own = crate::graph::Adjacency::build_with(case, &self.order, parallel);
                &own
            }
        };
        let date = |ri: RecordId| case.records[ri as usize].date;
        let one = |bal: &mut Balances, e: EntityId| -> Vec<Shortfall> {
            let mut out = Vec::new();
            if case.entity(e).kind == EntityKind::Manufacturer {
                return out;
            }
            let (inn, sent) = (adj.inn(e), adj.out(e));
            if sent.is_empty() {
                return out;
            }
            bal.reset();
            let (mut i, mut j) = (0, 0);
            while j < sent.len() {
                let day = match inn.get(i) {
                    Some(&r) => date(r).min(date(sent[j])),
                    None => date(sent[j]),
                };
                while i < inn.len() && date(inn[i]) == day {
                    bal.receive(&case.records[inn[i] as usize]);
                    i += 1;
                }
                while j < sent.len() && date(sent[j]) == day {
                    bal.send(case, sent[j], &mut out);
                    j += 1;
                }
            }
            out
        };
        let n = case.entities.len() as EntityId;
        let mut out: Vec<Shortfall> = if parallel {
            (0..n).into_par_iter().map_init(Balances::default, one).flatten_iter().collect()
        } else {
            let mut bal = Balances::default();
            (0..n).flat_map(|e| one(&mut bal, e)).collect()
        };
        out.sort_by_key(|s| s.record);
        out
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
