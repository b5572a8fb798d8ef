//! `country_of_concern`: the terminal sits in a country of concern, or goods
//! on the route are shipped to one, on a date when the product needed a
//! licence for that destination (the policy's dated product controls).
//! About the lessee of units that already sit in its own country
//! (`rules::domestic_lease`), the flag says so and counts as the policy's
//! `domestic_lease_weight`: the lease exports nothing. About a lessee of
//! units abroad, it says what happened (remote use granted by the lessor of
//! units sited where they were placed: the virtual export the tool models)
//! and claims no physical export and no licence for the remote use itself.

use super::{Ctx, Rule, domestic_lease, lease_site};
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
            let since = format!("{} ({})", control.from, short(&control.reason));
            let site = lease_site(ctx, route);
            // The install that sited the units is named in the detail, not
            // cited as evidence: evidence records are drawn on the finding's
            // diagram, and the route's own records stay what it draws.
            let evidence = vec![t.id.clone(), rid.clone()];
            let what = match site {
                // A lease moves no goods: say what happened, remote use of
                // units that sit where they were placed, and what the
                // licence point is for that.
                Some(site) => {
                    let end =
                        ctx.case.records.end_date(route.last()).map(|e| format!(" until {e}")).unwrap_or_default();
                    let granted = format!(
                        "{} granted it remote use of {} {} {} in record {rid} from {}{end}{}",
                        ctx.who(last.from),
                        route.quantity,
                        ctx.case.s(route.product),
                        site.describe(ctx),
                        last.date,
                        ctx.as_written(route.last()),
                    );
                    if domestic.is_some() {
                        format!("{granted}; the product is controlled for {} since {since}", t.country)
                    } else {
                        format!(
                            "{granted}: remote use from {} of units that stay in {}, the virtual export this tool models (no physical export is claimed; whether the remote use itself needed a licence depends on the rules in force on that date); the product is controlled for {} since {since}",
                            t.country, site.country, t.country
                        )
                    }
                }
                None => format!(
                    "{} {} reached it in record {rid} on {}{}, when a licence was required (since {since})",
                    route.quantity,
                    ctx.case.s(route.product),
                    last.date,
                    ctx.as_written(route.last()),
                ),
            };
            let flag = Flag::new(
                self.id(),
                route.terminal,
                format!(
                    "the terminal {} sits in {}, a country of concern; {what}{}",
                    ctx.who(route.terminal),
                    t.country,
                    domestic_note(ctx, domestic.is_some(), self.id()),
                ),
                evidence,
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
