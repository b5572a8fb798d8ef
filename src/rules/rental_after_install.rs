//! `rental_after_install` (docs/spec.md §5.1): controlled units are leased to a
//! party in a country of concern, or flagged (listed, owned by listed
//! parties, a parent in a country of concern, control ties), within the
//! policy's `rental_after_install_days` of their installation. The install
//! record and its site are the evidence: a cloud fills new capacity over
//! months, so a rental that follows the install within weeks says the
//! servers were put up for that lessee. A lease of units that sit in the
//! lessee's own country (`rules::domestic_lease`) counts only for a lessee
//! restricted by what it is (`rules::restricts_lessee`: a listing, ties
//! abroad), not where it sits: a cloud putting up servers for a customer at
//! home is its trade, and where the units came from is judged on the route
//! that brought them.

use super::{Ctx, Rule, domestic_lease, restricts_lessee};
use crate::analysis::routes::Route;
use crate::model::{RecordId, RecordKind};
use crate::scan::Flag;

pub struct RentalAfterInstall;

impl Rule for RentalAfterInstall {
    fn id(&self) -> &'static str {
        "rental_after_install"
    }

    fn check(&self, ctx: &Ctx, route: &Route, earlier: &[Flag], out: &mut Vec<Flag>) {
        let lease = &ctx.case.records[route.last() as usize];
        if lease.kind != RecordKind::Lease || !ctx.controlled(route) {
            return;
        }
        let lessee = ctx.case.entity(route.terminal);
        let domestic = domestic_lease(ctx, route);
        let mut why: Vec<&str> = earlier
            .iter()
            .filter(|f| {
                f.subject == route.terminal
                    && matches!(
                        f.rule,
                        "listed_party" | "listed_affiliate" | "parent_in_country_of_concern" | "control_ties"
                    )
                    && f.weight.is_none()
                    && restricts_lessee(ctx, route, f, domestic)
            })
            .map(|f| f.rule)
            .collect();
        why.dedup();
        let in_concern = domestic.is_none() && ctx.policy.is_country_of_concern(lessee.country);
        if !in_concern && why.is_empty() {
            return;
        }
        // The latest install of the product, no later than the lease, by a
        // holder on the route (the lessor, or the owner a sub-lessor leases from).
        let holders = route.parties(ctx.case);
        let mut best: Option<RecordId> = None;
        for &h in &holders {
            if h == route.terminal {
                continue;
            }
            for &ri in &ctx.placements[h as usize] {
                let r = &ctx.case.records[ri as usize];
                if r.kind != RecordKind::Install || r.product != lease.product || r.date > lease.date {
                    continue;
                }
                if let (Some(a), Some(b)) = (r.lot, lease.lot)
                    && a != b
                {
                    continue;
                }
                if best.is_none_or(|b| ctx.case.records[b as usize].date < r.date) {
                    best = Some(ri);
                }
            }
        }
        let Some(install) = best else { return };
        let ir = &ctx.case.records[install as usize];
        let days = ir.date.days_until(lease.date);
        if days > ctx.policy.rental_after_install_days {
            return;
        }
        let mut reasons = Vec::new();
        if in_concern {
            reasons.push(format!("sits in {}, a country of concern", lessee.country));
        }
        if !why.is_empty() {
            reasons.push(format!("is flagged by {}", why.join(", ")));
        }
        out.push(Flag::new(
            self.id(),
            route.terminal,
            format!(
                "{} installed {} {} at {} on {} (record {}) and {} leased them to {} {days:.0} day(s) later, on {} (record {}; policy: within {} days); the lessee {}",
                ctx.who(ir.from),
                ir.quantity,
                ctx.case.s(ir.product),
                ctx.who(ir.to),
                ir.date,
                ctx.rid(install),
                ctx.who(lease.from),
                ctx.who(route.terminal),
                lease.date,
                ctx.rid(route.last()),
                ctx.policy.rental_after_install_days,
                reasons.join(" and ")
            ),
            vec![
                lessee.id.clone(),
                ctx.rid(install),
                ctx.case.entity(ir.to).id.clone(),
                ctx.rid(route.last()),
            ],
        ));
    }
}
