//! `listed_affiliate`: the terminal, or an intermediary on the route, is
//! owned 50% or more, directly or through a chain, alone or together, by
//! listed parties. Fires whatever the date; the detail says whether the
//! Entity List affiliates rule was in force then, and names the ownership
//! rows (`relations.csv` lines) and list entries behind it.
//!
//! An intermediary counts too: a listed group's unlisted arm that buys and
//! passes units on to other group members or customers (a Hong Kong
//! subsidiary feeding the group's cloud) is the group's affiliate whether or
//! not it keeps the units, so the flag is about it (in its entity finding,
//! and aggravating the routes it feeds) as `listed_party` is about a listed
//! party anywhere on the route. It is judged on the date of its last record
//! on the route, the hand-off it made.

use super::{Ctx, Rule, route_date};
use crate::analysis::routes::Route;
use crate::model::{EntityId, Timestamp};
use crate::scan::Flag;

pub struct ListedAffiliate;

impl Rule for ListedAffiliate {
    fn id(&self) -> &'static str {
        "listed_affiliate"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if may_be_affiliate(ctx, route.terminal) {
            out.extend(memo_flag(ctx, route.terminal, route_date(ctx, route), true));
        }
        for p in route.intermediaries(ctx.case) {
            if !may_be_affiliate(ctx, p) {
                continue;
            }
            // The intermediary's last record on the route: the hand-off it made.
            let Some(t) = route
                .records
                .iter()
                .map(|&ri| &ctx.case.records[ri as usize])
                .filter(|r| r.from == p || r.to == p)
                .map(|r| r.date)
                .max()
            else {
                continue;
            };
            out.extend(memo_flag(ctx, p, t, false));
        }
    }
}

/// Whether listed parties could hold any of `e`: it has owners, and a
/// listed party stands above it on some date (or the owners above it are
/// too many to tell without the bounded walk, which notes its cut).
/// Computed once per entity: most owned parties have no listed party above.
fn may_be_affiliate(ctx: &Ctx, e: EntityId) -> bool {
    ctx.ownership.has_owners(e)
        && !*ctx.memo(e).clear_of_listed.get_or_init(|| ctx.ownership.clear_of(ctx.case, e, &|x| ctx.is_listed(x)))
}

/// [`affiliate_flag`] about `subject` at `t`, as the terminal or as an
/// intermediary: it depends on nothing else, and many routes meet one
/// party on one date, so it is judged once for each and shared.
fn memo_flag(ctx: &Ctx, subject: EntityId, t: Timestamp, terminal: bool) -> Option<Flag> {
    let memo = &ctx.memo(subject).listed_affiliate;
    if let Some(known) = memo.lock().ok().and_then(|m| m.get(&(t, terminal)).cloned()) {
        return known;
    }
    let role = if terminal { "" } else { ", an intermediary on the route," };
    let flag = affiliate_flag(ctx, subject, t, role);
    if let Ok(mut m) = memo.lock() {
        m.insert((t, terminal), flag.clone());
    }
    flag
}

/// The flag about `subject` when listed parties (and their affiliates) hold
/// 50% or more of it at `t`; `role` follows its name in the detail (empty
/// for the terminal, which a finding is about anyway).
fn affiliate_flag(ctx: &Ctx, subject: EntityId, t: Timestamp, role: &str) -> Option<Flag> {
    const ID: &str = "listed_affiliate";
    let threshold = ctx.policy.affiliate_share;
    let mut held = ctx.held_by_listed(subject, t);
    let cascade = held.total + 1e-9 < threshold;
    if cascade {
        // The 50% rule cascades (OFAC FAQ 401, followed by the BIS affiliates
        // rule): a company owned 50% or more by listed parties counts as listed
        // itself, so a 70% subsidiary of a 60%-owned affiliate is an affiliate
        // although the shares multiplied down the chain make only 42%.
        held = ctx.held_by_listed_affiliates(subject, t);
    }
    if held.total + 1e-9 < threshold || held.chains.is_empty() {
        return None;
    }
    let mut evidence = vec![ctx.case.entity(subject).id.clone()];
    let mut parts = Vec::new();
    let mut rows: Vec<u64> = Vec::new();
    for c in &held.chains {
        let owner = c.owners[0];
        let path: Vec<String> = c
            .owners
            .iter()
            .zip(&c.shares)
            .map(|(&o, s)| format!("{} {}%", ctx.case.entity(o).id, fmt_pct(*s)))
            .collect();
        let list = ctx.hit_at(owner, t).map(|h| ctx.entry(h));
        let why = match list {
            Some(l) => format!(" (listed on {})", l.list_name),
            None => {
                // An affiliate owner: name the listed parties behind it.
                let above = ctx.held_by_listed(owner, t);
                let mut names = Vec::new();
                for a in &above.chains {
                    let root = ctx.case.entity(a.owners[0]).id.clone();
                    if !names.contains(&root) {
                        names.push(root.clone());
                    }
                    if !evidence.contains(&root) {
                        evidence.push(root);
                    }
                    if let Some(h) = ctx.hit_at(a.owners[0], t) {
                        let ev = ctx.entry(h).evidence();
                        if !evidence.contains(&ev) {
                            evidence.push(ev);
                        }
                    }
                }
                format!(" (itself owned 50% or more by listed parties: {})", names.join(", "))
            }
        };
        // The strongest chain is shown; other chains (cross-holdings) add to the share.
        let one_chain: f64 = c.shares.iter().map(|s| s / 100.0).product::<f64>() * 100.0;
        let more = if (c.effective - one_chain).abs() > 0.05 { " and other chains" } else { "" };
        parts.push(format!("{} via {}{more} = {}%{why}", ctx.who(owner), path.join(" > "), fmt_pct(c.effective)));
        // The ownership rows of the chain: each owner's share in the next, the last in the subject.
        let below = c.owners.iter().skip(1).copied().chain([subject]);
        for (&above, below) in c.owners.iter().zip(below) {
            let row = ctx.ownership.owners_at(ctx.case, below, t).find(|r| r.from == above).map(|r| r.line);
            if let Some(line) = row.filter(|l| !rows.contains(l)) {
                rows.push(line);
            }
        }
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
    let alone = held.chains.iter().any(|c| c.effective + 1e-9 >= threshold);
    // Owners listed only after the trade: the ownership is a risk now
    // known, not one the trade ignored (as for `listed_party`).
    let listed_since: Vec<Option<Timestamp>> =
        held.chains.iter().map(|c| ctx.hit_at(c.owners[0], t).and_then(|h| ctx.entry(h).since)).collect();
    let after = !listed_since.is_empty() && listed_since.iter().all(|s| s.is_some_and(|s| t < s));
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
    let bound = held.truncated.as_ref().map(|n| format!("; bound: {n}")).unwrap_or_default();
    rows.sort_unstable();
    let rows = if rows.is_empty() {
        String::new()
    } else {
        let lines: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        format!(" (ownership: relations.csv line{} {})", if rows.len() > 1 { "s" } else { "" }, lines.join(", "))
    };
    let later = if after {
        format!(
            "; every listed owner was listed after {t} (the first on {}), so the trade predates the listing and the flag counts as {} instead of {}",
            listed_since.iter().flatten().min().map(|d| d.to_string()).unwrap_or_default(),
            ctx.policy.listed_after_trade_weight,
            ctx.policy.weight(ID)
        )
    } else {
        String::new()
    };
    let flag = Flag::new(
        ID,
        subject,
        format!(
            "{}{role} is {}% owned by listed parties{} {}: {}{rows}; {rule}{bound}{later}",
            ctx.who(subject),
            fmt_pct(held.total.min(100.0)),
            if cascade { " and their affiliates" } else { "" },
            if alone { "(one alone holds 50% or more)" } else { "together" },
            parts.join("; ")
        ),
        evidence,
    );
    let w = ctx.policy.listed_after_trade_weight.min(ctx.policy.weight(ID));
    Some(if after { flag.weighted(w) } else { flag })
}

pub fn fmt_pct(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}
