//! `control_ties`: a director, officer or controller of the terminal or of an
//! intermediary on the route resides in a country of concern or is tied to a
//! listed party. Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::{RelationKind, Timestamp};
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
            let mut rels: Vec<_> = dates.iter().flat_map(|&t| ctx.ownership.controllers_at(ctx.case, s, t)).collect();
            rels.sort_by(|a, b| ctx.case.entity(a.from).id.cmp(&ctx.case.entity(b.from).id));
            rels.dedup_by(|a, b| std::ptr::eq(*a, *b));
            for rel in rels {
                let c = rel.from;
                if seen.contains(&(c, s)) {
                    continue;
                }
                seen.push((c, s));
                let ce = ctx.case.entity(c);
                let role = match rel.kind {
                    RelationKind::Director => "a director",
                    RelationKind::Officer => "an officer",
                    _ => "a controller",
                };
                let mut why = Vec::new();
                let mut evidence = vec![ce.id.clone(), ctx.case.entity(s).id.clone()];
                if ctx.policy.is_country_of_concern(ce.country) {
                    why.push(format!("resides in {}", ce.country));
                }
                if let Some(h) = ctx.best_hit(c) {
                    why.push(format!("is listed on {}", ctx.entry(h).list_name));
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
                    }
                }
                if why.is_empty() {
                    continue;
                }
                let whose = super::role(ctx, route, s);
                let since = rel.since.map(|d| format!(" (since {d})")).unwrap_or_default();
                out.push(Flag::new(
                    self.id(),
                    s,
                    format!("{} is {role} of {whose} {}{since} and {}", ctx.who(c), ctx.who(s), why.join(", ")),
                    evidence,
                ));
            }
        }
    }
}
