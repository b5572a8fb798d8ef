//! `crypto_payment`: a record on the route was paid in crypto. Controlled products only.

use super::{Ctx, Rule};
use crate::analysis::routes::Route;
use crate::model::Payment;
use crate::scan::Flag;

pub struct CryptoPayment;

impl Rule for CryptoPayment {
    fn id(&self) -> &'static str {
        "crypto_payment"
    }

    fn check(&self, ctx: &Ctx, route: &Route, _: &[Flag], out: &mut Vec<Flag>) {
        if !ctx.controlled(route) {
            return;
        }
        for &ri in &route.records {
            let r = &ctx.case.records[ri as usize];
            if r.payment == Some(Payment::Crypto) {
                // About the payer: the buyer of a sale, the lessee of a lease.
                out.push(Flag::new(
                    self.id(),
                    r.to,
                    format!(
                        "record {} ({} from {} to {} on {}) was paid in crypto{}",
                        ctx.rid(ri),
                        r.kind,
                        ctx.case.entity(r.from).id,
                        ctx.case.entity(r.to).id,
                        r.date,
                        ctx.attr(ri, crate::read::PAYMENT_AS_WRITTEN).map(|w| format!(" ({w})")).unwrap_or_default()
                    ),
                    vec![ctx.rid(ri), ctx.case.entity(r.to).id.clone()],
                ));
            }
        }
    }
}
