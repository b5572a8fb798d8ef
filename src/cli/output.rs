//! Writing to stdout and stderr: buffered, quiet when the reader closes the
//! pipe, and safe on a terminal. Every text stream passes through
//! [`crate::text`]'s escaping (newlines and tabs kept), so no value from the
//! data (a name, a lot, a diagnostic's echo) can send an escape sequence or a
//! bidirectional override to the terminal, whichever code path printed it.
//! JSON stays JSON: the escapes are JSON's own (`\u202e`). Only `export -o -`
//! writes raw bytes (its formats escape for themselves; PNG is binary).

use std::io::{self, BufWriter, Write};

/// Buffered standard output.
pub struct Out {
    inner: BufWriter<io::StdoutLock<'static>>,
    escape: bool,
    /// The start of a UTF-8 character whose other bytes are in the next write.
    carry: Vec<u8>,
}

impl Out {
    /// Standard output for text (tables, CSV, JSON, diagnostics): escaped.
    pub fn new() -> Out {
        Out { inner: BufWriter::new(io::stdout().lock()), escape: true, carry: Vec::new() }
    }

    /// Standard output for bytes written as they are (`export -o -`).
    pub fn raw() -> Out {
        Out { escape: false, ..Out::new() }
    }
}

impl Default for Out {
    fn default() -> Self {
        Out::new()
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.inner.write(buf);
        }
        write_escaped(&mut self.inner, &mut self.carry, buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        let carry = std::mem::take(&mut self.carry);
        self.inner.write_all(&carry)?;
        self.inner.flush()
    }
}

/// Writes `buf` to `out` with unsafe characters escaped. Bytes that are not
/// UTF-8 pass through (a terminal in UTF-8 mode does not act on them); a
/// character cut at the end of `buf` waits in `carry` for the rest.
pub fn write_escaped(out: &mut impl Write, carry: &mut Vec<u8>, buf: &[u8]) -> io::Result<()> {
    let joined;
    let mut rest = if carry.is_empty() {
        buf
    } else {
        carry.extend_from_slice(buf);
        joined = std::mem::take(carry);
        &joined[..]
    };
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return out.write_all(crate::text::escape_except(s, &['\n', '\t']).as_bytes()),
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                let good = std::str::from_utf8(good).unwrap_or_default();
                out.write_all(crate::text::escape_except(good, &['\n', '\t']).as_bytes())?;
                match e.error_len() {
                    Some(n) => {
                        out.write_all(&bad[..n])?;
                        rest = &bad[n..];
                    }
                    None => {
                        carry.extend_from_slice(bad);
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Prints one message to stderr, escaped as standard output is.
pub fn eprint_line(line: &str) {
    let mut err = io::stderr().lock();
    let mut carry = Vec::new();
    let _ = write_escaped(&mut err, &mut carry, line.as_bytes());
    let _ = err.write_all(&carry);
    let _ = err.write_all(b"\n");
}

/// A closed stdout pipe (`| head`) is not an error, whichever writer met it:
/// plain writes, serde_json and the csv crate each wrap the I/O error their own way.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = |k: io::ErrorKind| k == io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|io| broken(io.kind()))
            || c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()).is_some_and(broken)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|x| matches!(x.kind(), csv::ErrorKind::Io(io) if broken(io.kind())))
    })
}

/// Columns a cell takes on a terminal: a Chinese or Japanese character takes
/// two, a combining mark none (`unicode-width`, as ripgrep and xsv measure).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Pads a table: every column as wide as its widest cell, in terminal columns,
/// so that rows with Chinese names align.
pub fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |out: &mut dyn Write, cells: Vec<&str>| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.extend(std::iter::repeat_n(' ', widths[i] - width(c) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header.to_vec())?;
    for r in rows {
        line(out, r.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// Makes a value from the data safe in one cell of a table: control,
/// bidirectional and line-separator characters escaped, newlines included.
pub fn clean(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_escaped_even_when_a_character_is_split_between_writes() {
        let mut out = Vec::new();
        let mut carry = Vec::new();
        let text = "ok\n\u{1b}]0;title\u{7} \u{202e}evil\tx\n";
        let bytes = text.as_bytes();
        // Split inside the three bytes of U+202E.
        let cut = text.find('\u{202e}').unwrap() + 1;
        write_escaped(&mut out, &mut carry, &bytes[..cut]).unwrap();
        write_escaped(&mut out, &mut carry, &bytes[cut..]).unwrap();
        assert!(carry.is_empty());
        assert_eq!(String::from_utf8(out).unwrap(), "ok\n\\u001b]0;title\\u0007 \\u202eevil\tx\n");
    }
}
