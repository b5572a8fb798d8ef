//! `remote_access`: the route ends with a lease of controlled units (a virtual
//! export) to a party that is listed, owned by listed parties, sits in or is
//! controlled from a country of concern.
//!
//! A lease of units that already sit in the lessee's country (a Chengdu
//! cloud renting to a Chengdu studio; see `rules::domestic_lease`) is no
//! virtual export: where that lessee sits, a parent there or a director
//! residing there do not make it restricted (`rules::restricts_lessee`);
//! a listing, or ties abroad, still do. The flag still fires where the
//! contract says it does (a lease to a party flagged by the rules above,
//! docs/spec.md §3), so that a reader filtering on it misses nothing, but
//! when only where the lessee sits flags it, it says the lease exports
//! nothing and counts for nothing (weight 0). How the units got into the
//! country is judged on the route that brought them (its buyer's own
//! finding, with `supplied_by_front` when a front did).
//!
//! A lease made to a party already listed when it began, or to a listed
//! party's front (owned 50% or more by listed parties then, while the
//! affiliates rule was in force), also flags the lessor: it dealt with a
//! listed party (and the flag says how it was paid).

use super::{Ctx, Rule, domestic_lease, lease_site, restricts_lessee};
use crate::analysis::routes::Route;
use crate::model::{Payment, RecordKind};
use crate::scan::Flag;

pub struct RemoteAccess;

impl Rule for RemoteAccess {
    fn id(&self) -> &'static str {
        "remote_access"
    }

    fn check(&self, ctx: &Ctx, route: &Route, earlier: &[Flag], out: &mut Vec<Flag>) {
        let last = &ctx.case.records[route.last() as usize];
        if last.kind != RecordKind::Lease || !ctx.controlled(route) {
            return;
        }
        let t = &ctx.case.entity(route.terminal).id;
        // A listing that came after the trade (weighted down) does not make the lessee restricted then.
        let about_terminal = |f: &&Flag| {
            f.subject == route.terminal
                && !(matches!(f.rule, "listed_party" | "listed_affiliate") && f.weight.is_some())
                && matches!(
                    f.rule,
                    "listed_party"
                        | "listed_affiliate"
                        | "country_of_concern"
                        | "parent_in_country_of_concern"
                        | "control_ties"
                )
        };
        let domestic = domestic_lease(ctx, route);
        let rules = |restricting: bool| -> Vec<&str> {
            let mut v: Vec<&str> = earlier
                .iter()
                .filter(about_terminal)
                .filter(|f| !restricting || restricts_lessee(ctx, route, f, domestic))
                .map(|f| f.rule)
                .collect();
            v.dedup();
            v
        };
        // What makes the lessee restricted; where nothing does but where it
        // sits (a domestic lease), the flags the contract names still show.
        let (reasons, counts) = match rules(true) {
            r if !r.is_empty() => (r, true),
            _ => (rules(false), false),
        };
        if reasons.is_empty() {
            return;
        }
        let end = ctx.case.records.end_date(route.last()).map(|e| format!(" until {e}")).unwrap_or_default();
        // Where the units sit, and the record that put them there: the site
        // an investigator visits or subpoenas.
        let site = lease_site(ctx, route);
        let placed = site.map(|s| s.placed(ctx)).unwrap_or_default();
        let inside = match (domestic, counts) {
            (Some(c), true) => format!(
                " (the units sit in {c}, the lessee's country{placed}: the lease exports nothing; the lessee is restricted by what it is)"
            ),
            (Some(c), false) => format!(
                " (the units sit in {c}, the lessee's country{placed}: the lease exports nothing and nothing but where the lessee sits restricts it, so this counts for nothing; the import that brought the units is judged on its own route)"
            ),
            // The caveat `country_of_concern` carries, here too: a lessee
            // restricted only by its parent has no such flag to carry it.
            (None, _) => format!(
                "{}; remote use is not itself an export of the units (no physical export is claimed), and whether it needed a licence depends on the rules in force on {}",
                site.map(|s| format!(" (the units sit in {}{placed})", s.country)).unwrap_or_default(),
                last.date
            ),
        };
        let flag = Flag::new(
            self.id(),
            route.terminal,
            format!(
                "{} leased remote use of {} {} to {} from {}{end} (record {}); the lessee is flagged by {}{inside}",
                ctx.who(last.from),
                last.quantity,
                ctx.case.s(last.product),
                ctx.who(route.terminal),
                last.date,
                ctx.rid(route.last()),
                reasons.join(", ")
            ),
            vec![t.clone(), ctx.rid(route.last())],
        );
        out.push(if counts { flag } else { flag.weighted(0.0) });
        // The lessor that granted the use to a party already listed when the
        // lease began, or to a listed party's front (a company listed parties
        // own 50% or more, flagged by `listed_affiliate` for that date, while
        // the affiliates rule was in force: outside it the ownership restricted
        // nothing, and a cloud whose customer was bought mid-lease through an
        // offshore holding did no wrong), dealt with a listed party: the act a
        // case against the lessor rests on. A
        // flag about it (its own entity finding shows it, and it aggravates
        // the route), citing the lease and the entry, with how it was paid.
        if last.from == route.terminal {
            return;
        }
        let listed = ctx
            .hit_at(route.terminal, last.date)
            .map(|h| ctx.entry(h))
            .filter(|e| e.since.is_none_or(|s| s <= last.date));
        let (whom, list_evidence) = if let Some(entry) = listed {
            let since = entry.since.map(|s| format!(" since {s}")).unwrap_or_default();
            (
                format!(
                    "on {}{since} as `{}`, in record {} from {}{end}, {}",
                    entry.list_name,
                    entry.name,
                    ctx.rid(route.last()),
                    last.date,
                    if entry.since.is_some() { "after the listing" } else { "while listed" }
                ),
                vec![entry.evidence()],
            )
        } else if let Some(a) = earlier
            .iter()
            .find(|f| f.subject == route.terminal && f.rule == "listed_affiliate" && f.weight.is_none())
            .filter(|_| ctx.policy.affiliates_rule_in_force(last.date))
        {
            (
                format!(
                    "a listed party's front (owned 50% or more by listed parties when the lease began: see its listed_affiliate flag), in record {} from {}{end}",
                    ctx.rid(route.last()),
                    last.date
                ),
                a.evidence.iter().filter(|e| e.starts_with("list:")).cloned().collect(),
            )
        } else {
            return;
        };
        let paid = match last.payment {
            Some(Payment::Crypto) => format!(
                ", paid in crypto{}",
                ctx.attr(route.last(), crate::read::PAYMENT_AS_WRITTEN)
                    .map(|w| format!(" (written `{w}`)"))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        };
        let mut evidence = vec![ctx.case.entity(last.from).id.clone(), ctx.rid(route.last())];
        evidence.extend(list_evidence);
        out.push(Flag::new(
            self.id(),
            last.from,
            format!(
                "the lessor {} leased remote use of {} {} to {}, {whom}{paid}",
                ctx.who(last.from),
                last.quantity,
                ctx.case.s(last.product),
                ctx.who(route.terminal),
            ),
            evidence,
        ));
    }
}
