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

/// One chain of shares from a listed owner down to an entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// Entities from the listed owner down to the owned entity's direct owner.
    pub owners: Vec<EntityId>,
    /// Shares along the chain, percent.
    pub shares: Vec<f64>,
    /// Product of the shares, percent.
    pub effective: f64,
}

/// Longest ownership chain followed; deeper structures are rare and cyclic ones are cut.
const MAX_CHAIN: usize = 10;

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
        let top = |e: EntityId| self.ultimate_parent(case, e, t);
        match (top(a), top(b)) {
            (Some((pa, ca)), Some((pb, cb))) => pa == pb || ca.contains(&b) || cb.contains(&a),
            (Some((_, ca)), None) => ca.contains(&b),
            (None, Some((_, cb))) => cb.contains(&a),
            (None, None) => false,
        }
    }

    /// Every chain of shares from an owner for which `is_listed` holds down to
    /// `e`, at time `t`. A chain stops at the first listed owner, so shares
    /// are not counted twice when a listed party owns another. Summing
    /// `effective` over the chains gives the share listed parties hold
    /// together.
    ///
    /// # Complexity
    /// O(paths) up the ownership tree, at most `MAX_CHAIN` deep.
    pub fn listed_chains(
        &self,
        case: &Case,
        e: EntityId,
        t: Timestamp,
        is_listed: &dyn Fn(EntityId) -> bool,
    ) -> Vec<Chain> {
        let mut out = Vec::new();
        let mut stack: Vec<(EntityId, Vec<EntityId>, Vec<f64>, f64)> = vec![(e, vec![], vec![], 100.0)];
        while let Some((x, path, shares, eff)) = stack.pop() {
            if path.len() >= MAX_CHAIN {
                continue;
            }
            let mut owners: Vec<&Relation> = self.owners_at(case, x, t).collect();
            owners.sort_by(|a, b| case.entity(a.from).id.cmp(&case.entity(b.from).id));
            for r in owners {
                let o = r.from;
                if o == e || path.contains(&o) {
                    continue; // a cycle of cross-holdings
                }
                let share = r.share.unwrap_or(0.0);
                let eff2 = eff * share / 100.0;
                let mut p2 = vec![o];
                p2.extend(&path);
                let mut s2 = vec![share];
                s2.extend(&shares);
                if is_listed(o) {
                    out.push(Chain { owners: p2, shares: s2, effective: eff2 });
                } else {
                    stack.push((o, p2, s2, eff2));
                }
            }
        }
        out.sort_by(|a, b| b.effective.total_cmp(&a.effective).then_with(|| a.owners.cmp(&b.owners)));
        out
    }

    /// The ultimate parent of `e` at `t`: follow the owner holding more than
    /// half (or a `controls` relation) upward to the top. None when `e` has no parent.
    pub fn ultimate_parent(&self, case: &Case, e: EntityId, t: Timestamp) -> Option<(EntityId, Vec<EntityId>)> {
        if !self.has_owners(e) && !self.has_controllers(e) {
            return None;
        }
        let mut chain = vec![e];
        let mut cur = e;
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
                _ => break,
            }
        }
        (chain.len() > 1).then_some((cur, chain))
    }
}
