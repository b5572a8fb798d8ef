//! The scan on several processes (docs/spec.md §5.5), on timely dataflow: each
//! process is a rank of a cluster listed in a hosts file, and rank 0 ends up
//! with the report of the one-process scan, byte for byte.
//!
//! The run is a short bulk-synchronous program of exchange rounds
//! ([`exchange::exchange`]), each a timely dataflow run to completion:
//!
//! 1. **layout**: rank 0 decides which records files the case has and tells
//!    everyone (`read::records_layout`).
//! 2. **read**: each rank reads and checks only the records shards it owns
//!    (shard `j` belongs to rank `j mod P`) with the one-process reader
//!    (`read::read_case_part`) and encodes the records it read, parsed, with
//!    its files' diagnostics and fingerprints. Then, shard by shard in shard
//!    order, the shard's reader sends it to every rank in parts of at most
//!    `READ_PART` bytes a round, and every rank puts it in place as it
//!    arrives ([`part::Assembler`]), making the checks that span files there
//!    (a record id repeated in a later shard, then parent lots of no
//!    record), so every rank holds the case one process would read, with
//!    the same diagnostics in the same order, without ever holding every
//!    rank's share at once. Entities, relations, lists and the policy are
//!    small and read by every rank from its copy.
//! 3. **search**, by rounds: an owner rank per entity (a hash of its
//!    index); each rank indexes the receipts and shipments of the entities
//!    it owns (the records with an owned end) and the lot index with each
//!    lotted record's date and receiver beside it (`Lots::with_columns`).
//!    The owner of a receiver finds its terminal steps among the records
//!    it owns (`routes::terminal_steps_among`) and sends a [`Walk`] (which
//!    carries the terminal step's receiver, product, units and lot) to the
//!    owner of the step's sender; each round, every rank takes one step
//!    back on each walk it holds (`Walk::step`, the one-process search's
//!    own step) and sends the walk on to the owner of the next holder,
//!    until no walk is left (at most `max_depth` rounds). The search reads
//!    no record without an end the rank owns: every read goes through
//!    `RouteIndex::rec`, which asserts it in debug builds. The search's
//!    indexes are dropped before the rules' context is built for judging.
//! 4. **routes**: each finished route goes to the rank that owns its group
//!    (a hash of `routes::group_key`: terminal and lot, or terminal, product
//!    and previous step), so a group is judged whole, in the one-process
//!    order of its routes (by terminal step).
//! 5. **findings**: each rank judges its groups with `scan::judge`, a block
//!    of `JUDGE_BLOCK` groups at a time (an entity finding judged in two
//!    blocks travels as two parts, merged by `finish` like parts judged on
//!    two ranks), and sends its findings and search counts to rank 0, which runs `scan::finish`
//!    on them all. The search step, `judge` and `finish` are the
//!    one-process scan's own, so any change to them reaches both paths.
//!
//! What is partitioned: reading and checking the records files, the
//! search's adjacency and every record the search reads (those with an
//! end the rank owns), the route search (by holder), the judging. What is
//! replicated: the assembled case (every rank still holds all records and
//! the string table, as one process would), the inventory, the lot index
//! (with its columns, during the search) and the rules' context, because
//! `Ctx::build` and the rules read any party's records (ARCHITECTURE.md
//! lists what each stage reads, and the plan for the rest of the
//! partition); until then memory per process falls with more processes
//! only by the search's and judging's shares, over a floor of the whole
//! case. (A seventh-session build, 3809b38, reverted: past the read round
//! each rank kept only the records with an end it owns, searched on them,
//! and fetched from the owners every record of the entities its groups'
//! judging reads, the parties, their sites and the sites' shippers. Those
//! were 99.8% of the records at every rank on 1M records at 4 processes,
//! and the fetch's buffers came on top of them: peaks of 801-843 MiB
//! against 274-292. What judging needs must travel as the owners' rows of
//! the rules' context, not as records: ARCHITECTURE.md, the plan.)

pub mod exchange;
pub mod net;
pub mod part;
pub mod wire;

use crate::analysis::inventory::Inventory;
use crate::analysis::routes::Walk;
use crate::analysis::routes::{self, Route};
use crate::model::{EntityId, RecordId};
use crate::read::{Loaded, ReadOptions};
use crate::scan::{Prepared, ScanReport};
pub use net::ClusterError;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a rank that saw a peer fail keeps its own connections open
/// before it ends (see `run`).
const LINGER: Duration = Duration::from_secs(2);

/// The most groups of routes a rank judges at once. Debug builds (what the
/// tests run) judge 256 at a time, so that every cluster test, the 100k
/// world's and the property test's, crosses blocks and holds the report
/// split into blocks to the one-process report.
const JUDGE_BLOCK: usize = if cfg!(debug_assertions) { 256 } else { 1 << 16 };

/// The most bytes of a records file one read round sends to each rank.
const READ_PART: usize = 2 << 20;

/// How to run as one rank of a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// `host:port` of every rank, rank 0 first.
    pub hosts: Vec<String>,
    pub rank: usize,
    /// Threads of this process for the route search and judging (0 = one per core).
    pub workers: usize,
    /// How long to wait for the other ranks to connect.
    pub connect_timeout: Duration,
    /// How long a peer may send no heartbeat before it is lost (see `net::heartbeat`).
    pub peer_timeout: Duration,
    /// Called on this rank as each of its rounds ends (for `--timings`).
    pub on_round: Option<fn(usize, &Round)>,
    /// Called on this rank as each stage ends with its memory (for `--timings`).
    pub on_stage: Option<fn(usize, &Stage)>,
}

/// This process's memory as a stage of a rank ends: what it holds now and
/// the most it held so far. A stage whose peak is above the previous
/// stage's set the new high-water mark. (The mark is not reset between
/// stages: a reset also lowers the maximum that `getrusage` and
/// `/usr/bin/time -v` report, which then understate the process's peak.)
#[derive(Clone, Debug, Default)]
pub struct Stage {
    pub name: &'static str,
    /// Resident now, MiB.
    pub rss_mib: f64,
    /// The most resident since the process started, MiB.
    pub peak_mib: f64,
}

/// What one round cost this rank.
#[derive(Clone, Debug, Default)]
pub struct Round {
    pub name: &'static str,
    pub secs: f64,
    pub sent: u64,
    pub received: u64,
}

/// What a rank measured, sent to rank 0 for `--timings`.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub rank: usize,
    pub rounds: Vec<Round>,
    /// Terminal steps this rank searched, groups and findings it judged.
    pub steps: u64,
    /// Records with an end this rank owns: what its search indexes.
    pub indexed: u64,
    /// Each round of the route search: walks this rank stepped, bytes it sent to other ranks.
    pub search: Vec<(u64, u64)>,
    pub groups: u64,
    pub findings: u64,
    /// Peak resident memory of this process at the end of its work, MiB.
    pub peak_mib: f64,
}

/// What a rank ends with.
pub struct Outcome {
    /// The case as read (identical on every rank); its diagnostics decide
    /// whether there is a report.
    pub loaded: Loaded,
    /// At rank 0 when the case read without errors: the report.
    pub report: Option<ScanReport>,
    /// At rank 0: every rank's figures, by rank.
    pub figures: Vec<Figures>,
}

/// Reads a hosts file: one `host:port` a line; blank lines and `#` comments skipped.
pub fn read_hosts(path: &Path) -> Result<Vec<String>, ClusterError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ClusterError::Setup(format!("{}: cannot read the hosts file: {e}", path.display())))?;
    let mut hosts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.is_empty() {
            continue;
        }
        if !l.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) {
            return Err(ClusterError::Setup(format!(
                "{}:{}: `{l}` is not host:port (expected e.g. 10.0.0.5:2101)",
                path.display(),
                i + 1
            )));
        }
        hosts.push(l.to_string());
    }
    if hosts.is_empty() {
        return Err(ClusterError::Setup(format!("{}: no host:port lines", path.display())));
    }
    Ok(hosts)
}

/// Runs this process as rank `config.rank` of the cluster and returns what
/// it ends with, once every rank has finished and shut down cleanly. Any
/// rank that fails or cannot be reached makes this an error naming it.
///
/// # Complexity
/// Per rank: O(R / P) to read and check its share, O(R) to assemble the
/// case, the inventory, lot index and rules' context over all R records
/// and the adjacency and terminal steps of its own entities' records, then its owned
/// holders' share of the route search steps and 1/P of the judging. The
/// exchanges move each parsed record once to every rank (in rounds of at
/// most `READ_PART` bytes from one reader), each walk once a step (at most
/// `max_depth` rounds), each route once and each finding once.
pub fn run(case: &Path, opts: &ReadOptions, config: &ClusterConfig) -> Result<Outcome, ClusterError> {
    use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
    use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
    let n = config.hosts.len();
    if config.rank >= n {
        return Err(ClusterError::Setup(format!("--rank {} but the hosts file lists {n} processes", config.rank)));
    }
    return_freed_memory();
    net::watch_panics(&config.hosts, Duration::from_secs(10));
    let key = run_key(case, opts);
    let links = net::connect(&config.hosts, config.rank, key, config.connect_timeout)?;
    net::heartbeat(links.beats, config.peer_timeout, LINGER);
    let hooks = timely::communication::Hooks::default();
    let process = ProcessBuilder::new_typed_vector(1, hooks.refill.clone(), hooks.spill.clone());
    let (builders, comms) = initialize_networking_from_sockets(process, links.data, config.rank, 1, hooks)
        .map_err(|e| ClusterError::Setup(format!("starting the network threads: {e}")))?;
    let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    let job = Job {
        case: case.to_path_buf(),
        opts: opts.clone(),
        workers: config.workers,
        on_round: config.on_round,
        on_stage: config.on_stage,
    };
    let guards = timely::execute::execute_from(builders, Box::new(comms), timely::WorkerConfig::default(), move |w| {
        let _ = tx.send(rank_main(w, &job));
    })
    .map_err(ClusterError::Setup)?;
    let failed = |why: &str| {
        // Hold this rank's connections open a moment: the others then see
        // the rank that really failed go first, not this one closing after it.
        std::thread::sleep(LINGER);
        net::quiet();
        match net::lost() {
            Some((rank, w)) => net::lost_error(rank, &w, &config.hosts),
            None => ClusterError::Setup(why.to_string()),
        }
    };
    let outcome = match rx.recv() {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            std::mem::forget(guards);
            return Err(failed(&e));
        }
        Err(_) => {
            // The worker panicked: a peer was lost, or a fault of this rank.
            std::mem::forget(guards);
            return Err(failed("this rank's worker stopped unexpectedly"));
        }
    };
    // Wait for every rank to shut down cleanly before anything is printed:
    // a rank lost now still makes the run fail.
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let shutdown = std::thread::Builder::new().name("chiptrace:shutdown".into()).spawn(move || {
        drop(guards);
        let _ = done_tx.send(());
    });
    if shutdown.is_err() {
        return Err(failed("cannot start the shutdown thread"));
    }
    match done_rx.recv_timeout(Duration::from_secs(120)) {
        Ok(()) if net::lost().is_none() => {
            net::quiet();
            net::done();
            Ok(outcome)
        }
        _ => Err(failed("the other ranks did not shut down within 120 s")),
    }
}

/// Makes glibc give large freed blocks back to the system. By default its
/// threshold for serving an allocation by its own mapping rises to the size
/// of the largest block freed (up to 32 MiB), so after the read round's
/// shard buffers and the search's walk messages are freed, later large
/// vectors come from the heap and what was freed stays resident: about 100
/// MiB a rank at 4 processes on 1M records (peaks of 435-497 MiB, 334-367
/// with a fixed threshold of 128 KiB; BENCHMARKS.md, "Cluster scan", fifth
/// session).
/// Elsewhere (musl, other systems) the allocator is left as it is.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; it takes no
    // pointers and is safe to call at any time, from any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// What every rank is asked to do.
struct Job {
    case: PathBuf,
    opts: ReadOptions,
    workers: usize,
    on_round: Option<fn(usize, &Round)>,
    on_stage: Option<fn(usize, &Stage)>,
}

/// A number that two ranks share only when they scan the same case path
/// with the same policy file.
fn run_key(case: &Path, opts: &ReadOptions) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    case.hash(&mut h);
    opts.policy_file.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    h.finish()
}

/// Which rank owns an entity: holds its receipts in the partitioned design
/// and takes the steps of the route search that read them.
fn entity_owner(e: EntityId, ranks: usize) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    e.hash(&mut h);
    (h.finish() % ranks as u64) as usize
}

/// Which rank judges a route's group.
fn owner(route: &Route, ranks: usize) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    let (terminal, kind, key, prev) = routes::group_key(route);
    (terminal, kind, string_interner::Symbol::to_usize(key), prev).hash(&mut h);
    (h.finish() % ranks as u64) as usize
}

/// Resident and peak resident memory of this process in MiB, from one
/// reading of /proc/self/status (0 where /proc is missing). The kernel
/// updates its peak mark lazily, so the peak is taken as the largest of that
/// mark and every resident figure read so far: a stage line never shows a
/// peak below a resident figure printed before it.
fn memory_mib() -> (f64, f64) {
    static SEEN_KIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let rss = field("VmRSS:");
    let seen = SEEN_KIB.fetch_max(rss, std::sync::atomic::Ordering::Relaxed).max(rss);
    let peak = field("VmHWM:").max(seen);
    (rss as f64 / 1024.0, peak as f64 / 1024.0)
}

/// Peak resident memory of this process, MiB (0 where /proc is missing).
fn peak_mib() -> f64 {
    memory_mib().1
}

impl Stage {
    /// This process's memory now, as stage `name` ends.
    pub fn now(name: &'static str) -> Stage {
        let (rss_mib, peak_mib) = memory_mib();
        Stage { name, rss_mib, peak_mib }
    }
}

/// Where the memory of a rank goes, stage by stage (when asked).
struct MemTrace {
    me: usize,
    on_stage: Option<fn(usize, &Stage)>,
}

impl MemTrace {
    fn stage(&self, name: &'static str) {
        if let Some(f) = self.on_stage {
            f(self.me, &Stage::now(name));
        }
    }
}

/// One rank's whole run, inside its timely worker.
fn rank_main(worker: &mut timely::worker::Worker, job: &Job) -> Result<Outcome, String> {
    let (me, ranks) = (worker.index(), worker.peers());
    let mut fig = Figures { rank: me, ..Figures::default() };
    let mem = MemTrace { me, on_stage: job.on_stage };
    let round = |fig: &mut Figures, name, t: Instant, tr: exchange::Traffic| {
        let r = Round { name, secs: t.elapsed().as_secs_f64(), sent: tr.sent, received: tr.received };
        if let Some(f) = job.on_round {
            f(me, &r);
        }
        fig.rounds.push(r)
    };
    // Round 1: rank 0 decides the layout of the records files.
    let t = Instant::now();
    let out = if me == 0 {
        let bytes = crate::read::records_layout(&job.case).encode();
        (0..ranks).map(|r| (r, bytes.clone())).collect()
    } else {
        Vec::new()
    };
    let (got, tr) = exchange::exchange(worker, out);
    let layout = got
        .first()
        .and_then(|(_, b)| crate::read::shards::Layout::decode(b))
        .ok_or("the layout of the records files did not arrive from rank 0")?;
    round(&mut fig, "layout", t, tr);

    // Round 2: each rank reads and checks its own shards; everyone puts them together.
    let t = Instant::now();
    let mine: Vec<usize> = (0..layout.names.len()).filter(|j| j % ranks == me).collect();
    let share = crate::read::shards::Layout {
        names: mine.iter().map(|&j| layout.names[j].clone()).collect(),
        diags: layout.diags.clone(),
    };
    let (mut part, marks) = crate::read::read_case_part(&job.case, &job.opts, &share).map_err(|e| e.to_string())?;
    mem.stage("read own shards");
    let count = (part.case.records.len() as u64).to_le_bytes().to_vec();
    let shards = part::encode(&part, &marks, &layout, &mine);
    // The records travel as bytes now (this rank's own too): free them.
    part.case.records = crate::model::Records::default();
    part.case.strings = crate::model::Strings::default();
    // Shard by shard in shard order, each in parts of at most `READ_PART`
    // bytes a round from its reader to every rank, and put together as it
    // arrives: a rank holds its own encoded shards, one part per rank in
    // flight and the case being built, never every share at once.
    let mut asm = part::Assembler::new(part, &marks);
    let (got, mut traffic) = exchange::exchange(worker, (0..ranks).map(|r| (r, count.clone())).collect());
    asm.reserve(got.iter().filter_map(|(_, b)| Some(u64::from_le_bytes(b.as_slice().try_into().ok()?) as usize)).sum());
    let mut own = shards.into_iter();
    for j in 0..layout.names.len() {
        let reader = j % ranks;
        let bytes = if reader == me {
            own.next().filter(|s| s.0 == j).ok_or("this rank's own shards are out of order")?.1
        } else {
            Vec::new()
        };
        let mut chunks = bytes.chunks(READ_PART);
        let mut shard: Vec<u8> = Vec::new();
        loop {
            let out = if reader == me {
                let chunk = chunks.next().unwrap_or(&[]);
                let mut m = Vec::with_capacity(chunk.len() + 1);
                m.push(u8::from(chunks.len() > 0));
                m.extend_from_slice(chunk);
                (0..ranks).map(|r| (r, m.clone())).collect()
            } else {
                Vec::new()
            };
            let (got, tr) = exchange::exchange(worker, out);
            traffic.sent += tr.sent;
            traffic.received += tr.received;
            let (_, m) = got
                .into_iter()
                .find(|(from, _)| *from == reader)
                .ok_or_else(|| format!("records file {j} did not arrive from rank {reader}"))?;
            let (&more, part) =
                m.split_first().ok_or_else(|| format!("records file {j} arrived empty from rank {reader}"))?;
            shard.extend_from_slice(part);
            if more == 0 {
                break;
            }
        }
        drop(bytes);
        asm.shard(&shard, reader)?;
    }
    let loaded = asm.finish(&layout)?;
    mem.stage("read exchange and assembly");
    let tr = traffic;
    round(&mut fig, "read", t, tr);
    if loaded.diags.errors() > 0 {
        // Every rank read the same diagnostics: all stop here, rank 0 prints them.
        return Ok(Outcome { loaded, report: None, figures: Vec::new() });
    }

    let pool = rayon::ThreadPoolBuilder::new().num_threads(job.workers).build().map_err(|e| e.to_string())?;
    let parallel = job.workers != 1;
    let (report, figures) = {
        let case = &loaded.case;
        let inv = Inventory::build(case);
        mem.stage("inventory");
        // The search reads, at each rank, only the records with an end it
        // owns (the receipts and shipments of its holders: their adjacency)
        // and the lot index with each lotted record's date and receiver (a
        // lineage step walks a lot's records at every holder, reading whole
        // only the holder's own receipt); `RouteIndex::rec` checks this in
        // debug builds.
        let t = Instant::now();
        let owns = |e: EntityId| entity_owner(e, ranks) == me;
        let mine: Vec<RecordId> = inv
            .order
            .iter()
            .copied()
            .filter(|&r| {
                let x = &case.records[r as usize];
                owns(x.from) || owns(x.to)
            })
            .collect();
        let adj = crate::graph::Adjacency::build(case, &mine);
        fig.indexed = mine.len() as u64;
        let mut mine = mine;
        mine.sort_unstable();
        let lots = crate::graph::Lots::build(case, &inv.order).with_columns(case);
        let ix = routes::RouteIndex { case, adj: &adj, lots: &lots, inv: &inv, owns: Some(&owns) };
        mem.stage("search index");

        // Round 3: the route search by rounds. Each terminal step is taken
        // by the owner of its receiver (who can tell it ends a route, from
        // the records it holds) and walked back one step a round on the
        // owner of the holder whose receipts the step reads, until every
        // walk has ended. A walk travels with its terminal step's record
        // number, which orders the routes as the one-process search does.
        let bounds = crate::scan::bounds(&loaded.policy);
        // The holder a walk's next step reads: the sender of its head, a
        // record received by an entity the rank owns.
        let holder = |r: RecordId| entity_owner(ix.rec(r).from, ranks);
        let steps = routes::terminal_steps_among(&ix, mine.iter().copied(), |r| owns(r.to));
        drop(mine);
        let mut out: Vec<wire::Enc> = (0..ranks).map(|_| wire::Enc::default()).collect();
        let mut sent = 0u64;
        for &s in &steps {
            let e = &mut out[holder(s)];
            e.u64(s as u64);
            e.walk(&Walk::start(&ix, s));
            sent += 1;
        }
        drop(steps);
        // Walks that ended, as routes (made here, where the walk's records are known).
        let mut found: Vec<(u64, Route)> = Vec::new();
        let mut traffic = exchange::Traffic::default();
        loop {
            let msgs = std::mem::replace(&mut out, (0..ranks).map(|_| wire::Enc::default()).collect());
            let msgs = msgs
                .into_iter()
                .enumerate()
                .map(|(to, e)| {
                    let mut m = sent.to_le_bytes().to_vec();
                    m.extend(e.0);
                    (to, m)
                })
                .collect();
            let (got, tr) = exchange::exchange(worker, msgs);
            traffic.sent += tr.sent;
            traffic.received += tr.received;
            let mut in_flight = 0u64;
            let mut walks: Vec<(u64, Walk)> = Vec::new();
            for (from, bytes) in &got {
                let bad = || format!("garbled walks from rank {from}");
                let mut d = wire::Dec::new(bytes);
                in_flight += d.u64().ok_or_else(bad)?;
                while !d.done() {
                    let k = d.u64().ok_or_else(bad)?;
                    walks.push((k, d.walk().ok_or_else(bad)?));
                }
            }
            drop(got);
            if in_flight == 0 {
                break;
            }
            fig.search.push((walks.len() as u64, tr.sent));
            fig.steps += walks.len() as u64;
            let more: Vec<bool> = if parallel {
                use rayon::prelude::*;
                pool.install(|| walks.par_iter_mut().map(|(_, w)| w.step(&ix, &bounds)).collect())
            } else {
                walks.iter_mut().map(|(_, w)| w.step(&ix, &bounds)).collect()
            };
            sent = 0;
            for ((k, w), more) in walks.into_iter().zip(more) {
                if more {
                    let e = &mut out[holder(w.head())];
                    e.u64(k);
                    e.walk(&w);
                    sent += 1;
                } else {
                    found.push((k, w.route()));
                }
            }
        }
        drop((adj, lots));
        let searched = crate::scan::search_stats(found.iter().map(|f| &f.1));
        round(&mut fig, "search", t, traffic);
        mem.stage("search rounds");

        // Round 4: routes to the owner of their group.
        let t = Instant::now();
        let mut encs: Vec<wire::Enc> = (0..ranks).map(|_| wire::Enc::default()).collect();
        for (k, route) in &found {
            let e = &mut encs[owner(route, ranks)];
            e.u64(*k);
            e.route(route);
        }
        drop(found);
        let (got, tr) = exchange::exchange(worker, encs.into_iter().map(|e| e.0).enumerate().collect());
        let mut routes: Vec<(u64, Route)> = Vec::new();
        for (from, bytes) in &got {
            let mut d = wire::Dec::new(bytes);
            while !d.done() {
                let k = d.u64().ok_or_else(|| format!("garbled routes from rank {from}"))?;
                routes.push((k, d.route().ok_or_else(|| format!("garbled routes from rank {from}"))?));
            }
        }
        drop(got);
        routes.sort_by_key(|r| r.0);
        let mut groups = routes::group(routes.into_iter().map(|r| r.1).collect());
        round(&mut fig, "routes", t, tr);
        mem.stage("routes round");

        // Round 5: judge the groups owned here; findings and counts to rank 0.
        // Judging reads the rules' context only: the search's indexes are gone.
        let t = Instant::now();
        let ctx = pool.install(|| crate::rules::Ctx::build(case, &loaded.policy, &inv, None, parallel));
        let prep = Prepared { ctx, adj: crate::graph::Adjacency::build(case, &[]), lots: Default::default() };
        mem.stage("rules' context");
        // Judged a block of groups at a time, each block's findings written
        // out for rank 0 and dropped with its routes: judging every group at
        // once held all their findings and flags besides the routes (at 10M
        // records on 2 processes, 800 MiB over the rules' context). An
        // entity finding judged in two blocks comes as two parts, merged by
        // `finish` as the parts judged on two ranks are.
        fig.groups = groups.len() as u64;
        let mut sent = wire::Enc::default();
        groups.reverse();
        while !groups.is_empty() {
            let mut block = groups.split_off(groups.len().saturating_sub(JUDGE_BLOCK));
            block.reverse();
            let findings = pool.install(|| crate::scan::judge(&prep, &block, parallel));
            drop(block);
            fig.findings += findings.len() as u64;
            for f in &findings {
                sent.finding(f);
            }
        }
        drop(groups);
        mem.stage("judging");
        fig.peak_mib = peak_mib();
        let mut e = wire::Enc::default();
        e.u64(searched.examined);
        e.u64(searched.truncated as u64);
        e.u64(searched.cuts.len() as u64);
        for &(cut, last) in &searched.cuts {
            e.cut(Some(cut));
            e.u32(last);
        }
        // Ownership searches the judging cut here travel as text.
        let judged = prep.ctx.take_cuts();
        e.u64(judged.len() as u64);
        for c in &judged {
            e.str(&c.bound);
            e.str(&c.subject);
            e.str(&c.note);
        }
        for x in [fig.steps, fig.indexed, fig.groups, fig.findings, fig.peak_mib.to_bits()] {
            e.u64(x);
        }
        for r in &fig.rounds {
            for x in [r.secs.to_bits(), r.sent, r.received] {
                e.u64(x);
            }
        }
        e.u64(fig.search.len() as u64);
        for &(walks, bytes) in &fig.search {
            e.u64(walks);
            e.u64(bytes);
        }
        e.u64(fig.findings);
        e.0.extend_from_slice(&sent.0);
        drop(sent);
        let (got, tr) = exchange::exchange(worker, vec![(0, e.0)]);
        round(&mut fig, "findings", t, tr);
        if me != 0 {
            (None, Vec::new())
        } else {
            let mut all = Vec::new();
            let mut searched = crate::scan::Searched::default();
            let mut figures = Vec::new();
            for (from, bytes) in &got {
                let bad = || format!("garbled findings from rank {from}");
                let mut d = wire::Dec::new(bytes);
                let examined = d.u64().ok_or_else(bad)?;
                let truncated = d.u64().ok_or_else(bad)? == 1;
                let mut cuts = Vec::new();
                for _ in 0..d.u64().ok_or_else(bad)? {
                    let cut = d.cut().ok_or_else(bad)?.ok_or_else(bad)?;
                    cuts.push((cut, d.u32().ok_or_else(bad)?));
                }
                let mut judged = Vec::new();
                for _ in 0..d.u64().ok_or_else(bad)? {
                    let (bound, subject, note) =
                        (d.str().ok_or_else(bad)?, d.str().ok_or_else(bad)?, d.str().ok_or_else(bad)?);
                    judged.push(crate::rules::JudgedCut { bound, subject, note });
                }
                searched.add(crate::scan::Searched { examined, truncated, cuts, judged });
                let mut f = Figures { rank: *from, ..Figures::default() };
                f.steps = d.u64().ok_or_else(bad)?;
                f.indexed = d.u64().ok_or_else(bad)?;
                f.groups = d.u64().ok_or_else(bad)?;
                f.findings = d.u64().ok_or_else(bad)?;
                f.peak_mib = f64::from_bits(d.u64().ok_or_else(bad)?);
                for name in ["layout", "read", "search", "routes"] {
                    let secs = f64::from_bits(d.u64().ok_or_else(bad)?);
                    let (sent, received) = (d.u64().ok_or_else(bad)?, d.u64().ok_or_else(bad)?);
                    f.rounds.push(Round { name, secs, sent, received });
                }
                for _ in 0..d.u64().ok_or_else(bad)? {
                    f.search.push((d.u64().ok_or_else(bad)?, d.u64().ok_or_else(bad)?));
                }
                if *from == me {
                    f.rounds.extend(fig.rounds.last().cloned());
                }
                figures.push(f);
                for _ in 0..d.u64().ok_or_else(bad)? {
                    all.push(d.finding().ok_or_else(bad)?);
                }
            }
            let report = crate::scan::finish(&prep, all, searched);
            mem.stage("findings round and finish");
            (Some(report), figures)
        }
    };
    Ok(Outcome { loaded, report, figures })
}
