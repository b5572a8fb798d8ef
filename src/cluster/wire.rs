//! Routes and findings as bytes between ranks. Every rank holds the same
//! case with the same interned strings (see `super::part`), so
//! entity, record and symbol indices mean the same everywhere and travel as
//! numbers. Each struct is taken apart field by field, so adding a field to
//! `Route`, `Finding` or `Flag` fails to compile here until it travels too.

use crate::analysis::routes::{Cut, Route, Walk};
use crate::model::Sym;
use crate::scan::{Finding, FindingKind, Flag, Severity};
use string_interner::Symbol;

/// Bytes being written.
#[derive(Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    pub fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    pub fn bool(&mut self, b: bool) {
        self.0.push(b as u8);
    }
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn sym(&mut self, s: Sym) {
        self.u32(s.to_usize() as u32);
    }
    fn opt_sym(&mut self, s: Option<Sym>) {
        self.u32(s.map_or(u32::MAX, |s| s.to_usize() as u32));
    }
    fn ids(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        for &x in v {
            self.u32(x);
        }
    }

    pub fn route(&mut self, r: &Route) {
        let Route { records, terminal, product, quantity, lot, inferred, plausibility, truncated, cut, examined } = r;
        self.ids(records);
        self.u32(*terminal);
        self.sym(*product);
        self.u32(*quantity);
        self.opt_sym(*lot);
        self.bool(*inferred);
        self.f64(*plausibility);
        self.bool(*truncated);
        self.cut(*cut);
        self.u64(*examined);
    }

    pub fn walk(&mut self, w: &Walk) {
        let Walk { records, terminal, product, quantity, lot, inferred, plausibility, cut, examined } = w;
        self.ids(records);
        self.u32(*terminal);
        self.sym(*product);
        self.u32(*quantity);
        self.opt_sym(*lot);
        self.bool(*inferred);
        self.f64(*plausibility);
        self.cut(*cut);
        self.u64(*examined);
    }

    pub fn cut(&mut self, c: Option<Cut>) {
        self.0.push(match c {
            None => 0,
            Some(Cut::Depth) => 1,
            Some(Cut::Candidates) => 2,
            Some(Cut::Examined) => 3,
        });
    }

    pub fn finding(&mut self, f: &Finding) {
        let Finding {
            id,
            score,
            severity,
            kind,
            terminal,
            product,
            quantity,
            lot,
            inferred,
            plausibility,
            path,
            flags,
        } = f;
        self.str(id);
        self.f64(*score);
        self.0.push(*severity as u8);
        self.bool(matches!(kind, FindingKind::Entity));
        self.u32(*terminal);
        self.sym(*product);
        self.u32(*quantity);
        self.opt_sym(*lot);
        self.bool(*inferred);
        self.f64(*plausibility);
        self.ids(path);
        self.u64(flags.len() as u64);
        for fl in flags {
            let Flag { rule, subject, detail, evidence, weight } = fl;
            self.str(rule);
            self.u32(*subject);
            self.str(detail);
            self.u64(evidence.len() as u64);
            for e in evidence.iter() {
                self.str(e);
            }
            self.bool(weight.is_some());
            self.f64(weight.unwrap_or(0.0));
        }
    }
}

/// Bytes being read; every read is None past the end (never a panic).
#[derive(Clone)]
pub struct Dec<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Dec<'a> {
    pub fn new(bytes: &'a [u8]) -> Dec<'a> {
        Dec { bytes, at: 0 }
    }
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
    /// The next `n` bytes, in place.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        self.take(n)
    }
    /// A string read in place (no copy), for the records of the read round.
    pub fn str_ref(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    pub fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    pub fn bool(&mut self) -> Option<bool> {
        Some(self.u8()? == 1)
    }
    pub fn str(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    fn sym(&mut self) -> Option<Sym> {
        Sym::try_from_usize(self.u32()? as usize)
    }
    fn opt_sym(&mut self) -> Option<Option<Sym>> {
        match self.u32()? {
            u32::MAX => Some(None),
            x => Some(Some(Sym::try_from_usize(x as usize)?)),
        }
    }
    fn ids(&mut self) -> Option<Vec<u32>> {
        let n = usize::try_from(self.u64()?).ok()?;
        if n > self.bytes.len() / 4 {
            return None;
        }
        (0..n).map(|_| self.u32()).collect()
    }

    pub fn cut(&mut self) -> Option<Option<Cut>> {
        Some(match self.u8()? {
            0 => None,
            1 => Some(Cut::Depth),
            2 => Some(Cut::Candidates),
            3 => Some(Cut::Examined),
            _ => return None,
        })
    }

    pub fn walk(&mut self) -> Option<Walk> {
        Some(Walk {
            records: self.ids()?,
            terminal: self.u32()?,
            product: self.sym()?,
            quantity: self.u32()?,
            lot: self.opt_sym()?,
            inferred: self.bool()?,
            plausibility: self.f64()?,
            cut: self.cut()?,
            examined: self.u64()?,
        })
    }

    pub fn route(&mut self) -> Option<Route> {
        Some(Route {
            records: self.ids()?,
            terminal: self.u32()?,
            product: self.sym()?,
            quantity: self.u32()?,
            lot: self.opt_sym()?,
            inferred: self.bool()?,
            plausibility: self.f64()?,
            truncated: self.bool()?,
            cut: self.cut()?,
            examined: self.u64()?,
        })
    }

    pub fn finding(&mut self) -> Option<Finding> {
        let id = self.str()?;
        let score = self.f64()?;
        let severity = match self.u8()? {
            x if x == Severity::Low as u8 => Severity::Low,
            x if x == Severity::Medium as u8 => Severity::Medium,
            x if x == Severity::High as u8 => Severity::High,
            _ => return None,
        };
        let kind = if self.bool()? { FindingKind::Entity } else { FindingKind::Route };
        let (terminal, product, quantity, lot) = (self.u32()?, self.sym()?, self.u32()?, self.opt_sym()?);
        let (inferred, plausibility, path) = (self.bool()?, self.f64()?, self.ids()?);
        let n = usize::try_from(self.u64()?).ok()?;
        let mut flags = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let rule = rule_id(&self.str()?);
            let subject = self.u32()?;
            let detail = self.str()?;
            let k = usize::try_from(self.u64()?).ok()?;
            let evidence = (0..k).map(|_| self.str()).collect::<Option<Vec<_>>>()?;
            let (has, w) = (self.bool()?, self.f64()?);
            flags.push(Flag {
                rule,
                subject,
                detail: detail.into(),
                evidence: evidence.into(),
                weight: has.then_some(w),
            });
        }
        Some(Finding {
            id,
            score,
            severity,
            kind,
            terminal,
            product,
            quantity,
            lot,
            inferred,
            plausibility,
            path,
            flags,
        })
    }
}

/// The `&'static str` of a rule id: the registry's own, or (for an id the
/// registry does not list) one leaked copy per distinct id, a handful at most.
fn rule_id(s: &str) -> &'static str {
    use std::sync::Mutex;
    static EXTRA: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    static KNOWN: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    if let Some(r) = KNOWN.get_or_init(crate::rules::rule_ids).iter().find(|r| **r == s) {
        return r;
    }
    let mut extra = EXTRA.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = extra.iter().find(|r| **r == s) {
        return r;
    }
    let r: &'static str = Box::leak(s.to_string().into_boxed_str());
    extra.push(r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Strings;
    use proptest::prelude::*;

    fn sym(strings: &mut Strings, i: u32) -> Sym {
        strings.intern(&format!("S{i}"))
    }

    fn cut(i: u8) -> Option<Cut> {
        [None, Some(Cut::Depth), Some(Cut::Candidates), Some(Cut::Examined)][(i % 4) as usize]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// What a search round sends: any walk (struct literal, so a new
        /// field must be given here) comes back equal, several in a row.
        #[test]
        fn walks_travel_whole(
            walks in proptest::collection::vec(
                (proptest::collection::vec(any::<u32>(), 1..14), any::<u32>(), 0u32..50, any::<u32>(),
                 proptest::option::of(0u32..50), any::<bool>(), 0.0f64..=1.0, any::<u8>(), any::<u64>()),
                0..6,
            )
        ) {
            let mut strings = Strings::default();
            let walks: Vec<Walk> = walks
                .into_iter()
                .map(|(records, terminal, p, quantity, lot, inferred, plausibility, c, examined)| Walk {
                    records,
                    terminal,
                    product: sym(&mut strings, p),
                    quantity,
                    lot: lot.map(|l| sym(&mut strings, l)),
                    inferred,
                    plausibility,
                    cut: cut(c),
                    examined,
                })
                .collect();
            let mut e = Enc::default();
            for w in &walks {
                e.walk(w);
            }
            let mut d = Dec::new(&e.0);
            let mut back = Vec::new();
            while !d.done() {
                back.push(d.walk().expect("a walk reads back"));
            }
            prop_assert_eq!(back, walks);
        }

        /// What the routes round sends: any route comes back equal, and a
        /// message cut short reads as garbled, never as a shorter route.
        #[test]
        fn routes_travel_whole_and_a_cut_message_is_no_route(
            records in proptest::collection::vec(any::<u32>(), 1..14),
            terminal in any::<u32>(), p in 0u32..50, quantity in any::<u32>(),
            lot in proptest::option::of(0u32..50), inferred in any::<bool>(),
            plausibility in 0.0f64..=1.0, truncated in any::<bool>(), c in any::<u8>(),
            examined in any::<u64>(), keep in 0usize..100,
        ) {
            let mut strings = Strings::default();
            let route = Route {
                records,
                terminal,
                product: sym(&mut strings, p),
                quantity,
                lot: lot.map(|l| sym(&mut strings, l)),
                inferred,
                plausibility,
                truncated,
                cut: cut(c),
                examined,
            };
            let mut e = Enc::default();
            e.route(&route);
            prop_assert_eq!(Dec::new(&e.0).route(), Some(route));
            let cut_at = keep * e.0.len() / 100;
            prop_assert_eq!(Dec::new(&e.0[..cut_at]).route(), None);
        }
    }
}
