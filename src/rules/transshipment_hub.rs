//! `transshipment_hub`: the route passes through a holder in a hub country
//! that passed the units on within the policy's dwell time. Controlled products only.
//! The quick hand-offs `rapid_resale` accepts are accepted here too (the
//! two read the same hand-off): a transfer inside one group, and a
//! back-to-back order by an established trader (`rules::established`: a
//! Singapore distributor with years of recorded trade filling an order in
//! eleven days). A hub is where such distributors sit; their turnaround is
//! their trade, and a front there has no such history. Nor is a holder's
//! shipment of its own units into a data centre a passage: it deploys them.

use super::{Ctx, Rule, documented_delivery, established, handoffs, maker_arm, maker_channel};
use crate::analysis::routes::Route;
use crate::model::{EntityKind, RecordKind};
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
        for h in handoffs(ctx, route) {
            if !h.out.kind.moves_goods() || h.days >= ctx.policy.hub_dwell_days {
                continue;
            }
            // A holder shipping its own units into a data centre (title
            // stays with it, the site racks them) is deploying its stock,
            // not passing it through the hub.
            if h.out.kind == RecordKind::Shipment && ctx.case.entity(h.out.to).kind == EntityKind::DataCentre {
                continue;
            }
            let holder = ctx.case.entity(h.inn.to);
            let hub = if ctx.policy.is_hub(holder.country) {
                Some(holder.country)
            } else {
                ctx.case.records.ship_to_country(h.ids.0).filter(|c| ctx.policy.is_hub(*c))
            };
            let Some(country) = hub else { continue };
            let seller = h.inn.to;
            if ctx.same_group(seller, h.out.to, h.out.date)
                || established(ctx, seller, h.inn.date).is_some()
                || maker_channel(ctx, &h)
                || maker_arm(ctx, h.inn.to, h.inn.date)
                || documented_delivery(ctx, &h)
            {
                continue;
            }
            out.push(Flag::new(
                self.id(),
                h.inn.to,
                format!(
                    "{} in hub country {country} passed the units on {:.0} day(s) after receiving them (record {} on {}, record {} on {}; dwell threshold {} days)",
                    ctx.who(h.inn.to),
                    h.days,
                    ctx.rid(h.ids.0),
                    h.inn.date,
                    ctx.rid(h.ids.1),
                    h.out.date,
                    ctx.policy.hub_dwell_days
                ),
                vec![holder.id.clone(), ctx.rid(h.ids.0), ctx.rid(h.ids.1)],
            ));
        }
    }
}
