//! The provenance graph: entities as nodes, records as edges (a multigraph,
//! leases included) and ownership or control as a second kind of edge, on
//! petgraph. Beside it, a frozen compact adjacency sorted by time for the hot
//! loops of the route search and traces, and the lot lineage.

use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};

/// What an edge of the provenance graph stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// A record: goods or access moved from `from` to `to`.
    Record(RecordId),
    /// A relation: `from` owns, directs or controls `to`.
    Relation(u32),
}

/// Entities and everything between them. Node `i` is entity `i`.
pub struct ProvenanceGraph {
    pub graph: DiGraph<EntityId, Edge>,
}

impl ProvenanceGraph {
    /// # Complexity
    /// O(E + R + L) for E entities, R records and L relations.
    pub fn build(case: &Case) -> ProvenanceGraph {
        let mut graph = DiGraph::with_capacity(case.entities.len(), case.records.len() + case.relations.len());
        for i in 0..case.entities.len() {
            graph.add_node(i as EntityId);
        }
        for (i, r) in case.records.iter().enumerate() {
            graph.add_edge(NodeIndex::new(r.from as usize), NodeIndex::new(r.to as usize), Edge::Record(i as RecordId));
        }
        for (i, r) in case.relations.iter().enumerate() {
            graph.add_edge(NodeIndex::new(r.from as usize), NodeIndex::new(r.to as usize), Edge::Relation(i as u32));
        }
        ProvenanceGraph { graph }
    }
}

/// Records in and out of every entity, each list sorted by (date, record id),
/// in compressed sparse row form: the layout the route search walks.
pub struct Adjacency {
    out_start: Vec<u32>,
    out: Vec<RecordId>,
    in_start: Vec<u32>,
    inn: Vec<RecordId>,
    /// Beside `inn`, the narrow columns the route search probes, so that a
    /// binary search or a scan of a holder's receipts reads a few bytes per
    /// receipt instead of a whole record: the date (UTC seconds), and the
    /// product's symbol for a receipt that can supply units (a sale, a
    /// shipment, a lease for a sub-lease; [`NO_GOODS`] for an install),
    /// with [`LEASE_GOODS`] set for a lease, and the units: what an
    /// inferred step weighs, so that only the receipt chosen is read whole.
    in_date: Vec<i64>,
    in_goods: Vec<u32>,
    in_qty: Vec<u32>,
    /// Whether each entity is a manufacturer (where a route search stops:
    /// the units were made there), a byte an entity instead of its record.
    maker: Vec<bool>,
}

/// `Adjacency::inn_columns`'s product key of a receipt that supplies nothing (an install).
pub const NO_GOODS: u32 = u32::MAX;

/// Set in `Adjacency::inn_columns`'s product key of a lease (units that
/// supply only a sub-lease, while the lease runs).
pub const LEASE_GOODS: u32 = 1 << 31;

/// The key `Adjacency::inn_columns` gives a product.
pub fn goods_key(product: Sym) -> u32 {
    string_interner::Symbol::to_usize(product) as u32
}

impl Adjacency {
    /// `order` is every record index sorted by time (see `Inventory::order`).
    ///
    /// # Complexity
    /// O(E + R).
    pub fn build(case: &Case, order: &[RecordId]) -> Adjacency {
        Adjacency::build_with(case, order, false)
    }

    /// [`Adjacency::build`], the records out and the records in (with their
    /// columns) built side by side on the rayon pool when `parallel`.
    ///
    /// # Complexity
    /// O(E + R).
    pub fn build_with(case: &Case, order: &[RecordId], parallel: bool) -> Adjacency {
        let n = case.entities.len();
        let ((out_start, out), (in_start, inn, in_date, in_goods, in_qty)) = crate::par::join(
            parallel,
            || csr(n, order, |r| case.records[r as usize].from),
            || {
                let (in_start, inn) = csr(n, order, |r| case.records[r as usize].to);
                let in_date = inn.iter().map(|&r| case.records[r as usize].date.0).collect();
                let in_goods = inn
                    .iter()
                    .map(|&r| {
                        let rec = &case.records[r as usize];
                        match rec.kind {
                            RecordKind::Install => NO_GOODS,
                            RecordKind::Lease => goods_key(rec.product) | LEASE_GOODS,
                            RecordKind::Sale | RecordKind::Shipment => goods_key(rec.product),
                        }
                    })
                    .collect();
                let in_qty = inn.iter().map(|&r| case.records[r as usize].quantity).collect();
                (in_start, inn, in_date, in_goods, in_qty)
            },
        );
        let maker = case.entities.iter().map(|e| e.kind == EntityKind::Manufacturer).collect();
        Adjacency { out_start, out, in_start, inn, in_date, in_goods, in_qty, maker }
    }

    /// Records out of `e`, in time order.
    pub fn out(&self, e: EntityId) -> &[RecordId] {
        &self.out[self.out_start[e as usize] as usize..self.out_start[e as usize + 1] as usize]
    }

    /// Records into `e`, in time order.
    pub fn inn(&self, e: EntityId) -> &[RecordId] {
        &self.inn[self.in_start[e as usize] as usize..self.in_start[e as usize + 1] as usize]
    }

    /// Records into `e` in time order, with their dates, [`goods_key`]s
    /// ([`NO_GOODS`] for an install, [`LEASE_GOODS`] set for a lease) and
    /// units (four slices of the same length).
    pub fn inn_columns(&self, e: EntityId) -> InColumns<'_> {
        let range = self.in_start[e as usize] as usize..self.in_start[e as usize + 1] as usize;
        InColumns {
            records: &self.inn[range.clone()],
            dates: &self.in_date[range.clone()],
            goods: &self.in_goods[range.clone()],
            quantity: &self.in_qty[range],
        }
    }

    /// Whether entity `e` is a manufacturer.
    pub fn is_maker(&self, e: EntityId) -> bool {
        self.maker[e as usize]
    }
}

/// An entity's records in, in time order, with the narrow columns beside
/// them ([`Adjacency::inn_columns`]).
pub struct InColumns<'a> {
    pub records: &'a [RecordId],
    pub dates: &'a [i64],
    pub goods: &'a [u32],
    pub quantity: &'a [u32],
}

fn csr(n: usize, order: &[RecordId], key: impl Fn(RecordId) -> EntityId) -> (Vec<u32>, Vec<RecordId>) {
    let mut start = vec![0u32; n + 1];
    for &r in order {
        start[key(r) as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![0; order.len()];
    for &r in order {
        let k = key(r) as usize;
        items[fill[k] as usize] = r;
        fill[k] += 1;
    }
    (start, items)
}

/// One lot as [`Lots::get`] gives it: its records in time order, the lot it
/// was split from and the lots split from it (by name).
#[derive(Clone, Copy, Debug)]
pub struct Lot<'a> {
    pub records: &'a [RecordId],
    /// Beside `records`, their dates (UTC seconds) and receivers, when the
    /// lots were built [`Lots::with_columns`]: what the route search's
    /// lineage walk compares, so that it reads a whole record only where the
    /// receiver is the holder it asks about.
    pub columns: Option<(&'a [i64], &'a [EntityId])>,
    pub parent: Option<Sym>,
    pub children: &'a [Sym],
}

/// Lot lineage from `lot` and `parent_lot`, in dense arrays: a table from
/// symbol to lot number, then each lot's records and children in compressed
/// sparse row form. A hash map of lots with two vectors each cost about 40
/// bytes a record at a million records and a hash probe per record to build.
#[derive(Default)]
pub struct Lots {
    /// Lot number of each symbol, [`NO_LOT`] for a symbol that is no lot.
    number: Vec<u32>,
    record_start: Vec<u32>,
    records: Vec<RecordId>,
    parent: Vec<Option<Sym>>,
    child_start: Vec<u32>,
    children: Vec<Sym>,
    /// Each of `records`' date and receiver (see [`Lots::with_columns`]).
    columns: Option<(Vec<i64>, Vec<EntityId>)>,
}

const NO_LOT: u32 = u32::MAX;

fn sym_index(s: Sym) -> usize {
    string_interner::Symbol::to_usize(s)
}

/// The number of lot `l`, numbering it next when it has none yet (with no
/// parent and no records so far).
fn lot_number(l: Sym, number: &mut Vec<u32>, parent: &mut Vec<Option<Sym>>, count: &mut Vec<u32>) -> usize {
    let i = sym_index(l);
    if i >= number.len() {
        number.resize(i + 1, NO_LOT);
    }
    if number[i] == NO_LOT {
        number[i] = parent.len() as u32;
        parent.push(None);
        count.push(0);
    }
    number[i] as usize
}

impl Lots {
    /// # Complexity
    /// O(R + S) for R records and S interned strings, plus O(C log C) to
    /// order the C lots split from others by name.
    pub fn build(case: &Case, order: &[RecordId]) -> Lots {
        let mut number: Vec<u32> = Vec::new();
        let mut parent: Vec<Option<Sym>> = Vec::new();
        let mut count: Vec<u32> = Vec::new();
        // Lots numbered in the order their first record is met.
        for &ri in order {
            let r = &case.records[ri as usize];
            if let Some(l) = r.lot {
                let n = lot_number(l, &mut number, &mut parent, &mut count);
                count[n] += 1;
                if parent[n].is_none() {
                    parent[n] = r.parent_lot;
                }
            }
        }
        let mut record_start = Vec::with_capacity(count.len() + 1);
        record_start.push(0u32);
        for &c in &count {
            record_start.push(record_start[record_start.len() - 1] + c);
        }
        let mut fill: Vec<u32> = record_start[..count.len()].to_vec();
        let mut records = vec![0; *record_start.last().unwrap_or(&0) as usize];
        for &ri in order {
            if let Some(l) = case.records[ri as usize].lot {
                let n = number[sym_index(l)] as usize;
                records[fill[n] as usize] = ri;
                fill[n] += 1;
            }
        }
        // Children by the child's name, as the map of lots by name gave them;
        // a parent lot with no record of its own gets a number too.
        let mut links: Vec<(&str, Sym, Sym)> = Vec::new();
        for (i, &n) in number.iter().enumerate() {
            if n != NO_LOT
                && let Some(p) = parent[n as usize]
                && let Some(l) = <Sym as string_interner::Symbol>::try_from_usize(i)
            {
                links.push((case.s(l), p, l));
            }
        }
        links.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut child_count: Vec<u32> = vec![0; count.len()];
        let mut link_parent: Vec<usize> = Vec::with_capacity(links.len());
        for &(_, p, _) in &links {
            let n = lot_number(p, &mut number, &mut parent, &mut count);
            child_count.resize(count.len(), 0);
            child_count[n] += 1;
            link_parent.push(n);
        }
        // Lots that are only parents have no records.
        while record_start.len() < count.len() + 1 {
            record_start.push(records.len() as u32);
        }
        let mut child_start = Vec::with_capacity(count.len() + 1);
        child_start.push(0u32);
        for &c in &child_count {
            child_start.push(child_start[child_start.len() - 1] + c);
        }
        let mut fill: Vec<u32> = child_start[..child_count.len()].to_vec();
        let mut children: Vec<Sym> = links.iter().map(|&(_, _, l)| l).collect();
        for (&(_, _, l), &n) in links.iter().zip(&link_parent) {
            children[fill[n] as usize] = l;
            fill[n] += 1;
        }
        Lots { number, record_start, records, parent, child_start, children, columns: None }
    }

    /// These lots with each record's date and receiver beside it (12 bytes
    /// a lotted record): the index a cluster rank keeps of every lot while
    /// it holds only some of the records, so that a step's lineage walk
    /// finds the holder's receipt (and counts what it looked at) reading the
    /// full record of that receipt alone (see `crate::cluster`).
    ///
    /// # Complexity
    /// O(lotted records).
    pub fn with_columns(mut self, case: &Case) -> Lots {
        let dates = self.records.iter().map(|&r| case.records[r as usize].date.0).collect();
        let tos = self.records.iter().map(|&r| case.records[r as usize].to).collect();
        self.columns = Some((dates, tos));
        self
    }

    /// Every lot (carried by a record or named as a parent), in the order of their symbols.
    pub fn numbered(&self) -> impl Iterator<Item = Sym> + '_ {
        self.number
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n != NO_LOT)
            .filter_map(|(i, _)| <Sym as string_interner::Symbol>::try_from_usize(i))
    }

    /// The lot `lot`, if any record carries it or names it as a parent.
    pub fn get(&self, lot: Sym) -> Option<Lot<'_>> {
        let n = *self.number.get(sym_index(lot))?;
        if n == NO_LOT {
            return None;
        }
        let n = n as usize;
        let range = self.record_start[n] as usize..self.record_start[n + 1] as usize;
        Some(Lot {
            records: &self.records[range.clone()],
            columns: self.columns.as_ref().map(|(d, t)| (&d[range.clone()], &t[range])),
            parent: self.parent[n],
            children: &self.children[self.child_start[n] as usize..self.child_start[n + 1] as usize],
        })
    }

    /// `lot` and every lot split from it, transitively, parents before children.
    ///
    /// # Complexity
    /// O(D) for D descendants (a set, not a scan of the list, spots repeats).
    pub fn descendants(&self, lot: Sym) -> Vec<Sym> {
        let mut out = vec![lot];
        let mut seen: rustc_hash::FxHashSet<Sym> = out.iter().copied().collect();
        let mut i = 0;
        while i < out.len() {
            if let Some(l) = self.get(out[i]) {
                for &c in l.children {
                    if seen.insert(c) {
                        out.push(c);
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// `lot` and the lots it was split from, up to the first, child first.
    ///
    /// # Complexity
    /// O(A) for A ancestors.
    pub fn ancestors(&self, lot: Sym) -> Vec<Sym> {
        self.ancestors_iter(lot).collect()
    }

    /// [`Lots::ancestors`] lazily: the route search stops walking up when its
    /// budget is spent, without building the whole line first.
    pub fn ancestors_iter(&self, lot: Sym) -> impl Iterator<Item = Sym> + '_ {
        // The lots seen so far: the first few in place (a lineage is
        // usually short, and the route search walks one from every step),
        // the rest in a set, so a short walk allocates nothing.
        const FEW: usize = 8;
        let mut few = [lot; FEW];
        let mut in_few = 0;
        let mut more = rustc_hash::FxHashSet::default();
        let mut next = Some(lot);
        std::iter::from_fn(move || {
            let cur = next?;
            // A cycle in the paperwork ends the line rather than looping.
            if in_few < FEW {
                few[in_few] = cur;
                in_few += 1;
            } else {
                more.insert(cur);
            }
            next = self.get(cur).and_then(|l| l.parent).filter(|p| !few[..in_few].contains(p) && !more.contains(p));
            Some(cur)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case of two entities and `n` lots, lot `i` split from lot `i - 1`
    /// and lot 0 from lot `n - 1` (a cycle in the paperwork).
    fn lot_cycle(n: usize) -> (Case, Vec<Sym>) {
        let mut case = Case::default();
        for i in 0..2 {
            case.entities.push(Entity::new(
                format!("E{i}"),
                format!("E{i}"),
                EntityKind::Unknown,
                Country::parse("US").unwrap(),
            ));
        }
        let product = case.strings.intern("H100");
        let lots: Vec<Sym> = (0..n).map(|i| case.strings.intern(&format!("L{i}"))).collect();
        for i in 0..n {
            let id = case.strings.intern(&format!("R{i}"));
            let mut r = Record::sale(id, Timestamp(i as i64 * DAY), 0, 1, product, 1, i as u64 + 2);
            r.lot = Some(lots[i]);
            r.parent_lot = Some(lots[(i + n - 1) % n]);
            case.records.push(r, RecordExtras::default());
        }
        (case, lots)
    }

    /// The lineage up a cycle names every lot once and stops, whether it
    /// is shorter or longer than the lots the walk keeps in place.
    #[test]
    fn ancestors_name_each_lot_of_a_cycle_once() {
        for n in [1, 2, 7, 8, 9, 30] {
            let (case, lots) = lot_cycle(n);
            let order: Vec<RecordId> = (0..n as RecordId).collect();
            let built = Lots::build(&case, &order);
            for start in [0, n / 2, n - 1] {
                let want: Vec<Sym> = (0..n).map(|k| lots[(start + n - k) % n]).collect();
                assert_eq!(built.ancestors(lots[start]), want, "{n} lots, from L{start}");
            }
        }
    }
}
