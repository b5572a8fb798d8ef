//! Bounded time-respecting reachability between two sets of entities: the
//! route query chiptrace shares with its peers in `BENCHMARKS.md`.
//!
//! A route is a sequence of at most `max_steps` records, each leaving the
//! entity the previous one reached, each dated on or after the previous one.
//! [`route_pairs`] answers which (source, terminal) pairs are joined by at
//! least one route, without enumerating routes (their number grows
//! factorially with the bound; the pairs do not).
//!
//! The search labels records, not entities. Going backward from the
//! terminals, the label of a record `e = (u -> v, d)` after `k` rounds is the
//! set of terminals reachable by a route of at most `k` records that starts
//! with `e`: the terminal `v` itself, joined with the labels of round `k - 1`
//! of every record that leaves `v` on or after `d`. Because each entity's
//! records are sorted by time in [`Adjacency`], that join is one sweep down
//! the entity's records, newest first, carrying a running union: a round
//! costs O(R) words. Labels are bitsets over a block of 64 to 512 terminals
//! at a time, and the blocks are independent, so they run in parallel.
//! Searching forward from the sources is the same sweep on the reversed,
//! time-negated graph; the side with fewer entities is the one cut into
//! blocks.
//!
//! Before the blocks, two one-bit rounds (any terminal backward, any source
//! forward) give each record the fewest records of a route from some source
//! ending with it and of a route to some terminal starting with it; a record
//! whose two counts add up to more than the bound lies on no route and is
//! dropped.
//!
//! A walk that revisits an entity can always be shortened into a route that
//! does not (drop the loop: dates stay in order), so walks and simple paths
//! give the same pairs.

use crate::graph::Adjacency;
use crate::model::{Case, EntityId, RecordId};
use rayon::prelude::*;

/// How to run [`route_pairs`].
#[derive(Clone, Copy, Debug)]
pub struct ReachConfig {
    /// Most records on a route (at least 1).
    pub max_steps: usize,
    /// Search blocks in parallel with rayon (false runs the sequential twin).
    pub parallel: bool,
}

impl Default for ReachConfig {
    fn default() -> Self {
        ReachConfig { max_steps: 6, parallel: true }
    }
}

/// What [`route_pairs`] found and how much it had to look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// (source, terminal) pairs joined by a route, sorted, source != terminal.
    pub pairs: Vec<(EntityId, EntityId)>,
    /// Records left after pruning those that lie on no route.
    pub records_kept: usize,
    /// Blocks of terminals (or sources) searched.
    pub blocks: usize,
    /// True when the blocks were cut over sources (forward search).
    pub forward: bool,
}

/// Every (source, terminal) pair, source != terminal, joined by a route of at
/// most `config.max_steps` records with non-decreasing dates. Sources and
/// terminals may overlap and repeat. The result does not depend on
/// `config.parallel`.
///
/// # Complexity
/// O(R · S) time for R records and S = `max_steps` to prune, then
/// O(R' · S · ⌈B / 64⌉) word operations for the R' records kept and B the
/// smaller of the two sets; O(R' · 512 / 8) bytes of labels per thread at most.
pub fn route_pairs(
    case: &Case,
    adj: &Adjacency,
    sources: &[EntityId],
    terminals: &[EntityId],
    config: &ReachConfig,
) -> Reach {
    let n = case.entities.len();
    let steps = config.max_steps.max(1);
    let date = |r: RecordId| case.records[r as usize].date.0;
    let is_source = membership(n, sources);
    let is_terminal = membership(n, terminals);

    // Pruning: the fewest records of a route to any terminal starting with
    // each record, and from any source ending with it.
    let all = View::build(n, adj, &date, Dir::Backward, None);
    let to_terminal = min_rounds(&all, &is_terminal, steps);
    let all = View::build(n, adj, &date, Dir::Forward, None);
    let from_source = min_rounds(&all, &is_source, steps);
    drop(all);
    let keep: Vec<bool> = (0..case.records.len())
        .map(|r| {
            let (b, f) = (to_terminal[r] as usize, from_source[r] as usize);
            b > 0 && f > 0 && b + f - 1 <= steps
        })
        .collect();
    let records_kept = keep.iter().filter(|&&k| k).count();

    // Cut the smaller side into blocks; the other side collects the pairs.
    let touches = |set: &[bool], by: Records| -> Vec<EntityId> {
        let mut out: Vec<EntityId> =
            (0..n as EntityId).filter(|&e| set[e as usize] && by(adj, e).iter().any(|&r| keep[r as usize])).collect();
        out.dedup();
        out
    };
    let live_sources = touches(&is_source, Adjacency::out);
    let live_terminals = touches(&is_terminal, Adjacency::inn);
    let forward = live_sources.len() < live_terminals.len();
    let (dir, targets, starts) = if forward {
        (Dir::Forward, live_sources, &live_terminals)
    } else {
        (Dir::Backward, live_terminals, &live_sources)
    };
    let view = View::build(n, adj, &date, dir, Some(&keep));
    let threads = if config.parallel { rayon::current_num_threads() } else { 1 };
    let words = block_words(targets.len(), view.len(), threads);
    let block = words * 64;
    let blocks: Vec<&[EntityId]> = targets.chunks(block).collect();
    let run = |b: &&[EntityId]| match words {
        1 => search::<1>(&view, b, starts, steps),
        2 => search::<2>(&view, b, starts, steps),
        4 => search::<4>(&view, b, starts, steps),
        _ => search::<8>(&view, b, starts, steps),
    };
    let found: Vec<Vec<(EntityId, EntityId)>> =
        if config.parallel { blocks.par_iter().map(run).collect() } else { blocks.iter().map(run).collect() };
    let mut pairs: Vec<(EntityId, EntityId)> = found
        .into_iter()
        .flatten()
        .map(|(start, target)| if forward { (target, start) } else { (start, target) })
        .filter(|(s, t)| s != t)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    Reach { pairs, records_kept, blocks: blocks.len(), forward }
}

/// `set[e]` is true for every entity in `members` (ids out of range are ignored).
fn membership(n: usize, members: &[EntityId]) -> Vec<bool> {
    let mut set = vec![false; n];
    for &e in members {
        if let Some(s) = set.get_mut(e as usize) {
            *s = true;
        }
    }
    set
}

/// Words of label per record: enough to spread the targets over the threads,
/// at most 8 (512 targets a block), and at most 64 MiB of the two label
/// arrays per thread.
fn block_words(targets: usize, records: usize, threads: usize) -> usize {
    let want = targets.div_ceil(64 * threads.max(1)).clamp(1, 8);
    let budget = (64 << 20) / (16 * records.max(1));
    let mut w = 8;
    while w > 1 && (w > want.next_power_of_two() || w > budget) {
        w /= 2;
    }
    w
}

/// Which way the sweep runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    /// Labels are terminal sets; a record continues with records leaving its
    /// receiver at the same time or later.
    Backward,
    /// Labels are source sets; a record continues (into the past) with records
    /// reaching its sender at the same time or earlier. Keys are negated dates.
    Forward,
}

/// One of [`Adjacency`]'s lists of an entity's records.
type Records = fn(&Adjacency, EntityId) -> &[RecordId];

/// The record graph as one direction of the sweep sees it, over a subset of
/// the records. Records are renumbered 0..len in the order of the `tails`
/// lists, so that a round reads labels front to back: for each entity `x`,
/// the records a route may continue with from `x` are the range `tails(x)`,
/// and `heads(x)` lists the records whose continuation is looked for at `x`.
/// Both are sorted by key, largest first. A record `c` may follow a record
/// `e` at `x` when `key(c) >= key(e)`.
struct View {
    /// Key of each record, in renumbered order.
    key: Vec<i64>,
    /// Record id of each renumbered record.
    record: Vec<RecordId>,
    tail_start: Vec<u32>,
    head_start: Vec<u32>,
    heads: Vec<u32>,
    head_key: Vec<i64>,
}

impl View {
    fn build(n: usize, adj: &Adjacency, date: &dyn Fn(RecordId) -> i64, dir: Dir, keep: Option<&[bool]>) -> View {
        let kept = |r: RecordId| keep.is_none_or(|k| k[r as usize]);
        let key_of = |r: RecordId| if dir == Dir::Backward { date(r) } else { -date(r) };
        // Backward: continue with records leaving x (out), newest first;
        // forward: continue with records reaching x (inn), oldest first.
        let (cont, look): (Records, Records) = match dir {
            Dir::Backward => (Adjacency::out, Adjacency::inn),
            Dir::Forward => (Adjacency::inn, Adjacency::out),
        };
        let sweep = |list: &[RecordId], f: &mut dyn FnMut(RecordId)| match dir {
            Dir::Backward => list.iter().rev().for_each(|&r| f(r)),
            Dir::Forward => list.iter().for_each(|&r| f(r)),
        };
        let mut renumbered = vec![u32::MAX; keep.map_or(0, |k| k.len())];
        let (mut key, mut record) = (Vec::new(), Vec::new());
        let mut tail_start = Vec::with_capacity(n + 1);
        tail_start.push(0);
        for x in 0..n as EntityId {
            sweep(cont(adj, x), &mut |r| {
                if kept(r) {
                    if let Some(slot) = renumbered.get_mut(r as usize) {
                        *slot = record.len() as u32;
                    }
                    record.push(r);
                    key.push(key_of(r));
                }
            });
            tail_start.push(record.len() as u32);
        }
        if keep.is_none() {
            renumbered = vec![0; record.len()];
            for (c, &r) in record.iter().enumerate() {
                renumbered[r as usize] = c as u32;
            }
        }
        let (mut heads, mut head_key) = (Vec::with_capacity(record.len()), Vec::with_capacity(record.len()));
        let mut head_start = Vec::with_capacity(n + 1);
        head_start.push(0);
        for x in 0..n as EntityId {
            sweep(look(adj, x), &mut |r| {
                if kept(r) {
                    heads.push(renumbered[r as usize]);
                    head_key.push(key_of(r));
                }
            });
            head_start.push(heads.len() as u32);
        }
        View { key, record, tail_start, head_start, heads, head_key }
    }

    fn len(&self) -> usize {
        self.key.len()
    }

    fn entities(&self) -> usize {
        self.tail_start.len() - 1
    }

    fn tails(&self, x: usize) -> std::ops::Range<usize> {
        self.tail_start[x] as usize..self.tail_start[x + 1] as usize
    }

    fn heads(&self, x: usize) -> std::ops::Range<usize> {
        self.head_start[x] as usize..self.head_start[x + 1] as usize
    }
}

/// One round of the sweep: `cur[e]` = the seed of the entity where `e` is
/// continued, joined with `prev[c]` of every record `c` that may follow `e`
/// there. Returns whether any label grew (labels only grow, round by round).
///
/// Every record is the head of one entity's list, so the round writes every
/// label of `cur`; the writes land all over the array (a record's place is
/// its sender's or receiver's list in the other direction), so the round
/// only stores them, and whether a label grew is found after, comparing
/// `cur` with `prev` front to back, not by loading each slot before its
/// store (a cache miss a record: two thirds of the search's time).
fn round<const W: usize>(
    view: &View,
    seed: &dyn Fn(usize) -> [u64; W],
    prev: &[[u64; W]],
    cur: &mut [[u64; W]],
) -> bool {
    for x in 0..view.entities() {
        let heads = view.heads(x);
        if heads.is_empty() {
            continue;
        }
        let tails = view.tails(x);
        let (mut i, end) = (tails.start, tails.end);
        let mut acc = seed(x);
        for h in heads {
            let k = view.head_key[h];
            while i < end && view.key[i] >= k {
                for (a, p) in acc.iter_mut().zip(&prev[i]) {
                    *a |= p;
                }
                i += 1;
            }
            cur[view.heads[h] as usize] = acc;
        }
    }
    cur != prev
}

/// For every record of `view` (by record id), the fewest rounds (records on a
/// route) after which it reaches an entity of `set`, or 0 when none within
/// `steps`.
fn min_rounds(view: &View, set: &[bool], steps: usize) -> Vec<u8> {
    let seed = |x: usize| [set[x] as u64];
    let mut prev = vec![[0u64; 1]; view.len()];
    let mut cur = prev.clone();
    let mut first = vec![0u8; view.len()];
    for k in 1..=steps {
        let grew = round::<1>(view, &seed, &prev, &mut cur);
        for (c, l) in cur.iter().enumerate() {
            let f = &mut first[view.record[c] as usize];
            if *f == 0 && l[0] != 0 {
                *f = k.min(u8::MAX as usize) as u8;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        if !grew {
            break;
        }
    }
    first
}

/// The pairs (start, target) for one block of targets: the labels after
/// `steps` rounds, joined over the records each start entity may begin with.
fn search<const W: usize>(
    view: &View,
    block: &[EntityId],
    starts: &[EntityId],
    steps: usize,
) -> Vec<(EntityId, EntityId)> {
    let mut bit_of = vec![u32::MAX; view.entities()];
    for (i, &t) in block.iter().enumerate() {
        bit_of[t as usize] = i as u32;
    }
    let seed = |x: usize| {
        let mut s = [0u64; W];
        let i = bit_of[x] as usize;
        if i < block.len() {
            s[i / 64] |= 1 << (i % 64);
        }
        s
    };
    let mut prev = vec![[0u64; W]; view.len()];
    let mut cur = prev.clone();
    for _ in 0..steps {
        let grew = round::<W>(view, &seed, &prev, &mut cur);
        std::mem::swap(&mut prev, &mut cur);
        if !grew {
            break;
        }
    }
    let mut out = Vec::new();
    for &s in starts {
        let mut all = [0u64; W];
        for e in view.tails(s as usize) {
            for (a, p) in all.iter_mut().zip(&prev[e]) {
                *a |= p;
            }
        }
        for (w, &word) in all.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let b = word.trailing_zeros() as usize;
                word &= word - 1;
                out.push((s, block[w * 64 + b]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::inventory::Inventory;
    use crate::model::*;
    use proptest::prelude::*;

    /// A case of `n` entities and the given (from, to, day) records.
    fn case_of(n: usize, edges: &[(u32, u32, i64)]) -> Case {
        let mut case = Case::default();
        for i in 0..n {
            case.entities.push(Entity::new(
                format!("E{i}"),
                format!("E{i}"),
                EntityKind::Unknown,
                Country::parse("US").unwrap(),
            ));
        }
        let product = case.strings.intern("H100");
        for (i, &(from, to, day)) in edges.iter().enumerate() {
            let id = case.strings.intern(&format!("R{i}"));
            case.records.push(
                Record::sale(id, Timestamp(day * DAY), from, to, product, 1, i as u64 + 2),
                RecordExtras::default(),
            );
        }
        case
    }

    fn run(case: &Case, sources: &[u32], terminals: &[u32], steps: usize, parallel: bool) -> Reach {
        let inv = Inventory::build(case);
        let adj = Adjacency::build(case, &inv.order);
        route_pairs(case, &adj, sources, terminals, &ReachConfig { max_steps: steps, parallel })
    }

    /// Every time-respecting walk of at most `steps` records from each source.
    fn brute(edges: &[(u32, u32, i64)], sources: &[u32], terminals: &[u32], steps: usize) -> Vec<(u32, u32)> {
        fn walk(
            edges: &[(u32, u32, i64)],
            s: u32,
            at: u32,
            since: i64,
            left: usize,
            terminals: &[u32],
            out: &mut Vec<(u32, u32)>,
        ) {
            if left == 0 {
                return;
            }
            for &(f, t, d) in edges {
                if f == at && d >= since {
                    if terminals.contains(&t) && t != s {
                        out.push((s, t));
                    }
                    walk(edges, s, t, d, left - 1, terminals, out);
                }
            }
        }
        let mut out = Vec::new();
        for &s in sources {
            walk(edges, s, s, i64::MIN, steps, terminals, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn dates_must_not_go_back() {
        // 0 -> 1 on day 5, 1 -> 2 on day 3: no route; 1 -> 3 on day 5: a route.
        let case = case_of(4, &[(0, 1, 5), (1, 2, 3), (1, 3, 5)]);
        let r = run(&case, &[0], &[2, 3], 6, false);
        assert_eq!(r.pairs, vec![(0, 3)]);
    }

    #[test]
    fn the_bound_counts_records() {
        let chain: Vec<(u32, u32, i64)> = (0..5).map(|i| (i, i + 1, i as i64)).collect();
        let case = case_of(6, &chain);
        assert_eq!(run(&case, &[0], &[5], 5, true).pairs, vec![(0, 5)]);
        assert!(run(&case, &[0], &[5], 4, true).pairs.is_empty());
    }

    #[test]
    fn a_source_is_not_its_own_terminal() {
        let case = case_of(2, &[(0, 1, 1), (1, 0, 2)]);
        assert_eq!(run(&case, &[0, 1], &[0, 1], 6, false).pairs, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn many_terminals_span_several_blocks() {
        // 600 sources sell to a hub on day 1; the hub sells to 600 terminals on day 2.
        let hub = 1200;
        let mut edges: Vec<(u32, u32, i64)> = (0..600).map(|s| (s, hub, 1)).collect();
        edges.extend((600..1200).map(|t| (hub, t, 2)));
        let case = case_of(1201, &edges);
        let sources: Vec<u32> = (0..600).collect();
        let terminals: Vec<u32> = (600..1200).collect();
        for parallel in [false, true] {
            let r = run(&case, &sources, &terminals, 2, parallel);
            assert_eq!(r.pairs.len(), 600 * 600);
            assert!(r.blocks >= 2, "{} block(s)", r.blocks);
        }
        assert!(run(&case, &sources, &terminals, 1, true).pairs.is_empty());
    }

    proptest! {
        #[test]
        fn equals_brute_force(
            n in 2usize..9,
            raw in prop::collection::vec((0u32..9, 0u32..9, 0i64..6), 0..28),
            src_mask in 0u32..512,
            term_mask in 0u32..512,
            steps in 1usize..5,
        ) {
            let edges: Vec<(u32, u32, i64)> =
                raw.into_iter().map(|(f, t, d)| (f % n as u32, t % n as u32, d)).collect();
            let sources: Vec<u32> = (0..n as u32).filter(|i| src_mask & (1 << i) != 0).collect();
            let terminals: Vec<u32> = (0..n as u32).filter(|i| term_mask & (1 << i) != 0).collect();
            let case = case_of(n, &edges);
            let want = brute(&edges, &sources, &terminals, steps);
            let seq = run(&case, &sources, &terminals, steps, false);
            let par = run(&case, &sources, &terminals, steps, true);
            prop_assert_eq!(&seq.pairs, &want);
            prop_assert_eq!(&par.pairs, &want);
        }
    }
}
