//! `long_chain`: more intermediaries than the policy allows within its time
//! window. Controlled products only. An intermediary is a party that took
//! the units as its own, counted once: a forwarder holding them under a
//! shipment, or a round trip back to the same owner, adds none, and the
//! companies of one group count as one.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct LongChain;

impl Rule for LongChain {
    fn id(&self) -> &'static str {
        "long_chain"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        // Each party once, and only parties that took the units as their
        // own: a forwarder or warehouse that held them under a shipment
        // (title kept) and gave them back or on is no trading intermediary
        // (a distributor's bonded-warehouse round trip VCD -> GGL -> VCD
        // is one intermediary, not three).
        let took_title = |e| {
            route.records.iter().any(|&ri| {
                let r = &ctx.case.records[ri as usize];
                r.to == e && r.kind != crate::model::RecordKind::Shipment
            })
        };
        // A group's own companies count once: units moving between a
        // cloud's national subsidiaries change no hands (a hyperscaler's US,
        // Dutch, Singapore and Malaysian arms are one intermediary).
        let t = ctx.case.records[route.last() as usize].date;
        let mut mids: Vec<crate::model::EntityId> = Vec::new();
        for e in route.intermediaries(ctx.case) {
            if !mids.contains(&e) && took_title(e) && !mids.iter().any(|&m| ctx.same_group(m, e, t)) {
                mids.push(e);
            }
        }
        if mids.len() <= ctx.policy.long_chain_hops {
            return;
        }
        let first = ctx.case.records[route.records[0] as usize].date;
        let last = ctx.case.records[route.last() as usize].date;
        let days = first.days_until(last);
        if days <= ctx.policy.long_chain_window_days {
            let ids: Vec<String> = mids.iter().map(|&e| ctx.case.entity(e).id.clone()).collect();
            // About the route to the terminal; it counts in the hand-off family, never as the terminal's own.
            out.push(Flag::new(
                self.id(),
                route.terminal,
                format!(
                    "the route to {} has {} intermediaries ({}) within {days:.0} days (policy: at most {} within {} days)",
                    ctx.case.entity(route.terminal).id,
                    mids.len(),
                    ids.join(", "),
                    ctx.policy.long_chain_hops,
                    ctx.policy.long_chain_window_days
                ),
                ids,
            ));
        }
    }
}
