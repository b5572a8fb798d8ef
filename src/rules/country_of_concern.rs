//! `country_of_concern`: the terminal sits in a country of concern, or goods
//! on the route are shipped to one, on a date when the product needed a
//! licence for that destination (the policy's dated product controls).

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct CountryOfConcern;

impl Rule for CountryOfConcern {
    fn id(&self) -> &'static str {
        "country_of_concern"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        let t = ctx.case.entity(route.terminal);
        let last = &ctx.case.records[route.last() as usize];
        if ctx.policy.is_country_of_concern(t.country)
            && let Some(control) = ctx.control(route.product, t.country, last.date)
        {
            let rid = ctx.rid(route.last());
            out.push(Flag::new(
                self.id(),
                route.terminal,
                format!(
                    "the terminal {} sits in {}, a country of concern; {} {} reached it in record {rid} on {}{}, when a licence was required (since {}: {})",
                    ctx.who(route.terminal),
                    t.country,
                    route.quantity,
                    ctx.case.s(route.product),
                    last.date,
                    ctx.as_written(route.last()),
                    control.from,
                    short(&control.reason),
                ),
                vec![t.id.clone(), rid],
            ));
        }
        for &ri in &route.records {
            let r = &ctx.case.records[ri as usize];
            if let Some(c) = r.ship_to_country
                && ctx.policy.is_country_of_concern(c)
                && c != t.country
                && let Some(control) = ctx.control(route.product, c, r.date)
            {
                // About the consignee that had them shipped there.
                out.push(Flag::new(
                    self.id(),
                    r.to,
                    format!(
                        "record {} ships the units to {c}, a country of concern, on {}{}, when a licence was required (since {}: {}) (consignee {})",
                        ctx.rid(ri),
                        r.date,
                        ctx.as_written(ri),
                        control.from,
                        short(&control.reason),
                        ctx.who(r.to)
                    ),
                    vec![ctx.rid(ri), ctx.case.entity(r.to).id.clone()],
                ));
            }
        }
    }
}

/// The rule's name: the reason up to its first colon (`NVIDIA 8-K of 2022-08-31`).
fn short(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}
