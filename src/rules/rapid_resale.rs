//! `rapid_resale`: units sold on within the policy's dwell threshold of
//! arriving, or units leased in and sub-leased on within it. Controlled products only. Two quick resales are ordinary and
//! do not fire: a transfer inside one group (the buyer and seller share an
//! owner: a hyperscaler moving stock to its regional arm), and a back-to-back
//! order by an established trader (see `rules::established`: a distributor
//! with a year of recorded trade buys to fill an order it already holds).

use super::{Ctx, Rule, documented_delivery, established, handoffs, maker_arm, maker_channel};
use crate::analysis::routes::Route;
use crate::model::RecordKind;
use crate::scan::Flag;

pub struct RapidResale;

impl Rule for RapidResale {
    fn id(&self) -> &'static str {
        "rapid_resale"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        for h in handoffs(ctx, route) {
            // A sale on, or a sub-lease of units leased in: the lessee of a
            // lease that lets the same units on within days (the Brisbane
            // intermediary formed two months before) passes them on as a
            // reseller does.
            let sublease = h.inn.kind == RecordKind::Lease && h.out.kind == RecordKind::Lease;
            if !(h.out.kind == RecordKind::Sale || sublease) || h.days >= ctx.policy.rapid_resale_days {
                continue;
            }
            let holder = h.inn.to;
            if ctx.same_group(holder, h.out.to, h.out.date)
                || established(ctx, holder, h.inn.date).is_some()
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
                    "{} {} {} units {:.0} day(s) after {} them (record {} then {}; threshold {} days)",
                    ctx.who(h.inn.to),
                    if sublease { "sub-leased" } else { "resold" },
                    h.out.quantity,
                    h.days,
                    if sublease { "leasing" } else { "buying" },
                    ctx.rid(h.ids.0),
                    ctx.rid(h.ids.1),
                    ctx.policy.rapid_resale_days
                ),
                vec![ctx.case.entity(h.inn.to).id.clone(), ctx.rid(h.ids.0), ctx.rid(h.ids.1)],
            ));
        }
    }
}
