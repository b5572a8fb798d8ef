//! The read round of the cluster scan: each rank reads and checks only its
//! own records files (shard `j` of `K` belongs to rank `j mod P`) with the
//! one-process reader, and sends the records it read, already parsed, with
//! its files' diagnostics, fingerprints and row counts; every rank puts the
//! shares together in shard order ([`assemble`]) into the case one process
//! would have read, with the diagnostics in the one-process order. Checks
//! that span files are made on the whole: a record id repeated in a later
//! shard, and parent lots that are no record's lot.
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

/// What a rank read, as bytes for the others: for each of its shards, the
/// shard's index, file, rows, diagnostics, fingerprint and records.
///
/// # Complexity
/// O(records and diagnostics of this rank's shards).
pub fn encode(part: &Loaded, marks: &Marks, layout: &Layout, mine: &[usize]) -> Vec<u8> {
    let case = &part.case;
    let mut e = Enc::default();
    e.u64(case.stats.records_unknown_product as u64);
    e.u64(mine.len() as u64);
    for (k, &j) in mine.iter().enumerate() {
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
        let mut block = Enc::default();
        for r in &case.records[start as usize..end] {
            record(&mut block, case, r);
        }
        e.u64(block.0.len() as u64);
        e.0.extend_from_slice(&block.0);
    }
    e.0
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

/// One record, its strings written out (symbols are numbered per process).
fn record(e: &mut Enc, case: &Case, r: &Record) {
    let Record {
        id,
        date,
        kind,
        from,
        to,
        product,
        quantity,
        lot,
        parent_lot,
        end_date,
        value_usd,
        payment,
        declared_end_user,
        ship_to_country,
        source,
        attrs,
        line,
    } = r;
    e.str(case.s(*id));
    e.u64(date.0 as u64);
    e.0.push(RecordKind::ALL.iter().position(|k| k == kind).unwrap_or(0) as u8);
    e.u32(*from);
    e.u32(*to);
    e.str(case.s(*product));
    e.u32(*quantity);
    opt_str(e, case, *lot);
    opt_str(e, case, *parent_lot);
    opt_i64(e, *end_date);
    e.bool(value_usd.is_some());
    e.f64(value_usd.unwrap_or(0.0));
    e.0.push(payment.map_or(u8::MAX, |p| Payment::ALL.iter().position(|x| *x == p).unwrap_or(0) as u8));
    opt_str(e, case, *declared_end_user);
    e.str(ship_to_country.as_ref().map_or("", |c| c.as_str()));
    opt_str(e, case, *source);
    let attrs = attrs.as_deref().unwrap_or(&[]);
    e.u64(attrs.len() as u64);
    for &(k, v) in attrs {
        e.str(case.s(k));
        e.str(case.s(v));
    }
    e.u64(*line);
}

/// A record read back, its strings interned in `strings` in a fixed order
/// (the same on every rank, so symbols mean the same everywhere).
fn read_record(d: &mut Dec, strings: &mut Strings) -> Option<Record> {
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
    Some(Record {
        id: strings.intern(id),
        date,
        kind,
        from,
        to,
        product: strings.intern(product),
        quantity,
        lot,
        parent_lot,
        end_date,
        value_usd,
        payment,
        declared_end_user,
        ship_to_country,
        source,
        attrs: (!attrs.is_empty()).then(|| attrs.into_boxed_slice()),
        line,
    })
}

/// One shard as it arrived.
struct Shard {
    index: usize,
    file: String,
    rows: usize,
    diags: Vec<Diagnostic>,
    files: Vec<InputFile>,
    records: usize,
    /// The bytes of the records, to read in shard order (a copy, so that
    /// the rank's whole share can be freed once its shards are cut out,
    /// and each shard's bytes once they are read).
    block: Vec<u8>,
}

fn read_shard(d: &mut Dec) -> Option<Shard> {
    let index = usize::try_from(d.u64()?).ok()?;
    let file = d.str()?;
    let rows = usize::try_from(d.u64()?).ok()?;
    let mut diags = Vec::new();
    for _ in 0..d.u64()? {
        let error = d.u8()? == 1;
        let line = d.u64()?;
        let (f, message) = (d.str()?, d.str()?);
        diags.push(if error { Diagnostic::error(f, line, message) } else { Diagnostic::warning(f, line, message) });
    }
    let mut files = Vec::new();
    for _ in 0..d.u64()? {
        let (path, sha256) = (d.str()?, d.str()?);
        files.push(InputFile { path, sha256, bytes: d.u64()? });
    }
    let records = usize::try_from(d.u64()?).ok()?;
    // Read in shard order by `assemble`.
    let len = usize::try_from(d.u64()?).ok()?;
    let block = d.bytes(len)?.to_vec();
    Some(Shard { index, file, rows, diags, files, records, block })
}

/// The case one process would have read, from this rank's own read `part`
/// (for the files every rank reads) and every rank's [`encode`]d share
/// `shares` (this rank's own included), with the diagnostics in the
/// one-process order: those before the records, each shard's in shard
/// order with a repeated record id reported where the later shard has it,
/// the lot lineage warnings, then those after.
///
/// # Complexity
/// O(R) for R records in all.
pub fn assemble(part: Loaded, marks: &Marks, layout: &Layout, shares: Vec<(usize, Vec<u8>)>) -> Result<Loaded, String> {
    let Loaded { case: mine, policy, diags } = part;
    let mut unknown = 0usize;
    let mut shards: Vec<Shard> = Vec::new();
    for (from, bytes) in shares {
        let bad = || format!("the records read by rank {from} arrived garbled");
        let mut d = Dec::new(&bytes);
        unknown += d.u64().ok_or_else(bad)? as usize;
        for _ in 0..d.u64().ok_or_else(bad)? {
            shards.push(read_shard(&mut d).ok_or_else(bad)?);
        }
    }
    shards.sort_by_key(|s| s.index);
    if shards.iter().map(|s| s.index).ne(0..layout.names.len()) {
        return Err(format!("expected {} records files from the ranks, got {}", layout.names.len(), shards.len()));
    }
    let mut case = Case {
        root: mine.root,
        entities: mine.entities,
        entity_index: mine.entity_index,
        relations: mine.relations,
        lists: mine.lists,
        stats: mine.stats,
        ..Case::default()
    };
    let mut all = Diagnostics::default();
    all.extend(diags.0[..marks.rows.0].iter().cloned());
    case.files.extend(mine.files[..marks.files.0].iter().cloned());
    let mut strings = Strings::default();
    // First place of each record id, dense by symbol: (shard, line).
    let mut first: Vec<(u32, u64)> = Vec::new();
    let mut rejected = 0usize;
    let mut records: Vec<Record> = Vec::with_capacity(shards.iter().map(|s| s.records).sum());
    let mut record_files = Vec::with_capacity(shards.len());
    for (k, shard) in shards.iter_mut().enumerate() {
        record_files.push((records.len() as RecordId, shard.file.clone(), shard.rows));
        case.files.append(&mut shard.files);
        rejected += shard.rows.saturating_sub(shard.records);
        let mut repeats: Vec<Diagnostic> = Vec::new();
        let block = std::mem::take(&mut shard.block);
        let mut dec = Dec::new(&block);
        for _ in 0..shard.records {
            let r = read_record(&mut dec, &mut strings)
                .ok_or_else(|| format!("the records of {} arrived garbled", shard.file))?;
            let slot = string_interner::Symbol::to_usize(r.id);
            if first.len() <= slot {
                first.resize(slot + 1, (0, 0));
            }
            let (pf, prev) = first[slot];
            if prev > 0 {
                // Repeats within a shard were reported by the rank that read it.
                repeats.push(Diagnostic::error(
                    shard.file.clone(),
                    r.line,
                    format!(
                        "field `id`: duplicate record id `{}` (first at {}:{prev})",
                        crate::text::shown(strings.resolve(r.id)),
                        record_files[pf as usize].1
                    ),
                ));
                rejected += 1;
                continue;
            }
            first[slot] = (k as u32, r.line.max(1));
            records.push(r);
        }
        // Each repeat after the shard's own diagnostics of its row and those before.
        let mut repeats = repeats.into_iter().peekable();
        for d in std::mem::take(&mut shard.diags) {
            while let Some(rep) = repeats.next_if(|rep| rep.line < d.line) {
                all.push(rep);
            }
            all.push(d);
        }
        all.extend(repeats);
    }
    case.strings = strings;
    case.stats.records_read = records.len();
    case.stats.records_rejected = rejected;
    case.stats.records_unknown_product = unknown;
    case.records = records;
    case.record_files = record_files;
    crate::read::lineage_warnings(&case, &mut all);
    case.files.extend(mine.files[marks.files.1..].iter().cloned());
    all.extend(diags.0[marks.lineage..].iter().cloned());
    Ok(Loaded { case, policy, diags: all })
}
