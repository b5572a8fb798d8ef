//! `parent_in_country_of_concern`: the terminal's ultimate parent is
//! headquartered in a country of concern. Controlled products only.

use super::{Ctx, Rule, domestic_lease, route_date};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct ParentInCountryOfConcern;

impl Rule for ParentInCountryOfConcern {
    fn id(&self) -> &'static str {
        "parent_in_country_of_concern"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let t = route_date(ctx, route);
        let Some((parent, chain)) = ctx.ultimate_parent(route.terminal, t) else { return };
        let p = ctx.case.entity(parent);
        if !ctx.policy.is_country_of_concern(p.country) {
            return;
        }
        let path: Vec<String> = chain.iter().map(|&e| ctx.case.entity(e).id.clone()).collect();
        // A lessee of units inside its own country of concern, whose parent
        // sits there too: the lease exports nothing (see `rules::domestic_lease`).
        let domestic = domestic_lease(ctx, route) == Some(p.country);
        let flag = Flag::new(
            self.id(),
            route.terminal,
            format!(
                "the ultimate parent of {} is {}, headquartered in {} (control chain {}){}",
                ctx.who(route.terminal),
                ctx.who(parent),
                p.country,
                path.join(" < "),
                super::country_of_concern::domestic_note(ctx, domestic, self.id())
            ),
            path,
        );
        out.push(if domestic {
            flag.weighted(ctx.policy.domestic_lease_weight.min(ctx.policy.weight(self.id())))
        } else {
            flag
        });
    }
}
