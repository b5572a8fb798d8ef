//! `country_of_concern`: the terminal sits in a country of concern, or goods
//! on the route are shipped to one, on a date when the product needed a
//! licence for that destination (the policy's dated product controls).
//! About the lessee of units that already sit in its own country
//! (`rules::domestic_lease`), the flag says so and counts as the policy's
//! `domestic_lease_weight`: the lease exports nothing.

use super::{Ctx, Rule, domestic_lease};
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
            let domestic = domestic_lease(ctx, route);
            // A lease moves no units: say what was leased, and that the
            // licence is for exporting the units there, not for remote use
            // (which the licence requirement does not itself cover).
            let (what, licence) = if last.kind == crate::model::RecordKind::Lease {
                (
                    format!(
                        "remote use of {} {} was leased to it in record {rid} on {}{} (a lease: the units stay where the lessor keeps them)",
                        route.quantity,
                        ctx.case.s(route.product),
                        last.date,
                        ctx.as_written(route.last())
                    ),
                    format!(
                        "when exporting the units to {} needed a licence (since {}: {}; remote use is not itself an export of the units)",
                        t.country,
                        control.from,
                        short(&control.reason)
                    ),
                )
            } else {
                (
                    format!(
                        "{} {} reached it in record {rid} on {}{}",
                        route.quantity,
                        ctx.case.s(route.product),
                        last.date,
                        ctx.as_written(route.last())
                    ),
                    format!("when a licence was required (since {}: {})", control.from, short(&control.reason)),
                )
            };
            let flag = Flag::new(
                self.id(),
                route.terminal,
                format!(
                    "the terminal {} sits in {}, a country of concern; {what}, {licence}{}",
                    ctx.who(route.terminal),
                    t.country,
                    domestic_note(ctx, domestic.is_some(), self.id()),
                ),
                vec![t.id.clone(), rid],
            );
            out.push(match domestic {
                Some(_) => flag.weighted(ctx.policy.domestic_lease_weight.min(ctx.policy.weight(self.id()))),
                None => flag,
            });
        }
        for &ri in &route.records {
            let r = &ctx.case.records[ri as usize];
            if let Some(c) = ctx.case.records.ship_to_country(ri)
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

/// What the detail of a flag about a domestic lessee adds: the lease
/// exports nothing, so the flag counts for less.
pub fn domestic_note(ctx: &Ctx, domestic: bool, rule: &str) -> String {
    if !domestic {
        return String::new();
    }
    format!(
        "; a lease of units that already sat in the lessee's country: the lease exports nothing (the step that brought them in is judged on its own route), so the flag counts as {} instead of {}",
        ctx.policy.domestic_lease_weight,
        ctx.policy.weight(rule)
    )
}

/// The rule's name: the reason up to its first colon (`NVIDIA 8-K of 2022-08-31`).
fn short(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}
