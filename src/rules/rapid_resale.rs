//! `rapid_resale`: units sold on within the policy's dwell threshold of
//! arriving. Controlled products only.

use super::{Ctx, Rule, handoffs};
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
            if h.out.kind != RecordKind::Sale || h.days >= ctx.policy.rapid_resale_days {
                continue;
            }
            out.push(Flag::new(
                self.id(),
                h.inn.to,
                format!(
                    "{} resold {} units {:.0} day(s) after buying them (record {} then {}; threshold {} days)",
                    ctx.who(h.inn.to),
                    h.out.quantity,
                    h.days,
                    ctx.rid(h.ids.0),
                    ctx.rid(h.ids.1),
                    ctx.policy.rapid_resale_days
                ),
                vec![ctx.case.entity(h.inn.to).id.clone(), ctx.rid(h.ids.0), ctx.rid(h.ids.1)],
            ));
        }
    }
}
