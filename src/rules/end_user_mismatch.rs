//! `end_user_mismatch`: the end user declared on a record's paperwork is
//! neither the terminal nor a holder that leased (or sub-leased), installed
//! or shipped on the units at the route's end without passing title (a
//! shipment to a site or a forwarder: units shipped to any other party are
//! that party's to use), nor a company of the terminal's own group.
//! Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::{EntityId, EntityKind, RecordKind};
use crate::scan::Flag;
use crate::screen::normalise::normalise;

pub struct EndUserMismatch;

/// Names compare in lower case, letters and digits only.
fn key(s: &str) -> String {
    deunicode::deunicode(s).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn names<'c>(ctx: &'c Ctx, e: EntityId) -> &'c [String] {
    // Computed once per entity: the same parties end many routes.
    ctx.memo(e).name_keys.get_or_init(|| {
        let ent = ctx.case.entity(e);
        let mut v = vec![key(&ent.id), key(&ent.name)];
        v.extend(ent.aliases.iter().map(|a| key(a)));
        v
    })
}

/// Whether `declared` is one of `users` as a clerk would type it: customs
/// and invoices write `SHANGHAI YUNSUAN CLOUD CO., LTD.` or `GOLDEN BAUHINIA
/// TRDG` for the names the case knows without legal form or abbreviation.
/// Compared as screening compares names (legal forms, abbreviations,
/// transliteration), at the policy's `fuzzy_threshold`.
/// A declaration that shortens the name (`KHALIFA UNIVERSITY` for `KHALIFA
/// UNIVERSITY OF SCIENCE AND TECHNOLOGY`, `Chulalongkorn University` for
/// `Chulalongkorn Univ. AI Center`) names the same party when it has at
/// least two words, starts with the name's first word, and every one of its
/// words is a word of the name, in order; words as screening normalises
/// them (`Univ.` is `university`, legal forms and `of` left out).
fn spelled_as(ctx: &Ctx, declared: &str, users: &[EntityId]) -> bool {
    declared_forms(declared).iter().any(|d| spelled_as_one(ctx, d, users))
}

/// The ways a declared end user may name its party: as written; without
/// what stands in parentheses (`(Endverbleibserklärung)`, the document's
/// name); and its name before a comma that starts an address or a place
/// (`Huaqi Technology Europe GmbH, Frankfurt am Main`), where that part
/// has two words or more and what follows names no firm (no legal form or
/// trade word: `ACME GMBH, FOR BEIJING XINGHAI TECHNOLOGY CO` is not read
/// as ACME alone).
fn declared_forms(declared: &str) -> Vec<String> {
    let mut forms = vec![declared.to_string()];
    let mut bare = String::new();
    let mut depth = 0usize;
    for c in declared.chars() {
        match c {
            '(' | '（' | '[' => depth += 1,
            ')' | '）' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    let bare = bare.trim().to_string();
    if let Some((head, tail)) = bare.split_once([',', ';'])
        && normalise(head).tokens.len() >= 2
        && !crate::screen::normalise::names_a_firm(tail)
    {
        forms.push(head.trim().to_string());
    }
    if !bare.is_empty() && bare != declared {
        forms.push(bare);
    }
    forms
}

fn spelled_as_one(ctx: &Ctx, declared: &str, users: &[EntityId]) -> bool {
    let short = normalise(declared).tokens;
    users.iter().any(|&u| {
        let e = ctx.case.entity(u);
        std::iter::once(&e.name).chain(&e.aliases).any(|n| {
            (short.len() >= 2 && {
                let long = normalise(n).tokens;
                long.first() == short.first() && in_order(&short, &long)
            }) || crate::screen::compare_names(declared, n)
                .is_some_and(|(score, _, _)| score >= ctx.policy.fuzzy_threshold)
        })
    })
}

/// Whether the declared name `d` (screened as text, see `Ctx::named_hits`)
/// matches a list entry that one of `users` matches too.
fn same_listing(ctx: &Ctx, d: crate::model::Sym, users: &[EntityId]) -> bool {
    let t = ctx.policy.fuzzy_threshold;
    let Some(named) = ctx.named_hits.get(&d) else { return false };
    named
        .iter()
        .filter(|h| h.score >= t)
        .any(|h| users.iter().any(|&u| ctx.hits[u as usize].iter().any(|x| x.entry == h.entry && x.score >= t)))
}

/// Whether every word of `short` appears in `long`, in the same order.
fn in_order(short: &[String], long: &[String]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|w| rest.any(|l| l == w))
}

impl Rule for EndUserMismatch {
    fn id(&self) -> &'static str {
        "end_user_mismatch"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let mut accepted: Vec<&[String]> = vec![names(ctx, route.terminal)];
        // The entities whose names are accepted, for the group check below.
        let mut users = vec![route.terminal];
        // The route's trailing leases, installs and shipments move no title:
        // a lease grants remote use of units the lessor holds (a sub-lease
        // chain included), an install deploys the holder's own units and a
        // shipment moves goods to the holder's site or forwarder. Whoever
        // holds the units at the start of that tail is still their end user.
        for &ri in route.records.iter().rev() {
            let r = &ctx.case.records[ri as usize];
            if !matches!(r.kind, RecordKind::Lease | RecordKind::Install | RecordKind::Shipment) {
                break;
            }
            // A shipment keeps title, but only a site or a forwarder holds a
            // shipper's units for it: units shipped to another party (a
            // "repair" shop across a border) are used by that party, so the
            // shipper that declared itself end user is not.
            if r.kind == RecordKind::Shipment
                && !matches!(
                    ctx.case.entity(r.to).kind,
                    EntityKind::DataCentre | EntityKind::Cloud | EntityKind::Logistics
                )
            {
                break;
            }
            accepted.push(names(ctx, r.from));
            users.push(r.from);
        }
        // Where the units went: the lessee of a lease, else the party that
        // holds title at the start of a tail of shipments and installs (a
        // buyer that shipped its servers into a colocation hall), not the
        // hall or forwarder that houses them.
        let last = &ctx.case.records[route.last() as usize];
        let went_to =
            if last.kind == RecordKind::Lease { route.terminal } else { *users.last().unwrap_or(&route.terminal) };
        for &ri in &route.records {
            let r = &ctx.case.records[ri as usize];
            let Some(d) = ctx.case.records.declared_end_user(ri) else { continue };
            let declared = ctx.case.s(d);
            let k = key(declared);
            if accepted.iter().any(|a| a.contains(&k)) || spelled_as(ctx, declared, &users) {
                continue;
            }
            // A declaration that matches the list entry a user matches names
            // that party: a list gives one party's names in several scripts
            // (`HARBIN INSTITUTE OF TECHNOLOGY`, `HIT`, `哈尔滨工业大学`).
            if same_listing(ctx, d, &users) {
                continue;
            }
            // A group naming one of its own companies as end user, whose units
            // went to another of them (a hyperscaler's regional arms), did not
            // mislead anyone about who uses them. The company named is found
            // by its id or name, or among the route's parties as a clerk
            // spells it (`ZHONGSUAN TECHNOLOGY (HK) LTD` for the buyer itself).
            let named = ctx.text_entity(d).into_iter().chain(
                route.parties(ctx.case).into_iter().filter(|&p| spelled_as(ctx, declared, std::slice::from_ref(&p))),
            );
            if named.into_iter().any(|e| users.iter().any(|&u| ctx.same_group(e, u, r.date))) {
                continue;
            }
            // About the party whose purchase carried the declaration.
            out.push(Flag::new(
                self.id(),
                r.to,
                format!(
                    "record {} declares `{declared}` as end user, but the units went to {}{} (buyer {})",
                    ctx.rid(ri),
                    ctx.who(went_to),
                    if went_to == route.terminal {
                        String::new()
                    } else {
                        format!(", which placed them at {}", ctx.who(route.terminal))
                    },
                    ctx.who(r.to)
                ),
                {
                    let mut ev =
                        vec![ctx.rid(ri), ctx.case.entity(r.to).id.clone(), ctx.case.entity(went_to).id.clone()];
                    if went_to != route.terminal {
                        ev.push(ctx.case.entity(route.terminal).id.clone());
                    }
                    ev
                },
            ));
        }
    }
}
