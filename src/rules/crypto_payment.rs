//! `crypto_payment`: a record on the route was paid in crypto. Controlled products only.
//! A payment the reader did not know (kept as written) is read here by its
//! words: `USDT (TRC-20)` names a stablecoin and a network as contracts
//! write them, so it is crypto; a text that also names another way to pay
//! (`wire or USDT`) is left unread.

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
            let written = ctx.attr(ri, crate::read::PAYMENT_AS_WRITTEN);
            let by_word = if r.payment.is_none() { written.and_then(crypto_word) } else { None };
            if r.payment == Some(Payment::Crypto) || by_word.is_some() {
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
                        match (written, by_word) {
                            (Some(w), Some(word)) => format!(
                                " (written `{w}`, a spelling the reader keeps as written; read as crypto by its word `{word}`)"
                            ),
                            (Some(w), None) => format!(" ({w})"),
                            _ => String::new(),
                        }
                    ),
                    vec![ctx.rid(ri), ctx.case.entity(r.to).id.clone()],
                ));
            }
        }
    }
}

/// The word of a payment written in words that names a crypto-asset
/// (`USDT` in `USDT (TRC-20)`), when no word names another way to pay.
fn crypto_word(written: &str) -> Option<&str> {
    let words: Vec<&str> = written.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let kinds: Vec<Option<Payment>> = words.iter().map(|w| Payment::parse(w)).collect();
    let other = kinds.iter().any(|k| matches!(k, Some(p) if *p != Payment::Crypto && *p != Payment::Unknown));
    if other {
        return None;
    }
    words.iter().zip(&kinds).find(|(_, k)| **k == Some(Payment::Crypto)).map(|(w, _)| *w)
}

#[cfg(test)]
mod tests {
    use super::crypto_word;

    #[test]
    fn a_payment_written_in_words_is_crypto_by_its_coin() {
        assert_eq!(crypto_word("USDT (TRC-20)"), Some("USDT"));
        assert_eq!(crypto_word("paid in Tether via Binance"), Some("Tether"));
        // Near misses: dollars are not a stablecoin; a text naming a bank
        // transfer as well is not read; a letter of credit is no coin.
        assert_eq!(crypto_word("Bank transfer (USD)"), None);
        assert_eq!(crypto_word("wire or USDT"), None);
        assert_eq!(crypto_word("Letter of Credit"), None);
        assert_eq!(crypto_word("USD"), None);
    }
}
