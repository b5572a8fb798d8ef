//! The red-flag rules of docs/spec.md §3, one file per rule behind the [`Rule`]
//! trait. Adding a rule is one file and one line in [`registry`]. Rules read
//! a shared [`Ctx`] computed once per scan and never change it.

mod control_ties;
pub(crate) mod country_of_concern;
mod crypto_payment;
mod end_user_mismatch;
mod listed_affiliate;
mod listed_party;
mod long_chain;
mod parent_in_country_of_concern;
mod quantity_mismatch;
mod rapid_resale;
mod remote_access;
mod rental_after_install;
mod shell_indicators;
mod supplied_by_front;
mod transshipment_hub;
mod undeployed_inventory;
pub mod unverified_product;

use crate::analysis::inventory::{Inventory, Shortfall};
use crate::analysis::ownership::Ownership;
use crate::analysis::routes::Route;
use crate::model::*;
use crate::policy::Policy;
use crate::scan::Flag;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A red-flag rule.
pub trait Rule: Sync + Send {
    /// The rule id of docs/spec.md §3.
    fn id(&self) -> &'static str;
    /// Adds this rule's flags for `route` to `out`. `earlier` holds the flags of
    /// the rules before this one in the registry (remote access builds on them).
    fn check(&self, ctx: &Ctx, route: &Route, earlier: &[Flag], out: &mut Vec<Flag>);
}

/// Every rule, in the order they run. `remote_access` and
/// `rental_after_install` run last because they ask whether the lessee was
/// flagged by the others.
pub fn registry() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(listed_party::ListedParty),
        Box::new(listed_affiliate::ListedAffiliate),
        Box::new(country_of_concern::CountryOfConcern),
        Box::new(parent_in_country_of_concern::ParentInCountryOfConcern),
        Box::new(control_ties::ControlTies),
        Box::new(transshipment_hub::TransshipmentHub),
        Box::new(rapid_resale::RapidResale),
        Box::new(shell_indicators::ShellIndicators),
        Box::new(crypto_payment::CryptoPayment),
        Box::new(end_user_mismatch::EndUserMismatch),
        Box::new(undeployed_inventory::UndeployedInventory),
        Box::new(quantity_mismatch::QuantityMismatch),
        Box::new(long_chain::LongChain),
        Box::new(supplied_by_front::SuppliedByFront),
        Box::new(remote_access::RemoteAccess),
        Box::new(rental_after_install::RentalAfterInstall),
        Box::new(unverified_product::UnverifiedProduct),
    ]
}

/// All rule ids, in registry order.
pub fn rule_ids() -> Vec<&'static str> {
    registry().iter().map(|r| r.id()).collect()
}

/// A screening-list match of one entity, as the rules use it.
#[derive(Clone, Debug)]
pub struct ListHit {
    /// Index in `case.lists`.
    pub entry: usize,
    pub score: f64,
    pub matched_name: String,
    pub listed_name: String,
    pub method: String,
}

/// What every rule reads, computed once per scan.
pub struct Ctx<'a> {
    pub case: &'a Case,
    pub policy: &'a Policy,
    pub inv: &'a Inventory,
    pub ownership: Ownership,
    /// List matches per entity, strongest first.
    pub hits: Vec<Vec<ListHit>>,
    /// List matches of the parties records name only as text (a declared
    /// end user, the party a consignee receives for: see [`named_parties`])
    /// where the text is no entity's id or name, strongest first, by the
    /// text's symbol.
    pub named_hits: HashMap<Sym, Vec<ListHit>>,
    /// The symbols of the attribute keys [`named_parties`] reads, looked
    /// up once: `to_on_behalf_of` and `from_on_behalf_of`.
    named_keys: NamedKeys,
    /// For every text a record names a party by (see [`named_parties`]),
    /// the entity whose id it is, if any: judging asks this of every
    /// record on every route, and a look-up by symbol costs a fraction of
    /// one by the text.
    text_entity: HashMap<Sym, Option<EntityId>>,
    /// The sales (seller, buyer, product) of parties that shipped units to
    /// a forwarder, keeping title: what a forwarder's delivery is checked
    /// against (see [`documented_delivery`]).
    pub forwarded_sales: HashSet<(EntityId, EntityId, Sym)>,
    /// Records of units described as no known product under a computing HS
    /// heading, whose sender holds controlled (or other such) units it is
    /// not recorded passing on (see [`unverified_product`]).
    pub unverified: HashMap<RecordId, unverified_product::Unverified>,
    /// Shortfalls (units sent beyond what was held) by record, of parties
    /// the case records receiving something (see [`Ctx::build`]).
    pub shortfalls: HashMap<RecordId, Shortfall>,
    /// The records of each (sender, product) that sent more than the sender
    /// had on record, in record order: what a party is, judged on every
    /// route it is on (`supplied_by_front`), not only the one that shows it.
    pub short_senders: HashMap<(EntityId, Sym), Vec<RecordId>>,
    /// Records that send more than their sender held on record but count
    /// as no shortfall: the sender is where the data starts (no receipt in
    /// the case) or the maker's own arm. `validate` warns about each; the
    /// scan says how many (its `warnings.notes`).
    pub unsourced_not_judged: usize,
    /// Records touching each entity.
    pub activity: Vec<u32>,
    /// Each entity's first record date.
    pub first_trade: Vec<Option<Timestamp>>,
    /// The date of each entity's `established_min_records`-th record: it had
    /// that many records before any later date (see [`established`]).
    pub nth_trade: Vec<Option<Timestamp>>,
    /// Entities by normalised address, for shared-address shells.
    pub by_address: HashMap<String, Vec<EntityId>>,
    /// Outgoing installs and shipments per entity (to find the sites where its units sit).
    pub placements: Vec<Vec<RecordId>>,
    /// Products in the case that the policy controls.
    pub controlled_products: HashSet<Sym>,
    /// Data centres and clouds holding stock undeployed, per product: one
    /// account each for the site's own stock and each colocation customer's.
    pub undeployed: HashMap<(EntityId, Sym), Vec<undeployed_inventory::Idle>>,
    /// The date of the case's last record: what "still held" is judged at.
    pub last_date: Timestamp,
    /// Per (entity, product), the undeployed sites where the entity installed or shipped that product.
    pub undeployed_sites: HashMap<(EntityId, Sym), Vec<EntityId>>,
    /// The work screening did and the bounds that cut it (reported in the scan's stats).
    pub screening: crate::screen::ScreenStats,
    /// Bounds that cut an ownership search while the rules judged (for
    /// `stats.truncated_by`); rules run in parallel, so they gather here.
    cuts: std::sync::Mutex<Vec<JudgedCut>>,
    /// For each controlled product, the (from, until) days of its controls:
    /// [`Ctx::controlled`] runs for every rule on every route, and looking
    /// the product up by name in the policy's table each time cost more than
    /// the rules' own work.
    control_windows: ControlWindows,
    /// Each entity's group in `by_address` (by index in `address_groups`),
    /// so a rule finds who shares an address without normalising it again.
    address_group: Vec<Option<u32>>,
    address_groups: Vec<Vec<EntityId>>,
    /// Per entity, facts a rule derives from the entity alone and asks for
    /// on every route the entity is on, computed once on first use (see
    /// [`Ctx::memo`]).
    memo: Vec<EntityMemo>,
}

/// A bound that cut a search made while judging (an ownership walk), for
/// `stats.truncated_by`: the bound, the entity searched from, what was cut.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct JudgedCut {
    pub bound: String,
    pub subject: String,
    pub note: String,
}

/// What rules derive once per entity (filled lazily, from any thread).
#[derive(Default)]
pub struct EntityMemo {
    /// `shell_indicators`: the established group holding the entity, if any.
    pub established_group: std::sync::OnceLock<Option<EntityId>>,
    /// `end_user_mismatch`: the entity's id, name and aliases as compared with declared end users.
    pub name_keys: std::sync::OnceLock<Vec<String>>,
    /// `control_ties`: per director, officer or controller of the entity
    /// (as [`Ownership::controller_relations`] lists them), its tie's flag
    /// when the entity is the terminal and when it is an intermediary, and
    /// the rank of the controller's id among them; None where the tie shows
    /// nothing of concern.
    pub control_ties: std::sync::OnceLock<Vec<control_ties::Tie>>,
    /// `listed_affiliate`: the flag about the entity, by the date it is
    /// judged at and whether it is the terminal (it depends on nothing else).
    pub listed_affiliate: std::sync::Mutex<HashMap<(Timestamp, bool), Option<Flag>>>,
    /// `listed_affiliate`: no listed party above the entity on any date
    /// (see `Ownership::clear_of`), so it is nobody's affiliate.
    pub clear_of_listed: std::sync::OnceLock<bool>,
    /// `shell_indicators`: the entity's signs of a shell, if any.
    pub shell_indicators: std::sync::OnceLock<Option<Box<shell_indicators::Shell>>>,
}

impl<'a> Ctx<'a> {
    /// The context, its independent parts (screening, the balance check,
    /// per-entity activity, addresses, idle stock, products, ownership)
    /// built side by side on the rayon pool when `parallel`, else one after
    /// the other (the sequential twin): the same context either way.
    ///
    /// `adj` is the case's adjacency, if built (the balance check walks it
    /// holder by holder, and builds its own when given none).
    ///
    /// # Complexity
    /// O(E + R + L) plus the screening; the longest part (the screening or
    /// the balance check) bounds the wall time on enough threads.
    pub fn build(
        case: &'a Case,
        policy: &'a Policy,
        inv: &'a Inventory,
        adj: Option<&crate::graph::Adjacency>,
        parallel: bool,
    ) -> Ctx<'a> {
        use crate::par::join;
        let n = case.entities.len();
        let last_date = inv.order.last().map_or(Timestamp(0), |&ri| case.records[ri as usize].date);
        let (((hits, screening), shortfalls), ((per_entity, addresses), ((undeployed, products), ownership))) = join(
            parallel,
            || {
                join(
                    parallel,
                    || list_hits(case, policy, parallel),
                    || {
                        inv.shortfalls_by_holder(case, adj, parallel)
                            .into_iter()
                            .map(|s| (s.record, s))
                            .collect::<HashMap<_, _>>()
                    },
                )
            },
            || {
                join(
                    parallel,
                    || join(parallel, || Activity::build(case, policy, inv), || Addresses::build(case, parallel)),
                    || {
                        join(
                            parallel,
                            || {
                                join(
                                    parallel,
                                    || undeployed_inventory::idle_stock(case, policy, inv, last_date),
                                    || controlled_products(case, policy),
                                )
                            },
                            || Ownership::build(case),
                        )
                    },
                )
            },
        );
        let mut screening = screening;
        let named_hits = named_list_hits(case, policy, &mut screening);
        let named_keys = NamedKeys::of(case);
        let text_entity = text_entities(case, named_keys);
        let forwarded_sales = forwarded_sales(case);
        let Activity { activity, first_trade, nth_trade, placements, receives } = per_entity;
        // A party the case records only as a sender (no purchase, shipment
        // or lease in of any product) is where the records start, as a
        // maker is: an integrator's or a distributor's own purchases are
        // outside the case, so its units have no recorded source for want
        // of data, not because units appeared. A phantom is a party whose
        // receipts the case holds, sending more than they add up to.
        let mut shortfalls = shortfalls;
        let all_short = shortfalls.len();
        // Nor is a maker's own distribution arm: its units are the maker's.
        shortfalls.retain(|_, s| {
            receives[s.entity as usize]
                && !maker_arm_of(case, &ownership, s.entity, case.records[s.record as usize].date)
        });
        let unsourced_not_judged = all_short - shortfalls.len();
        let mut short_senders: HashMap<(EntityId, Sym), Vec<RecordId>> = HashMap::default();
        for s in shortfalls.values() {
            short_senders.entry((s.entity, s.product)).or_default().push(s.record);
        }
        for v in short_senders.values_mut() {
            v.sort_unstable();
        }
        let Addresses { by_address, address_group, address_groups } = addresses;
        let (controlled_products, control_windows) = products;
        let unverified = unverified_product::unverified_records(case, policy, inv, &controlled_products);
        let mut undeployed_sites: HashMap<(EntityId, Sym), Vec<EntityId>> = HashMap::default();
        if !undeployed.is_empty() {
            for (e, recs) in placements.iter().enumerate() {
                for &ri in recs {
                    let r = &case.records[ri as usize];
                    if undeployed.contains_key(&(r.to, r.product)) {
                        let v = undeployed_sites.entry((e as EntityId, r.product)).or_default();
                        if !v.contains(&r.to) {
                            v.push(r.to);
                        }
                    }
                }
            }
        }
        Ctx {
            case,
            policy,
            inv,
            ownership,
            hits,
            named_hits,
            named_keys,
            text_entity,
            forwarded_sales,
            unverified,
            shortfalls,
            short_senders,
            unsourced_not_judged,
            activity,
            first_trade,
            nth_trade,
            by_address,
            placements,
            controlled_products,
            undeployed,
            last_date,
            undeployed_sites,
            screening,
            cuts: std::sync::Mutex::new(Vec::new()),
            control_windows,
            address_group,
            address_groups,
            memo: (0..n).map(|_| EntityMemo::default()).collect(),
        }
    }

    /// Records that `bound` cut a search about `subject` while judging.
    pub fn note_cut(&self, bound: &str, subject: EntityId, note: String) {
        let cut = JudgedCut { bound: bound.to_string(), subject: self.case.entity(subject).id.clone(), note };
        if let Ok(mut v) = self.cuts.lock() {
            v.push(cut);
        }
    }

    /// The cuts noted so far, sorted and without repeats (the same
    /// ownership walk is cut on every route that asks), leaving none behind.
    pub fn take_cuts(&self) -> Vec<JudgedCut> {
        let mut v = self.cuts.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
        v.sort();
        v.dedup();
        v
    }

    /// The ultimate parent of `e` at `t` (see `Ownership::ultimate_parent`),
    /// noting a walk that `MAX_CHAIN` cut.
    pub fn ultimate_parent(&self, e: EntityId, t: Timestamp) -> Option<(EntityId, Vec<EntityId>)> {
        let (found, cut) = self.ownership.ultimate_parent_bounded(self.case, e, t);
        if cut {
            self.note_chain_cut(e, found.as_ref().map(|f| f.0));
        }
        found
    }

    /// Whether `a` and `b` are one group at `t` (see `Ownership::same_group`),
    /// noting a walk that `MAX_CHAIN` cut.
    pub fn same_group(&self, a: EntityId, b: EntityId, t: Timestamp) -> bool {
        let (same, cut) = self.ownership.same_group_bounded(self.case, a, b, t);
        if let Some(e) = cut {
            let top = self.ownership.ultimate_parent(self.case, e, t).map(|f| f.0);
            self.note_chain_cut(e, top);
        }
        same
    }

    fn note_chain_cut(&self, e: EntityId, reached: Option<EntityId>) {
        use crate::analysis::ownership::MAX_CHAIN;
        let reached = reached.map(|r| self.case.entity(r).id.clone()).unwrap_or_default();
        self.note_cut(
            "MAX_CHAIN",
            e,
            format!(
                "the walk up from {} to its ultimate parent stopped at {reached} after {MAX_CHAIN} companies (MAX_CHAIN); a parent above it was not judged",
                self.case.entity(e).id
            ),
        );
    }

    /// What listed parties hold in `e` at `t` (see `Ownership::held_by`),
    /// noting a bound that cut the computation.
    pub fn held_by_listed(&self, e: EntityId, t: Timestamp) -> crate::analysis::ownership::Holdings {
        let h = self.ownership.held_by(self.case, e, t, &|x| self.is_listed(x));
        self.note_holdings_cut(e, &h);
        h
    }

    /// What listed parties and their affiliates hold in `e` at `t` (see
    /// `Ownership::held_by_affiliates`), noting a bound that cut it.
    pub fn held_by_listed_affiliates(&self, e: EntityId, t: Timestamp) -> crate::analysis::ownership::Holdings {
        let (h, _) =
            self.ownership.held_by_affiliates(self.case, e, t, &|x| self.is_listed(x), self.policy.affiliate_share);
        self.note_holdings_cut(e, &h);
        h
    }

    fn note_holdings_cut(&self, e: EntityId, h: &crate::analysis::ownership::Holdings) {
        if let Some(note) = &h.truncated {
            self.note_cut(crate::analysis::ownership::bound_named(note), e, note.clone());
        }
    }

    /// What rules derive once per entity (see [`EntityMemo`]).
    pub fn memo(&self, e: EntityId) -> &EntityMemo {
        &self.memo[e as usize]
    }

    /// The entities whose address normalises to `e`'s (`e` among them), or
    /// None when `e` has no address: `by_address` of `e`'s address.
    pub fn same_address(&self, e: EntityId) -> Option<&[EntityId]> {
        self.address_group[e as usize].map(|g| &self.address_groups[g as usize][..])
    }

    /// Whether the entity matches a list entry at or above the policy's threshold.
    pub fn is_listed(&self, e: EntityId) -> bool {
        self.hits[e as usize].iter().any(|h| h.score >= self.policy.fuzzy_threshold)
    }

    /// The list match in force at `t` of a party a record names as text
    /// (see [`named_parties`]), chosen as [`Ctx::hit_at`] chooses: the
    /// entity's when the text is an entity's id or name.
    pub fn named_hit_at(&self, text: Sym, t: Timestamp) -> Option<&ListHit> {
        if let Some(e) = self.text_entity(text) {
            return self.hit_at(e, t);
        }
        self.in_force_at(self.named_hits.get(&text)?, t)
    }

    /// The entity whose id `text` is, if any (`Case::entity_by_key` of the
    /// text), answered from the context's table for the texts records name
    /// parties by.
    pub fn text_entity(&self, text: Sym) -> Option<EntityId> {
        match self.text_entity.get(&text) {
            Some(&e) => e,
            None => self.case.entity_by_key(self.case.s(text)),
        }
    }

    /// [`named_parties`] of record `ri`, with the attribute keys looked up once.
    pub fn named_parties(&self, ri: RecordId) -> Vec<(Sym, Named)> {
        named_parties_with(self.case, self.named_keys, ri)
    }

    /// The strongest list match of an entity, if any.
    pub fn best_hit(&self, e: EntityId) -> Option<&ListHit> {
        self.hits[e as usize].iter().find(|h| h.score >= self.policy.fuzzy_threshold)
    }

    /// The list match that says whether the entity was listed at `t`: among
    /// its matches at or above the threshold, the strongest entry in force at
    /// `t` (listed on or before it, or undated), the earliest listed among
    /// equals; when none was in force yet, the earliest listing after `t`.
    /// A list (or several) can name one party in several entries with
    /// different dates (a re-listing, an added alias); the trade is judged
    /// by the entry that was in force when it happened, never by a later one.
    pub fn hit_at(&self, e: EntityId, t: Timestamp) -> Option<&ListHit> {
        self.in_force_at(&self.hits[e as usize], t)
    }

    /// The choice of [`Ctx::hit_at`] among `hits`: the strongest entry in
    /// force at `t` at or above the threshold, else the earliest listed
    /// after `t`.
    fn in_force_at<'h>(&self, hits: &'h [ListHit], t: Timestamp) -> Option<&'h ListHit> {
        let since = |h: &ListHit| self.entry(h).since;
        let hits = hits.iter().filter(|h| h.score >= self.policy.fuzzy_threshold);
        let in_force = hits
            .clone()
            .filter(|h| since(h).is_none_or(|s| s <= t))
            .min_by(|a, b| b.score.total_cmp(&a.score).then(since(a).cmp(&since(b))).then(a.entry.cmp(&b.entry)));
        in_force.or_else(|| {
            hits.min_by(|a, b| since(a).cmp(&since(b)).then(b.score.total_cmp(&a.score)).then(a.entry.cmp(&b.entry)))
        })
    }

    pub fn entry(&self, hit: &ListHit) -> &ListEntry {
        &self.case.lists[hit.entry]
    }

    /// "ID (Name, CC)" for details.
    pub fn who(&self, e: EntityId) -> String {
        let x = self.case.entity(e);
        format!("{} ({}, {})", x.id, x.name, x.country)
    }

    pub fn rid(&self, r: RecordId) -> String {
        self.case.record_id(r).to_string()
    }

    /// Whether the route's product was under export control anywhere on the
    /// date of its terminal step: before a product's first control nobody had
    /// a reason to hide where it went, so pattern rules stay quiet.
    pub fn controlled(&self, route: &Route) -> bool {
        // `ProductTable::controlled_at` on windows fetched once per product.
        let date = route_date(self, route);
        self.control_windows
            .get(&route.product)
            .is_some_and(|w| w.iter().any(|&(from, until)| from <= date && until.is_none_or(|u| date <= u)))
    }

    /// The licence requirement that a record of `product` to `country` on
    /// `date` fell under, if any (docs/spec.md §5.2: dated and by destination).
    pub fn control(&self, product: Sym, country: Country, date: Timestamp) -> Option<&crate::model::product::Control> {
        if !self.controlled_products.contains(&product) {
            return None;
        }
        self.policy.control(self.case.s(product), country, date)
    }

    /// A record's attribute (a column outside the format, or what the reader kept as written).
    pub fn attr(&self, r: RecordId, key: &str) -> Option<&str> {
        let k = self.case.sym(key)?;
        self.case.records.attrs(r).iter().find(|(a, _)| *a == k).map(|&(_, v)| self.case.s(v))
    }

    /// How a record's product and quantity were written when they were
    /// normalised or counted (`, written as 300 x "HGX H100 8-GPU server"`), or "".
    pub fn as_written(&self, r: RecordId) -> String {
        let rec = &self.case.records[r as usize];
        let attr = |key: &str| self.attr(r, key);
        match (attr(crate::read::PRODUCT_AS_WRITTEN), attr(crate::read::QUANTITY_AS_WRITTEN)) {
            (Some(p), Some(q)) => format!(" (written as {q} x \"{p}\", counted as {} GPUs)", rec.quantity),
            (Some(p), None) => format!(" (written as \"{p}\")"),
            (None, Some(q)) => format!(" (written as {q} units, counted as {} GPUs)", rec.quantity),
            (None, None) => String::new(),
        }
    }
}

/// List matches per entity, strongest first, and the screening's work
/// (screened on the rayon pool when `parallel`, else by the sequential twin).
fn list_hits(case: &Case, policy: &Policy, parallel: bool) -> (Vec<Vec<ListHit>>, crate::screen::ScreenStats) {
    let mut hits: Vec<Vec<ListHit>> = vec![vec![]; case.entities.len()];
    let (matches, screening) = if case.lists.is_empty() {
        (Vec::new(), crate::screen::ScreenStats::default())
    } else if parallel {
        crate::screen::screen_with_stats(case, policy)
    } else {
        crate::screen::screen_sequential_with_stats(case, policy)
    };
    for m in matches {
        hits[m.entity as usize].push(ListHit {
            entry: m.entry,
            score: m.score,
            matched_name: m.matched_name.clone(),
            listed_name: m.listed_name.clone(),
            method: m.method.to_string(),
        });
    }
    for h in &mut hits {
        h.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
    }
    (hits, screening)
}

/// How a record names a party it holds only as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// The declared end user (`declared_end_user`).
    EndUser,
    /// The party the receiver takes the units for (`X C/O Y`, `X ON BEHALF
    /// OF Y`: the import's `to_on_behalf_of`).
    ReceiverActsFor,
    /// The party the sender ships for (`from_on_behalf_of`).
    SenderActsFor,
}

/// The parties a record names only as text: its declared end user and the
/// parties its sender and receiver act for, each once (the import declares
/// the party a consignee receives for as end user too).
pub fn named_parties(case: &Case, ri: RecordId) -> Vec<(Sym, Named)> {
    named_parties_with(case, NamedKeys::of(case), ri)
}

/// The symbols of the attribute keys that name the parties a sender or a
/// receiver acts for, where the case has them.
#[derive(Clone, Copy, Debug)]
struct NamedKeys {
    to_on_behalf_of: Option<Sym>,
    from_on_behalf_of: Option<Sym>,
}

impl NamedKeys {
    fn of(case: &Case) -> NamedKeys {
        NamedKeys { to_on_behalf_of: case.sym("to_on_behalf_of"), from_on_behalf_of: case.sym("from_on_behalf_of") }
    }
}

/// [`named_parties`] with the keys' symbols given.
fn named_parties_with(case: &Case, keys: NamedKeys, ri: RecordId) -> Vec<(Sym, Named)> {
    let mut out: Vec<(Sym, Named)> = Vec::new();
    let attrs = case.records.attrs(ri);
    if !attrs.is_empty() {
        for (key, role) in
            [(keys.to_on_behalf_of, Named::ReceiverActsFor), (keys.from_on_behalf_of, Named::SenderActsFor)]
        {
            let Some(k) = key else { continue };
            for &(a, v) in attrs {
                if a == k && !case.s(v).trim().is_empty() && !out.iter().any(|&(x, _)| x == v) {
                    out.push((v, role));
                }
            }
        }
    }
    // After the parties acted for, so a consignee's `C/O Y` is cited as
    // written when the import also declared Y as end user.
    if let Some(d) = case.records.declared_end_user(ri).filter(|d| !out.iter().any(|&(x, _)| x == *d)) {
        out.push((d, Named::EndUser));
    }
    out
}

/// For every text a record names a party by ([`named_parties`]), the
/// entity whose id it is, if any.
///
/// # Complexity
/// O(R') hash look-ups for the R' records that name a party.
fn text_entities(case: &Case, keys: NamedKeys) -> HashMap<Sym, Option<EntityId>> {
    let mut out: HashMap<Sym, Option<EntityId>> = HashMap::default();
    let named = case.records.with_declared_end_user().map(|(i, _)| i).chain(case.records.with_attrs().map(|(i, _)| i));
    for ri in named {
        for (t, _) in named_parties_with(case, keys, ri) {
            out.entry(t).or_insert_with(|| case.entity_by_key(case.s(t)));
        }
    }
    out
}

/// List matches of the parties records name only as text, where the text is
/// no entity's id or name (an entity's own matches are in `hits`): a listed
/// firm behind a forwarder's `C/O` is found as the forwarder's own name is.
///
/// # Complexity
/// O(R) to gather the distinct texts, plus screening them.
fn named_list_hits(
    case: &Case,
    policy: &Policy,
    screening: &mut crate::screen::ScreenStats,
) -> HashMap<Sym, Vec<ListHit>> {
    let mut out: HashMap<Sym, Vec<ListHit>> = HashMap::default();
    if case.lists.is_empty() {
        return out;
    }
    let mut seen: HashSet<Sym> = HashSet::default();
    let mut texts: Vec<Sym> = Vec::new();
    // The records with either (each side column lists its records).
    let mut named: Vec<RecordId> = case
        .records
        .with_declared_end_user()
        .map(|(i, _)| i)
        .chain(case.records.with_attrs().map(|(i, _)| i))
        .collect();
    named.sort_unstable();
    named.dedup();
    for ri in named {
        for (t, _) in named_parties(case, ri) {
            if seen.insert(t) && case.entity_by_key(case.s(t)).is_none() {
                texts.push(t);
            }
        }
    }
    // Screened in the order of the texts, so the result is the same whatever the threads.
    texts.sort_by(|a, b| case.s(*a).cmp(case.s(*b)));
    let names: Vec<String> = texts.iter().map(|&t| case.s(t).to_string()).collect();
    let refs: Vec<&String> = names.iter().collect();
    for (t, matches) in texts.into_iter().zip(crate::screen::screen_free_names(case, policy, &refs, screening)) {
        let mut h: Vec<ListHit> = matches
            .into_iter()
            .map(|m| ListHit {
                entry: m.entry,
                score: m.score,
                matched_name: m.matched_name,
                listed_name: m.listed_name,
                method: m.method.to_string(),
            })
            .collect();
        if !h.is_empty() {
            h.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
            out.insert(t, h);
        }
    }
    out
}

/// Per entity: records touching it, its first record date and the date of
/// its `established_min_records`-th, and its outgoing installs and shipments.
struct Activity {
    activity: Vec<u32>,
    first_trade: Vec<Option<Timestamp>>,
    nth_trade: Vec<Option<Timestamp>>,
    placements: Vec<Vec<RecordId>>,
    /// Whether the entity received anything in the case (a sale or a
    /// shipment to it, a lease to it), of any product.
    receives: Vec<bool>,
}

impl Activity {
    /// # Complexity
    /// O(E + R), one pass over the records in time order.
    fn build(case: &Case, policy: &Policy, inv: &Inventory) -> Activity {
        let n = case.entities.len();
        let mut activity = vec![0u32; n];
        let mut first_trade: Vec<Option<Timestamp>> = vec![None; n];
        let mut nth_trade: Vec<Option<Timestamp>> = vec![None; n];
        let mut placements: Vec<Vec<RecordId>> = vec![vec![]; n];
        let mut receives = vec![false; n];
        for &ri in &inv.order {
            let r = &case.records[ri as usize];
            if r.kind != RecordKind::Install {
                receives[r.to as usize] = true;
            }
            for e in [r.from, r.to] {
                activity[e as usize] += 1;
                first_trade[e as usize].get_or_insert(r.date);
                if activity[e as usize] == policy.established_min_records.max(1) {
                    nth_trade[e as usize] = Some(r.date);
                }
            }
            if matches!(r.kind, RecordKind::Install | RecordKind::Shipment) {
                placements[r.from as usize].push(ri);
            }
        }
        Activity { activity, first_trade, nth_trade, placements, receives }
    }
}

/// Entities by normalised address, and each entity's group of entities
/// sharing its address.
struct Addresses {
    by_address: HashMap<String, Vec<EntityId>>,
    address_group: Vec<Option<u32>>,
    address_groups: Vec<Vec<EntityId>>,
}

impl Addresses {
    /// # Complexity
    /// O(E x address length); the addresses are normalised on the rayon
    /// pool when `parallel`, then grouped in entity order.
    fn build(case: &Case, parallel: bool) -> Addresses {
        use rayon::prelude::*;
        let n = case.entities.len();
        let key = |e: &Entity| e.address.as_deref().map(normalise_address).filter(|k| !k.is_empty());
        let address_key: Vec<Option<String>> = if parallel {
            case.entities.par_iter().map(key).collect()
        } else {
            case.entities.iter().map(key).collect()
        };
        let mut by_address: HashMap<String, Vec<EntityId>> = HashMap::default();
        for (i, k) in address_key.iter().enumerate() {
            if let Some(k) = k {
                by_address.entry(k.clone()).or_default().push(i as EntityId);
            }
        }
        let mut address_group: Vec<Option<u32>> = vec![None; n];
        let mut address_groups: Vec<Vec<EntityId>> = Vec::new();
        let mut group_of: HashMap<&str, u32> = HashMap::default();
        for (i, key) in address_key.iter().enumerate() {
            if let Some(key) = key {
                address_group[i] = Some(*group_of.entry(key.as_str()).or_insert_with(|| {
                    address_groups.push(by_address[key.as_str()].clone());
                    address_groups.len() as u32 - 1
                }));
            }
        }
        Addresses { by_address, address_group, address_groups }
    }
}

/// The products of the case's records that the policy controls, and for
/// each the (from, until) days of its controls.
type ControlWindows = HashMap<Sym, Vec<(Timestamp, Option<Timestamp>)>>;

fn controlled_products(case: &Case, policy: &Policy) -> (HashSet<Sym>, ControlWindows) {
    let products: HashSet<Sym> = case.records.iter().map(|r| r.product).collect();
    let controlled: HashSet<Sym> = products.into_iter().filter(|&p| policy.is_controlled(case.s(p))).collect();
    let windows = controlled
        .iter()
        .map(|&p| {
            let controls = policy.products().get(case.s(p)).map_or(&[][..], |x| &x.controls[..]);
            (p, controls.iter().map(|c| (c.from, c.until)).collect())
        })
        .collect();
    (controlled, windows)
}

/// Addresses compare in lower case with punctuation and spacing removed, and
/// common street abbreviations spelled out: registries write `10 Quay St.` and
/// `10 Quay Street` for the same door.
pub fn normalise_address(a: &str) -> String {
    const LONG: &[(&str, &str)] = &[
        ("st", "street"),
        ("rd", "road"),
        ("ave", "avenue"),
        ("av", "avenue"),
        ("blvd", "boulevard"),
        ("bldg", "building"),
        ("dr", "drive"),
        ("ln", "lane"),
        ("fl", "floor"),
        ("flr", "floor"),
        ("ste", "suite"),
    ];
    let lower = a.to_lowercase();
    let mut out = String::new();
    for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        out.push_str(LONG.iter().find(|(s, _)| *s == word).map_or(word, |(_, l)| l));
    }
    out
}

/// Whether `e` was an established trader when it made the hand-off at `t`:
/// at least the policy's `established_min_records` records before `t`, the
/// first of them at least `established_days` earlier. History the case holds,
/// not what the entity says of itself.
pub fn established(ctx: &Ctx, e: EntityId, t: Timestamp) -> Option<(u32, Timestamp)> {
    if ctx.policy.established_min_records == 0 {
        return None;
    }
    let first = ctx.first_trade[e as usize]?;
    if first.days_until(t) < ctx.policy.established_days {
        return None;
    }
    let nth = ctx.nth_trade[e as usize]?;
    (nth < t).then_some((ctx.policy.established_min_records, first))
}

/// The sales of parties that shipped units to a forwarder (title kept):
/// (seller, buyer, product).
///
/// # Complexity
/// O(R), two passes; memory for the sales of those shippers only.
fn forwarded_sales(case: &Case) -> HashSet<(EntityId, EntityId, Sym)> {
    let shippers: HashSet<EntityId> = case
        .records
        .iter()
        .filter(|r| r.kind == RecordKind::Shipment && case.entity(r.to).kind == EntityKind::Logistics)
        .map(|r| r.from)
        .collect();
    if shippers.is_empty() {
        return HashSet::default();
    }
    case.records
        .iter()
        .filter(|r| r.kind == RecordKind::Sale && shippers.contains(&r.from))
        .map(|r| (r.from, r.to, r.product))
        .collect()
}

/// Whether a hand-off is a forwarder delivering units where the paperwork
/// says they go: the holder is a forwarder (`logistics`), and the party it
/// delivers to is the shipper itself (a round trip through a bonded
/// warehouse), or the one the shipper sold the units to (the shipper kept
/// title in its shipment to the forwarder and has a sale of the product to
/// that party), or the end user, or the party the forwarder receives for,
/// named on the record that brought the units in. A forwarder's turnaround
/// is its trade; a delivery to anyone else (paperwork naming a Shenzhen
/// firm, goods to a Hong Kong one) stays a hub passage and a pass-on.
pub fn documented_delivery(ctx: &Ctx, h: &Handoff) -> bool {
    let holder = h.inn.to;
    if ctx.case.entity(holder).kind != EntityKind::Logistics {
        return false;
    }
    // Back to the owner that shipped them in (a customs clearance or a
    // bonded-warehouse stay in the owner's own country), or on to its buyer.
    if h.inn.kind == RecordKind::Shipment
        && (h.out.to == h.inn.from || ctx.forwarded_sales.contains(&(h.inn.from, h.out.to, h.inn.product)))
    {
        return true;
    }
    let to = ctx.case.entity(h.out.to);
    ctx.named_parties(h.ids.0).into_iter().any(|(text, how)| {
        how != Named::SenderActsFor && {
            let t = ctx.case.s(text);
            ctx.text_entity(text) == Some(h.out.to)
                || std::iter::once(&to.name).chain(&to.aliases).any(|n| {
                    crate::screen::compare_names(t, n).is_some_and(|(score, _, _)| score >= ctx.policy.fuzzy_threshold)
                })
        }
    })
}

/// Whether a quick hand-off is a back-to-back order in the maker's channel:
/// the holder is a distributor that bought the units from their
/// manufacturer, sits outside the countries of concern and the hub
/// countries, and was incorporated at least `established_days` before. A
/// reseller buying from the maker, or a hub distributor (hubs are where
/// diverted chips are routed), with no history in the case is still judged
/// by `rapid_resale` and `transshipment_hub`. A chip maker sells to distributors it has vetted (the reason
/// behind `shell_age_days`), and they buy to fill orders they hold; a front
/// is new, or buys from someone else. Judged where the case holds no year
/// of the holder's own trade (see [`established`]).
pub fn maker_channel(ctx: &Ctx, h: &Handoff) -> bool {
    let holder = ctx.case.entity(h.inn.to);
    ctx.case.entity(h.inn.from).kind == EntityKind::Manufacturer
        && holder.kind == EntityKind::Distributor
        && h.inn.kind == RecordKind::Sale
        && !ctx.policy.is_country_of_concern(holder.country)
        && !ctx.policy.is_hub(holder.country)
        && holder.incorporated.is_some_and(|i| i.days_until(h.inn.date) >= ctx.policy.established_days)
}

/// A holder passing units on: the step in and the step out of the same
/// holder, consecutive on the route, with the days between them.
pub struct Handoff<'c> {
    pub ids: (RecordId, RecordId),
    pub inn: &'c Record,
    pub out: &'c Record,
    pub days: f64,
}

/// Every place on the route where the receiver of one step sends the next.
pub fn handoffs<'c>(ctx: &'c Ctx, route: &'c Route) -> impl Iterator<Item = Handoff<'c>> + 'c {
    route.records.windows(2).filter_map(move |w| {
        let (inn, out) = (&ctx.case.records[w[0] as usize], &ctx.case.records[w[1] as usize]);
        (inn.to == out.from).then(|| Handoff { ids: (w[0], w[1]), inn, out, days: inn.date.days_until(out.date) })
    })
}

/// The date a route's terminal step happened: what ownership and listing dates are checked against.
pub fn route_date(ctx: &Ctx, route: &Route) -> Timestamp {
    ctx.case.records[route.last() as usize].date
}

/// Where the units of a route that ends with a lease sit, when that is the
/// lessee's own country: the site the first lessor of the trailing leases
/// installed or shipped them to on the route (a shipment's
/// `ship_to_country` first), else where its receipt sent them, else the
/// lessor's country. None when the route ends otherwise or the units sit
/// elsewhere.
///
/// Remote use of units that sit abroad is a virtual export (the Brisbane
/// servers rented to Beijing); a lease of units already inside the lessee's
/// country exports nothing: the export was the step that brought them
/// there, judged on the route that ends with it (the Chengdu cloud that
/// bought through a front), so the lessee's location alone does not make
/// the lease restricted.
pub fn domestic_lease(ctx: &Ctx, route: &Route) -> Option<Country> {
    let site = lease_site(ctx, route)?;
    (site.country == ctx.case.entity(route.terminal).country).then_some(site.country)
}

/// Where the units of a route that ends with a lease sit (see
/// [`domestic_lease`] for how the country is read), with the record that
/// placed them there: the first lessor's install or shipment on the route,
/// else its install or shipment of the product into that country on or
/// before its lease (a route that reaches the lessor by its purchase does
/// not pass through its own install; the site is still what an
/// investigator asks first). None when the route does not end with a lease.
///
/// # Complexity
/// O(route length + the first lessor's installs and shipments).
pub fn lease_site(ctx: &Ctx, route: &Route) -> Option<LeaseSite> {
    let recs = &route.records;
    let rec = |i: usize| &ctx.case.records[recs[i] as usize];
    let n = recs.len();
    if n == 0 || rec(n - 1).kind != RecordKind::Lease {
        return None;
    }
    let mut first = n - 1;
    while first > 0 && rec(first - 1).kind == RecordKind::Lease {
        first -= 1;
    }
    let lessor = rec(first).from;
    let dest = |ri: RecordId| {
        ctx.case.records.ship_to_country(ri).unwrap_or(ctx.case.entity(ctx.case.records[ri as usize].to).country)
    };
    let on_route = (0..first)
        .rev()
        .find(|&i| rec(i).from == lessor && matches!(rec(i).kind, RecordKind::Install | RecordKind::Shipment));
    if let Some(i) = on_route {
        return Some(LeaseSite { country: dest(recs[i]), placed_by: Some(recs[i]), lessor });
    }
    let received =
        (0..first).rev().find(|&i| rec(i).to == lessor).and_then(|i| ctx.case.records.ship_to_country(recs[i]));
    let country = received.unwrap_or(ctx.case.entity(lessor).country);
    let leased = rec(first).date;
    // The latest placement of the product into that country by the lessor
    // up to its lease (the first of equals, in record order). A lessor's
    // placements are in time order (`Activity::build` walks the records in
    // the inventory's time order), so a binary search finds those up to the
    // lease and a walk back from there the latest that fits: a big cloud's
    // thousands of installs are no longer read for each of its leases (25%
    // of a 10M-record scan's samples did that).
    let date = |ri: RecordId| ctx.case.records[ri as usize].date;
    let placed = &ctx.placements[lessor as usize];
    let fits = |ri: RecordId| ctx.case.records[ri as usize].product == route.product && dest(ri) == country;
    let upto = placed.partition_point(|&ri| date(ri) <= leased);
    let mut placed_by = None;
    for &ri in placed[..upto].iter().rev() {
        match placed_by {
            Some(b) if date(ri) < date(b) => break,
            _ if fits(ri) => placed_by = Some(ri),
            _ => {}
        }
    }
    Some(LeaseSite { country, placed_by, lessor })
}

/// Where leased units sit: see [`lease_site`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseSite {
    /// The country the units sit in.
    pub country: Country,
    /// The install or shipment that put them there, when the case records one.
    pub placed_by: Option<RecordId>,
    /// The first lessor of the trailing leases (the owner that placed them).
    pub lessor: EntityId,
}

impl LeaseSite {
    /// `sited in JP (installed at TKY, record AHC-DEP-24-0815)`: how a detail names the site.
    pub fn describe(&self, ctx: &Ctx) -> String {
        match self.placed_by {
            Some(ri) => {
                let r = &ctx.case.records[ri as usize];
                let how = if r.kind == RecordKind::Install { "installed" } else { "shipped" };
                format!(
                    "sited in {} ({how} at {} by {}, record {})",
                    self.country,
                    ctx.case.entity(r.to).id,
                    ctx.case.entity(r.from).id,
                    ctx.rid(ri)
                )
            }
            None => format!("sited in {}", self.country),
        }
    }

    /// `, installed at TKY by AHC in record AHC-DEP-24-0815`, or nothing
    /// when the case records no install or shipment that sited them.
    pub fn placed(&self, ctx: &Ctx) -> String {
        let Some(ri) = self.placed_by else { return String::new() };
        let r = &ctx.case.records[ri as usize];
        let how = if r.kind == RecordKind::Install { "installed" } else { "shipped" };
        format!(", {how} at {} by {} in record {}", ctx.case.entity(r.to).id, ctx.case.entity(r.from).id, ctx.rid(ri))
    }
}

/// Whether `f`, a flag about the lessee that ends `route`, makes the lease
/// restricted: for a lease of units that sit in the lessee's own country
/// (`domestic`), neither where the lessee sits (`country_of_concern`,
/// weighted down there), nor a parent there (weighted down too), nor a
/// director's residence: only a listing, a tie to a listed party, or a
/// parent abroad.
///
/// A director residing in a country of concern (at home or abroad) is a
/// tie of where one person lives: the lease gives that person no access
/// the directorship did not, so it stays `control_ties` (0.40) about the
/// lessee and makes no virtual export (an Indian start-up renting GPUs in
/// Pune with one Hong Kong director). A tie to a listed party (the
/// `control_ties` flag cites a list entry) restricts, as does a parent
/// abroad in a country of concern (the lessee is controlled from there).
pub fn restricts_lessee(_ctx: &Ctx, route: &Route, f: &Flag, domestic: Option<Country>) -> bool {
    if domestic.is_none() {
        return true;
    }
    f.subject == route.terminal
        && match f.rule {
            "country_of_concern" => false,
            "control_ties" => f.evidence.iter().any(|e| e.starts_with("list:")),
            _ => f.weight.is_none(),
        }
}

/// Whether `e` is a manufacturer or a company a manufacturer owns a
/// majority of at `t` (NVIDIA Singapore): the maker's own distribution arm.
/// Its units come from the maker's production, so its sends beyond its
/// recorded receipts are not units with no source, and its quick hand-offs
/// are the maker's own sales, not a front's.
pub fn maker_arm(ctx: &Ctx, e: EntityId, t: Timestamp) -> bool {
    maker_arm_of(ctx.case, &ctx.ownership, e, t)
}

fn maker_arm_of(case: &Case, ownership: &Ownership, e: EntityId, t: Timestamp) -> bool {
    case.entity(e).kind == EntityKind::Manufacturer
        || ownership
            .owners_at(case, e, t)
            .any(|r| case.entity(r.from).kind == EntityKind::Manufacturer && r.share.is_some_and(|s| s >= 50.0))
}

/// How a detail names `e`'s place on `route`: the terminal; the owner of the
/// units when the route ends with its own shipments or installs into a site
/// (title stayed with it: it is where the units stopped, not a party they
/// passed through); else an intermediary.
pub fn role(ctx: &Ctx, route: &Route, e: EntityId) -> &'static str {
    ROLES[role_index(ctx, route, e)]
}

/// The ways [`role`] names a party, in the order of [`role_index`].
pub const ROLES: [&str; 3] = ["the terminal", "the owner of the units", "the intermediary"];

/// Which of [`ROLES`] names `e` on `route` (see [`role`]): rules that render
/// a party's flag once per scan keep one wording per role.
pub fn role_index(ctx: &Ctx, route: &Route, e: EntityId) -> usize {
    if e == route.terminal {
        return 0;
    }
    let mut owner = None;
    for &ri in route.records.iter().rev() {
        let r = &ctx.case.records[ri as usize];
        if !matches!(r.kind, RecordKind::Install | RecordKind::Shipment) {
            break;
        }
        owner = Some(r.from);
    }
    if owner == Some(e) { 1 } else { 2 }
}
