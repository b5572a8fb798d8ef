//! Where the case's strings live. Repeated strings (lots, products, sources,
//! attribute keys and values) are interned: one copy each, a [`Sym`] per
//! use. Record ids are nearly all distinct, so interning them one by one
//! through a hash map costs more than it saves; they are kept in one byte
//! arena in the order they were read, found again through an index sorted by
//! hash, and get symbols of their own (the top bit set), so `Case::s` and
//! `Strings::resolve` read both kinds alike.
//!
//! A text that is both a record id and an interned string has one symbol,
//! the interned one, as when ids were interned too: a record's `id` then
//! equals the lot or product symbol of the same text.

use super::Sym;
use string_interner::{DefaultBackend, StringInterner, Symbol};

/// Symbols of record ids carry this bit; interned symbols stay below it.
const ID_BIT: usize = 1 << 31;

/// Interned strings and record ids of a case.
#[derive(Debug, Default)]
pub struct Strings {
    interned: StringInterner<DefaultBackend>,
    ids: IdArena,
}

/// Record ids in one arena, in the order they were read: id `i` is the text
/// between the ends of ids `i - 1` and `i`.
#[derive(Debug, Default)]
pub struct IdArena {
    pub text: String,
    /// The end of each id in `text`, modulo 2^32 (4 bytes an id, not 8).
    pub ends: Vec<u32>,
    /// The ids whose end passed another multiple of 2^32 bytes (none below 4 GiB of ids).
    pub wraps: Vec<u32>,
    /// Every id position, sorted by (hash of its text, position).
    by_hash: Vec<u32>,
    /// `by_hash[dir[p]..dir[p + 1]]` are the ids whose hash starts with the bits `p`.
    dir: Vec<u32>,
    /// Bits of the hash `dir` is indexed by.
    bits: u32,
}

/// The hash the id index is sorted by (FxHash: fast, and the same on every run).
pub fn id_hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(text.as_bytes());
    h.finish()
}

impl IdArena {
    /// An arena of ids (`ends` and `wraps` as the fields say), not indexed yet.
    pub fn new(text: String, ends: Vec<u32>, wraps: Vec<u32>) -> IdArena {
        IdArena { text, ends, wraps, ..IdArena::default() }
    }

    /// Where id `i` ends in `text`.
    fn end(&self, i: usize) -> usize {
        let wraps = self.wraps.partition_point(|&w| w as usize <= i);
        self.ends[i] as usize + (wraps << 32)
    }

    /// The text of id `i` (empty past the end).
    pub fn get(&self, i: usize) -> &str {
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        self.text.get(start..self.end(i)).unwrap_or("")
    }

    /// Builds the look-up index from every id position sorted by (hash, position).
    pub fn index(&mut self, sorted: &[(u64, u32)]) {
        let n = sorted.len();
        self.bits = (usize::BITS - (n / 2).leading_zeros()).clamp(1, 32);
        let mut dir = Vec::with_capacity((1 << self.bits) + 1);
        for (k, &(h, _)) in sorted.iter().enumerate() {
            let p = (h >> (64 - self.bits)) as usize;
            while dir.len() <= p {
                dir.push(k as u32);
            }
        }
        dir.resize((1 << self.bits) + 1, n as u32);
        self.dir = dir;
        self.by_hash = sorted.iter().map(|&(_, i)| i).collect();
    }

    /// The first position holding `text`.
    fn find(&self, text: &str) -> Option<usize> {
        if self.by_hash.is_empty() {
            return None;
        }
        let h = id_hash(text);
        let p = (h >> (64 - self.bits)) as usize;
        let (a, b) = (self.dir[p] as usize, self.dir[p + 1] as usize);
        self.by_hash[a..b].iter().map(|&i| i as usize).find(|&i| self.get(i) == text)
    }
}

/// The symbol of record id position `i`.
fn id_sym(i: usize) -> Sym {
    Sym::try_from_usize(ID_BIT | i).expect("fewer than 2^31 record ids")
}

impl Strings {
    pub fn intern(&mut self, s: &str) -> Sym {
        self.interned.get_or_intern(s)
    }

    /// The symbol of a text: the interned one, else a record id's.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.interned.get(s).or_else(|| self.ids.find(s).map(id_sym))
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        let i = sym.to_usize();
        if i & ID_BIT != 0 { self.ids.get(i & !ID_BIT) } else { self.interned.resolve(sym).unwrap_or("") }
    }

    /// Interned strings (record ids in the arena not counted).
    pub fn len(&self) -> usize {
        self.interned.len()
    }

    pub fn is_empty(&self) -> bool {
        self.interned.is_empty()
    }

    /// Interned strings in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &str)> {
        self.interned.iter()
    }

    /// The interned symbol of `s`, if it is interned (record ids not looked at).
    pub fn get_interned(&self, s: &str) -> Option<Sym> {
        self.interned.get(s)
    }

    /// Installs the record ids ([`IdArena::index`] built); id position `i`
    /// is [`Strings::id_sym`]`(i)`.
    pub fn set_ids(&mut self, ids: IdArena) {
        self.ids = ids;
    }

    /// The symbol of record id position `i` (see [`Strings::set_ids`]).
    pub fn id_sym(i: usize) -> Sym {
        id_sym(i)
    }

    /// The position in the id arena of `text`, if some record id is `text`.
    pub fn find_id(&self, text: &str) -> Option<usize> {
        self.ids.find(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_interned_strings_resolve_alike() {
        let mut s = Strings::default();
        let lot = s.intern("L1");
        let ids = ["R1", "R2", "R1", "é"];
        let mut text = String::new();
        let mut ends = Vec::new();
        for id in ids {
            text.push_str(id);
            ends.push(text.len() as u32);
        }
        let mut sorted: Vec<(u64, u32)> = (0..ids.len() as u32).map(|i| (id_hash(ids[i as usize]), i)).collect();
        sorted.sort_unstable();
        let mut arena = IdArena::new(text, ends, Vec::new());
        arena.index(&sorted);
        s.set_ids(arena);
        assert_eq!(s.resolve(Strings::id_sym(1)), "R2");
        assert_eq!(s.resolve(Strings::id_sym(3)), "é");
        assert_eq!(s.get("R1"), Some(Strings::id_sym(0)), "the first position of a repeated id");
        assert_eq!(s.get("L1"), Some(lot));
        assert_eq!(s.get("R9"), None);
        assert_eq!(s.resolve(lot), "L1");
    }
}
