//! Reading the records files of a case (records.csv, records.jsonl or
//! shards) into [`Record`]s: every field checked, duplicates of record ids
//! found, each row read or reported.
//!
//! A records file held whole is read in stretches on the threads of the
//! pool (`table::read_csv_chunked`, `table::read_jsonl_chunked`); each
//! stretch is a [`Part`] with its own interned strings and record ids,
//! taken into the case in file order by [`Records::take`], so the case and
//! its diagnostics are those of the sequential reader (`table::read_csv`,
//! `table::read_jsonl`: used with one thread, and for compressed files that
//! fail to decode).
//! Record ids go to one arena, not the interner; duplicates are found once
//! every file is read, by sorting (hash, position), and reported where the
//! sequential reader reported them: after the row's own diagnostics.

use super::*;
use crate::diag::Diagnostic;
use crate::model::{IdArena, id_hash};
use string_interner::Symbol;

/// What checking a row needs besides the row, shared by every thread.
pub(super) struct Ctx<'a> {
    pub case: &'a Case,
    pub refs: &'a EntityRefs,
    pub products: &'a ProductTable,
}

/// A record's id before [`Records::take`] gives it its place in the arena.
fn placeholder() -> Sym {
    Strings::id_sym(0)
}

/// A row that had an id, for the duplicate check.
struct IdRow {
    hash: u64,
    line: u64,
    /// Where in the diagnostics the row's duplicate error goes (after its own).
    diag: usize,
    /// The row's record (an index into the records), or [`NONE`].
    record: u32,
    /// Index of the records file.
    file: u32,
}

const NONE: u32 = u32::MAX;

/// The product table's answer for each product text a part has met: the
/// same few descriptions fill millions of rows, and recognising one splits
/// it into words and looks up every run of them.
#[derive(Default)]
pub(super) struct Recognised(rustc_hash::FxHashMap<String, Result<Normalised, product::NotRecognised>>);

impl Recognised {
    fn recognise(&mut self, table: &ProductTable, text: &str) -> &Result<Normalised, product::NotRecognised> {
        if !self.0.contains_key(text) {
            self.0.insert(text.to_string(), table.recognise(text));
        }
        &self.0[text]
    }
}

/// The rows of one stretch of a records file, checked, with their strings
/// interned here (not in the case's interner) and their ids in an arena.
#[derive(Default)]
pub(super) struct Part {
    cols: Option<RecordColumns>,
    recognised: Recognised,
    records: crate::model::Records,
    known: Vec<bool>,
    strings: Strings,
    ids: String,
    id_ends: Vec<usize>,
    id_rows: Vec<IdRow>,
    rejected: usize,
}

impl Part {
    /// Checks one row; `jsonl` rows resolve their columns each (keys may differ).
    pub fn row(&mut self, ctx: &Ctx, jsonl: bool, row: &Row, diags: &mut Diagnostics) {
        if jsonl || self.cols.as_ref().is_none_or(|c| !c.resolved_for(row.headers())) {
            self.cols = Some(RecordColumns::resolve(row.headers()));
        }
        let Some(cols) = self.cols.as_ref() else { return };
        let record = record_from_row(ctx, &mut self.strings, &mut self.recognised, cols, row, diags);
        let Some(id) = cols.get(row, C_ID) else {
            self.rejected += 1;
            return;
        };
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
        let index = match record {
            Some((r, extras, known)) => {
                self.known.push(known);
                self.records.push(r, extras)
            }
            None => {
                self.rejected += 1;
                NONE
            }
        };
        self.id_rows.push(IdRow { hash: id_hash(id), line: row.line, diag: diags.0.len(), record: index, file: 0 });
    }
}

/// Every records file read so far, in file order.
#[derive(Default)]
pub(super) struct Records {
    records: crate::model::Records,
    known: Vec<bool>,
    strings: Strings,
    /// Ids of every row that had one, read or rejected, in order.
    ids: String,
    /// End of each id in `ids`, modulo 2^32 (see `wraps`).
    id_ends: Vec<u32>,
    /// Positions where `id_ends` wrapped past 2^32 bytes.
    wraps: Vec<u32>,
    id_rows: Vec<IdRow>,
    pub rejected: usize,
    /// Scratch: the case's symbol of each of a part's symbols.
    map: Vec<Sym>,
}

impl Records {
    pub fn new(strings: Strings) -> Records {
        Records { strings, ..Records::default() }
    }

    /// Records read so far (duplicates not yet taken out).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Makes room for parts of (records, ids, id bytes) each.
    pub fn reserve(&mut self, parts: impl Iterator<Item = (usize, usize, usize)>) {
        let (r, i, b) = parts.fold((0, 0, 0), |(r, i, b), (r2, i2, b2)| (r + r2, i + i2, b + b2));
        self.records.reserve(r);
        self.known.reserve(r);
        self.id_rows.reserve(i);
        self.id_ends.reserve(i);
        self.ids.reserve(b);
    }

    /// Takes a part of file `file` in file order; its diagnostics begin at
    /// index `at` of the case's diagnostics.
    pub fn take(&mut self, part: Part, at: usize, file: usize) {
        let Part { records, known, strings, ids, id_ends, id_rows, rejected, .. } = part;
        // The case's interner sees each string where a sequential read would
        // have interned it first: parts come in file order, and a part's
        // symbols are in the order its rows interned them.
        let remap = !(self.strings.is_empty() && self.records.is_empty() && self.id_rows.is_empty());
        let first_record = self.records.len();
        if remap {
            self.map.clear();
            for (_, s) in strings.iter() {
                let g = self.strings.intern(s);
                self.map.push(g);
            }
            let map = &self.map;
            self.records.append_mapped(records, |s: Sym| map[s.to_usize()]);
        } else {
            self.strings = strings;
            self.records.append_mapped(records, |s| s);
        }
        self.known.extend(known);
        let first_id = self.id_rows.len();
        let base = self.ids.len();
        self.ids.push_str(&ids);
        for e in id_ends {
            let end = base + e;
            let low = end as u32;
            if self.id_ends.last().is_some_and(|&prev| low < prev) {
                self.wraps.push(self.id_ends.len() as u32);
            }
            self.id_ends.push(low);
        }
        for (i, mut row) in id_rows.into_iter().enumerate() {
            row.diag += at;
            row.file = file as u32;
            if row.record != NONE {
                row.record += first_record as u32;
                self.records[row.record as usize].id = Strings::id_sym(first_id + i);
            }
            self.id_rows.push(row);
        }
        self.rejected += rejected;
    }

    /// Reports duplicate record ids (after each row's own diagnostics, as
    /// the first occurrence of each id is kept), takes their records out,
    /// and puts the ids into the case's strings. `files` are the names of
    /// the records files, `starts` the index of each file's first record
    /// (made the index among the records kept). Returns the records, each
    /// with whether the product table knows its product.
    ///
    /// # Complexity
    /// O(n log n) for n rows with an id (a sort of (hash, position) pairs,
    /// in parallel when `parallel`), plus O(s log s) for s interned strings.
    pub fn finish(
        mut self,
        files: &[String],
        starts: &mut [RecordId],
        parallel: bool,
        diags: &mut Diagnostics,
    ) -> (crate::model::Records, Vec<bool>, Strings, usize) {
        use rayon::prelude::*;
        let mut order: Vec<(u64, u32)> = self.id_rows.iter().enumerate().map(|(i, r)| (r.hash, i as u32)).collect();
        if parallel {
            order.par_sort_unstable();
        } else {
            order.sort_unstable();
        }
        let mut ids = IdArena::new(
            std::mem::take(&mut self.ids),
            std::mem::take(&mut self.id_ends),
            std::mem::take(&mut self.wraps),
        );
        // The first row of each id; later rows with the same id are duplicates.
        let mut first_of: Vec<u32> = vec![NONE; self.id_rows.len()];
        let mut firsts: Vec<u32> = Vec::new();
        for run in order.chunk_by(|a, b| a.0 == b.0) {
            firsts.clear();
            for &(_, i) in run {
                let text = ids.get(i as usize);
                match firsts.iter().find(|&&f| ids.get(f as usize) == text) {
                    Some(&f) => first_of[i as usize] = f,
                    None => firsts.push(i),
                }
            }
        }
        // Duplicate errors, in row order (their places in the diagnostics only grow).
        let mut removed = vec![false; self.records.len()];
        let mut extra: Vec<(usize, Diagnostic)> = Vec::new();
        for (i, row) in self.id_rows.iter().enumerate() {
            let f = first_of[i];
            if f == NONE {
                continue;
            }
            let first = &self.id_rows[f as usize];
            let (file, pf) = (&files[row.file as usize], first.file as usize);
            let at = if pf == row.file as usize {
                format!("line {}", first.line)
            } else {
                format!("{}:{}", files[pf], first.line)
            };
            let message = format!("field `id`: duplicate record id `{}` (first at {at})", shown(ids.get(i)));
            extra.push((row.diag, Diagnostic::error(file.as_str(), row.line, message)));
            if row.record != NONE {
                removed[row.record as usize] = true;
                self.rejected += 1;
            }
        }
        if !extra.is_empty() {
            let old = std::mem::take(&mut diags.0);
            let mut extra = extra.into_iter().peekable();
            for (k, d) in old.into_iter().enumerate() {
                while let Some((_, e)) = extra.next_if(|(at, _)| *at == k) {
                    diags.0.push(e);
                }
                diags.0.push(d);
            }
            diags.0.extend(extra.map(|(_, e)| e));
        }
        // A text that is an id and an interned string has the interned symbol
        // (as when ids were interned): found by joining the two sorted by hash.
        let mut interned: Vec<(u64, Sym)> = self.strings.iter().map(|(s, t)| (id_hash(t), s)).collect();
        interned.sort_unstable_by_key(|&(h, s)| (h, s.to_usize()));
        let mut j = 0;
        for &(h, sym) in &interned {
            while j < order.len() && order[j].0 < h {
                j += 1;
            }
            let text = self.strings.resolve(sym);
            // The first row with the text (rows of a hash are in order).
            if let Some(&(_, i)) = order[j..].iter().take_while(|o| o.0 == h).find(|o| ids.get(o.1 as usize) == text) {
                let r = self.id_rows[i as usize].record;
                if r != NONE {
                    self.records[r as usize].id = sym;
                }
            }
        }
        // Take the duplicates out; each file's first record moves back by those before it.
        if !removed.contains(&true) {
            ids.index(&order);
            drop(order);
            let mut strings = self.strings;
            strings.set_ids(ids);
            return (self.records, self.known, strings, self.rejected);
        }
        let mut known = Vec::with_capacity(self.records.len());
        let mut kept_before = Vec::with_capacity(self.records.len() + 1);
        for (i, k) in self.known.into_iter().enumerate() {
            kept_before.push(known.len() as RecordId);
            if !removed[i] {
                known.push(k);
            }
        }
        kept_before.push(known.len() as RecordId);
        let records = self.records.retain_indices(|i| !removed[i as usize]);
        for s in starts.iter_mut() {
            *s = kept_before[*s as usize];
        }
        ids.index(&order);
        drop(order);
        let mut strings = self.strings;
        strings.set_ids(ids);
        (records, known, strings, self.rejected)
    }
}

/// Where each of [`RECORD_COLUMNS`] sits in a records table, resolved once
/// per CSV file (per line for JSON lines, whose keys may differ), so reading a
/// row never looks a column up by name.
struct RecordColumns {
    /// The address of the header these positions were resolved for (a CSV
    /// file's rows share one header).
    headers: usize,
    at: [Option<usize>; RECORD_COLUMNS.len()],
    /// Positions of the columns that are not in the format (kept as attributes).
    extra: Vec<usize>,
}

impl RecordColumns {
    fn resolve(headers: &[String]) -> RecordColumns {
        let mut at = [None; RECORD_COLUMNS.len()];
        for (slot, name) in at.iter_mut().zip(RECORD_COLUMNS) {
            *slot = table::column(headers, name);
        }
        let extra = (0..headers.len()).filter(|&i| !RECORD_COLUMNS.contains(&headers[i].as_str())).collect();
        RecordColumns { headers: headers.as_ptr() as usize, at, extra }
    }

    fn resolved_for(&self, headers: &[String]) -> bool {
        self.headers == headers.as_ptr() as usize
    }

    /// The trimmed, non-empty value of column `c` (an index into [`RECORD_COLUMNS`]).
    fn get<'r>(&self, row: &'r Row, c: usize) -> Option<&'r str> {
        row.at(self.at[c]?)
    }
}

// Positions in RECORD_COLUMNS.
const C_ID: usize = 0;
const C_DATE: usize = 1;
const C_KIND: usize = 2;
const C_FROM: usize = 3;
const C_TO: usize = 4;
const C_PRODUCT: usize = 5;
const C_QUANTITY: usize = 6;
const C_LOT: usize = 7;
const C_PARENT_LOT: usize = 8;
const C_END_DATE: usize = 9;
const C_VALUE_USD: usize = 10;
const C_PAYMENT: usize = 11;
const C_DECLARED_END_USER: usize = 12;
const C_SHIP_TO_COUNTRY: usize = 13;
const C_SOURCE: usize = 14;

/// The columns every records file must have.
const RECORD_REQUIRED: &[&str] = &["id", "date", "kind", "from", "to", "product", "quantity"];

/// A record from a row, and whether its product is one the table knows.
fn record_from_row(
    ctx: &Ctx,
    strings: &mut Strings,
    recognised: &mut Recognised,
    cols: &RecordColumns,
    row: &Row,
    diags: &mut Diagnostics,
) -> Option<(Record, RecordExtras, bool)> {
    let get = |c: usize| cols.get(row, c);
    let id = need(row, "id", get(C_ID), diags);
    let date = match get(C_DATE) {
        None => {
            diags.error(row.file, row.line, "field `date`: required value is empty");
            Err(())
        }
        v @ Some(_) => date_value(row, "date", v, diags),
    };
    let kind = need(row, "kind", get(C_KIND), diags).and_then(|k| {
        let parsed = RecordKind::parse(k);
        if parsed.is_none() {
            diags.error(
                row.file,
                row.line,
                format!(
                    "field `kind`: unknown record kind `{}` (expected one of {})",
                    shown(k),
                    RecordKind::expected()
                ),
            );
        }
        parsed
    });
    let from = entity_value(ctx.case, ctx.refs, row, "from", get(C_FROM), diags);
    let to = entity_value(ctx.case, ctx.refs, row, "to", get(C_TO), diags);
    let product = need(row, "product", get(C_PRODUCT), diags);
    let quantity = need(row, "quantity", get(C_QUANTITY), diags).and_then(|q| match q.parse::<u32>() {
        Ok(n) if n > 0 => Some(n),
        // Digits that do not fit: say the limit rather than "not an integer".
        _ if q.bytes().all(|b| b.is_ascii_digit()) && q.bytes().any(|b| b != b'0') => {
            diags.error(
                row.file,
                row.line,
                format!(
                    "field `quantity`: `{}` is more units than one record can hold (at most {})",
                    shown(q),
                    u32::MAX
                ),
            );
            None
        }
        _ => {
            diags.error(row.file, row.line, format!("field `quantity`: `{}` is not a positive integer", shown(q)));
            None
        }
    });
    let end_date = date_value(row, "end_date", get(C_END_DATE), diags);
    let value_usd = match get(C_VALUE_USD) {
        None => Ok(None),
        Some(v) => match parse_amount(v) {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
            _ => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `value_usd`: `{}` is not a non-negative amount", shown(v)),
                );
                Err(())
            }
        },
    };
    // An unknown spelling of a payment is kept as written (an attribute) and
    // warned about; it never stops the case (docs/spec.md §5.2).
    let payment: Result<Option<Payment>, ()> = match get(C_PAYMENT) {
        None => Ok(None),
        Some(p) => {
            let parsed = Payment::parse(p);
            if parsed.is_none() {
                diags.warning(
                    row.file,
                    row.line,
                    format!(
                        "field `payment`: unknown payment `{}`, kept as written and not read as crypto (known: {}, and spellings such as USDT, USDC, Tether, BTC, ETH, stablecoin, bank transfer)",
                        shown(p),
                        Payment::expected()
                    ),
                );
            }
            Ok(parsed)
        }
    };
    let ship_to = country_value(row, "ship_to_country", get(C_SHIP_TO_COUNTRY), diags);

    let (
        Some(id),
        Ok(Some(date)),
        Some(kind),
        Some(from),
        Some(to),
        Some(product),
        Some(quantity),
        Ok(end_date),
        Ok(value_usd),
        Ok(payment),
        Ok(ship_to),
    ) = (id, date, kind, from, to, product, quantity, end_date, value_usd, payment, ship_to)
    else {
        return None;
    };
    let written_quantity = quantity;
    let mut ok = true;
    if from == to && matches!(kind, RecordKind::Sale | RecordKind::Lease) {
        diags.error(
            row.file,
            row.line,
            format!("fields `from`/`to`: a {kind} from `{}` to itself", shown(&ctx.case.entity(from).id)),
        );
        ok = false;
    }
    if let Some(end) = end_date {
        if end < date {
            diags.error(row.file, row.line, format!("field `end_date`: `{end}` is before the start `{date}`"));
            ok = false;
        }
        if kind != RecordKind::Lease {
            diags.warning(
                row.file,
                row.line,
                format!("field `end_date`: only a lease has an end date; ignored on a {kind}"),
            );
        }
    }
    if !ok {
        return None;
    }
    // The product as the table names it; a server of N GPUs counts N units.
    let (model, quantity, known) = match recognised.recognise(ctx.products, product) {
        Ok(n) => {
            let Some(units) = quantity.checked_mul(n.gpus_per_unit) else {
                diags.error(
                    row.file,
                    row.line,
                    format!(
                        "field `quantity`: {quantity} x `{}` ({} GPUs each) is more GPUs than a record can count",
                        shown(product),
                        n.gpus_per_unit
                    ),
                );
                return None;
            };
            if n.count_unknown {
                diags.warning(
                    row.file,
                    row.line,
                    format!(
                        "field `product`: `{}` is a {} server or board that does not say how many GPUs it holds; {quantity} counted as written (write e.g. `8-GPU` to count GPUs)",
                        shown(product),
                        n.model
                    ),
                );
            }
            (std::borrow::Cow::Borrowed(n.model.as_str()), units, true)
        }
        Err(why) => {
            diags.warning(
                row.file,
                row.line,
                format!(
                    "field `product`: `{}` is not a known product ({why}); record `{}` is not checked against export controls (name it in policy.toml `add_products`)",
                    shown(product),
                    shown(id)
                ),
            );
            (normalise_product(product), quantity, false)
        }
    };
    let mut attrs: Vec<(Sym, Sym)> = Vec::new();
    if model != product {
        attrs.push((strings.intern(PRODUCT_AS_WRITTEN), strings.intern(product)));
    }
    if quantity != written_quantity {
        attrs.push((strings.intern(QUANTITY_AS_WRITTEN), strings.intern(&written_quantity.to_string())));
    }
    if let (Some(p), Some(written)) = (payment, get(C_PAYMENT))
        && !p.as_str().eq_ignore_ascii_case(written.trim())
    {
        attrs.push((strings.intern(PAYMENT_AS_WRITTEN), strings.intern(written)));
    } else if let (None, Some(written)) = (payment, get(C_PAYMENT)) {
        attrs.push((strings.intern(PAYMENT_AS_WRITTEN), strings.intern(written)));
    }
    let mut intern_opt = |c: usize| get(c).map(|v| strings.intern(v));
    let lot = intern_opt(C_LOT);
    let parent_lot = intern_opt(C_PARENT_LOT);
    let declared_end_user = intern_opt(C_DECLARED_END_USER);
    let source = intern_opt(C_SOURCE);
    if lot.is_some() && lot == parent_lot {
        diags.warning(row.file, row.line, "field `parent_lot`: equals `lot`; ignored");
    }
    attrs.extend(row.extra_at(&cols.extra).map(|(k, v)| (strings.intern(k), strings.intern(v))));
    let record = Record {
        id: placeholder(),
        date,
        kind,
        from,
        to,
        product: strings.intern(&model),
        quantity,
        lot,
        parent_lot: if lot == parent_lot { None } else { parent_lot },
        payment,
        line: row.line,
    };
    let extras = RecordExtras {
        end_date: if kind == RecordKind::Lease { end_date } else { None },
        value_usd,
        declared_end_user,
        ship_to_country: ship_to,
        source,
        attrs: (!attrs.is_empty()).then(|| attrs.into_boxed_slice()),
    };
    Some((record, extras, known))
}

/// How the records files are read: on how many threads, in stretches of how many bytes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Threads {
    /// 0: the current rayon pool; 1: the sequential reader; n: a pool of n.
    pub threads: usize,
    pub chunk_bytes: usize,
}

/// Bytes a stretch of a records file holds when nothing else is asked:
/// large enough that cutting costs nothing, small enough for many stretches.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Reads the records files `names` in order as one table.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_records(
    case: &mut Case,
    refs: &EntityRefs,
    products: &ProductTable,
    src: &Source,
    names: &[String],
    threads: Threads,
    diags: &mut Diagnostics,
) {
    let mut acc = Records::new(std::mem::take(&mut case.strings));
    let mut shape_rejected = 0;
    let mut files = Vec::new();
    let mut record_files: Vec<(RecordId, String, usize)> = Vec::new();
    let file_names: Vec<String> = names.iter().map(|n| src.shown(n)).collect();
    let pool = match threads.threads {
        0 | 1 => None,
        n => rayon::ThreadPoolBuilder::new().num_threads(n).build().ok(),
    };
    let ctx = Ctx { case, refs, products };
    for (fi, name) in names.iter().enumerate() {
        let file = &file_names[fi];
        record_files.push((acc.len() as RecordId, file.clone(), acc.rejected + shape_rejected + acc.len()));
        let jsonl = name.ends_with(".jsonl");
        if threads.threads == 1 {
            let Some(input) = open_into(&mut files, src, name, diags) else { continue };
            shape_rejected += read_stream(&ctx, &mut acc, input, file, fi, jsonl, diags);
            continue;
        }
        let input = match src.open(name) {
            Ok(input) => input,
            Err(_) => {
                open_into(&mut files, src, name, diags); // reports why, as the sequential reader does
                continue;
            }
        };
        // The file whole in memory for the threads; if it cannot be read whole
        // (a corrupt compressed stream), the sequential reader reads it again
        // and reports the problem where it meets it.
        let bytes: std::borrow::Cow<[u8]> = match src.bytes(name) {
            Some(b) => b.into(),
            None => {
                let (mut buf, mut input) = (Vec::new(), input);
                if std::io::Read::read_to_end(&mut input, &mut buf).is_err() {
                    files.extend(src.fingerprint(name));
                    shape_rejected += match src.open(name) {
                        Ok(again) => read_stream(&ctx, &mut acc, again, file, fi, jsonl, diags),
                        Err(e) => {
                            diags.error(file, 0, format!("cannot open: {e}"));
                            0
                        }
                    };
                    continue;
                }
                buf.into()
            }
        };
        // Bytes as they are on disk are hashed for the fingerprint here, beside
        // the parse; a compressed file is hashed from disk.
        let plain = match src {
            Source::Memory(_) => true,
            Source::Dir(d) => matches!(Source::resolve(d, name), Some((_, compressed::Codec::Plain))),
        };
        let mut read = || {
            let init = Part::default;
            let take = |parts: Vec<(Part, usize)>| {
                acc.reserve(parts.iter().map(|(p, _)| (p.records.len(), p.id_rows.len(), p.ids.len())));
                for (part, at) in parts {
                    acc.take(part, at, fi);
                }
            };
            let (chunk, each) =
                (threads.chunk_bytes, |part: &mut Part, row: &Row, d: &mut Diagnostics| part.row(&ctx, jsonl, row, d));
            let fingerprint = || if plain { Some(fingerprint_bytes(name, &bytes)) } else { src.fingerprint(name) };
            let parse = || {
                if jsonl {
                    table::read_jsonl_chunked(&bytes, file, chunk, diags, init, each, take)
                } else {
                    table::read_csv_chunked(&bytes, file, RECORD_REQUIRED, chunk, diags, init, each, take)
                }
            };
            rayon::join(fingerprint, parse)
        };
        let (fingerprint, rejected) = match &pool {
            Some(pool) => pool.install(read),
            None => read(),
        };
        files.extend(fingerprint);
        shape_rejected += rejected;
    }
    // Rows of each file: the running count at its start, made a difference.
    let mut end = acc.rejected + shape_rejected + acc.len();
    for f in record_files.iter_mut().rev() {
        (f.2, end) = (end - f.2, f.2);
    }
    let mut starts: Vec<RecordId> = record_files.iter().map(|f| f.0).collect();
    let parallel = threads.threads != 1;
    let finish = |diags: &mut Diagnostics| acc.finish(&file_names, &mut starts, parallel, diags);
    let (records, known, strings, rejected) = match &pool {
        Some(pool) => pool.install(|| finish(diags)),
        None => finish(diags),
    };
    for (f, s) in record_files.iter_mut().zip(starts) {
        f.0 = s;
    }
    case.strings = strings;
    case.files.extend(files);
    case.stats.records_read = records.len();
    case.stats.records_rejected = rejected + shape_rejected;
    case.stats.records_unknown_product = known.iter().filter(|k| !**k).count();
    case.records = records;
    case.records.shrink_to_fit();
    case.record_files = record_files;
}

/// Reads one records file from a stream with the sequential reader.
/// Returns the rows rejected for their shape.
#[allow(clippy::too_many_arguments)]
fn read_stream(
    ctx: &Ctx,
    acc: &mut Records,
    input: impl std::io::BufRead,
    file: &str,
    fi: usize,
    jsonl: bool,
    diags: &mut Diagnostics,
) -> usize {
    let mut part = Part::default();
    let mut each = |row: &Row, d: &mut Diagnostics| part.row(ctx, jsonl, row, d);
    let rejected = if jsonl {
        table::read_jsonl(input, file, diags, &mut each)
    } else {
        table::read_csv(input, file, RECORD_REQUIRED, diags, &mut each)
    };
    acc.take(part, 0, fi);
    rejected
}
