//! `generate`: a synthetic case folder (docs/spec.md §1) of exactly N records, with
//! planted diversion schemes and lawful decoys recorded in truth.json, for
//! testing and measuring the scan.
//!
//! The same seed and record count give the same bytes. Records are streamed
//! to disk flow by flow and never collected, so memory grows only with the
//! world's entities (about one per twenty records), not with the records.
//!
//! Code map: [`world`] builds the entities, ownership, directors and lists;
//! [`flows`] makes the lawful background trade; [`schemes`] the planted
//! schemes and decoys; [`writer`] writes the files; [`truth`] is truth.json.

mod flows;
mod names;
mod rng;
mod schemes;
pub mod truth;
mod world;
mod writer;

pub use schemes::{DECOY_TYPES, SCHEME_TYPES};
pub use truth::{Planted, Truth};

use std::path::{Path, PathBuf};
use world::World;
use writer::RecordWriter;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Records to write (exactly this many).
    pub records: u64,
    pub seed: u64,
    /// Split the records into this many files (`records-00000-of-0000K.csv`
    /// ..) instead of one records.csv; the world is the same whatever K.
    pub shards: Option<usize>,
}

/// What was written.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    pub records: u64,
    pub records_without_lot: u64,
    pub entities: usize,
    pub relations: usize,
    pub list_entries: usize,
    pub schemes: usize,
    pub decoys: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Records reserved for each scheme or decoy not yet planted; no scheme has more.
const RESERVE: u64 = 16;

/// The generator's state: the world, the random source, the lot counter.
pub(crate) struct Gen {
    world: World,
    rng: rng::Rng,
    next_lot: u64,
}

/// A scheme or decoy to plant once `at` records have been written.
struct Slot {
    at: u64,
    decoy: bool,
    kind: &'static str,
    nth: usize,
}

/// How many schemes and decoys a case of `n` records gets: about one scheme
/// per 500 records and one decoy per 1000, and every type at least once from
/// 1000 records on.
pub fn planted_counts(n: u64) -> (u64, u64) {
    if n >= 1000 {
        ((n / 500).max(SCHEME_TYPES.len() as u64), (n / 1000).max(DECOY_TYPES.len() as u64))
    } else {
        (n / 125, n / 250)
    }
}

/// Writes a case of `config.records` records into `dir` (created if needed),
/// calling `progress` with the number of records written so far.
///
/// # Complexity
/// O(N) time for N records; O(N/20) memory for the entities, O(1) per record.
pub fn generate(dir: &Path, config: &Config, progress: &mut dyn FnMut(u64)) -> Result<Summary, GenerateError> {
    let io = |path: PathBuf| move |source| GenerateError::Write { path: path.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
    let n = config.records;
    let mut rng = rng::Rng::new(config.seed);
    let world = World::build(&mut rng, 150 + (n / 20) as usize);
    let mut g = Gen { world, rng, next_lot: 0 };
    g.world.unrelated_listings(&mut g.rng, 10 + (n / 5000) as usize);

    let (k, kd) = planted_counts(n);
    let mut slots = Vec::with_capacity((k + kd) as usize);
    for i in 0..k {
        let at = i * n / k.max(1) + g.rng.range(0, (n / k.max(1) / 2) as i64) as u64;
        slots.push(Slot { at, decoy: false, kind: SCHEME_TYPES[i as usize % SCHEME_TYPES.len()], nth: i as usize });
    }
    for i in 0..kd {
        let at = i * n / kd.max(1) + g.rng.range(0, (n / kd.max(1) / 2) as i64) as u64;
        slots.push(Slot { at, decoy: true, kind: DECOY_TYPES[i as usize % DECOY_TYPES.len()], nth: i as usize });
    }
    slots.sort_by_key(|s| s.at);

    // Records files of an earlier run would make two layouts at once.
    for name in std::fs::read_dir(dir).map_err(io(dir.to_path_buf()))?.filter_map(|e| e.ok()).map(|e| e.file_name()) {
        let name = name.to_string_lossy();
        let plain = crate::read::compressed::split_name(&name).0;
        if plain == "records.csv" || plain == "records.jsonl" || crate::read::shards::parse_shard_name(plain).is_some()
        {
            std::fs::remove_file(dir.join(&*name)).map_err(io(dir.join(&*name)))?;
        }
    }
    let records_path = match config.shards {
        Some(_) => dir.join(crate::read::shards::shard_name(0, config.shards.unwrap_or(1).max(1), "csv")),
        None => dir.join("records.csv"),
    };
    let mut out = match config.shards {
        Some(k) => RecordWriter::create_sharded(dir, k, n),
        None => RecordWriter::create(&records_path),
    }
    .map_err(io(records_path.clone()))?;
    let mut truth = Truth { seed: config.seed, records: n, ..Truth::default() };
    let mut next = 0;
    let mut last_report = 0;
    while out.written() < n {
        let remaining = n - out.written();
        let reserve = (slots.len() - next) as u64 * RESERVE;
        // Invariant: remaining >= reserve, so every slot still fits.
        if next < slots.len() && (slots[next].at <= out.written() || remaining <= reserve) {
            let slot = &slots[next];
            next += 1;
            let planted =
                if slot.decoy { g.decoy(slot.kind) } else { g.scheme(slot.kind, slot.nth / SCHEME_TYPES.len()) };
            let records = out.write_flow(planted.recs, remaining as usize).map_err(io(records_path.clone()))?;
            let list = if slot.decoy { &mut truth.decoys } else { &mut truth.schemes };
            // One entry per terminal: the other lessees of one lessor are terminals too.
            for t in std::iter::once(planted.terminal).chain(planted.also) {
                let id = format!("{}-{}", if slot.decoy { "D" } else { "S" }, list.len() + 1);
                list.push(Planted {
                    id,
                    kind: slot.kind.to_string(),
                    terminal: World::key(t),
                    records: records.clone(),
                    lot: planted.lot.clone(),
                    note: planted.note.clone(),
                });
            }
        } else {
            let recs = g.background();
            out.write_flow(recs, (remaining - reserve) as usize).map_err(io(records_path.clone()))?;
        }
        if out.written() - last_report >= 4096 || out.written() == n {
            last_report = out.written();
            progress(last_report);
        }
    }
    let lotless = out.lotless();
    out.finish().map_err(io(records_path))?;

    let p = dir.join("entities.csv");
    writer::write_entities(&p, &g.world.entities).map_err(io(p))?;
    let p = dir.join("relations.csv");
    writer::write_relations(&p, &g.world.relations).map_err(io(p))?;
    let p = dir.join("lists");
    writer::write_lists(&p, &g.world.lists).map_err(io(p))?;
    let p = dir.join("truth.json");
    writer::write_json(&p, &truth).map_err(io(p))?;
    Ok(Summary {
        records: n,
        records_without_lot: lotless,
        entities: g.world.entities.len(),
        relations: g.world.relations.len(),
        list_entries: g.world.lists.len(),
        schemes: truth.schemes.len(),
        decoys: truth.decoys.len(),
    })
}
