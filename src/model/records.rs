//! The records of a case, split by how often a field is read and how often
//! it is written. [`Record`] holds what every stage reads (id, date, kind,
//! parties, product, quantity, lot and parent lot, payment, line) in 48
//! bytes; the fields most records lack or only a few stages read (end date,
//! value, declared end user, ship-to country, source, extra columns) live in
//! side columns of [`Records`], read by record index through its accessors
//! ([`Records::end_date`], [`Records::extras`], ...). A field a record lacks
//! costs nothing in a sparse column; the source, which nearly every record
//! has, is a dense column of symbols.
//!
//! `Records` dereferences to `[Record]`, so `case.records[i]`,
//! `case.records.iter()` and `case.records.len()` read the hot part as a
//! slice; records are added only through [`Records::push`] (in record order).

use super::{Country, Payment, RecordKind, Sym, Timestamp};
use super::{EntityId, RecordId};

/// One sale, shipment, install or lease: the fields every stage reads. The
/// rest of the record is in [`Records`] (see [`RecordExtras`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub date: Timestamp,
    /// Line in records.csv or records.jsonl.
    pub line: u64,
    pub id: Sym,
    pub from: EntityId,
    pub to: EntityId,
    pub product: Sym,
    pub quantity: u32,
    pub lot: Option<Sym>,
    pub parent_lot: Option<Sym>,
    pub kind: RecordKind,
    pub payment: Option<Payment>,
}

/// The fields of a record that most records lack or few stages read, as
/// one value: what [`Records::push`] takes and [`Records::extras`] gives back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordExtras {
    pub end_date: Option<Timestamp>,
    pub value_usd: Option<f64>,
    /// The declared end user as written (an entity id or a free name).
    pub declared_end_user: Option<Sym>,
    pub ship_to_country: Option<Country>,
    pub source: Option<Sym>,
    /// Columns not in the format (and `*_as_written` values), as (key, value) symbols.
    pub attrs: Option<Box<[(Sym, Sym)]>>,
}

impl Record {
    /// A sale of `quantity` units of `product` from `from` to `to` on `date`,
    /// read at `line`, with none of the optional fields: what tests and
    /// examples build cases from (set `lot` and the rest on the result).
    pub fn sale(
        id: Sym,
        date: Timestamp,
        from: EntityId,
        to: EntityId,
        product: Sym,
        quantity: u32,
        line: u64,
    ) -> Record {
        Record {
            id,
            date,
            kind: RecordKind::Sale,
            from,
            to,
            product,
            quantity,
            lot: None,
            parent_lot: None,
            payment: None,
            line,
        }
    }
}

/// A column that most records leave empty: the indices of the records that
/// have a value, ascending, beside their values (4 bytes of index a value,
/// nothing for a record without one).
#[derive(Clone, Debug)]
struct Sparse<T> {
    at: Vec<RecordId>,
    values: Vec<T>,
}

impl<T> Default for Sparse<T> {
    fn default() -> Sparse<T> {
        Sparse { at: Vec::new(), values: Vec::new() }
    }
}

impl<T> Sparse<T> {
    /// Sets record `i`'s value; `i` is past every record set before.
    fn push(&mut self, i: RecordId, value: Option<T>) {
        if let Some(v) = value {
            debug_assert!(self.at.last().is_none_or(|&last| last < i));
            self.at.push(i);
            self.values.push(v);
        }
    }

    /// Record `i`'s value. O(log n) for n values.
    fn get(&self, i: RecordId) -> Option<&T> {
        self.at.binary_search(&i).ok().map(|k| &self.values[k])
    }

    fn shrink_to_fit(&mut self) {
        self.at.shrink_to_fit();
        self.values.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.at.capacity() * size_of::<RecordId>() + self.values.capacity() * size_of::<T>()
    }
}

/// Every record of a case: the hot part as a slice (through `Deref`), the
/// rest in side columns read by index.
#[derive(Clone, Debug, Default)]
pub struct Records {
    hot: Vec<Record>,
    source: Vec<Option<Sym>>,
    end_date: Sparse<Timestamp>,
    value_usd: Sparse<f64>,
    declared_end_user: Sparse<Sym>,
    ship_to_country: Sparse<Country>,
    attrs: Sparse<Box<[(Sym, Sym)]>>,
}

impl std::ops::Deref for Records {
    type Target = [Record];
    fn deref(&self) -> &[Record] {
        &self.hot
    }
}

impl std::ops::DerefMut for Records {
    fn deref_mut(&mut self) -> &mut [Record] {
        &mut self.hot
    }
}

impl<'a> IntoIterator for &'a Records {
    type Item = &'a Record;
    type IntoIter = std::slice::Iter<'a, Record>;
    fn into_iter(self) -> Self::IntoIter {
        self.hot.iter()
    }
}

impl Records {
    /// No records, with room for `n` in the hot part and the source column.
    pub fn with_capacity(n: usize) -> Records {
        Records { hot: Vec::with_capacity(n), source: Vec::with_capacity(n), ..Records::default() }
    }

    /// Makes room for `n` more records.
    pub fn reserve(&mut self, n: usize) {
        self.hot.reserve(n);
        self.source.reserve(n);
    }

    /// Adds a record after the others; returns its index.
    pub fn push(&mut self, record: Record, extras: RecordExtras) -> RecordId {
        let i = self.hot.len() as RecordId;
        let RecordExtras { end_date, value_usd, declared_end_user, ship_to_country, source, attrs } = extras;
        self.hot.push(record);
        self.source.push(source);
        self.end_date.push(i, end_date);
        self.value_usd.push(i, value_usd);
        self.declared_end_user.push(i, declared_end_user);
        self.ship_to_country.push(i, ship_to_country);
        self.attrs.push(i, attrs.filter(|a| !a.is_empty()));
        i
    }

    /// Adds every record of `other` after these, each symbol (but ids)
    /// passed through `map` (from `other`'s strings to these records' strings).
    pub fn append_mapped(&mut self, other: Records, map: impl Fn(Sym) -> Sym) {
        let base = self.hot.len() as RecordId;
        let Records { hot, source, end_date, value_usd, declared_end_user, ship_to_country, attrs } = other;
        self.hot.extend(hot.into_iter().map(|mut r| {
            r.product = map(r.product);
            r.lot = r.lot.map(&map);
            r.parent_lot = r.parent_lot.map(&map);
            r
        }));
        self.source.extend(source.into_iter().map(|s| s.map(&map)));
        fn shifted<T>(to: &mut Sparse<T>, from: Sparse<T>, base: RecordId, f: impl Fn(T) -> T) {
            to.at.extend(from.at.into_iter().map(|i| i + base));
            to.values.extend(from.values.into_iter().map(f));
        }
        shifted(&mut self.end_date, end_date, base, |v| v);
        shifted(&mut self.value_usd, value_usd, base, |v| v);
        shifted(&mut self.declared_end_user, declared_end_user, base, &map);
        shifted(&mut self.ship_to_country, ship_to_country, base, |v| v);
        shifted(&mut self.attrs, attrs, base, |mut a| {
            for (k, v) in a.iter_mut() {
                (*k, *v) = (map(*k), map(*v));
            }
            a
        });
    }

    /// The records whose `keep` is true, in order.
    pub fn retain_indices(self, mut keep: impl FnMut(RecordId) -> bool) -> Records {
        let mut out = Records::with_capacity(self.hot.len());
        for i in 0..self.hot.len() as RecordId {
            if keep(i) {
                out.push(self.hot[i as usize].clone(), self.extras(i));
            }
        }
        out
    }

    /// Frees the room reserved beyond the records held.
    pub fn shrink_to_fit(&mut self) {
        self.hot.shrink_to_fit();
        self.source.shrink_to_fit();
        self.end_date.shrink_to_fit();
        self.value_usd.shrink_to_fit();
        self.declared_end_user.shrink_to_fit();
        self.ship_to_country.shrink_to_fit();
        self.attrs.shrink_to_fit();
    }

    /// Bytes the records hold on the heap (attribute lists counted by their
    /// pointers only), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.hot.capacity() * size_of::<Record>()
            + self.source.capacity() * size_of::<Option<Sym>>()
            + self.end_date.heap_bytes()
            + self.value_usd.heap_bytes()
            + self.declared_end_user.heap_bytes()
            + self.ship_to_country.heap_bytes()
            + self.attrs.heap_bytes()
    }

    /// When a lease of record `i` ends (leases only).
    pub fn end_date(&self, i: RecordId) -> Option<Timestamp> {
        self.end_date.get(i).copied()
    }

    /// Record `i`'s value in US dollars, as written.
    pub fn value_usd(&self, i: RecordId) -> Option<f64> {
        self.value_usd.get(i).copied()
    }

    /// Record `i`'s declared end user as written (an entity id or a free name).
    pub fn declared_end_user(&self, i: RecordId) -> Option<Sym> {
        self.declared_end_user.get(i).copied()
    }

    /// The country record `i` says the goods were shipped to.
    pub fn ship_to_country(&self, i: RecordId) -> Option<Country> {
        self.ship_to_country.get(i).copied()
    }

    /// The document record `i` was taken from.
    pub fn source(&self, i: RecordId) -> Option<Sym> {
        self.source[i as usize]
    }

    /// Record `i`'s columns not in the format (and `*_as_written` values),
    /// as (key, value) symbols; empty when it has none.
    pub fn attrs(&self, i: RecordId) -> &[(Sym, Sym)] {
        self.attrs.get(i).map_or(&[], |a| a)
    }

    /// The records with a declared end user, ascending, with it.
    pub fn with_declared_end_user(&self) -> impl Iterator<Item = (RecordId, Sym)> + '_ {
        self.declared_end_user.at.iter().copied().zip(self.declared_end_user.values.iter().copied())
    }

    /// The records with attributes, ascending, with them.
    pub fn with_attrs(&self) -> impl Iterator<Item = (RecordId, &[(Sym, Sym)])> + '_ {
        self.attrs.at.iter().copied().zip(self.attrs.values.iter().map(|a| &a[..]))
    }

    /// Every side field of record `i`, as one value.
    pub fn extras(&self, i: RecordId) -> RecordExtras {
        RecordExtras {
            end_date: self.end_date(i),
            value_usd: self.value_usd(i),
            declared_end_user: self.declared_end_user(i),
            ship_to_country: self.ship_to_country(i),
            source: self.source(i),
            attrs: self.attrs.get(i).cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use string_interner::Symbol;

    fn sym(i: usize) -> Sym {
        Sym::try_from_usize(i).unwrap()
    }

    #[test]
    fn side_fields_come_back_by_index_after_append_and_retain() {
        let mut a = Records::default();
        let r = |i: usize| Record::sale(sym(i), Timestamp(i as i64), 0, 1, sym(100), 1, i as u64 + 2);
        a.push(r(0), RecordExtras { source: Some(sym(7)), ..RecordExtras::default() });
        a.push(r(1), RecordExtras { end_date: Some(Timestamp(9)), value_usd: Some(2.5), ..RecordExtras::default() });
        let mut b = Records::default();
        b.push(
            r(2),
            RecordExtras {
                declared_end_user: Some(sym(3)),
                ship_to_country: Some(Country::from_code(b"MO")),
                attrs: Some(vec![(sym(4), sym(5))].into_boxed_slice()),
                ..RecordExtras::default()
            },
        );
        a.append_mapped(b, |s| sym(s.to_usize() + 10));
        assert_eq!(a.len(), 3);
        assert_eq!(a.source(0), Some(sym(7)));
        assert_eq!((a.end_date(1), a.value_usd(1), a.source(1)), (Some(Timestamp(9)), Some(2.5), None));
        assert_eq!(a.end_date(2), None);
        assert_eq!(a.declared_end_user(2), Some(sym(13)));
        assert_eq!(a.ship_to_country(2), Some(Country::from_code(b"MO")));
        assert_eq!(a.attrs(2), &[(sym(14), sym(15))]);
        assert_eq!(a[2].product, sym(110), "hot symbols are mapped too");
        assert_eq!(a[2].id, sym(2), "ids are not");
        let kept = a.retain_indices(|i| i != 1);
        assert_eq!(kept.len(), 2);
        assert_eq!((kept.value_usd(0), kept.value_usd(1)), (None, None));
        assert_eq!(kept.attrs(1), &[(sym(14), sym(15))]);
    }

    /// Trade datasets reach tens of millions of records: the hot part must stay compact.
    #[test]
    fn record_stays_compact() {
        let size = size_of::<Record>();
        eprintln!("size_of::<Record>() = {size}");
        assert!(size <= 48, "Record grew to {size} bytes");
    }
}
