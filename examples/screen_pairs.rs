//! Scores name pairs as `chiptrace screen` would, for the labelled benchmark
//! in `benches/screening/`: reads `id<TAB>query<TAB>listed` lines on stdin
//! and prints `id<TAB>score<TAB>method` (score 0 when the names are not
//! candidates of each other or cannot be the same party); with `--detail`,
//! the words that decided it as a fourth column.
//!
//! `cargo run --release --example screen_pairs < pairs.txt`

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    // `--detail` adds the comparison in words as a fourth column.
    let detail_wanted = std::env::args().any(|a| a == "--detail");
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut parts = line.split('\t');
        let (Some(id), Some(query), Some(listed)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (score, method, detail) =
            chiptrace::screen::compare_names(query, listed).unwrap_or((0.0, "none", String::new()));
        if detail_wanted {
            writeln!(out, "{id}\t{score:.4}\t{method}\t{detail}")?;
        } else {
            writeln!(out, "{id}\t{score:.4}\t{method}")?;
        }
    }
    out.flush()
}
