//! Units per holder: what each entity received, sent on, installed and leased,
//! per lot and per product, and where the units do not add up.

use crate::model::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use string_interner::Symbol;

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
        self.add_units(r.kind, as_sender, r.quantity)
    }

    /// [`Holding::add`] of a record's kind, side and units.
    pub fn add_units(&mut self, kind: RecordKind, as_sender: bool, quantity: u32) {
        let q = quantity as u64;
        match (kind, as_sender) {
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

/// Units per (holder, product) as sorted arrays: each entity's products in
/// ascending symbol order beside their holdings, the entities one after
/// the other (entity `e`'s from `starts[e]` to `starts[e + 1]`).
#[derive(Clone, Debug, Default)]
pub struct Holdings {
    starts: Vec<u32>,
    products: Vec<Sym>,
    holdings: Vec<Holding>,
}

/// Entities a block of [`Holdings::build`] folds at a time on the pool
/// (a few in unit tests, so that their cases span several blocks); at most
/// 2^16, the width of [`End::entity`].
const HOLDINGS_BLOCK: usize = if cfg!(test) { 3 } else { 4096 };

/// Products an entity's ends are summed over by a linear search before
/// [`Holdings::build`] sorts them instead.
const FEW_PRODUCTS: usize = 16;

/// One end of one record as [`Holdings::build`] buckets it: what the fold
/// needs, so that it never reads the record again (12 bytes).
#[derive(Clone, Copy)]
struct End {
    product: Sym,
    quantity: u32,
    /// The entity's place in its block.
    entity: u16,
    kind: RecordKind,
    as_sender: bool,
}

/// Sums `ends` by product into `few` (sorted by product) when they are of
/// at most [`FEW_PRODUCTS`] products; false (`few` then holds a part) when
/// they are of more.
fn fold_few(ends: &[End], few: &mut Vec<(Sym, Holding)>) -> bool {
    few.clear();
    for x in ends {
        let k = match few.iter().position(|(p, _)| *p == x.product) {
            Some(k) => k,
            None if few.len() < FEW_PRODUCTS => {
                few.push((x.product, Holding::default()));
                few.len() - 1
            }
            None => return false,
        };
        few[k].1.add_units(x.kind, x.as_sender, x.quantity);
    }
    few.sort_unstable_by_key(|(p, _)| p.to_usize());
    true
}

/// One block's entities' holdings: how many products each entity of the
/// block has, then those products and holdings in entity order.
type BlockHoldings = (Vec<u32>, Vec<Sym>, Vec<Holding>);

/// Folds the ends of one block of `len` entities (in any order): a
/// counting sort by entity within the block (its counters fit in cache),
/// then each entity's ends summed by product.
fn fold_block(ends: Vec<End>, len: usize) -> BlockHoldings {
    let mut at = vec![0u32; len + 1];
    for x in &ends {
        at[x.entity as usize + 1] += 1;
    }
    for e in 1..=len {
        at[e] += at[e - 1];
    }
    let mut by_entity = ends.clone();
    let mut next = at.clone();
    for x in ends {
        let i = &mut next[x.entity as usize];
        by_entity[*i as usize] = x;
        *i += 1;
    }
    let (mut counts, mut products, mut holdings) = (Vec::with_capacity(len), Vec::new(), Vec::new());
    let mut few: Vec<(Sym, Holding)> = Vec::with_capacity(FEW_PRODUCTS);
    for e in 0..len {
        let mine = &mut by_entity[at[e] as usize..at[e + 1] as usize];
        let before = products.len();
        if fold_few(mine, &mut few) {
            products.extend(few.iter().map(|(p, _)| *p));
            holdings.extend(few.iter().map(|(_, h)| *h));
        } else {
            // Many products: sorted by product, each run summed.
            mine.sort_unstable_by_key(|x| x.product.to_usize());
            for x in mine.iter() {
                if products.len() == before || products.last() != Some(&x.product) {
                    products.push(x.product);
                    holdings.push(Holding::default());
                }
                if let Some(h) = holdings.last_mut() {
                    h.add_units(x.kind, x.as_sender, x.quantity);
                }
            }
        }
        counts.push((products.len() - before) as u32);
    }
    (counts, products, holdings)
}

impl Holdings {
    /// Every record counted at its sender and its receiver. One pass over
    /// the records in file order puts each end (its product, units, kind
    /// and side: 12 bytes) in the bucket of its entity's block of
    /// [`HOLDINGS_BLOCK`] entities; then each block, on the pool when
    /// `parallel`, is sorted by entity and summed by product, and the
    /// blocks' tables are joined. No record is read twice: reading each
    /// record's two ends again at random (bucketing record numbers by
    /// entity) cost more than the hash map keyed by (entity, product) this
    /// replaced, which held twice the bytes (BENCHMARKS.md, issue 10,
    /// seventh session).
    ///
    /// # Complexity
    /// O(R + E) for R records and E entities, plus O(d log d) for each
    /// entity's d ends where they are of more than [`FEW_PRODUCTS`] products.
    pub fn build(case: &Case, parallel: bool) -> Holdings {
        use rayon::prelude::*;
        let blocks = case.entities.len().div_ceil(HOLDINGS_BLOCK);
        let guess = 2 * case.records.len() / blocks.max(1) + 16;
        let mut parts: Vec<Vec<End>> = (0..blocks).map(|_| Vec::with_capacity(guess)).collect();
        for r in case.records.iter() {
            for (e, as_sender) in [(r.from, true), (r.to, false)] {
                let (b, entity) = (e as usize / HOLDINGS_BLOCK, (e as usize % HOLDINGS_BLOCK) as u16);
                if b >= parts.len() {
                    parts.resize_with(b + 1, Vec::new);
                }
                parts[b].push(End { product: r.product, quantity: r.quantity, entity, kind: r.kind, as_sender });
            }
        }
        // Every entity of the case, and any a record names past them.
        let n = parts.len().checked_sub(1).map_or(0, |last| {
            let past = parts[last].iter().map(|x| last * HOLDINGS_BLOCK + x.entity as usize + 1).max();
            past.unwrap_or(0).max(case.entities.len())
        });
        let jobs: Vec<(Vec<End>, usize)> = parts
            .into_iter()
            .enumerate()
            .map(|(b, ends)| (ends, n.min((b + 1) * HOLDINGS_BLOCK) - b * HOLDINGS_BLOCK))
            .collect();
        let folded: Vec<BlockHoldings> = if parallel {
            jobs.into_par_iter().map(|(ends, len)| fold_block(ends, len)).collect()
        } else {
            jobs.into_iter().map(|(ends, len)| fold_block(ends, len)).collect()
        };
        let total = folded.iter().map(|p| p.1.len()).sum();
        let mut out = Holdings {
            starts: Vec::with_capacity(n + 1),
            products: Vec::with_capacity(total),
            holdings: Vec::with_capacity(total),
        };
        out.starts.push(0);
        for (counts, products, holdings) in folded {
            for c in counts {
                out.starts.push(out.starts.last().copied().unwrap_or(0) + c);
            }
            out.products.extend(products);
            out.holdings.extend(holdings);
        }
        out
    }

    /// What entity `e` handled of `product`, if anything.
    ///
    /// # Complexity
    /// O(log p) for the p products the entity handled.
    pub fn get(&self, e: EntityId, product: Sym) -> Option<&Holding> {
        let (a, b) = (*self.starts.get(e as usize)? as usize, *self.starts.get(e as usize + 1)? as usize);
        let k = self.products[a..b].binary_search_by_key(&product.to_usize(), |p| p.to_usize()).ok()?;
        Some(&self.holdings[a + k])
    }

    /// Every (entity, product) handled, by entity, then product symbol.
    pub fn iter(&self) -> impl Iterator<Item = ((EntityId, Sym), &Holding)> {
        self.starts.windows(2).enumerate().flat_map(move |(e, w)| {
            (w[0] as usize..w[1] as usize).map(move |k| ((e as EntityId, self.products[k]), &self.holdings[k]))
        })
    }

    /// How many (entity, product) pairs were handled.
    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// Bytes the table holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * size_of::<u32>()
            + self.products.capacity() * size_of::<Sym>()
            + self.holdings.capacity() * size_of::<Holding>()
    }
}

/// Per-entity holdings by product, with a time-ordered check of balances.
pub struct Inventory {
    /// (entity, product) -> units.
    pub by_product: Holdings,
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
        let holdings = || Holdings::build(case, parallel);
        let (order, by_product) = crate::par::join(parallel, order, holdings);
        Inventory { by_product, order }
    }

    pub fn holding(&self, e: EntityId, product: Sym) -> Holding {
        self.by_product.get(e, product).copied().unwrap_or_default()
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
        for ((e, _), h) in self.by_product.iter() {
            let t = out.entry(e).or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The sorted holdings hold what a hash map keyed by (entity,
        /// product) sums, whatever the kinds, self-loops and product mix,
        /// built in parallel or not.
        #[test]
        fn holdings_are_the_sums_per_entity_and_product(
            recs in prop::collection::vec((0u32..7, 0u32..7, 0usize..3, 0usize..4, 1u32..50), 0..80),
        ) {
            let mut case = Case::default();
            let products: Vec<Sym> = ["H100", "H20", "A100"].iter().map(|p| case.strings.intern(p)).collect();
            for (i, &(from, to, p, k, q)) in recs.iter().enumerate() {
                let id = case.strings.intern(&format!("R{i}"));
                let r = Record { kind: RecordKind::ALL[k], ..Record::sale(id, Timestamp(0), from, to, products[p], q, 2) };
                case.records.push(r, RecordExtras::default());
            }
            let mut want: HashMap<(EntityId, Sym), Holding> = HashMap::default();
            for r in &case.records {
                want.entry((r.from, r.product)).or_default().add(r, true);
                want.entry((r.to, r.product)).or_default().add(r, false);
            }
            for parallel in [false, true] {
                let got = Holdings::build(&case, parallel);
                prop_assert_eq!(got.len(), want.len());
                for ((e, p), h) in got.iter() {
                    prop_assert_eq!(Some(h), want.get(&(e, p)));
                    prop_assert_eq!(got.get(e, p), Some(h));
                }
                prop_assert_eq!(got.get(99, products[0]), None);
            }
        }
    }
}
