//! `listed_affiliate`: the terminal is owned 50% or more, directly or through
//! a chain, alone or together, by listed parties. Fires whatever the date; the
//! detail says whether the Entity List affiliates rule was in force then.

use super::{Ctx, Rule, route_date};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct ListedAffiliate;

impl Rule for ListedAffiliate {
    fn id(&self) -> &'static str {
        "listed_affiliate"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        let t = route_date(ctx, route);
        let chains = ctx.ownership.listed_chains(ctx.case, route.terminal, t, &|e| ctx.is_listed(e));
        let total: f64 = chains.iter().map(|c| c.effective).sum();
        if total + 1e-9 < ctx.policy.affiliate_share || chains.is_empty() {
            return;
        }
        let mut evidence = vec![ctx.case.entity(route.terminal).id.clone()];
        let mut parts = Vec::new();
        for c in &chains {
            let owner = c.owners[0];
            let path: Vec<String> = c
                .owners
                .iter()
                .zip(&c.shares)
                .map(|(&o, s)| format!("{} {}%", ctx.case.entity(o).id, fmt_pct(*s)))
                .collect();
            let list = ctx.best_hit(owner).map(|h| ctx.entry(h));
            parts.push(format!(
                "{} via {} = {}%{}",
                ctx.who(owner),
                path.join(" > "),
                fmt_pct(c.effective),
                list.map(|l| format!(" (listed on {})", l.list_name)).unwrap_or_default()
            ));
            for &o in &c.owners {
                let id = ctx.case.entity(o).id.clone();
                if !evidence.contains(&id) {
                    evidence.push(id);
                }
            }
            if let Some(l) = list {
                let ev = l.evidence();
                if !evidence.contains(&ev) {
                    evidence.push(ev);
                }
            }
        }
        let alone = chains.iter().any(|c| c.effective + 1e-9 >= ctx.policy.affiliate_share);
        let rule = if ctx.policy.affiliates_rule_in_force(t) {
            format!("on {t} the Entity List affiliates rule was in force, so the transfer needed a licence")
        } else {
            format!(
                "on {t} the Entity List affiliates rule was not in force (effective {}, suspended {} to {}), so no licence requirement followed from ownership alone",
                ctx.policy.affiliates_rule_effective,
                ctx.policy.affiliates_rule_suspended_from,
                ctx.policy.affiliates_rule_suspended_until
            )
        };
        out.push(Flag {
            rule: self.id(),
            detail: format!(
                "{} is {}% owned by listed parties {}: {}; {rule}",
                ctx.who(route.terminal),
                fmt_pct(total.min(100.0)),
                if alone { "(one alone holds 50% or more)" } else { "together" },
                parts.join("; ")
            ),
            evidence,
        });
    }
}

pub fn fmt_pct(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}
