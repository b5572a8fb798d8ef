//! The records files of a case and their rows in transit. A case holds its
//! records in `records.csv` or `records.jsonl`, or split into shards
//! `records-00000-of-00003.csv` .. `records-00002-of-00003.csv` (docs/spec.md §5.5;
//! `generate --shards`), read in shard order as if they were one file.
//!
//! A cluster rank reads only the shards it owns (`crate::cluster::part`);
//! rank 0 chooses the [`Layout`] and sends it to every rank as bytes.

use crate::diag::{Diagnostic, Level};

/// The file name of shard `index` of `count` (`ext` is `csv` or `jsonl`).
pub fn shard_name(index: usize, count: usize, ext: &str) -> String {
    format!("records-{index:05}-of-{count:05}.{ext}")
}

/// Reads a shard name (compression suffix already removed) as (index, count, ext).
pub fn parse_shard_name(name: &str) -> Option<(usize, usize, &str)> {
    let rest = name.strip_prefix("records-")?;
    let (stem, ext) = rest.split_once('.')?;
    if ext != "csv" && ext != "jsonl" {
        return None;
    }
    let (i, n) = stem.split_once("-of-")?;
    let digits = |s: &str| s.len() >= 5 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(i) || !digits(n) {
        return None;
    }
    let (i, n) = (i.parse().ok()?, n.parse().ok()?);
    (i < n).then_some((i, n, ext))
}

/// Which records files a case has, in the order they are read, and the
/// problems of that choice (two layouts at once, shards of different counts).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// File names as in the case folder, without compression suffixes.
    pub names: Vec<String>,
    /// Problems found while choosing, reported before any row.
    pub diags: Vec<Diagnostic>,
}

impl Layout {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for d in &self.diags {
            w.diag(d);
        }
        for n in &self.names {
            w.tag(TAG_NAME);
            w.str(n);
        }
        w.0
    }

    /// The layout [`Layout::encode`] wrote; None when the bytes are not one.
    pub fn decode(bytes: &[u8]) -> Option<Layout> {
        let mut out = Layout::default();
        for e in Events::new(bytes) {
            match e? {
                Event::Diag(d) => out.diags.push(d),
                Event::Name(n) => out.names.push(n.to_string()),
            }
        }
        Some(out)
    }
}

/// A layout as a stream of events, ready to send.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

const TAG_DIAG: u8 = 0;
const TAG_NAME: u8 = 5;

impl Writer {
    fn tag(&mut self, t: u8) {
        self.0.push(t);
    }

    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
    }

    pub fn diag(&mut self, d: &Diagnostic) {
        self.tag(TAG_DIAG);
        self.0.push(matches!(d.level, Level::Error) as u8);
        self.u64(d.line);
        self.str(&d.file);
        self.str(&d.message);
    }
}

/// One event of an encoded layout.
#[derive(Debug)]
pub enum Event<'a> {
    Diag(Diagnostic),
    Name(&'a str),
}

/// The events of a stream, in order; an item is None where the bytes are
/// cut short or garbled (never a panic).
pub struct Events<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Events<'a> {
    pub fn new(bytes: &'a [u8]) -> Events<'a> {
        Events { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn event(&mut self) -> Option<Event<'a>> {
        let tag = *self.take(1)?.first()?;
        Some(match tag {
            TAG_DIAG => {
                let error = *self.take(1)?.first()? == 1;
                let line = self.u64()?;
                let (file, message) = (self.str()?.to_string(), self.str()?.to_string());
                Event::Diag(if error {
                    Diagnostic::error(file, line, message)
                } else {
                    Diagnostic::warning(file, line, message)
                })
            }
            TAG_NAME => Event::Name(self.str()?),
            _ => return None,
        })
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Option<Event<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let e = self.event();
        if e.is_none() {
            self.at = self.bytes.len(); // garbled: stop after reporting it once
        }
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_round_trip() {
        assert_eq!(shard_name(2, 3, "csv"), "records-00002-of-00003.csv");
        assert_eq!(parse_shard_name("records-00002-of-00003.csv"), Some((2, 3, "csv")));
        assert_eq!(parse_shard_name("records-00003-of-00003.csv"), None, "index past the count");
        assert_eq!(parse_shard_name("records-2-of-3.csv"), None, "five digits at least");
        assert_eq!(parse_shard_name("records-00000-of-00001.tsv"), None);
    }

    #[test]
    fn layouts_round_trip_and_garbage_is_not_a_panic() {
        let layout = Layout {
            names: vec![shard_name(0, 2, "csv"), shard_name(1, 2, "csv")],
            diags: vec![Diagnostic::warning("f.csv", 3, "odd")],
        };
        let bytes = layout.encode();
        assert_eq!(Layout::decode(&bytes), Some(layout));
        for cut in 0..bytes.len() {
            let _ = Layout::decode(&bytes[..cut]);
        }
    }
}
