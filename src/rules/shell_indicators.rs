//! `shell_indicators`: an intermediary was incorporated shortly before it
//! traded, shares an address with other entities, or has no history beyond
//! this route. Controlled products only. A parent and its subsidiary
//! sharing an office is ordinary, so owned pairs are not counted as shared
//! addresses; and a new company majority-owned by an established group (see
//! `Policy::established_group_years`) is a new subsidiary, not a shell, so
//! its age and thin history are not counted.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::EntityId;
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
            let Some(shell) = ctx.memo(e).shell_indicators.get_or_init(|| signs(ctx, e)) else { continue };
            let thin = shell.thin.as_ref().filter(|_| {
                let on_route = route
                    .records
                    .iter()
                    .filter(|&&r| {
                        let rec = &ctx.case.records[r as usize];
                        rec.from == e || rec.to == e
                    })
                    .count() as u32;
                ctx.activity[e as usize] <= on_route
            });
            out.push(thin.unwrap_or(&shell.plain)[super::role_index(ctx, route, e)].clone());
        }
    }
}

/// What `shell_indicators` finds about one party, rendered once per scan
/// in each of its wordings ([`super::ROLES`], without "the "): its signs
/// depend on the party alone, except whether it traded outside the route
/// at hand.
pub struct Shell {
    /// The flag with the party's signs.
    plain: [Flag; 3],
    /// The same with "has no recorded trade outside this route" added, for
    /// a route that holds all its records; None for a company of an
    /// established group.
    thin: Option<[Flag; 3]>,
}

/// The signs of a shell about `e` (see [`Shell`]), or None when it shows none.
fn signs(ctx: &Ctx, e: EntityId) -> Option<Box<Shell>> {
    let ent = ctx.case.entity(e);
    let mut why = Vec::new();
    let mut evidence = vec![ent.id.clone()];
    let group = *ctx.memo(e).established_group.get_or_init(|| established_group(ctx, e));
    if let (None, Some(inc), Some(first)) = (group, ent.incorporated, ctx.first_trade[e as usize]) {
        let days = inc.days_until(first);
        if (0.0..ctx.policy.shell_age_days).contains(&days) {
            why.push(format!("incorporated {inc}, {days:.0} day(s) before its first recorded trade on {first}"));
        }
    }
    if ent.address.is_some() {
        let others: Vec<String> = ctx
            .same_address(e)
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
    if why.is_empty() {
        return None;
    }
    let evidence: std::sync::Arc<[String]> = evidence.into();
    let flags = |why: &[String]| {
        super::ROLES.map(|role| {
            let role = role.trim_start_matches("the ");
            Flag::new("shell_indicators", e, format!("{role} {} {}", ctx.who(e), why.join("; ")), evidence.clone())
        })
    };
    let plain = flags(&why);
    let thin = group.is_none().then(|| {
        why.push("has no recorded trade outside this route".to_string());
        flags(&why)
    });
    Some(Box::new(Shell { plain, thin }))
}

/// The established group that holds a majority of `e`, if any: its ultimate
/// parent (at `e`'s first trade) incorporated at least
/// `established_group_years` before `e`, outside the countries of concern and
/// not listed. A group of concern founding a fresh company is no comfort.
fn established_group(ctx: &Ctx, e: EntityId) -> Option<EntityId> {
    let t = ctx.first_trade[e as usize]?;
    let (parent, _) = ctx.ultimate_parent(e, t)?;
    let p = ctx.case.entity(parent);
    let (born, since) = (p.incorporated?, ctx.case.entity(e).incorporated.unwrap_or(t));
    let years = born.days_until(since) / 365.25;
    (years >= ctx.policy.established_group_years
        && !ctx.policy.is_country_of_concern(p.country)
        && !ctx.is_listed(parent))
    .then_some(parent)
}
