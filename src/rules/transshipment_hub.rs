//! `transshipment_hub`: the route passes through a holder in a hub country
//! that passed the units on within the policy's dwell time. Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct TransshipmentHub;

impl Rule for TransshipmentHub {
    fn id(&self) -> &'static str {
        "transshipment_hub"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        for w in route.records.windows(2) {
            let (a, b) = (&ctx.case.records[w[0] as usize], &ctx.case.records[w[1] as usize]);
            if !b.kind.moves_goods() || a.to != b.from {
                continue;
            }
            let holder = ctx.case.entity(a.to);
            let hub = if ctx.policy.is_hub(holder.country) {
                Some(holder.country)
            } else {
                a.ship_to_country.filter(|c| ctx.policy.is_hub(*c))
            };
            let Some(country) = hub else { continue };
            let days = a.date.days_until(b.date);
            if days < ctx.policy.hub_dwell_days {
                out.push(Flag {
                    rule: self.id(),
                    detail: format!(
                        "{} in hub country {country} passed the units on {:.0} day(s) after receiving them (record {} on {}, record {} on {}; dwell threshold {} days)",
                        ctx.who(a.to),
                        days,
                        ctx.rid(w[0]),
                        a.date,
                        ctx.rid(w[1]),
                        b.date,
                        ctx.policy.hub_dwell_days
                    ),
                    evidence: vec![holder.id.clone(), ctx.rid(w[0]), ctx.rid(w[1])],
                });
            }
        }
    }
}
