//! `rapid_resale`: units sold on within the policy's dwell threshold of
//! arriving. Controlled products only.

use super::{Ctx, Rule};
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
        for w in route.records.windows(2) {
            let (a, b) = (&ctx.case.records[w[0] as usize], &ctx.case.records[w[1] as usize]);
            if b.kind != RecordKind::Sale || a.to != b.from {
                continue;
            }
            let days = a.date.days_until(b.date);
            if days < ctx.policy.rapid_resale_days {
                out.push(Flag {
                    rule: self.id(),
                    detail: format!(
                        "{} resold {} units {:.0} day(s) after buying them (record {} then {}; threshold {} days)",
                        ctx.who(a.to),
                        b.quantity,
                        days,
                        ctx.rid(w[0]),
                        ctx.rid(w[1]),
                        ctx.policy.rapid_resale_days
                    ),
                    evidence: vec![ctx.case.entity(a.to).id.clone(), ctx.rid(w[0]), ctx.rid(w[1])],
                });
            }
        }
    }
}
