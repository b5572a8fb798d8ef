//! Traces: where a lot (and the lots split from it) or an entity's goods went,
//! forward, or where they came from, backward. Time order is respected: a step
//! out of a holder only follows a step in. Lots are followed exactly where
//! records carry them; lot-less records are followed by product and time.

use crate::analysis::inventory::Holding;
use crate::graph::Lots;
use crate::model::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What to trace from.
#[derive(Clone, Debug)]
pub enum TraceRoot {
    Lot(Sym),
    Entity(EntityId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Forward,
    Backward,
}

/// One record on a trace.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub record: RecordId,
    /// Records between the root and this step (0 for the first).
    pub depth: u32,
}

/// Units at one holder over the steps of a trace.
#[derive(Clone, Debug, Serialize)]
pub struct HolderRow {
    pub entity: EntityId,
    #[serde(flatten)]
    pub units: Holding,
    /// Where the traced units started (a maker, or the first sender of a lot).
    pub origin: bool,
}

impl HolderRow {
    /// Units sent on beyond what came in, for a holder that is not the origin.
    pub fn unaccounted(&self) -> u64 {
        if self.origin { 0 } else { (-self.units.held()).max(0) as u64 }
    }
}

/// The result of a trace.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    pub direction: Direction,
    pub steps: Vec<Step>,
    pub holders: Vec<HolderRow>,
    /// Records of the traced lots that break time order (a step out before any step in).
    pub out_of_order: Vec<RecordId>,
    /// True when the depth bound cut the trace.
    pub truncated: bool,
}

/// Traces from `root`. `order` is every record sorted by time.
///
/// # Complexity
/// O(R) for a lot or an entity: one pass over the records in time order.
pub fn trace(case: &Case, lots: &Lots, order: &[RecordId], root: &TraceRoot, dir: Direction, max_depth: u32) -> Trace {
    let (steps, out_of_order, truncated, origins) = match (root, dir) {
        (TraceRoot::Lot(l), Direction::Forward) => lot_forward(case, lots, order, *l),
        (TraceRoot::Lot(l), Direction::Backward) => lot_backward(case, lots, order, *l),
        (TraceRoot::Entity(e), Direction::Forward) => entity_walk(case, lots, order, *e, max_depth, false),
        (TraceRoot::Entity(e), Direction::Backward) => entity_walk(case, lots, order, *e, max_depth, true),
    };
    let holders = holders(case, &steps, &origins);
    Trace { direction: dir, steps, holders, out_of_order, truncated }
}

type Walk = (Vec<Step>, Vec<RecordId>, bool, HashSet<EntityId>);

/// Forward from a lot: the lot and its splits, from its first holder on.
fn lot_forward(case: &Case, lots: &Lots, order: &[RecordId], root: Sym) -> Walk {
    let family: HashSet<Sym> = lots.descendants(root).into_iter().collect();
    let mut origins = HashSet::new();
    // (entity, lot) -> (time it got the lot, depth)
    let mut has: HashMap<(EntityId, Sym), (Timestamp, u32)> = HashMap::new();
    // The lot starts with the sender of its first record, or with a maker that
    // sends it (a maker makes units, so a misdated record elsewhere must not
    // make the maker's own sale look out of order). A lot known only as the
    // parent of splits starts with the first sender of each split.
    let first_of = |lot: Sym| -> Option<&Record> {
        let recs = &lots.get(lot)?.records;
        let maker = recs.iter().find(|&&r| case.entity(case.records[r as usize].from).kind == EntityKind::Manufacturer);
        maker.or(recs.first()).map(|&r| &case.records[r as usize])
    };
    let starts: Vec<&Record> = match first_of(root) {
        Some(f) => vec![f],
        None => lots.get(root).map(|l| l.children.iter().filter_map(|&c| first_of(c)).collect()).unwrap_or_default(),
    };
    for f in starts {
        origins.insert(f.from);
        has.insert((f.from, root), (Timestamp(i64::MIN), 0));
    }
    let mut steps = Vec::new();
    let mut bad = Vec::new();
    for &ri in order {
        let r = &case.records[ri as usize];
        let Some(l) = r.lot.filter(|l| family.contains(l)) else { continue };
        // The sender must hold this lot or the lot it was split from.
        let held = has
            .get(&(r.from, l))
            .or_else(|| r.parent_lot.or(lots.get(l).and_then(|x| x.parent)).and_then(|p| has.get(&(r.from, p))))
            .filter(|(t, _)| *t <= r.date)
            .copied();
        match held {
            Some((_, depth)) => {
                steps.push(Step { record: ri, depth });
                // A lessee holds the lot's use, and a sub-lease of it by the lessee follows on.
                if r.kind.moves_goods() || r.kind == RecordKind::Lease {
                    has.entry((r.to, l)).or_insert((r.date, depth + 1));
                }
            }
            None => bad.push(ri),
        }
    }
    (steps, bad, false, origins)
}

/// Backward from a lot: the lot's own records and those of the lots it was split from.
fn lot_backward(case: &Case, lots: &Lots, order: &[RecordId], root: Sym) -> Walk {
    let line: Vec<Sym> = lots.ancestors(root);
    let rank: HashMap<Sym, usize> = line.iter().enumerate().map(|(i, &l)| (l, i)).collect();
    let mut steps: Vec<Step> = order
        .iter()
        .filter(|&&ri| case.records[ri as usize].lot.is_some_and(|l| rank.contains_key(&l)))
        .map(|&ri| Step { record: ri, depth: 0 })
        .collect();
    // Steps stay in time order, as in every other trace; depth counts back
    // from the newest step.
    let n = steps.len() as u32;
    for (i, s) in steps.iter_mut().enumerate() {
        s.depth = n - 1 - i as u32;
    }
    let mut origins = HashSet::new();
    if let Some(oldest) = line.last().and_then(|l| lots.get(*l)).and_then(|l| l.records.first()) {
        origins.insert(case.records[*oldest as usize].from);
    }
    (steps, vec![], false, origins)
}

/// Forward or backward from an entity, one pass over the records in time order
/// (reverse time order when backward). The root may send or receive any kind;
/// further holders pass goods on only through sales and shipments.
fn entity_walk(case: &Case, lots: &Lots, order: &[RecordId], root: EntityId, max_depth: u32, backward: bool) -> Walk {
    // (entity, product) -> (bound time, depth, lots seen). Forward: earliest time the
    // entity got traced units; backward: latest time it must have had them.
    #[derive(Default)]
    struct Reach {
        time: Option<Timestamp>,
        depth: u32,
        lots: Vec<Sym>,
        lotless: bool,
    }
    let mut reach: HashMap<(EntityId, Sym), Reach> = HashMap::new();
    let mut steps = Vec::new();
    let mut truncated = false;
    let mut origins = HashSet::new();
    let iter: Box<dyn Iterator<Item = &RecordId>> =
        if backward { Box::new(order.iter().rev()) } else { Box::new(order.iter()) };
    for &ri in iter {
        let r = &case.records[ri as usize];
        let (near, far) = if backward { (r.to, r.from) } else { (r.from, r.to) };
        let depth = if near == root {
            0
        } else {
            let Some(st) = reach.get(&(near, r.product)) else { continue };
            let in_time = st.time.is_some_and(|t| if backward { r.date <= t } else { t <= r.date });
            if !in_time {
                continue;
            }
            // Only goods passed on by sale or shipment continue a route.
            if !r.kind.moves_goods() && backward {
                continue;
            }
            // A lot-tracked record continues a lot that was traced here, or
            // any traced lot-less flow of the same product.
            if let Some(l) = r.lot {
                let family = if backward { lots.descendants(l) } else { lots.ancestors(l) };
                if !st.lotless && !family.iter().any(|f| st.lots.contains(f)) {
                    continue;
                }
            }
            st.depth
        };
        if depth >= max_depth {
            truncated = true;
            continue;
        }
        steps.push(Step { record: ri, depth });
        if !backward && !r.kind.moves_goods() {
            continue; // installs and leases end a forward route
        }
        let e = reach.entry((far, r.product)).or_insert_with(|| Reach { depth: depth + 1, ..Reach::default() });
        if e.time.is_none() {
            e.time = Some(r.date);
        }
        if backward {
            e.time = e.time.max(Some(r.date));
        }
        e.depth = e.depth.min(depth + 1);
        match r.lot {
            Some(l) if !e.lots.contains(&l) => e.lots.push(l),
            Some(_) => {}
            None => e.lotless = true,
        }
    }
    if backward {
        steps.reverse();
        // Origins: senders on the trace that received nothing traced.
        let receivers: HashSet<EntityId> = steps.iter().map(|s| case.records[s.record as usize].to).collect();
        for s in &steps {
            let f = case.records[s.record as usize].from;
            if !receivers.contains(&f) {
                origins.insert(f);
            }
        }
    } else {
        origins.insert(root);
    }
    (steps, vec![], truncated, origins)
}

fn holders(case: &Case, steps: &[Step], origins: &HashSet<EntityId>) -> Vec<HolderRow> {
    let mut first_seen: Vec<EntityId> = Vec::new();
    let mut units: BTreeMap<EntityId, Holding> = BTreeMap::new();
    for s in steps {
        let r = &case.records[s.record as usize];
        for (e, sender) in [(r.from, true), (r.to, false)] {
            if !units.contains_key(&e) {
                first_seen.push(e);
            }
            units.entry(e).or_default().add(r, sender);
        }
    }
    first_seen
        .into_iter()
        .map(|e| HolderRow {
            entity: e,
            units: units[&e],
            origin: origins.contains(&e) || case.entity(e).kind == EntityKind::Manufacturer,
        })
        .collect()
}
