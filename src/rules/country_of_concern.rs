//! `country_of_concern`: the terminal sits in a country of concern, or goods
//! on the route are shipped to one. Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct CountryOfConcern;

impl Rule for CountryOfConcern {
    fn id(&self) -> &'static str {
        "country_of_concern"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let t = ctx.case.entity(route.terminal);
        if ctx.policy.is_country_of_concern(t.country) {
            let last = ctx.rid(route.last());
            out.push(Flag {
                rule: self.id(),
                detail: format!(
                    "the terminal {} sits in {}, a country of concern; {} {} reached it in record {last}",
                    ctx.who(route.terminal),
                    t.country,
                    route.quantity,
                    ctx.case.s(route.product)
                ),
                evidence: vec![t.id.clone(), last],
            });
        }
        for &ri in &route.records {
            let r = &ctx.case.records[ri as usize];
            if let Some(c) = r.ship_to_country
                && ctx.policy.is_country_of_concern(c)
                && c != t.country
            {
                out.push(Flag {
                    rule: self.id(),
                    detail: format!("record {} ships the units to {c}, a country of concern", ctx.rid(ri)),
                    evidence: vec![ctx.rid(ri)],
                });
            }
        }
    }
}
