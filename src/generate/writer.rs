//! Writing a generated case: records streamed to records.csv as each flow is
//! made (never collected), then entities, relations, lists and truth.json
//! once the world is complete. Output bytes depend only on the seed and the
//! record count.

use super::world::{GenEntity, GenListEntry, GenRelation, World};
use crate::model::{DAY, Payment, RecordKind, Timestamp};
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One record before it has an id.
#[derive(Clone, Debug)]
pub struct Rec {
    /// Days since 1970-01-01.
    pub day: i64,
    pub kind: RecordKind,
    pub from: u32,
    pub to: u32,
    pub product: &'static str,
    pub quantity: u32,
    pub lot: Option<String>,
    pub parent_lot: Option<String>,
    pub end_day: Option<i64>,
    pub value_usd: Option<u64>,
    pub payment: Option<Payment>,
    pub declared_end_user: Option<String>,
    pub ship_to: Option<&'static str>,
    pub source: &'static str,
    /// The product as an invoice writes it, and the GPUs in one unit of it:
    /// the record then carries that text and `quantity / gpus` units.
    pub written: Option<(&'static str, u32)>,
}

impl Rec {
    pub fn new(day: i64, kind: RecordKind, from: u32, to: u32, product: &'static str, quantity: u32) -> Rec {
        Rec {
            day,
            kind,
            from,
            to,
            product,
            quantity,
            lot: None,
            parent_lot: None,
            end_day: None,
            value_usd: None,
            payment: None,
            declared_end_user: None,
            ship_to: None,
            source: "",
            written: None,
        }
    }
}

pub fn date(day: i64) -> String {
    Timestamp(day * DAY).to_string()
}

/// Dates of the years records fall in, formatted once (formatting dominated
/// the writer's profile).
struct DateCache {
    first: i64,
    text: Vec<String>,
}

impl DateCache {
    fn new() -> DateCache {
        // 2019-01-01 .. 2031-12-31 covers every generated record.
        let first = 17_897;
        DateCache { first, text: (first..first + 4_748).map(date).collect() }
    }

    fn get(&self, day: i64) -> std::borrow::Cow<'_, str> {
        match usize::try_from(day - self.first).ok().and_then(|i| self.text.get(i)) {
            Some(s) => s.as_str().into(),
            None => date(day).into(),
        }
    }
}

/// records.csv, or its shards, written as flows are generated.
pub struct RecordWriter {
    out: csv::Writer<BufWriter<File>>,
    written: u64,
    lotless: u64,
    dates: DateCache,
    /// For a sharded case: the folder, the shard count, the shard being
    /// written and the number of records of the whole case.
    shards: Option<(std::path::PathBuf, usize, usize, u64)>,
}

/// A records file with its header row.
fn records_file(path: &Path) -> io::Result<csv::Writer<BufWriter<File>>> {
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, File::create(path)?));
    out.write_record(crate::read::RECORD_COLUMNS)?;
    Ok(out)
}

impl RecordWriter {
    pub fn create(path: &Path) -> io::Result<RecordWriter> {
        Ok(RecordWriter { out: records_file(path)?, written: 0, lotless: 0, dates: DateCache::new(), shards: None })
    }

    /// Records split into `k` shards in `dir` (`records-00000-of-0000k.csv`
    /// ..): shard `i` holds records `i*n/k + 1 ..= (i+1)*n/k` of the `n`, so
    /// the shards in order are the unsharded file's rows and the world is the
    /// same whatever `k`.
    pub fn create_sharded(dir: &Path, k: usize, n: u64) -> io::Result<RecordWriter> {
        let k = k.max(1);
        let out = records_file(&dir.join(crate::read::shards::shard_name(0, k, "csv")))?;
        Ok(RecordWriter {
            out,
            written: 0,
            lotless: 0,
            dates: DateCache::new(),
            shards: Some((dir.to_path_buf(), k, 0, n)),
        })
    }

    /// Moves on to the shard that record number `written + 1` belongs to.
    fn next_shard(&mut self) -> io::Result<()> {
        let Some((dir, k, cur, n)) = &mut self.shards else { return Ok(()) };
        let want = ((self.written as u128 * *k as u128) / (*n).max(1) as u128) as usize;
        while *cur < want.min(*k - 1) {
            self.out.flush()?;
            *cur += 1;
            self.out = records_file(&dir.join(crate::read::shards::shard_name(*cur, *k, "csv")))?;
        }
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn lotless(&self) -> u64 {
        self.lotless
    }

    /// Writes a flow's records in time order (stable, so that a receipt made
    /// before a send on the same day stays first), at most `budget` of them,
    /// and returns their ids.
    pub fn write_flow(&mut self, mut recs: Vec<Rec>, budget: usize) -> io::Result<Vec<String>> {
        recs.sort_by_key(|r| r.day);
        recs.truncate(budget);
        let mut ids = Vec::with_capacity(recs.len());
        for r in &recs {
            self.next_shard()?;
            self.written += 1;
            let id = format!("R{}", self.written);
            if r.lot.is_none() {
                self.lotless += 1;
            }
            let from = World::key(r.from);
            let to = World::key(r.to);
            let (product, quantity) = match r.written {
                Some((text, gpus)) => (text, (r.quantity / gpus.max(1)).to_string()),
                None => (r.product, r.quantity.to_string()),
            };
            let end = r.end_day.map(|d| self.dates.get(d)).unwrap_or_default();
            let value = r.value_usd.map(|v| v.to_string()).unwrap_or_default();
            self.out.write_record([
                id.as_str(),
                &self.dates.get(r.day),
                r.kind.as_str(),
                &from,
                &to,
                product,
                &quantity,
                r.lot.as_deref().unwrap_or(""),
                r.parent_lot.as_deref().unwrap_or(""),
                &end,
                &value,
                r.payment.map(|p| p.as_str()).unwrap_or(""),
                r.declared_end_user.as_deref().unwrap_or(""),
                r.ship_to.unwrap_or(""),
                r.source,
            ])?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Flushes the last file and writes the shards no record fell into.
    pub fn finish(mut self) -> io::Result<()> {
        self.next_shard_to_end()?;
        self.out.flush()
    }

    fn next_shard_to_end(&mut self) -> io::Result<()> {
        let Some((dir, k, cur, _)) = &mut self.shards else { return Ok(()) };
        while *cur + 1 < *k {
            self.out.flush()?;
            *cur += 1;
            self.out = records_file(&dir.join(crate::read::shards::shard_name(*cur, *k, "csv")))?;
        }
        Ok(())
    }
}

fn writer(path: &Path) -> io::Result<csv::Writer<BufWriter<File>>> {
    Ok(csv::Writer::from_writer(BufWriter::new(File::create(path)?)))
}

pub fn write_entities(path: &Path, entities: &[GenEntity]) -> io::Result<()> {
    let mut w = writer(path)?;
    w.write_record(["id", "name", "kind", "country", "aliases", "incorporated", "address", "capacity_gpus"])?;
    for (i, e) in entities.iter().enumerate() {
        w.write_record([
            World::key(i as u32).as_str(),
            &e.name,
            e.kind.as_str(),
            e.country,
            &e.aliases.join(";"),
            &e.incorporated.map(date).unwrap_or_default(),
            &e.address,
            &e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()
}

pub fn write_relations(path: &Path, relations: &[GenRelation]) -> io::Result<()> {
    let mut w = writer(path)?;
    w.write_record(["kind", "from", "to", "share", "since", "until"])?;
    for r in relations {
        w.write_record([
            r.kind.as_str(),
            &World::key(r.from),
            &World::key(r.to),
            &r.share.map(|s| s.to_string()).unwrap_or_default(),
            &date(r.since),
            "",
        ])?;
    }
    w.flush()
}

/// One file per list, in the simple form `name,aliases,country,list,program,since`.
pub fn write_lists(dir: &Path, entries: &[GenListEntry]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut names: Vec<&str> = entries.iter().map(|e| e.list).collect();
    names.sort();
    names.dedup();
    for list in names {
        let mut w = writer(&dir.join(format!("{list}.csv")))?;
        w.write_record(["name", "aliases", "country", "list", "program", "since"])?;
        for e in entries.iter().filter(|e| e.list == list) {
            w.write_record([&e.name, &e.aliases.join(";"), e.country, e.list, e.program, &date(e.since)])?;
        }
        w.flush()?;
    }
    Ok(())
}

pub fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let mut f = BufWriter::new(File::create(path)?);
    serde_json::to_writer_pretty(&mut f, value)?;
    f.write_all(b"\n")?;
    f.flush()
}
