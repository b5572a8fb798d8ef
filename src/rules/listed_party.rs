//! `listed_party`: the terminal, or a party on the route, matches a screening-list entry.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct ListedParty;

impl Rule for ListedParty {
    fn id(&self) -> &'static str {
        "listed_party"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        let mut parties = route.parties(ctx.case);
        // The terminal first: it is what the finding is about.
        parties.retain(|&p| p != route.terminal);
        parties.insert(0, route.terminal);
        parties.dedup();
        for p in parties {
            if !ctx.is_listed(p) {
                continue;
            }
            // The listing is compared with the records this party took part in:
            // records upstream of it (the maker's sale to a distributor) say
            // nothing about whether it was listed when it traded. A lease in
            // counts until its end date, since access went on.
            let mine: Vec<&crate::model::Record> = route
                .records
                .iter()
                .map(|&ri| &ctx.case.records[ri as usize])
                .filter(|r| r.from == p || r.to == p)
                .collect();
            let first = mine.first().map_or(ctx.case.records[route.records[0] as usize].date, |r| r.date);
            let last = mine
                .iter()
                .map(|r| {
                    if r.kind == crate::model::RecordKind::Lease && r.to == p {
                        r.end_date.unwrap_or(r.date).max(r.date)
                    } else {
                        r.date
                    }
                })
                .max()
                .unwrap_or(first);
            // The entry in force when the party last traded on the route (a
            // later entry for the same name says nothing about that trade).
            let Some(hit) = ctx.hit_at(p, last) else { continue };
            let entry = ctx.entry(hit);
            let role = if p == route.terminal { "the terminal" } else { "a party on the route" };
            let mut detail = format!(
                "{role} {} matches `{}` on {} ({} {}, score {:.2}, {}: `{}`)",
                ctx.who(p),
                entry.name,
                entry.list_name,
                entry.file.rsplit('/').next().unwrap_or(&entry.file),
                entry.line,
                hit.score,
                hit.method,
                hit.matched_name
            );
            let mut after = false;
            if let Some(since) = entry.since {
                if last < since {
                    after = true;
                    detail.push_str(&format!(
                        "; listed {since}, {:.0} days after its last record on the route ({last}): the trade predates the listing, so the flag counts as {} instead of {}",
                        last.days_until(since),
                        ctx.policy.listed_after_trade_weight,
                        ctx.policy.weight(self.id())
                    ));
                } else if first < since {
                    detail.push_str(&format!("; listed {since}, after its first record on the route ({first})"));
                } else {
                    detail.push_str(&format!("; listed {since}"));
                }
            }
            let flag = Flag::new(self.id(), p, detail, vec![ctx.case.entity(p).id.clone(), entry.evidence()]);
            let later = ctx.policy.listed_after_trade_weight.min(ctx.policy.weight(self.id()));
            out.push(if after { flag.weighted(later) } else { flag });
        }
    }
}
