//! Scores name pairs as `chiptrace screen` would, for the labelled benchmark
//! in `benches/screening/`: reads `id<TAB>query<TAB>listed` lines on stdin
//! and prints `id<TAB>score<TAB>method` (score 0 when the names are not
//! candidates of each other or cannot be the same party).
//!
//! `cargo run --release --example screen_pairs < pairs.txt`

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut parts = line.split('\t');
        let (Some(id), Some(query), Some(listed)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (score, method) = chiptrace::screen::compare_names(query, listed).map_or((0.0, "none"), |c| (c.0, c.1));
        writeln!(out, "{id}\t{score:.4}\t{method}")?;
    }
    out.flush()
}
