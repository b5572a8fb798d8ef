//! `shell_indicators`: an intermediary was incorporated shortly before it
//! traded, shares an address with other entities, or has no history beyond
//! this route. Controlled products only. A parent and its subsidiary
//! sharing an office is ordinary, so owned pairs are not counted as shared addresses.

use super::{Ctx, Rule, normalise_address};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct ShellIndicators;

impl Rule for ShellIndicators {
    fn id(&self) -> &'static str {
        "shell_indicators"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        for e in route.intermediaries(ctx.case) {
            let ent = ctx.case.entity(e);
            let mut why = Vec::new();
            let mut evidence = vec![ent.id.clone()];
            if let (Some(inc), Some(first)) = (ent.incorporated, ctx.first_trade[e as usize]) {
                let days = inc.days_until(first);
                if (0.0..ctx.policy.shell_age_days).contains(&days) {
                    why.push(format!(
                        "incorporated {inc}, {days:.0} day(s) before its first recorded trade on {first}"
                    ));
                }
            }
            if let Some(a) = &ent.address {
                let others: Vec<String> = ctx
                    .by_address
                    .get(&normalise_address(a))
                    .map(|v| {
                        v.iter()
                            .filter(|&&o| o != e && !ctx.ownership.linked(ctx.case, e, o))
                            .map(|&o| ctx.case.entity(o).id.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if !others.is_empty() {
                    why.push(format!("shares its address with {}", others.join(", ")));
                    evidence.extend(others);
                }
            }
            let on_route = route
                .records
                .iter()
                .filter(|&&r| {
                    let rec = &ctx.case.records[r as usize];
                    rec.from == e || rec.to == e
                })
                .count() as u32;
            if !why.is_empty() && ctx.activity[e as usize] <= on_route {
                why.push("has no recorded trade outside this route".to_string());
            }
            if !why.is_empty() {
                out.push(Flag::new(self.id(), e, format!("intermediary {} {}", ctx.who(e), why.join("; ")), evidence));
            }
        }
    }
}
