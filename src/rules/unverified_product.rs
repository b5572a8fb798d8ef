//! `unverified_product` (an extension of docs/spec.md §3): units that a
//! record describes as no product the table knows ("SERVER PARTS",
//! "COMPUTER ACCESSORIES - GRAPHICS CARD LUMEXA LX-80") under an HS heading
//! GPUs and GPU servers are declared under (8471, 8473.30, 8542.31,
//! 8543.70), sent by a party that holds at least as many units of a
//! controlled product (or of another such unverified product) that it
//! received and is not recorded passing on. The description may hide the
//! GPUs: relabelling on the export filing is how the reported US reseller
//! cases moved H100 through forwarders. The flag is about the sender, and
//! about a terminal in a country of concern that received such units, and
//! says the product is unverified (read the document). It runs whatever the
//! route's product, since the product is what is in doubt.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct UnverifiedProduct;

/// Most receipts a flag cites.
const MAX_CITED: usize = 5;

impl Rule for UnverifiedProduct {
    fn id(&self) -> &'static str {
        "unverified_product"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if ctx.unverified.is_empty() {
            return;
        }
        for &ri in &route.records {
            let Some(u) = ctx.unverified.get(&ri) else { continue };
            let r = &ctx.case.records[ri as usize];
            let written = ctx.attr(ri, crate::read::PRODUCT_AS_WRITTEN).unwrap_or(ctx.case.s(r.product));
            let held: Vec<String> = u.held.iter().map(|(p, n)| format!("{n} {}", ctx.case.s(*p))).collect();
            let cited: Vec<String> = u.receipts.iter().take(MAX_CITED).map(|&x| ctx.rid(x)).collect();
            let what = format!(
                "{} units described `{}` (HS {}, a heading GPUs are declared under; no model the product table knows)",
                r.quantity, written, u.hs
            );
            let mut evidence = vec![ctx.case.entity(r.from).id.clone(), ctx.rid(ri)];
            evidence.extend(cited.iter().cloned());
            out.push(Flag::new(
                self.id(),
                r.from,
                format!(
                    "{} sent {what} in record {} on {}, while holding {} it received (record {}) and is not recorded passing on: the description may hide them; the product is unverified",
                    ctx.who(r.from),
                    ctx.rid(ri),
                    r.date,
                    held.join(" and "),
                    cited.join(", ")
                ),
                evidence.clone(),
            ));
            let terminal = ctx.case.entity(route.terminal);
            let concern = ctx.policy.is_country_of_concern(terminal.country)
                || ctx.case.records.ship_to_country(ri).is_some_and(|c| ctx.policy.is_country_of_concern(c));
            if ri == route.last() && r.to == route.terminal && concern {
                let mut ev = vec![terminal.id.clone()];
                ev.extend(evidence);
                out.push(Flag::new(
                    self.id(),
                    route.terminal,
                    format!(
                        "the terminal {} in a country of concern received {what} in record {} on {} from {}, which held {} not recorded passing on: if the units are those GPUs, a licence was needed; the product is unverified",
                        ctx.who(route.terminal),
                        ctx.rid(ri),
                        r.date,
                        ctx.who(r.from),
                        held.join(" and ")
                    ),
                    ev,
                ));
            }
        }
    }
}

/// A record whose units may be relabelled GPUs: what its sender held.
#[derive(Clone, Debug)]
pub struct Unverified {
    /// The HS code as written.
    pub hs: String,
    /// Units held and not recorded passing on, per product (controlled, or
    /// another unverified product), received on or before the record.
    pub held: Vec<(crate::model::Sym, u64)>,
    /// The sender's receipts of those products on or before the record, latest first.
    pub receipts: Vec<crate::model::RecordId>,
}

/// The records `unverified_product` judges: units that move, of a product
/// the policy's table does not know, under a computing HS heading (the
/// record's `hs_code`, as `import` keeps it), whose sender holds at least
/// as many units of controlled or other such products: received on or
/// before the record and not sold, shipped, installed or leased by then,
/// nor ever after (the case's end balance).
///
/// # Complexity
/// O(R) over the records, two passes; nothing when no record has an
/// `hs_code`.
pub fn unverified_records(
    case: &crate::model::Case,
    policy: &crate::policy::Policy,
    inv: &crate::analysis::inventory::Inventory,
    controlled: &rustc_hash::FxHashSet<crate::model::Sym>,
) -> rustc_hash::FxHashMap<crate::model::RecordId, Unverified> {
    use crate::model::{EntityId, RecordId, RecordKind, Sym};
    use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
    let mut out: HashMap<RecordId, Unverified> = HashMap::default();
    let Some(hs_key) = case.sym("hs_code") else { return out };
    let mut known: HashMap<Sym, bool> = HashMap::default();
    let mut candidates: Vec<(RecordId, String)> = Vec::new();
    for (i, attrs) in case.records.with_attrs() {
        let r = &case.records[i as usize];
        if !r.kind.moves_goods() {
            continue;
        }
        let Some(&(_, hs)) = attrs.iter().find(|(k, _)| *k == hs_key) else { continue };
        let hs = case.s(hs);
        if !crate::model::product::computing_heading(hs) {
            continue;
        }
        if *known.entry(r.product).or_insert_with(|| policy.products().get(case.s(r.product)).is_some()) {
            continue;
        }
        candidates.push((i as RecordId, hs.to_string()));
    }
    if candidates.is_empty() {
        return out;
    }
    let unverified: HashSet<Sym> = candidates.iter().map(|&(i, _)| case.records[i as usize].product).collect();
    let senders: HashSet<EntityId> = candidates.iter().map(|&(i, _)| case.records[i as usize].from).collect();
    let mut receipts: HashMap<EntityId, Vec<RecordId>> = HashMap::default();
    // Units of those products each sender moved on (sold, shipped, installed, leased), by date.
    let mut outs: HashMap<(EntityId, Sym), Vec<(crate::model::Timestamp, u64)>> = HashMap::default();
    for (i, r) in case.records.iter().enumerate() {
        if !(controlled.contains(&r.product) || unverified.contains(&r.product)) {
            continue;
        }
        if matches!(r.kind, RecordKind::Sale | RecordKind::Shipment) && senders.contains(&r.to) {
            receipts.entry(r.to).or_default().push(i as RecordId);
        }
        if senders.contains(&r.from) {
            outs.entry((r.from, r.product)).or_default().push((r.date, u64::from(r.quantity)));
        }
    }
    for (ci, hs) in candidates {
        let c = &case.records[ci as usize];
        let mine: Vec<RecordId> = receipts
            .get(&c.from)
            .map(|v| {
                let mut v: Vec<RecordId> = v
                    .iter()
                    .copied()
                    .filter(|&x| {
                        let r = &case.records[x as usize];
                        r.date <= c.date && r.product != c.product && x != ci
                    })
                    .collect();
                v.sort_by(|a, b| case.records[*b as usize].date.cmp(&case.records[*a as usize].date).then(b.cmp(a)));
                v
            })
            .unwrap_or_default();
        let mut held: Vec<(Sym, u64)> = Vec::new();
        for &x in &mine {
            let p = case.records[x as usize].product;
            if held.iter().any(|&(q, _)| q == p) {
                continue;
            }
            let Some(h) = inv.by_product.get(c.from, p) else { continue };
            // Held on the record's date and never recorded leaving after it.
            let never_left = h.received.saturating_sub(h.sent + h.shipped + h.installed + h.leased);
            let came: u64 = mine
                .iter()
                .map(|&y| &case.records[y as usize])
                .filter(|r| r.product == p)
                .map(|r| u64::from(r.quantity))
                .sum();
            let went: u64 =
                outs.get(&(c.from, p)).map_or(0, |v| v.iter().filter(|(d, _)| *d <= c.date).map(|&(_, n)| n).sum());
            let left = came.saturating_sub(went).min(never_left);
            if left > 0 {
                held.push((p, left));
            }
        }
        let total: u64 = held.iter().map(|&(_, n)| n).sum();
        if total < u64::from(c.quantity) || held.is_empty() {
            continue;
        }
        let receipts: Vec<RecordId> =
            mine.into_iter().filter(|&x| held.iter().any(|&(p, _)| p == case.records[x as usize].product)).collect();
        held.sort_by(|a, b| case.s(a.0).cmp(case.s(b.0)));
        out.insert(ci, Unverified { hs, held, receipts });
    }
    out
}
