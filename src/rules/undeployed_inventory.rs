//! `undeployed_inventory`: a data centre or cloud on the route, or a site
//! where the final holder placed the units, received far more than it
//! installed, leased or passed on (stock held in boxes). Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::EntityId;
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
        let parties = route.parties(ctx.case);
        let mut candidates: Vec<EntityId> = parties.clone();
        // Sites where holders on the route installed or shipped this product.
        for p in parties {
            for &site in ctx.undeployed_sites.get(&(p, route.product)).map(Vec::as_slice).unwrap_or(&[]) {
                if !candidates.contains(&site) {
                    candidates.push(site);
                }
            }
        }
        for e in candidates {
            let Some(&(received, deployed)) = ctx.undeployed.get(&(e, route.product)) else { continue };
            let ent = ctx.case.entity(e);
            let idle = received - deployed;
            let cap = match ent.capacity_gpus {
                Some(c) if received > c => format!("; that is more than its declared capacity of {c} GPUs"),
                Some(c) => format!("; declared capacity {c} GPUs"),
                None => String::new(),
            };
            out.push(Flag {
                rule: self.id(),
                detail: format!(
                    "{} received {received} {} but installed, leased or passed on only {deployed}: {idle} units undeployed{cap}",
                    ctx.who(e),
                    ctx.case.s(route.product),
                ),
                evidence: vec![ent.id.clone()],
            });
        }
    }
}
