//! `listed_party`: the terminal, or a party on the route, matches a screening-list entry.
//! A party the route's paperwork names only as text is a party to the
//! transaction too: a declared end user, or the firm a forwarder receives
//! for (`SWIFTLINK FREIGHT C/O NAN YANG DIGITAL`). When that name matches a
//! list entry in force on the record's date, the flag is about the party
//! that took the units for it (the receiver; the sender for a party it ships
//! for) and cites the record and the entry.

use super::{Ctx, Named, Rule};
use crate::analysis::routes::Route;
use crate::model::{EntityId, Record, RecordId, RecordKind};
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
            let mine: Vec<(RecordId, &Record)> = route
                .records
                .iter()
                .map(|&ri| (ri, &ctx.case.records[ri as usize]))
                .filter(|(_, r)| r.from == p || r.to == p)
                .collect();
            let first = mine.first().map_or(ctx.case.records[route.records[0] as usize].date, |(_, r)| r.date);
            let last = mine
                .iter()
                .map(|&(ri, r)| {
                    if r.kind == RecordKind::Lease && r.to == p {
                        ctx.case.records.end_date(ri).unwrap_or(r.date).max(r.date)
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
            let mut detail = format!("{role} {} {}", ctx.who(p), matches_entry(entry, hit, &hit.matched_name));
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
                    detail.push_str(&format!("; listed {since}, on or before its first record on the route ({first})"));
                }
                // A dated flag names the records it dates: a lease and its
                // renewal after the listing are two flags a reader tells apart.
                detail.push_str(&format!("; its record(s) on the route: {}", records_named(ctx, &mine, p)));
            }
            let flag = Flag::new(self.id(), p, detail, vec![ctx.case.entity(p).id.clone(), entry.evidence()]);
            let later = ctx.policy.listed_after_trade_weight.min(ctx.policy.weight(self.id()));
            out.push(if after { flag.weighted(later) } else { flag });
        }
        named(self.id(), ctx, route, out);
    }
}

/// Flags a listed party that a record on the route names only as text.
fn named(id: &'static str, ctx: &Ctx, route: &Route, out: &mut Vec<Flag>) {
    let on_route = route.parties(ctx.case);
    let mut seen: Vec<(EntityId, usize)> = Vec::new();
    for &ri in &route.records {
        let r = &ctx.case.records[ri as usize];
        for (text, how) in ctx.named_parties(ri) {
            // A name that is an entity on the route is judged as that party above.
            if ctx.text_entity(text).is_some_and(|e| on_route.contains(&e)) {
                continue;
            }
            let Some(hit) = ctx.named_hit_at(text, r.date) else { continue };
            let subject = if how == Named::SenderActsFor { r.from } else { r.to };
            // A party on the route that matches the entry itself (the listed
            // university the trader declared, which got the units) is
            // flagged above: the paperwork hid nobody.
            let shown = on_route.iter().any(|&p| {
                ctx.hits[p as usize].iter().any(|h| h.entry == hit.entry && h.score >= ctx.policy.fuzzy_threshold)
            });
            if shown || seen.contains(&(subject, hit.entry)) {
                continue;
            }
            seen.push((subject, hit.entry));
            let entry = ctx.entry(hit);
            let written = ctx.case.s(text);
            let said = match how {
                Named::EndUser => format!("declares `{written}` as end user of units sold to {}", ctx.who(r.to)),
                Named::ReceiverActsFor => format!("consigns the units to {} on behalf of `{written}`", ctx.who(r.to)),
                Named::SenderActsFor => format!("has {} ship the units on behalf of `{written}`", ctx.who(r.from)),
            };
            let mut detail =
                format!("record {} {said}, which {}", ctx.rid(ri), matches_entry(entry, hit, &hit.listed_name));
            let after = entry.since.is_some_and(|since| r.date < since);
            if let Some(since) = entry.since {
                if after {
                    detail.push_str(&format!(
                        "; listed {since}, {:.0} days after the record ({}): the trade predates the listing, so the flag counts as {} instead of {}",
                        r.date.days_until(since),
                        r.date,
                        ctx.policy.listed_after_trade_weight,
                        ctx.policy.weight(id)
                    ));
                } else {
                    detail.push_str(&format!("; listed {since}"));
                }
            }
            let flag = Flag::new(
                id,
                subject,
                detail,
                vec![ctx.rid(ri), ctx.case.entity(subject).id.clone(), entry.evidence()],
            );
            let later = ctx.policy.listed_after_trade_weight.min(ctx.policy.weight(id));
            out.push(if after { flag.weighted(later) } else { flag });
        }
    }
}

/// `KVG-SVC-25-0301 (lease from KVG, 2025-03-01 until 2025-12-31)`: the
/// records `p` took part in on a route, each with its kind, its other party
/// and its dates.
fn records_named(ctx: &Ctx, mine: &[(RecordId, &Record)], p: EntityId) -> String {
    mine.iter()
        .map(|&(ri, r)| {
            let (dir, other) = if r.to == p { ("from", r.from) } else { ("to", r.to) };
            let end = match (r.kind, ctx.case.records.end_date(ri)) {
                (RecordKind::Lease, Some(e)) => format!(" until {e}"),
                _ => String::new(),
            };
            format!("{} ({} {dir} {}, {}{end})", ctx.rid(ri), r.kind, ctx.case.entity(other).id, r.date)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "matches `ENTRY` on LIST (FILE LINE, score S, METHOD: `NAME`)": the list
/// entry a listing flag cites, with the name that matched.
fn matches_entry(entry: &crate::model::ListEntry, hit: &super::ListHit, name: &str) -> String {
    format!(
        "matches `{}` on {} ({} {}, score {:.2}, {}: `{}`)",
        entry.name,
        entry.list_name,
        entry.file.rsplit('/').next().unwrap_or(&entry.file),
        entry.line,
        hit.score,
        hit.method,
        name
    )
}
