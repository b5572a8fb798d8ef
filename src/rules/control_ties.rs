//! `control_ties`: a director, officer or controller of the terminal or of an
//! intermediary on the route resides in a country of concern or is tied to a
//! listed party. Controlled products only. A tie to a listed party (the
//! controller is listed, or also owns, directs or controls a listed firm)
//! counts the policy's `listed_tie_weight` (0.55), a residence alone the
//! rule's weight (0.40).

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::{EntityId, RelationKind, Timestamp};
use crate::scan::Flag;

pub struct ControlTies;

impl Rule for ControlTies {
    fn id(&self) -> &'static str {
        "control_ties"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let mut subjects = vec![route.terminal];
        subjects.extend(route.intermediaries(ctx.case));
        subjects.dedup();
        subjects.retain(|&s| ctx.ownership.has_controllers(s));
        if subjects.is_empty() {
            return;
        }
        let mut seen = Vec::new();
        for s in subjects {
            // A tie counts when it held on a date this party traded on the
            // route: a director who joined after the intermediary passed the
            // units on had no hand in it.
            let dates: Vec<Timestamp> = route
                .records
                .iter()
                .map(|&ri| &ctx.case.records[ri as usize])
                .filter(|r| r.from == s || r.to == s)
                .map(|r| r.date)
                .collect();
            let rels = ctx.ownership.controller_relations(s);
            let ties = ctx.memo(s).control_ties.get_or_init(|| ties(ctx, s));
            // The ties that held on one of those dates, by controller id
            // (the rank stands for the id), the first met of each
            // controller's relations first.
            let mut held: Vec<usize> = dates
                .iter()
                .flat_map(|&t| (0..rels.len()).filter(move |&k| ctx.case.relations[rels[k] as usize].holds_at(t)))
                .collect();
            held.sort_by_key(|&k| ties[k].rank);
            held.dedup();
            let whose = super::role_index(ctx, route, s);
            for k in held {
                let c = ctx.case.relations[rels[k] as usize].from;
                if seen.contains(&(c, s)) {
                    continue;
                }
                seen.push((c, s));
                if let Some(flags) = &ties[k].flags {
                    out.push(flags[whose].clone());
                }
            }
        }
    }
}

/// One director, officer or controller of a party, as `control_ties` judges it.
pub struct Tie {
    /// The rank of the controller's id among the party's controllers' ids.
    rank: u32,
    /// The flag in each wording of the party's place on a route
    /// ([`super::ROLES`]); None when the controller neither resides in a
    /// country of concern nor is tied to a listed party.
    flags: Option<Box<[Flag; 3]>>,
}

/// The ties of `s` (in [`Ownership::controller_relations`] order): what
/// they say depends on the two parties alone, so it is rendered once per
/// scan, not once per route.
///
/// [`Ownership::controller_relations`]: crate::analysis::ownership::Ownership::controller_relations
fn ties(ctx: &Ctx, s: EntityId) -> Vec<Tie> {
    let rels = ctx.ownership.controller_relations(s);
    let mut by_id: Vec<&str> =
        rels.iter().map(|&i| ctx.case.entity(ctx.case.relations[i as usize].from).id.as_str()).collect();
    by_id.sort_unstable();
    by_id.dedup();
    rels.iter()
        .map(|&i| {
            let rel = &ctx.case.relations[i as usize];
            let c = rel.from;
            let ce = ctx.case.entity(c);
            let rank = by_id.binary_search(&ce.id.as_str()).unwrap_or(0) as u32;
            let role = match rel.kind {
                RelationKind::Director => "a director",
                RelationKind::Officer => "an officer",
                _ => "a controller",
            };
            let mut why = Vec::new();
            let mut listed_tie = false;
            let mut evidence = vec![ce.id.clone(), ctx.case.entity(s).id.clone()];
            if ctx.policy.is_country_of_concern(ce.country) {
                why.push(format!("resides in {}", ce.country));
            }
            if let Some(h) = ctx.best_hit(c) {
                why.push(format!("is listed on {}", ctx.entry(h).list_name));
                listed_tie = true;
                evidence.push(ctx.entry(h).evidence());
            }
            // Also ties through other companies the controller owns, directs or controls.
            for other in ctx.ownership.outgoing(ctx.case, c) {
                if other.to != s
                    && let Some(h) = ctx.best_hit(other.to)
                {
                    why.push(format!(
                        "also {} {} which is listed on {}",
                        match other.kind {
                            RelationKind::Owns => "owns",
                            RelationKind::Director => "director of",
                            RelationKind::Officer => "officer of",
                            RelationKind::Controls => "controls",
                        },
                        ctx.who(other.to),
                        ctx.entry(h).list_name
                    ));
                    evidence.push(ctx.case.entity(other.to).id.clone());
                    evidence.push(ctx.entry(h).evidence());
                    listed_tie = true;
                }
            }
            if why.is_empty() {
                return Tie { rank, flags: None };
            }
            let since = rel.since.map(|d| format!(" (since {d})")).unwrap_or_default();
            let evidence: std::sync::Arc<[String]> = evidence.into();
            let (who_c, who_s, why) = (ctx.who(c), ctx.who(s), why.join(", "));
            // A tie to a listed party weighs more than a residence alone
            // (the policy's `listed_tie_weight`), never less than the rule.
            let base = ctx.policy.weight("control_ties");
            let weight = if listed_tie { ctx.policy.listed_tie_weight.max(base) } else { base };
            let counts = if weight > base {
                format!("; a tie to a listed party counts {weight:.2} (policy `listed_tie_weight`)")
            } else {
                String::new()
            };
            let flags = super::ROLES.map(|whose| {
                let f = Flag::new(
                    "control_ties",
                    s,
                    format!("{who_c} is {role} of {whose} {who_s}{since} and {why}{counts}"),
                    evidence.clone(),
                );
                if weight > base { f.weighted(weight) } else { f }
            });
            Tie { rank, flags: Some(Box::new(flags)) }
        })
        .collect()
}
