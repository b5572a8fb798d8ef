//! `undeployed_inventory`: a data centre or cloud on the route, or a site
//! where the final holder placed the units, received far more than it
//! installed, leased or passed on (stock held in boxes). Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::{EntityId, EntityKind};
use crate::scan::Flag;

pub struct UndeployedInventory;

impl Rule for UndeployedInventory {
    fn id(&self) -> &'static str {
        "undeployed_inventory"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        let mut candidates: Vec<EntityId> = route.parties(ctx.case);
        // Sites where holders on the route installed or shipped this product.
        for p in route.parties(ctx.case) {
            for &ri in &ctx.placements[p as usize] {
                let r = &ctx.case.records[ri as usize];
                if r.product == route.product && !candidates.contains(&r.to) {
                    candidates.push(r.to);
                }
            }
        }
        for e in candidates {
            let ent = ctx.case.entity(e);
            if !matches!(ent.kind, EntityKind::DataCentre | EntityKind::Cloud) {
                continue;
            }
            let h = ctx.inv.holding(e, route.product);
            let deployed = ctx.deployed(e, route.product) + h.sent + h.shipped;
            let idle = h.received.saturating_sub(deployed);
            if h.received == 0 || idle < ctx.policy.undeployed_min_units {
                continue;
            }
            if (deployed as f64) < ctx.policy.undeployed_ratio * h.received as f64 {
                let cap = ent.capacity_gpus.map(|c| format!("; declared capacity {c} GPUs")).unwrap_or_default();
                out.push(Flag {
                    rule: self.id(),
                    detail: format!(
                        "{} received {} {} but installed, leased or passed on only {}: {idle} units undeployed{cap}",
                        ctx.who(e),
                        h.received,
                        ctx.case.s(route.product),
                        deployed
                    ),
                    evidence: vec![ent.id.clone()],
                });
            }
        }
    }
}
