//! Ownership and control: who owns an entity through chains of shares, how
//! much of it listed parties hold alone or together, its ultimate parent, and
//! the people and companies that direct or control it.

use crate::model::*;

/// Relations indexed by the entity they point at.
pub struct Ownership {
    /// `owns` relations into each entity (its shareholders).
    owners: Vec<Vec<u32>>,
    /// `director`, `officer` and `controls` relations into each entity.
    controllers: Vec<Vec<u32>>,
    /// Relations out of each entity (what it owns, directs or controls).
    outgoing: Vec<Vec<u32>>,
}

/// What one owner of a set (the listed parties, say) holds in an entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The strongest single chain of shares: entities from the owner down to
    /// the owned entity's direct owner (`owners[0]` is the owner itself).
    pub owners: Vec<EntityId>,
    /// Shares along that chain, percent.
    pub shares: Vec<f64>,
    /// What the owner holds through every chain together, percent (the
    /// product of `shares` when there is one chain).
    pub effective: f64,
}

/// What a set of owners holds in one entity: [`Ownership::held_by`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Holdings {
    /// One per owner of the set that holds shares, largest holding first (then by id).
    pub chains: Vec<Chain>,
    /// What the set holds together, percent (at most 100).
    pub total: f64,
    /// Relations looked at: the work done, for the bound tests.
    pub work: u64,
    /// Which bound cut the computation, where; None when none did.
    pub truncated: Option<String>,
}

/// Most entities above one entity that the share computation looks at.
pub const MAX_UPSTREAM: usize = 20_000;
/// Most rounds of the fixed point; cross-holdings converge geometrically, so
/// this is reached only when shares into an entity add up to 100% in a cycle.
pub const MAX_ROUNDS: usize = 500;
/// Owners of the set whose holding is computed one by one (for the evidence);
/// the rest are reported together.
pub const MAX_OWNERS_SHOWN: usize = 16;

/// Longest chain followed to an ultimate parent; cyclic ones are cut.
pub const MAX_CHAIN: usize = 10;

/// The bound named in a [`Holdings::truncated`] note, for the scan's
/// `stats.truncated_by`.
pub fn bound_named(note: &str) -> &'static str {
    ["MAX_UPSTREAM", "MAX_ROUNDS", "MAX_OWNERS_SHOWN"].into_iter().find(|b| note.contains(b)).unwrap_or("ownership")
}

/// The ownership graph above one entity at one date, in local indices.
struct Upstream {
    /// Entities; index 0 is the entity itself.
    nodes: Vec<EntityId>,
    /// For each node, (owner's index, share as a fraction) of its owners.
    owners: Vec<Vec<(u32, f64)>>,
    truncated: Option<String>,
    work: u64,
}

impl Ownership {
    /// # Complexity
    /// O(E + L).
    pub fn build(case: &Case) -> Ownership {
        let n = case.entities.len();
        let mut o = Ownership { owners: vec![vec![]; n], controllers: vec![vec![]; n], outgoing: vec![vec![]; n] };
        for (i, r) in case.relations.iter().enumerate() {
            match r.kind {
                RelationKind::Owns => o.owners[r.to as usize].push(i as u32),
                _ => o.controllers[r.to as usize].push(i as u32),
            }
            o.outgoing[r.from as usize].push(i as u32);
        }
        o
    }

    /// Whether anyone owns `e` (at any date): most entities have no recorded
    /// owner, and the ownership rules skip them cheaply.
    pub fn has_owners(&self, e: EntityId) -> bool {
        !self.owners[e as usize].is_empty()
    }

    /// Whether anyone directs, is an officer of, or controls `e` (at any date).
    pub fn has_controllers(&self, e: EntityId) -> bool {
        !self.controllers[e as usize].is_empty()
    }

    /// Owns relations into `e` that held at `t`.
    pub fn owners_at<'a>(
        &'a self,
        case: &'a Case,
        e: EntityId,
        t: Timestamp,
    ) -> impl Iterator<Item = &'a Relation> + 'a {
        self.owners[e as usize].iter().map(|&i| &case.relations[i as usize]).filter(move |r| r.holds_at(t))
    }

    /// Directors, officers and controllers of `e` at `t`.
    pub fn controllers_at<'a>(
        &'a self,
        case: &'a Case,
        e: EntityId,
        t: Timestamp,
    ) -> impl Iterator<Item = &'a Relation> + 'a {
        self.controllers[e as usize].iter().map(|&i| &case.relations[i as usize]).filter(move |r| r.holds_at(t))
    }

    /// Directors, officers and controllers of `e` (all dates), as indices
    /// into `case.relations`, in the order [`Ownership::controllers_at`] gives them.
    pub fn controller_relations(&self, e: EntityId) -> &[u32] {
        &self.controllers[e as usize]
    }

    /// Whether no entity in `set` stands above `e` in a chain of owners on
    /// any date, and the owners above `e` (all dates) are few enough
    /// (at most [`MAX_UPSTREAM`] with `e`) that no walk of [`Ownership::held_by`]
    /// is cut: then what `set` holds in `e` is nothing at every date, and a
    /// caller asking on many dates can skip the walks.
    ///
    /// # Complexity
    /// O(owners above `e` + their relations), bounded by `MAX_UPSTREAM`.
    pub fn clear_of(&self, case: &Case, e: EntityId, set: &dyn Fn(EntityId) -> bool) -> bool {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert(e);
        let mut todo = vec![e];
        while let Some(x) = todo.pop() {
            for &i in &self.owners[x as usize] {
                let o = case.relations[i as usize].from;
                if seen.insert(o) {
                    if set(o) || seen.len() > MAX_UPSTREAM {
                        return false;
                    }
                    todo.push(o);
                }
            }
        }
        true
    }

    /// Relations out of `e` (all dates).
    pub fn outgoing<'a>(&'a self, case: &'a Case, e: EntityId) -> impl Iterator<Item = &'a Relation> + 'a {
        self.outgoing[e as usize].iter().map(|&i| &case.relations[i as usize])
    }

    /// Whether one of `a` and `b` owns or controls the other directly.
    pub fn linked(&self, case: &Case, a: EntityId, b: EntityId) -> bool {
        self.outgoing(case, a).any(|r| r.to == b && matches!(r.kind, RelationKind::Owns | RelationKind::Controls))
            || self
                .outgoing(case, b)
                .any(|r| r.to == a && matches!(r.kind, RelationKind::Owns | RelationKind::Controls))
    }

    /// Whether `a` and `b` belong to one group at `t`: one holds more than
    /// half of the other, directly or through a chain, or both have the same
    /// ultimate parent.
    pub fn same_group(&self, case: &Case, a: EntityId, b: EntityId, t: Timestamp) -> bool {
        self.same_group_bounded(case, a, b, t).0
    }

    /// [`Ownership::same_group`], and the entity whose walk to its ultimate
    /// parent [`MAX_CHAIN`] cut, if one was.
    pub fn same_group_bounded(&self, case: &Case, a: EntityId, b: EntityId, t: Timestamp) -> (bool, Option<EntityId>) {
        let (ta, cut_a) = self.ultimate_parent_bounded(case, a, t);
        let (tb, cut_b) = self.ultimate_parent_bounded(case, b, t);
        let cut = if cut_a {
            Some(a)
        } else if cut_b {
            Some(b)
        } else {
            None
        };
        let same = match (ta, tb) {
            (Some((pa, ca)), Some((pb, cb))) => pa == pb || ca.contains(&b) || cb.contains(&a),
            (Some((_, ca)), None) => ca.contains(&b),
            (None, Some((_, cb))) => cb.contains(&a),
            (None, None) => false,
        };
        (same, cut)
    }

    /// Every entity that holds shares in `e` at `t`, directly or through
    /// others, up to [`MAX_UPSTREAM`] of them, breadth first from `e`. Owners
    /// for which `stop` holds are included but not looked above (a chain ends
    /// at the first listed owner, so shares are not counted twice).
    fn upstream(&self, case: &Case, e: EntityId, t: Timestamp, stop: &dyn Fn(EntityId) -> bool) -> Upstream {
        let mut index: rustc_hash::FxHashMap<EntityId, u32> = rustc_hash::FxHashMap::default();
        let mut up = Upstream { nodes: vec![e], owners: vec![vec![]], truncated: None, work: 0 };
        index.insert(e, 0);
        let mut i = 0;
        while i < up.nodes.len() {
            let x = up.nodes[i];
            if i > 0 && stop(x) {
                i += 1;
                continue;
            }
            let mut owners = Vec::new();
            for r in self.owners_at(case, x, t) {
                up.work += 1;
                // Shares of `e` held back through `e` itself are `e`'s own, not an owner's.
                if r.from == e {
                    continue;
                }
                let j = match index.get(&r.from) {
                    Some(&j) => j,
                    None if up.nodes.len() >= MAX_UPSTREAM => {
                        up.truncated.get_or_insert_with(|| {
                            format!(
                                "ownership above {} cut at {MAX_UPSTREAM} entities (MAX_UPSTREAM)",
                                case.entity(e).id
                            )
                        });
                        continue;
                    }
                    None => {
                        let j = up.nodes.len() as u32;
                        index.insert(r.from, j);
                        up.nodes.push(r.from);
                        up.owners.push(vec![]);
                        j
                    }
                };
                owners.push((j, r.share.unwrap_or(0.0) / 100.0));
            }
            up.owners[i] = owners;
            i += 1;
        }
        up
    }

    /// What the owners in `set` hold in `e` at `t`, alone and together,
    /// directly or through chains of shares, cross-holdings included. A
    /// holding through others is counted up to the first owner in the set
    /// (a listed party's own listed parent is not counted again).
    ///
    /// Shares are aggregated as a fixed point rather than by enumerating paths:
    /// the share `x(v)` of an entity held by the set is the sum over its owners
    /// `o` of `share(o, v)` times 1 when `o` is in the set, else `x(o)`. One
    /// round costs one look at every relation above `e`; rounds stop when no
    /// share moves by more than 1e-9 (cross-holdings converge geometrically).
    /// Each owner's own holding (for the evidence) is the same fixed point
    /// with that owner alone as the set; its strongest single chain is the
    /// widest path (largest product of shares) found by Dijkstra's search.
    ///
    /// # Complexity
    /// O(U + L_U x (rounds + k)), U entities and L_U relations above `e`
    /// (at most [`MAX_UPSTREAM`] entities), rounds at most [`MAX_ROUNDS`],
    /// k at most [`MAX_OWNERS_SHOWN`] owners decomposed; never exponential in
    /// cycles of cross-holdings. `truncated` says which bound cut it.
    pub fn held_by(&self, case: &Case, e: EntityId, t: Timestamp, set: &dyn Fn(EntityId) -> bool) -> Holdings {
        let up = self.upstream(case, e, t, set);
        let mut h = Holdings { work: up.work, truncated: up.truncated.clone(), ..Holdings::default() };
        let sources: Vec<u32> = (1..up.nodes.len() as u32).filter(|&i| set(up.nodes[i as usize])).collect();
        if sources.is_empty() {
            return h;
        }
        let is_source: Vec<bool> = {
            let mut v = vec![false; up.nodes.len()];
            for &s in &sources {
                v[s as usize] = true;
            }
            v
        };
        let (x, rounds_cut) = fixed_point(&up, &|j| is_source[j as usize], &mut h.work);
        if rounds_cut {
            h.truncated.get_or_insert_with(|| {
                format!(
                    "shares held in {} did not settle within {MAX_ROUNDS} rounds (MAX_ROUNDS); \
                     the share shown is a lower bound",
                    case.entity(e).id
                )
            });
        }
        h.total = (x[0] * 100.0).min(100.0);
        // The strongest chain from each source, then each source's own holding.
        let widest = widest_paths(&up, &is_source, &mut h.work);
        let mut ranked: Vec<u32> = sources.iter().copied().filter(|&s| widest[s as usize].0 > 0.0).collect();
        ranked.sort_by(|&a, &b| {
            widest[b as usize]
                .0
                .total_cmp(&widest[a as usize].0)
                .then_with(|| case.entity(up.nodes[a as usize]).id.cmp(&case.entity(up.nodes[b as usize]).id))
        });
        if ranked.len() > MAX_OWNERS_SHOWN {
            h.truncated.get_or_insert_with(|| {
                format!(
                    "{} owners of {} hold shares; the {MAX_OWNERS_SHOWN} with the strongest chains are shown one by one \
                     (MAX_OWNERS_SHOWN), the total counts all",
                    ranked.len(),
                    case.entity(e).id
                )
            });
            ranked.truncate(MAX_OWNERS_SHOWN);
        }
        for s in ranked {
            let effective = if sources.len() == 1 {
                h.total
            } else {
                let (y, _) = fixed_point(&up, &|j| j == s, &mut h.work);
                (y[0] * 100.0).min(100.0)
            };
            // Walk the widest path back down from the source to `e`.
            let mut owners = vec![up.nodes[s as usize]];
            let mut shares = Vec::new();
            let mut cur = s;
            while let Some((next, share)) = widest[cur as usize].1 {
                shares.push(share * 100.0);
                if next == 0 {
                    break;
                }
                owners.push(up.nodes[next as usize]);
                cur = next;
            }
            h.chains.push(Chain { owners, shares, effective });
        }
        h.chains.sort_by(|a, b| {
            b.effective
                .total_cmp(&a.effective)
                .then_with(|| case.entity(a.owners[0]).id.cmp(&case.entity(b.owners[0]).id))
        });
        h
    }

    /// What listed parties and their affiliates hold in `e` at `t`: the 50%
    /// rule cascades (OFAC FAQ 401, followed by the BIS affiliates rule), so
    /// an entity owned `threshold` percent or more by listed parties counts
    /// as listed itself. The set starts as the listed owners above `e` and
    /// grows by every entity above `e` that the set holds `threshold` percent
    /// of, until it stops growing (a least fixed point: an entity in a cycle
    /// of cross-holdings is an affiliate only if the shares say so without
    /// assuming it). Returns the holdings by that set and the affiliates found.
    ///
    /// # Complexity
    /// O(A x L_U x rounds) for A affiliates found, plus [`Ownership::held_by`].
    pub fn held_by_affiliates(
        &self,
        case: &Case,
        e: EntityId,
        t: Timestamp,
        is_listed: &dyn Fn(EntityId) -> bool,
        threshold: f64,
    ) -> (Holdings, Vec<EntityId>) {
        let up = self.upstream(case, e, t, &|_| false);
        let mut work = up.work;
        let mut in_set: Vec<bool> = up.nodes.iter().enumerate().map(|(i, &n)| i > 0 && is_listed(n)).collect();
        let mut affiliates = Vec::new();
        if in_set.iter().any(|&b| b) {
            loop {
                let (x, _) = fixed_point(&up, &|j| in_set[j as usize], &mut work);
                let grown: Vec<usize> =
                    (1..up.nodes.len()).filter(|&i| !in_set[i] && x[i] * 100.0 + 1e-9 >= threshold).collect();
                if grown.is_empty() {
                    break;
                }
                for i in grown {
                    in_set[i] = true;
                    affiliates.push(up.nodes[i]);
                }
            }
        }
        let members: rustc_hash::FxHashSet<EntityId> =
            up.nodes.iter().zip(&in_set).filter(|(_, b)| **b).map(|(&n, _)| n).collect();
        let mut h = self.held_by(case, e, t, &|n| members.contains(&n));
        h.work += work;
        if h.truncated.is_none() {
            h.truncated = up.truncated;
        }
        affiliates.sort_by(|a, b| case.entity(*a).id.cmp(&case.entity(*b).id));
        (h, affiliates)
    }

    /// The ultimate parent of `e` at `t`: follow the owner holding more than
    /// half (or a `controls` relation) upward to the top. None when `e` has no parent.
    pub fn ultimate_parent(&self, case: &Case, e: EntityId, t: Timestamp) -> Option<(EntityId, Vec<EntityId>)> {
        self.ultimate_parent_bounded(case, e, t).0
    }

    /// [`Ownership::ultimate_parent`], and whether [`MAX_CHAIN`] cut the walk
    /// (the parent returned is then the highest reached, not the top).
    ///
    /// # Complexity
    /// O(MAX_CHAIN x relations into the chain's entities).
    pub fn ultimate_parent_bounded(
        &self,
        case: &Case,
        e: EntityId,
        t: Timestamp,
    ) -> (Option<(EntityId, Vec<EntityId>)>, bool) {
        if !self.has_owners(e) && !self.has_controllers(e) {
            return (None, false);
        }
        let mut chain = vec![e];
        let mut cur = e;
        let mut cut = false;
        loop {
            let next = self
                .owners_at(case, cur, t)
                .filter(|r| r.share.unwrap_or(0.0) > 50.0)
                .map(|r| r.from)
                .chain(self.controllers_at(case, cur, t).filter(|r| r.kind == RelationKind::Controls).map(|r| r.from))
                .filter(|p| case.entity(*p).kind != EntityKind::Person)
                .min_by(|a, b| case.entity(*a).id.cmp(&case.entity(*b).id));
            match next {
                Some(p) if !chain.contains(&p) && chain.len() < MAX_CHAIN => {
                    chain.push(p);
                    cur = p;
                }
                Some(p) if !chain.contains(&p) => {
                    cut = true;
                    break;
                }
                _ => break,
            }
        }
        ((chain.len() > 1).then_some((cur, chain)), cut)
    }
}

/// The shares of every entity of `up` held by the sources, as fractions:
/// x(v) = sum over owners o of share(o, v) * (1 if o is a source else x(o)),
/// iterated from zero (Gauss-Seidel; monotone, so it converges to the least
/// solution). Returns the shares and whether [`MAX_ROUNDS`] cut it.
fn fixed_point(up: &Upstream, is_source: &dyn Fn(u32) -> bool, work: &mut u64) -> (Vec<f64>, bool) {
    let n = up.nodes.len();
    let source: Vec<bool> = (0..n as u32).map(is_source).collect();
    let mut x = vec![0.0f64; n];
    // Nodes farthest from `e` first, so that shares flow down in one round
    // where there is no cycle.
    for _ in 0..MAX_ROUNDS {
        let mut moved = 0.0f64;
        for v in (0..n).rev() {
            if source[v] {
                continue;
            }
            let mut sum = 0.0;
            for &(o, share) in &up.owners[v] {
                sum += share * if source[o as usize] { 1.0 } else { x[o as usize] };
            }
            *work += up.owners[v].len() as u64;
            let sum = sum.min(1.0);
            moved = moved.max((sum - x[v]).abs());
            x[v] = sum;
        }
        if moved <= 1e-9 {
            return (x, false);
        }
    }
    (x, true)
}

/// For every entity of `up`, the widest chain of shares down to `e` (index
/// 0): (product of shares, next entity down and its share). Chains do not
/// pass through a source (a chain ends at the first owner in the set).
/// Dijkstra's search on the largest product, which never revisits an entity.
fn widest_paths(up: &Upstream, is_source: &[bool], work: &mut u64) -> Vec<(f64, Option<(u32, f64)>)> {
    use std::collections::BinaryHeap;
    #[derive(PartialEq)]
    struct Item(f64, u32);
    impl Eq for Item {}
    impl PartialOrd for Item {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Item {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&o.0).then_with(|| o.1.cmp(&self.1))
        }
    }
    let n = up.nodes.len();
    let mut best: Vec<(f64, Option<(u32, f64)>)> = vec![(0.0, None); n];
    let mut done = vec![false; n];
    best[0].0 = 1.0;
    let mut heap = BinaryHeap::from([Item(1.0, 0)]);
    while let Some(Item(w, v)) = heap.pop() {
        if done[v as usize] {
            continue;
        }
        done[v as usize] = true;
        if v != 0 && is_source[v as usize] {
            continue; // a chain ends at the first owner in the set
        }
        for &(o, share) in &up.owners[v as usize] {
            *work += 1;
            let cand = w * share;
            if !done[o as usize] && cand > best[o as usize].0 {
                best[o as usize] = (cand, Some((v, share)));
                heap.push(Item(cand, o));
            }
        }
    }
    best
}
