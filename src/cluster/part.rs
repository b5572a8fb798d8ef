//! The read round of the cluster scan: each rank reads and checks only its
//! own records files (shard `j` of `K` belongs to rank `j mod P`) with the
//! one-process reader, and encodes each shard it read ([`encode`]): the
//! records, already parsed, with the file's diagnostics, fingerprints and
//! row counts. Every rank puts the shards together in shard order as they
//! arrive ([`Assembler`]) into the case one process would have read, with
//! the diagnostics in the one-process order. Checks that span files are
//! made on the whole: a record id repeated in a later shard, and parent
//! lots that are no record's lot.
//!
//! Entities, relations, lists and the policy are small: every rank reads
//! them from its own copy, so they and their diagnostics are the same
//! everywhere and do not travel.
//!
//! Two differences remain on cases that already have errors (and so get no
//! report): an id repeated in a later shard is not reported when its first
//! row was rejected (only read records travel), and a repeat within a
//! later shard of an id first seen in an earlier one cites the first row
//! of its own shard, as the rank that read it saw it.

use super::wire::{Dec, Enc};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::read::shards::Layout;
use crate::read::{Loaded, Marks};

/// What a rank read, as bytes for the others: one message per shard it
/// read, in shard order, each the shard's index, file, rows, diagnostics,
/// fingerprints and records (and, on the rank's first shard, its count of
/// records of unknown products, which the reader keeps per read).
///
/// # Complexity
/// O(records and diagnostics of this rank's shards).
pub fn encode(part: &Loaded, marks: &Marks, layout: &Layout, mine: &[usize]) -> Vec<(usize, Vec<u8>)> {
    let case = &part.case;
    let mut out = Vec::with_capacity(mine.len());
    for (k, &j) in mine.iter().enumerate() {
        let mut e = Enc::default();
        e.u64(if k == 0 { case.stats.records_unknown_product as u64 } else { 0 });
        let (start, file, rows) = case.record_files.get(k).cloned().unwrap_or((0, String::new(), 0));
        let end = case.record_files.get(k + 1).map_or(case.records.len(), |f| f.0 as usize);
        e.u64(j as u64);
        e.str(&file);
        e.u64(rows as u64);
        let diags: Vec<&Diagnostic> =
            part.diags.0[marks.rows.0..marks.rows.1].iter().filter(|d| d.file == file).collect();
        e.u64(diags.len() as u64);
        for d in diags {
            e.0.push(d.is_error() as u8);
            e.u64(d.line);
            e.str(&d.file);
            e.str(&d.message);
        }
        let name = &layout.names[j];
        let files: Vec<&InputFile> = case.files[marks.files.0..marks.files.1]
            .iter()
            .filter(|f| crate::read::compressed::split_name(&f.path).0 == name)
            .collect();
        e.u64(files.len() as u64);
        for f in files {
            e.str(&f.path);
            e.str(&f.sha256);
            e.u64(f.bytes);
        }
        e.u64((end - start as usize) as u64);
        for ri in start..end as RecordId {
            record(&mut e, case, ri);
        }
        out.push((j, e.0));
    }
    out
}

fn opt_str(e: &mut Enc, case: &Case, s: Option<Sym>) {
    e.bool(s.is_some());
    if let Some(s) = s {
        e.str(case.s(s));
    }
}

fn opt_i64(e: &mut Enc, t: Option<Timestamp>) {
    e.bool(t.is_some());
    e.u64(t.map_or(0, |t| t.0 as u64));
}

/// One record, its strings written out (symbols are numbered per process),
/// in the order [`read_record`] reads them back; a field added to `Record`
/// or `RecordExtras` fails to compile there until it travels, and the
/// round-trip test below fails until it is written here too.
fn record(e: &mut Enc, case: &Case, ri: RecordId) {
    let r = &case.records[ri as usize];
    let RecordExtras { end_date, value_usd, declared_end_user, ship_to_country, source, attrs } =
        case.records.extras(ri);
    e.str(case.s(r.id));
    e.u64(r.date.0 as u64);
    e.0.push(RecordKind::ALL.iter().position(|k| *k == r.kind).unwrap_or(0) as u8);
    e.u32(r.from);
    e.u32(r.to);
    e.str(case.s(r.product));
    e.u32(r.quantity);
    opt_str(e, case, r.lot);
    opt_str(e, case, r.parent_lot);
    opt_i64(e, end_date);
    e.bool(value_usd.is_some());
    e.f64(value_usd.unwrap_or(0.0));
    e.0.push(r.payment.map_or(u8::MAX, |p| Payment::ALL.iter().position(|x| *x == p).unwrap_or(0) as u8));
    opt_str(e, case, declared_end_user);
    e.str(ship_to_country.as_ref().map_or("", |c| c.as_str()));
    opt_str(e, case, source);
    let attrs = attrs.as_deref().unwrap_or(&[]);
    e.u64(attrs.len() as u64);
    for &(k, v) in attrs {
        e.str(case.s(k));
        e.str(case.s(v));
    }
    e.u64(r.line);
}

/// A record read back, its strings interned in `strings` in a fixed order
/// (the same on every rank, so symbols mean the same everywhere).
fn read_record(d: &mut Dec, strings: &mut Strings) -> Option<(Record, RecordExtras)> {
    let id = d.str_ref()?;
    let date = Timestamp(d.u64()? as i64);
    let kind = *RecordKind::ALL.get(d.u8()? as usize)?;
    let (from, to) = (d.u32()?, d.u32()?);
    let product = d.str_ref()?;
    let quantity = d.u32()?;
    let opt = |d: &mut Dec, strings: &mut Strings| -> Option<Option<Sym>> {
        Some(if d.bool()? { Some(strings.intern(d.str_ref()?)) } else { None })
    };
    // Interned in a fixed order: lot, parent lot, declared end user, source,
    // attributes, then id and product (below).
    let lot = opt(d, strings)?;
    let parent_lot = opt(d, strings)?;
    let end_date = {
        let (has, t) = (d.bool()?, d.u64()? as i64);
        has.then_some(Timestamp(t))
    };
    let value_usd = {
        let (has, v) = (d.bool()?, d.f64()?);
        has.then_some(v)
    };
    let payment = match d.u8()? {
        u8::MAX => None,
        p => Some(*Payment::ALL.get(p as usize)?),
    };
    let declared_end_user = opt(d, strings)?;
    let ship_to_country = match d.str_ref()? {
        "" => None,
        c => Some(Country::parse(c)?),
    };
    let source = opt(d, strings)?;
    let n = usize::try_from(d.u64()?).ok()?;
    let mut attrs = Vec::with_capacity(n.min(16));
    for _ in 0..n {
        let k = strings.intern(d.str_ref()?);
        attrs.push((k, strings.intern(d.str_ref()?)));
    }
    let line = d.u64()?;
    let record = Record {
        id: strings.intern(id),
        date,
        kind,
        from,
        to,
        product: strings.intern(product),
        quantity,
        lot,
        parent_lot,
        payment,
        line,
    };
    let attrs = (!attrs.is_empty()).then(|| attrs.into_boxed_slice());
    Some((record, RecordExtras { end_date, value_usd, declared_end_user, ship_to_country, source, attrs }))
}

/// The case one process would have read, put together shard by shard in
/// shard order as the shards arrive ([`Assembler::shard`], each shard's
/// bytes dropped once read), from this rank's own read (for the files
/// every rank reads), with the diagnostics in the one-process order: those
/// before the records, each shard's in shard order with a repeated record
/// id reported where the later shard has it, the lot lineage warnings,
/// then those after.
pub struct Assembler {
    part: Loaded,
    marks: Marks,
    case: Case,
    all: Diagnostics,
    /// First place of each record id, dense by symbol: (shard, line).
    first: Vec<(u32, u64)>,
    rejected: usize,
    unknown: usize,
    next: usize,
}

impl Assembler {
    /// Starts from this rank's own read `part` (its records already taken out).
    pub fn new(mut part: Loaded, marks: &Marks) -> Assembler {
        let mine = &mut part.case;
        let mut case = Case {
            root: std::mem::take(&mut mine.root),
            entities: std::mem::take(&mut mine.entities),
            entity_index: std::mem::take(&mut mine.entity_index),
            relations: std::mem::take(&mut mine.relations),
            lists: std::mem::take(&mut mine.lists),
            stats: std::mem::take(&mut mine.stats),
            ..Case::default()
        };
        let mut all = Diagnostics::default();
        all.extend(part.diags.0[..marks.rows.0].iter().cloned());
        case.files.extend(mine.files[..marks.files.0].iter().cloned());
        Assembler { part, marks: *marks, case, all, first: Vec::new(), rejected: 0, unknown: 0, next: 0 }
    }

    /// Makes room for `records` records in all (each rank told the others
    /// how many it read), so that the case's records are one allocation.
    pub fn reserve(&mut self, records: usize) {
        self.case.records.reserve(records);
    }

    /// Reads the next shard in shard order, as [`encode`] wrote it, sent by rank `from`.
    ///
    /// # Complexity
    /// O(records and diagnostics of the shard).
    pub fn shard(&mut self, bytes: &[u8], from: usize) -> Result<(), String> {
        let bad = || format!("the records read by rank {from} arrived garbled");
        let mut d = Dec::new(bytes);
        self.unknown += d.u64().ok_or_else(bad)? as usize;
        let index = usize::try_from(d.u64().ok_or_else(bad)?).map_err(|_| bad())?;
        if index != self.next {
            return Err(format!("expected records file {} from rank {from}, got {index}", self.next));
        }
        self.next += 1;
        let file = d.str().ok_or_else(bad)?;
        let rows = usize::try_from(d.u64().ok_or_else(bad)?).map_err(|_| bad())?;
        let mut diags = Vec::new();
        for _ in 0..d.u64().ok_or_else(bad)? {
            let error = d.u8().ok_or_else(bad)? == 1;
            let line = d.u64().ok_or_else(bad)?;
            let (f, message) = (d.str().ok_or_else(bad)?, d.str().ok_or_else(bad)?);
            diags.push(if error { Diagnostic::error(f, line, message) } else { Diagnostic::warning(f, line, message) });
        }
        for _ in 0..d.u64().ok_or_else(bad)? {
            let (path, sha256) = (d.str().ok_or_else(bad)?, d.str().ok_or_else(bad)?);
            self.case.files.push(InputFile { path, sha256, bytes: d.u64().ok_or_else(bad)? });
        }
        let count = usize::try_from(d.u64().ok_or_else(bad)?).map_err(|_| bad())?;
        let case = &mut self.case;
        let k = case.record_files.len();
        case.record_files.push((case.records.len() as RecordId, file.clone(), rows));
        self.rejected += rows.saturating_sub(count);
        let mut repeats: Vec<Diagnostic> = Vec::new();
        for _ in 0..count {
            let (r, extras) = read_record(&mut d, &mut case.strings)
                .ok_or_else(|| format!("the records of {file} arrived garbled"))?;
            let slot = string_interner::Symbol::to_usize(r.id);
            if self.first.len() <= slot {
                self.first.resize(slot + 1, (0, 0));
            }
            let (pf, prev) = self.first[slot];
            if prev > 0 {
                // Repeats within a shard were reported by the rank that read it.
                repeats.push(Diagnostic::error(
                    file.clone(),
                    r.line,
                    format!(
                        "field `id`: duplicate record id `{}` (first at {}:{prev})",
                        crate::text::shown(case.strings.resolve(r.id)),
                        case.record_files[pf as usize].1
                    ),
                ));
                self.rejected += 1;
                continue;
            }
            self.first[slot] = (k as u32, r.line.max(1));
            case.records.push(r, extras);
        }
        // Each repeat after the shard's own diagnostics of its row and those before.
        let mut repeats = repeats.into_iter().peekable();
        for d in diags {
            while let Some(rep) = repeats.next_if(|rep| rep.line < d.line) {
                self.all.push(rep);
            }
            self.all.push(d);
        }
        self.all.extend(repeats);
        Ok(())
    }

    /// The case, once every shard of `layout` was read.
    ///
    /// # Complexity
    /// O(R) for the lot lineage checks of R records.
    pub fn finish(self, layout: &Layout) -> Result<Loaded, String> {
        let Assembler { part, marks, mut case, mut all, rejected, unknown, next, .. } = self;
        if next != layout.names.len() {
            return Err(format!("expected {} records files from the ranks, got {next}", layout.names.len()));
        }
        case.stats.records_read = case.records.len();
        case.stats.records_rejected = rejected;
        case.stats.records_unknown_product = unknown;
        crate::read::lineage_warnings(&case, &mut all);
        case.files.extend(part.case.files[marks.files.1..].iter().cloned());
        all.extend(part.diags.0[marks.lineage..].iter().cloned());
        Ok(Loaded { case, policy: part.policy, diags: all })
    }
}

/// Keeps in `case` only the records with an end `owns` (step 2 of the
/// partition plan in ARCHITECTURE.md, not yet run by the cluster scan):
/// they keep the case's order, so local record numbers ascend with the
/// global ones, which the returned map gives (local to global, ascending);
/// each records file keeps its records. Everything else in the case
/// (entities, strings, lists) is left as it is.
///
/// An owned entity keeps every record it sent or received, so whatever
/// the inventory and the rules' context derive from one entity's records
/// comes out the same for it on the kept part as on the whole case: the
/// test below holds them to it, and names what does not (idle stock, which
/// also asks about a shipper's purchases and the case's last date).
///
/// # Complexity
/// O(R).
pub fn keep_owned(case: &mut Case, owns: impl Fn(EntityId) -> bool) -> Vec<RecordId> {
    let global: Vec<RecordId> = (0..case.records.len() as RecordId)
        .filter(|&i| {
            let r = &case.records[i as usize];
            owns(r.from) || owns(r.to)
        })
        .collect();
    let mut keep = global.iter().peekable();
    case.records = std::mem::take(&mut case.records).retain_indices(|i| keep.next_if_eq(&&i).is_some());
    for f in &mut case.record_files {
        f.0 = global.partition_point(|&g| g < f.0) as RecordId;
    }
    global
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of a record travels: a record with each field set (a
    /// struct literal, so a new field must be given here) comes back with
    /// the same values, and writes the same bytes again.
    #[test]
    fn a_record_with_every_field_set_travels_whole() {
        let mut case = Case::default();
        let mut s = |t: &str| case.strings.intern(t);
        let (id, product, lot, parent, user, source, k, v) =
            (s("R-1"), s("H100"), s("L-2"), s("L-1"), s("Acme Ltd"), s("bill 7"), s("hs_code"), s("847150"));
        let r = Record {
            id,
            date: Timestamp(1_700_000_000),
            kind: RecordKind::Lease,
            from: 3,
            to: 9,
            product,
            quantity: 512,
            lot: Some(lot),
            parent_lot: Some(parent),
            payment: Some(Payment::Crypto),
            line: 42,
        };
        let extras = RecordExtras {
            end_date: Some(Timestamp(1_800_000_000)),
            value_usd: Some(1.5e7),
            declared_end_user: Some(user),
            ship_to_country: Country::parse("AE"),
            source: Some(source),
            attrs: Some(vec![(k, v)].into_boxed_slice()),
        };
        case.records.push(r, extras);
        let mut e = Enc::default();
        record(&mut e, &case, 0);
        let mut back = Case::default();
        let (got, got_extras) = read_record(&mut Dec::new(&e.0), &mut back.strings).expect("reads back");
        back.records.push(got, got_extras);
        let mut again = Enc::default();
        record(&mut again, &back, 0);
        assert_eq!(e.0, again.0);
        assert_eq!(case.record_line(0), back.record_line(0));
    }

    /// What the inventory and the rules' context derive from an entity's
    /// own records is the same for an owned entity on the records a rank
    /// keeps as on the whole case: its holdings, records, first and n-th
    /// trade, placements, shortfalls and short sends (record numbers
    /// mapped back to the whole case's). Generated worlds, 2 to 4 ranks,
    /// every rank. Idle stock is not held to it: it also asks whether a
    /// shipper into the site bought the product (another entity's
    /// records) and judges at the case's last date.
    #[test]
    fn an_owned_entitys_context_is_the_same_on_the_records_its_rank_keeps() {
        use crate::analysis::inventory::Inventory;
        use crate::rules::Ctx;
        for seed in [3u64, 11] {
            let dir = std::env::temp_dir().join(format!("chiptrace-keep-owned-{}-{seed}", std::process::id()));
            let config = crate::generate::Config { records: 2500, seed, shards: None };
            crate::generate::generate(&dir, &config, &mut |_| {}).expect("generates");
            let opts = crate::read::ReadOptions { threads: 1, ..Default::default() };
            let whole = crate::read::read_case(&dir, &opts).expect("reads");
            let (case, policy) = (&whole.case, &whole.policy);
            let inv = Inventory::build_with(case, false);
            let ctx = Ctx::build(case, policy, &inv, None, false);
            for ranks in 2..=4usize {
                for me in 0..ranks {
                    let owns = |e: EntityId| super::super::entity_owner(e, ranks) == me;
                    let mut part = crate::read::read_case(&dir, &opts).expect("reads");
                    let global = keep_owned(&mut part.case, owns);
                    let sub = &part.case;
                    assert_eq!(global.len(), sub.records.len());
                    assert!(global.windows(2).all(|w| w[0] < w[1]));
                    for (l, &g) in global.iter().enumerate() {
                        assert_eq!(sub.record_line(l as RecordId), case.record_line(g));
                        assert_eq!(sub.record_file(l as RecordId), case.record_file(g));
                    }
                    let g = |v: &[RecordId]| v.iter().map(|&r| global[r as usize]).collect::<Vec<_>>();
                    let sinv = Inventory::build_with(sub, false);
                    let sctx = Ctx::build(sub, policy, &sinv, None, false);
                    let mut checked = 0;
                    for ((e, p), h) in inv.by_product.iter() {
                        if owns(e) {
                            assert_eq!(sinv.holding(e, p), *h, "holding of entity {e}");
                            checked += 1;
                        }
                    }
                    assert!(checked > 0, "rank {me} of {ranks} owns some holder");
                    for e in (0..case.entities.len() as EntityId).filter(|&e| owns(e)) {
                        let i = e as usize;
                        assert_eq!(sctx.activity[i], ctx.activity[i], "records of entity {e}");
                        assert_eq!(sctx.first_trade[i], ctx.first_trade[i]);
                        assert_eq!(sctx.nth_trade[i], ctx.nth_trade[i]);
                        assert_eq!(g(&sctx.placements[i]), ctx.placements[i]);
                    }
                    let short = |c: &Ctx, map: &dyn Fn(RecordId) -> RecordId| {
                        let mut v: Vec<_> = c
                            .shortfalls
                            .values()
                            .filter(|s| owns(s.entity))
                            .map(|s| (map(s.record), s.entity, s.excess, s.lot, s.product, s.line, s.message.clone()))
                            .collect();
                        v.sort();
                        v
                    };
                    assert_eq!(short(&sctx, &|r| global[r as usize]), short(&ctx, &|r| r));
                    for (k, v) in ctx.short_senders.iter().filter(|(k, _)| owns(k.0)) {
                        assert_eq!(sctx.short_senders.get(k).map(|v| g(v)).as_ref(), Some(v));
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
