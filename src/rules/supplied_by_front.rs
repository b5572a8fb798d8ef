//! `supplied_by_front`: a restricted terminal (in a country of concern with a
//! licence requirement, listed, owned by listed parties, or with a parent in
//! a country of concern) got its units through a front: an intermediary on
//! its route that shows two of four signs of concealment, each a flag of
//! its own on the route: it is a shell (`shell_indicators`), it passed the
//! units on within days (`rapid_resale`, `transshipment_hub`), it bought
//! them under paperwork naming a different end user (`end_user_mismatch`),
//! or it sent more than it had on record, hiding where units came from
//! (`quantity_mismatch`). One sign alone is ordinary (a new distributor, a
//! back-to-back order, a clerk's error, a purchase the case does not hold).
//! Controlled products only.
//!
//! The flag is about the terminal: the front's own flags say what the front
//! is; this one says how the terminal came by the units. A licence for a
//! restricted destination is applied for, not routed around; units that
//! reach such a terminal through a company set up for the deal say the
//! requirement was evaded, so the terminal is the end user the front hid
//! (the Chinese cloud buying A100 through a five-week-old Hong Kong
//! reseller). A terminal that is not restricted is never flagged: an
//! allied customer of a suspicious intermediary is judged by what it is.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::EntityId;
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
        if restricted.is_empty() {
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
            let signs: Vec<&str> = [
                (&shell, "shows shell indicators"),
                (&quick, "passed the units on within days"),
                (&paper, "bought them under paperwork naming a different end user"),
                (&phantom, "sent more units than it had on record"),
            ]
            .into_iter()
            .filter(|(f, _)| !f.is_empty())
            .map(|(_, s)| s)
            .collect();
            if signs.len() < 2 {
                continue;
            }
            out.push(front_flag(
                ctx,
                self.id(),
                route.terminal,
                front,
                &signs,
                &restricted,
                [shell, quick, paper, phantom],
            ));
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
        for e in &f.evidence {
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
