//! `quantity_mismatch`: a holder on the route sent on, installed or leased
//! more units of the lot or product than it had received by then. A party
//! the case records only as a sender (an integrator whose purchases from
//! the maker are outside the case) is where the records start, as a maker
//! is, and is not judged: its units lack a recorded source for want of data.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::scan::Flag;

pub struct QuantityMismatch;

impl Rule for QuantityMismatch {
    fn id(&self) -> &'static str {
        "quantity_mismatch"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        for &ri in &route.records {
            if let Some(s) = ctx.shortfalls.get(&ri) {
                out.push(Flag::new(
                    self.id(),
                    s.entity,
                    format!("{}: {} units have no recorded source", s.message, s.excess),
                    vec![ctx.case.entity(s.entity).id.clone(), ctx.rid(ri)],
                ));
            }
        }
    }
}
