//! `supplied_by_front`: a restricted terminal (in a country of concern with a
//! licence requirement, listed, owned by listed parties, or with a parent in
//! a country of concern) got its units through a front: an intermediary on
//! its route that shows two of four signs of concealment, each a flag of
//! its own on the route: it is a shell (`shell_indicators`), it passed the
//! units on within days (`rapid_resale`, `transshipment_hub`), it bought
//! them under paperwork naming a different end user (`end_user_mismatch`),
//! or it sent more than it had on record, hiding where units came from
//! (`quantity_mismatch`, on this route or on any other of its sends of the
//! product: a phantom excess is what the front is, so the consignee's
//! first delivery, before the excess, came through a front too). One sign alone is ordinary (a new distributor, a
//! back-to-back order, a clerk's error, a purchase the case does not hold).
//! Controlled products only.
//!
//! The flag is about the terminal: the front's own flags say what the front
//! is; this one says how the terminal came by the units. A second flag of
//! the rule, about the front, carries the same conclusion into the front's
//! entity finding (it aggravates the route like the front's other flags). A licence for a
//! restricted destination is applied for, not routed around; units that
//! reach such a terminal through a company set up for the deal say the
//! requirement was evaded, so the terminal is the end user the front hid
//! (the Chinese cloud buying A100 through a five-week-old Hong Kong
//! reseller). A terminal that is not restricted is never flagged: an
//! allied customer of a suspicious intermediary is judged by what it is,
//! and so is the lessee of units that already sit in its own country
//! (`rules::domestic_lease`): the front hid the buyer that brought them in,
//! whose own route carries this flag.

use super::{Ctx, Rule, domestic_lease};
use crate::analysis::routes::Route;
use crate::model::{EntityId, RecordId};
use crate::scan::Flag;

pub struct SuppliedByFront;

/// Rules whose flag about the terminal makes it restricted (a listing that
/// came after the trade, weighted down, does not).
const RESTRICTED: &[&str] = &["listed_party", "listed_affiliate", "country_of_concern", "parent_in_country_of_concern"];

impl Rule for SuppliedByFront {
    fn id(&self) -> &'static str {
        "supplied_by_front"
    }

    fn check(&self, ctx: &Ctx, route: &Route, earlier: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let mut restricted: Vec<&str> = earlier
            .iter()
            .filter(|f| f.subject == route.terminal && f.weight.is_none() && RESTRICTED.contains(&f.rule))
            .map(|f| f.rule)
            .collect();
        restricted.dedup();
        if restricted.is_empty() || domestic_lease(ctx, route).is_some() {
            return;
        }
        for front in route.intermediaries(ctx.case) {
            let about = |rules: &[&str]| -> Vec<&Flag> {
                earlier.iter().filter(|f| f.subject == front && rules.contains(&f.rule)).collect()
            };
            let shell = about(&["shell_indicators"]);
            let quick = about(&["rapid_resale", "transshipment_hub"]);
            let paper = about(&["end_user_mismatch"]);
            let phantom = about(&["quantity_mismatch"]);
            // Units sent beyond its records are what the front is, whichever
            // of its routes shows them: the consignee's first delivery,
            // before the excess, came through the same front.
            let elsewhere: &[RecordId] = if phantom.is_empty() {
                ctx.short_senders.get(&(front, route.product)).map_or(&[], |v| &v[..])
            } else {
                &[]
            };
            let phantom_sign = if elsewhere.is_empty() {
                "sent more units than it had on record".to_string()
            } else {
                let ids: Vec<String> = elsewhere.iter().take(3).map(|&r| ctx.rid(r)).collect();
                format!(
                    "sent more units of {} than it had on record elsewhere in the case (record{} {}{})",
                    ctx.case.s(route.product),
                    if elsewhere.len() > 1 { "s" } else { "" },
                    ids.join(", "),
                    if elsewhere.len() > 3 { ", ..." } else { "" }
                )
            };
            let signs: Vec<&str> = [
                (!shell.is_empty(), "shows shell indicators"),
                (!quick.is_empty(), "passed the units on within days"),
                (!paper.is_empty(), "bought them under paperwork naming a different end user"),
                (!phantom.is_empty() || !elsewhere.is_empty(), phantom_sign.as_str()),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| s)
            .collect();
            if signs.len() < 2 {
                continue;
            }
            let mut flag =
                front_flag(ctx, self.id(), route.terminal, front, &signs, &restricted, [shell, quick, paper, phantom]);
            let mut evidence = flag.evidence.to_vec();
            for &r in elsewhere.iter().take(3) {
                let id = ctx.rid(r);
                if !evidence.contains(&id) {
                    evidence.push(id);
                }
            }
            flag.evidence = evidence.into();
            // The same conclusion about the front itself: its own finding
            // says it fed a restricted destination, not only its signs one
            // by one (a shell with a quick hand-off reads low on its own).
            let about_front = Flag::new(
                self.id(),
                front,
                format!(
                    "{} acted as a front for {} (restricted: {}): it {}",
                    ctx.who(front),
                    ctx.who(route.terminal),
                    restricted.join(", "),
                    signs.join(" and ")
                ),
                {
                    let mut ev = flag.evidence.to_vec();
                    ev.swap(0, 1);
                    ev
                },
            );
            out.push(flag);
            out.push(about_front);
        }
    }
}

fn front_flag(
    ctx: &Ctx,
    rule: &'static str,
    terminal: EntityId,
    front: EntityId,
    signs: &[&str],
    restricted: &[&str],
    flags: [Vec<&Flag>; 4],
) -> Flag {
    let mut evidence = vec![ctx.case.entity(terminal).id.clone(), ctx.case.entity(front).id.clone()];
    for f in flags.iter().flatten() {
        for e in f.evidence.iter() {
            if !evidence.contains(e) {
                evidence.push(e.clone());
            }
        }
    }
    Flag::new(
        rule,
        terminal,
        format!(
            "{} (restricted: {}) got the units through {}, which {}: a front between the maker's channel and a destination that needed a licence",
            ctx.who(terminal),
            restricted.join(", "),
            ctx.who(front),
            signs.join(" and ")
        ),
        evidence,
    )
}
