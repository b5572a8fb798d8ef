//! `crypto_payment`: a record on the route was paid in crypto. Controlled products only.
//! What counts as crypto is the model's one reading of payments
//! ([`Payment::parse`]): the spellings it lists, and a payment written in
//! words read by them (`USDT (TRC-20)` names a stablecoin and a network as
//! contracts write them). The reader, `validate` and `import` read payments
//! the same way, so a payment this rule reads is never warned about as unread.

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
            if r.payment != Some(Payment::Crypto) {
                continue;
            }
            let written = ctx.attr(ri, crate::read::PAYMENT_AS_WRITTEN);
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
                    written.map(|w| format!(" (written `{w}`)")).unwrap_or_default()
                ),
                vec![ctx.rid(ri), ctx.case.entity(r.to).id.clone()],
            ));
        }
    }
}
