//! Low-level table reading shared by every CSV and JSON-lines reader: header
//! mapping, required columns, per-field decoding of bytes that are not UTF-8,
//! and rows that keep their line number.

use crate::diag::Diagnostics;
use crate::model::Attrs;
use crate::text::shown;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

/// One row of a table, with its header, ready for field look-ups.
pub struct Row<'a> {
    pub file: &'a str,
    pub line: u64,
    headers: &'a [String],
    fields: Fields<'a>,
}

/// The cells of a row.
enum Fields<'a> {
    /// A CSV row whose bytes are all ASCII (the common case): every cell is
    /// read in place from the parser's record (the record's bytes as text,
    /// checked once), with no copy and no decoding.
    Ascii(&'a csv::ByteRecord, &'a str),
    /// Cells decoded one by one (JSON lines, or bytes beyond ASCII).
    Decoded(Vec<Cow<'a, str>>),
}

/// The whitespace `str::trim` removes, for ASCII cells (it includes the
/// vertical tab, which `u8::is_ascii_whitespace` does not).
fn trim_ascii_cell(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r'))
}

impl<'a> Row<'a> {
    pub fn new(file: &'a str, line: u64, headers: &'a [String], values: Vec<Cow<'a, str>>) -> Self {
        Row { file, line, headers, fields: Fields::Decoded(values) }
    }

    /// A row whose record is all ASCII, read in place.
    fn ascii(file: &'a str, line: u64, headers: &'a [String], record: &'a csv::ByteRecord, text: &'a str) -> Self {
        Row { file, line, headers, fields: Fields::Ascii(record, text) }
    }

    /// The header the row was read under, as [`header_key`] normalised it.
    pub fn headers(&self) -> &'a [String] {
        self.headers
    }

    fn len(&self) -> usize {
        match &self.fields {
            Fields::Ascii(r, _) => r.len(),
            Fields::Decoded(v) => v.len(),
        }
    }

    /// The trimmed value of the cell at `i` (a position in the header); an
    /// empty cell is absent. Readers that look up many rows resolve their
    /// columns once with [`column`] and read cells by position.
    pub fn at(&self, i: usize) -> Option<&str> {
        let v = match &self.fields {
            Fields::Ascii(r, text) => trim_ascii_cell(text.get(r.range(i)?)?),
            Fields::Decoded(v) => v.get(i)?.trim(),
        };
        (!v.is_empty()).then_some(v)
    }

    /// The row's values as read (not trimmed), in header order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| match &self.fields {
            Fields::Ascii(r, text) => r.range(i).and_then(|x| text.get(x)).unwrap_or_default(),
            Fields::Decoded(v) => v[i].as_ref(),
        })
    }

    /// The trimmed value of a column; an empty cell is absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.at(column(self.headers, name)?)
    }

    /// Every non-empty column that is not one of `known`, kept as an attribute.
    pub fn attrs(&self, known: &[&str]) -> Attrs {
        self.extra(known).map(|(h, v)| (h.to_string(), v.to_string())).collect()
    }

    /// Iterates over (column, value) pairs that are not in `known` and not empty.
    pub fn extra<'b>(&'b self, known: &'b [&str]) -> impl Iterator<Item = (&'b str, &'b str)> + 'b {
        (0..self.len().min(self.headers.len()))
            .map(|i| (self.headers[i].as_str(), i))
            .filter(move |(h, _)| !known.contains(h))
            .filter_map(|(h, i)| Some((h, self.at(i)?)))
    }

    /// Like [`Row::extra`], over the positions of the columns not known, resolved once.
    pub fn extra_at<'b>(&'b self, positions: &'b [usize]) -> impl Iterator<Item = (&'b str, &'b str)> + 'b {
        positions.iter().filter_map(|&i| Some((self.headers.get(i)?.as_str(), self.at(i)?)))
    }
}

/// The position of a column in a header (the first, when it appears twice).
pub fn column(headers: &[String], name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name)
}

/// Normalises a header cell: trimmed, lower case, byte-order mark removed.
pub fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()
}

/// Decodes one field: UTF-8 as is, anything else as Windows-1252 (what
/// spreadsheets and older publishers write), with a warning naming the line.
pub fn decode<'a>(bytes: &'a [u8], file: &str, line: u64, column: &str, diags: &mut Diagnostics) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            // Without BOM sniffing: a field that starts with a UTF-8 byte-order
            // mark is still read as the warning says.
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            diags.warning(
                file,
                line,
                format!(
                    "field `{}`: bytes that are not UTF-8, read as Windows-1252: `{}`",
                    shown(column),
                    shown(text.trim())
                ),
            );
            Cow::Owned(text.into_owned())
        }
    }
}

/// Line breaks in the bytes the CSV parser has read, so that rows get their
/// true line. The csv crate's own line count is wrong after CRLF line ends
/// (rust-csv #395) and after blank lines (rust-csv #208), and its byte
/// position then points at the line ends before a row rather than at the row.
/// Runs of line-end bytes are kept until the rows after them are numbered, so
/// memory stays bounded by the parser's read-ahead.
#[derive(Default)]
struct LineBreaks {
    /// Bytes seen so far.
    offset: u64,
    /// (first byte, line breaks) of each run of `\r` and `\n` bytes not yet passed.
    runs: VecDeque<(u64, u64)>,
    in_run: bool,
    prev_cr: bool,
    /// Line breaks in the runs already passed.
    passed: u64,
}

impl LineBreaks {
    fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if !self.in_run {
                // Jump to the next line-end byte: rows are long, line ends rare.
                match memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
                    None => {
                        self.offset += (bytes.len() - i) as u64;
                        self.prev_cr = false;
                        return;
                    }
                    Some(k) => {
                        if k > 0 {
                            self.prev_cr = false;
                        }
                        self.offset += k as u64;
                        i += k;
                    }
                }
            }
            let b = bytes[i];
            if b == b'\n' || b == b'\r' {
                if !self.in_run {
                    self.runs.push_back((self.offset, 0));
                    self.in_run = true;
                }
                // `\r\n` is one line break; a lone `\r` or `\n` is one too.
                if !(b == b'\n' && self.prev_cr)
                    && let Some(run) = self.runs.back_mut()
                {
                    run.1 += 1;
                }
                self.prev_cr = b == b'\r';
            } else {
                self.in_run = false;
                self.prev_cr = false;
            }
            self.offset += 1;
            i += 1;
        }
    }

    /// The 1-based line of a row whose parser position is `byte`: a run of
    /// line ends starting at or before it lies before the row's first byte.
    /// Positions must be asked for in increasing order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(start, breaks)) = self.runs.front() {
            if start > byte {
                break;
            }
            self.passed += breaks;
            self.runs.pop_front();
        }
        self.passed + 1
    }
}

/// A reader that tells [`LineBreaks`] every byte it passes to the parser.
struct Counted<R> {
    inner: R,
    breaks: Rc<RefCell<LineBreaks>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.breaks.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
}

/// Reads a CSV table from `input`, calling `each` for every row that has the
/// header's shape. Returns the number of rows rejected here (bad shape or a
/// missing required column), each with a diagnostic.
pub fn read_csv<R: Read>(
    input: R,
    file: &str,
    required: &[&str],
    diags: &mut Diagnostics,
    each: impl FnMut(&Row, &mut Diagnostics),
) -> usize {
    read_delimited(input, b',', file, required, diags, each)
}

/// [`read_csv`] with another field delimiter (`b'\t'` for the TSV lists
/// trade.gov also publishes).
pub fn read_delimited<R: Read>(
    input: R,
    delimiter: u8,
    file: &str,
    required: &[&str],
    diags: &mut Diagnostics,
    mut each: impl FnMut(&Row, &mut Diagnostics),
) -> usize {
    let breaks = Rc::new(RefCell::new(LineBreaks::default()));
    let counted = Counted { inner: input, breaks: Rc::clone(&breaks) };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).delimiter(delimiter).from_reader(counted);
    let mut record = csv::ByteRecord::new();
    let line_of = |pos: Option<&csv::Position>, fallback: u64| {
        pos.map(|p| breaks.borrow_mut().line_at(p.byte())).unwrap_or(fallback)
    };
    let header = match rdr.read_byte_record(&mut record) {
        Ok(true) => Header::read(&record, line_of(record.position(), 1), file, required, diags),
        Ok(false) => {
            diags.error(file, 1, "the file is empty: expected a header row");
            return 0;
        }
        Err(e) => {
            diags.error(file, 1, format!("cannot read the header row: {e}"));
            return 0;
        }
    };
    let mut rejected = 0;
    let mut line = header.line;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                line = line_of(e.position(), line + 1);
                diags.error(file, line, format!("malformed CSV: {e}"));
                rejected += 1;
                continue;
            }
        }
        line = line_of(record.position(), line + 1);
        rejected += header.row(file, line, &record, diags, &mut each);
    }
    rejected
}

/// A table's header as read, and what it means for every row.
struct Header {
    headers: Vec<String>,
    /// The line the header was read on.
    line: u64,
    /// A required column is missing: every row is rejected (the error was
    /// given once, at the header).
    missing: bool,
    /// Fields a line needs to look like a row of the table (see [`Spill`]).
    width: usize,
}

impl Header {
    /// Normalises the header cells, reports missing required columns and
    /// columns given twice.
    fn read(record: &csv::ByteRecord, line: u64, file: &str, required: &[&str], diags: &mut Diagnostics) -> Header {
        let headers: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, h)| header_key(&decode(h, file, line, &format!("header {}", i + 1), diags)))
            .collect();
        let missing: Vec<&str> = required.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
        for c in &missing {
            diags.error(
                file,
                line,
                format!("missing required column `{c}` (header has: {})", shown(&headers.join(", "))),
            );
        }
        for (i, h) in headers.iter().enumerate() {
            if !h.is_empty() && headers[..i].contains(h) {
                diags.warning(file, line, format!("column `{}` appears twice; the first one is read", shown(h)));
            }
        }
        let width = headers.len().max(2);
        Header { headers, line, missing: !missing.is_empty(), width }
    }

    /// Hands one parsed record at `line` to `each` as a row, or rejects it
    /// with a diagnostic. Returns the rows rejected here: 0, 1, or more
    /// when a stray quote swallowed later rows. A blank line is no row.
    fn row(
        &self,
        file: &str,
        line: u64,
        record: &csv::ByteRecord,
        diags: &mut Diagnostics,
        each: &mut impl FnMut(&Row, &mut Diagnostics),
    ) -> usize {
        let headers = &self.headers;
        if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return 0; // a blank line is not a row
        }
        // Only a record with a line break inside a cell can have swallowed rows.
        let multiline = memchr::memchr2(b'\n', b'\r', record.as_slice()).is_some();
        if let Some(spill) = multiline.then(|| Spill::find(record, self.width, headers.len())).flatten() {
            let column = shown(headers.get(spill.field).map(String::as_str).unwrap_or("?"));
            diags.error(
                file,
                line,
                format!(
                    "field `{column}`: a quote opened in this cell runs on to line {}, so {} later row(s) were read \
                     into it (a stray `\"`?); this row and those {} are rejected",
                    line + spill.last_line,
                    spill.rows,
                    spill.rows
                ),
            );
            return 1 + spill.rows;
        }
        if self.missing {
            return 1;
        }
        if record.len() > headers.len() {
            diags.error(
                file,
                line,
                format!(
                    "row has {} fields but the header has {}: the extra fields have no column",
                    record.len(),
                    headers.len()
                ),
            );
            return 1;
        }
        if record.as_slice().is_ascii()
            && let Ok(text) = std::str::from_utf8(record.as_slice())
        {
            each(&Row::ascii(file, line, headers, record, text), diags);
            return 0;
        }
        let values: Vec<Cow<str>> = record
            .iter()
            .enumerate()
            .map(|(i, f)| decode(f, file, line, headers.get(i).map(String::as_str).unwrap_or("?"), diags))
            .collect();
        each(&Row::new(file, line, headers, values), diags);
        0
    }
}

/// Whether `b` ends a line (`\r` or `\n`).
fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The first byte at or after `at` that does not end a line: where the CSV
/// parser, between records, starts the next one (it skips line ends).
fn skip_line_ends(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_line_end) {
        at += 1;
    }
    at
}

/// Line breaks in `bytes[from..to]`, as [`LineBreaks`] counts them: `\r\n`
/// is one, a lone `\r` or `\n` one each. `from` must not split a `\r\n`.
fn breaks_in(bytes: &[u8], from: usize, to: usize) -> u64 {
    memchr::memchr2_iter(b'\n', b'\r', &bytes[from..to])
        .filter(|&i| bytes[from + i] == b'\r' || from + i == 0 || bytes[from + i - 1] != b'\r')
        .count() as u64
}

/// What reading one stretch of a table gave.
struct Stretch<S> {
    /// Where the stretch started (the first byte of a row).
    start: usize,
    state: S,
    diags: Vec<crate::diag::Diagnostic>,
    rejected: usize,
    /// Where the next row starts: past the stretch's end, and past the last
    /// row read, which may run on beyond the end (a quoted cell with line breaks).
    stop: usize,
    /// Line breaks before `stop`.
    breaks_at_stop: u64,
    /// A row ran past the bytes this stretch was allowed to look at, so
    /// `stop` is unknown and the stretch must be read again if needed.
    overrun: bool,
}

/// The table after its header, and what every stretch of it shares.
struct Body<'a, I, E> {
    bytes: &'a [u8],
    file: &'a str,
    delimiter: u8,
    header: &'a Header,
    init: &'a I,
    each: &'a E,
}

impl<I, E> Body<'_, I, E> {
    /// Reads the rows that start in `start..end` (`start` the first byte of a
    /// row), looking at the bytes up to `limit` at most; `breaks` line
    /// breaks lie before `start`.
    fn read<S>(&self, start: usize, end: usize, limit: usize, breaks: u64) -> Stretch<S>
    where
        I: Fn() -> S,
        E: Fn(&mut S, &Row, &mut Diagnostics),
    {
        let bytes = self.bytes;
        let mut state = (self.init)();
        let mut diags = Diagnostics::default();
        let mut rejected = 0;
        // The csv parser drops a byte-order mark at the start of what it is
        // given, as at the start of a file; a row in the middle of the file
        // that starts with one keeps it in the sequential reader, so the
        // parser starts at the line end before it (a blank line, skipped).
        let base =
            if start > 0 && bytes[start..].starts_with(b"\xef\xbb\xbf") && matches!(bytes[start - 1], b'\n' | b'\r') {
                start - 1
            } else {
                start
            };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .delimiter(self.delimiter)
            .from_reader(&bytes[base..limit]);
        let mut record = csv::ByteRecord::new();
        let (mut counted, mut breaks) = (start, breaks);
        let mut pos = start;
        let mut overrun = false;
        let stop = loop {
            let next = skip_line_ends(bytes, pos);
            if next >= end {
                break next;
            }
            if !matches!(rdr.read_byte_record(&mut record), Ok(true)) {
                // Only line ends were left before `limit`: nothing more to read here.
                overrun = limit < bytes.len();
                break limit;
            }
            pos = base + rdr.position().byte() as usize;
            if pos >= limit && limit < bytes.len() {
                overrun = true; // the row may go on past what this stretch may see
                break pos;
            }
            breaks += breaks_in(bytes, counted, next);
            counted = next;
            rejected += self
                .header
                .row(self.file, breaks + 1, &record, &mut diags, &mut |row, d| (self.each)(&mut state, row, d));
        };
        if !overrun {
            breaks += breaks_in(bytes, counted, stop.min(bytes.len()));
        }
        Stretch { start, state, diags: diags.0, rejected, stop, breaks_at_stop: breaks, overrun }
    }
}

/// Reads a CSV table held in memory on the threads of the current rayon
/// pool: the same rows, in the same order, with the same lines and
/// diagnostics as [`read_csv`] (its sequential twin), so `init`, `each` and
/// `take` see what [`read_csv`]'s `each` would see.
///
/// The bytes after the header are cut into stretches of about `chunk_bytes`
/// that start at a line, and each stretch is read on its own, as if a row
/// started there. That guess is wrong where the cut falls inside a quoted
/// cell that spans lines; so the stretches are taken in file order, and one
/// that does not start where the rows before it ended is read again from
/// there. `init` makes the state of a stretch, `each` reads a row into it,
/// `take` receives the states in file order, each with the index in `diags`
/// where that stretch's diagnostics begin, a few stretches a thread at a
/// time (so that it can make room for them first, and only those wait in
/// memory). Returns the rows rejected here.
///
/// # Complexity
/// O(bytes) work on the pool's threads; a stretch read again (a quoted cell
/// across a cut) costs its bytes once more on the calling thread, and a
/// stretch read in vain at most twice its own length.
#[allow(clippy::too_many_arguments)]
pub fn read_csv_chunked<S: Send>(
    bytes: &[u8],
    file: &str,
    required: &[&str],
    chunk_bytes: usize,
    diags: &mut Diagnostics,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &Row, &mut Diagnostics) + Sync,
    mut take: impl FnMut(Vec<(S, usize)>),
) -> usize {
    use rayon::prelude::*;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let first = skip_line_ends(bytes, 0);
    let header = match rdr.read_byte_record(&mut record) {
        Ok(true) => Header::read(&record, breaks_in(bytes, 0, first) + 1, file, required, diags),
        Ok(false) => {
            diags.error(file, 1, "the file is empty: expected a header row");
            return 0;
        }
        Err(e) => {
            diags.error(file, 1, format!("cannot read the header row: {e}"));
            return 0;
        }
    };
    let body = skip_line_ends(bytes, rdr.position().byte() as usize);
    // Cuts at the first row start after every `chunk_bytes`.
    let step = chunk_bytes.max(1);
    let mut cuts = vec![body];
    let mut at = body;
    while let Some(t) = at.checked_add(step).filter(|&t| t < bytes.len()) {
        let Some(nl) = memchr::memchr(b'\n', &bytes[t..]) else { break };
        let cut = skip_line_ends(bytes, t + nl + 1);
        if cut >= bytes.len() {
            break;
        }
        cuts.push(cut);
        at = cut;
    }
    cuts.push(bytes.len().max(body));
    let spans: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    // Line breaks before each stretch: counted per stretch, then summed.
    let mut before: Vec<u64> = spans.par_iter().map(|&(a, b)| breaks_in(bytes, a, b)).collect();
    let mut total = breaks_in(bytes, 0, body);
    for b in before.iter_mut() {
        (*b, total) = (total, total + *b);
    }
    let reader = Body { bytes, file, delimiter: b',', header: &header, init: &init, each: &each };
    let mut rejected = 0;
    let (mut next, mut breaks) = (body, before.first().copied().unwrap_or(0));
    // A few stretches a thread at a time, taken before the next are read, so
    // that only those wait in memory beside the case.
    let window = rayon::current_num_threads().max(1) * 4;
    for from in (0..spans.len()).step_by(window) {
        let to = (from + window).min(spans.len());
        let stretches: Vec<Stretch<S>> = spans[from..to]
            .par_iter()
            .zip(before[from..to].par_iter())
            .enumerate()
            .map(|(j, (&(a, b), &breaks))| {
                // The first stretch starts at a row for sure and may run to the end.
                let limit =
                    if from + j == 0 { bytes.len() } else { b.saturating_add((b - a).max(step)).min(bytes.len()) };
                reader.read(a, b, limit, breaks)
            })
            .collect();
        let mut states = Vec::with_capacity(stretches.len());
        for (stretch, &(_, end)) in stretches.into_iter().zip(&spans[from..to]) {
            if next >= end {
                continue; // every row of this stretch was read into a row before it
            }
            let stretch = if stretch.start == next && !stretch.overrun {
                stretch
            } else {
                reader.read(next, end, bytes.len(), breaks)
            };
            states.push((stretch.state, diags.0.len()));
            diags.0.extend(stretch.diags);
            rejected += stretch.rejected;
            (next, breaks) = (stretch.stop, stretch.breaks_at_stop);
        }
        take(states);
    }
    rejected
}

/// A quoted cell that swallowed later rows: the csv parser reads from an
/// opening `"` to the next `"`, line breaks included, so one stray quote at
/// the start of a cell turns every row up to the next quote into that cell.
/// A cell that spans lines is kept as a value only when no line inside it
/// looks like a row of the table (as many fields as the header: a two-line
/// address or a list's remarks with a few commas do not) and the row's
/// shape is right.
struct Spill {
    /// Index of the cell that ran over.
    field: usize,
    /// Rows (non-blank lines) it swallowed after the line where it opened.
    rows: usize,
    /// Line breaks from the row's first line to the last line read into the cell.
    last_line: u64,
}

impl Spill {
    fn find(record: &csv::ByteRecord, width: usize, columns: usize) -> Option<Spill> {
        // More fields than the header: the quote closed mid-row and the rest
        // of that row became fields of this one.
        let too_wide = record.len() > columns;
        let mut breaks_before = 0u64;
        for (i, f) in record.iter().enumerate() {
            if line_breaks(f) == 0 {
                continue;
            }
            // Segments after the first are later lines; the first is the rest of the opening line.
            let mut rows = 0;
            let mut looks_like_rows = false;
            let mut last_line = 0;
            let mut breaks = 0;
            let mut prev_cr = false;
            let mut seg_start = 0;
            let mut segments = Vec::new();
            for (j, &b) in f.iter().enumerate() {
                if b == b'\r' || b == b'\n' {
                    segments.push((breaks, &f[seg_start..j]));
                    if b == b'\r' || !prev_cr {
                        breaks += 1;
                    }
                    seg_start = j + 1;
                }
                prev_cr = b == b'\r';
            }
            segments.push((breaks, &f[seg_start..]));
            for &(at, seg) in segments.iter().skip(1) {
                if seg.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                rows += 1;
                last_line = at;
                looks_like_rows |= fields_in(seg) >= width;
            }
            if (looks_like_rows || too_wide) && rows > 0 {
                return Some(Spill { field: i, rows, last_line: breaks_before + last_line });
            }
            breaks_before += breaks;
        }
        None
    }
}

/// Line breaks in a cell: `\r\n`, a lone `\r` or a lone `\n` count one each.
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    let mut prev_cr = false;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !prev_cr) {
            n += 1;
        }
        prev_cr = b == b'\r';
    }
    n
}

/// Fields in one line read as CSV (quotes respected).
fn fields_in(line: &[u8]) -> usize {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(line);
    let mut r = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut r) {
        Ok(true) => r.len(),
        _ => 1,
    }
}

/// Reads JSON lines: one object a line. Calls `each` with a row whose columns
/// are the object's keys. Returns the number of lines rejected here.
pub fn read_jsonl<R: std::io::BufRead>(
    input: R,
    file: &str,
    diags: &mut Diagnostics,
    mut each: impl FnMut(&Row, &mut Diagnostics),
) -> usize {
    let mut rejected = 0;
    for (i, line) in input.split(b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                diags.error(file, line_no, format!("cannot read: {e}"));
                rejected += 1;
                break;
            }
        };
        rejected += jsonl_line(&bytes, file, line_no, diags, &mut each);
    }
    rejected
}

/// Reads one line of JSON lines into a row for `each`; returns 1 when the
/// line is rejected, 0 when it was a row or blank.
fn jsonl_line(
    bytes: &[u8],
    file: &str,
    line_no: u64,
    diags: &mut Diagnostics,
    each: &mut impl FnMut(&Row, &mut Diagnostics),
) -> usize {
    let text = decode(bytes, file, line_no, "line", diags);
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    let pairs: Pairs = match serde_json::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
                diags.error(file, line_no, "expected a JSON object on this line");
            } else {
                diags.error(file, line_no, format!("malformed JSON: {e}"));
            }
            return 1;
        }
    };
    let mut headers: Vec<String> = Vec::with_capacity(pairs.0.len());
    let mut values = Vec::with_capacity(pairs.0.len());
    let mut bad = false;
    for (k, v) in &pairs.0 {
        let raw = v.get();
        let text = match raw.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(raw).unwrap_or_default(),
            Some(b'n') => String::new(),
            // Numbers as written: `12345678901234567890123` stays exact
            // (an id or a quantity is never rounded through a float).
            Some(b't' | b'f' | b'-' | b'0'..=b'9') => raw.to_string(),
            _ => {
                diags.error(
                    file,
                    line_no,
                    format!("field `{}`: expected a string or number, found `{}`", shown(k), shown(raw)),
                );
                bad = true;
                break;
            }
        };
        let key = header_key(k);
        // As in CSV, a key given twice is read once, the first, and said.
        if headers.contains(&key) {
            diags.warning(file, line_no, format!("key `{}` appears twice; the first one is read", shown(k)));
            continue;
        }
        headers.push(key);
        values.push(Cow::Owned(text));
    }
    if bad {
        return 1;
    }
    let row = Row::new(file, line_no, &headers, values);
    each(&row, diags);
    0
}

/// [`read_jsonl`] on bytes held in memory, on the threads of the current
/// rayon pool: lines cut into stretches of about `chunk_bytes` at line
/// ends, read apart, and handed to `take` in file order (as in
/// [`read_csv_chunked`]). Returns the lines rejected.
///
/// # Complexity
/// O(bytes) work on the pool's threads.
pub fn read_jsonl_chunked<S: Send>(
    bytes: &[u8],
    file: &str,
    chunk_bytes: usize,
    diags: &mut Diagnostics,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &Row, &mut Diagnostics) + Sync,
    take: impl FnOnce(Vec<(S, usize)>),
) -> usize {
    use rayon::prelude::*;
    let mut cuts = vec![0usize];
    let mut at = 0usize;
    while let Some(t) = at.checked_add(chunk_bytes.max(1)).filter(|&t| t < bytes.len()) {
        let Some(nl) = memchr::memchr(b'\n', &bytes[t..]) else { break };
        at = t + nl + 1;
        cuts.push(at);
    }
    if cuts.last() != Some(&bytes.len()) {
        cuts.push(bytes.len());
    }
    let spans: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let mut before: Vec<u64> =
        spans.par_iter().map(|&(a, b)| memchr::memchr_iter(b'\n', &bytes[a..b]).count() as u64).collect();
    let mut total = 0;
    for b in before.iter_mut() {
        (*b, total) = (total, total + *b);
    }
    let stretches: Vec<(S, Vec<crate::diag::Diagnostic>, usize)> = spans
        .par_iter()
        .zip(before.par_iter())
        .map(|(&(a, b), &first)| {
            let mut state = init();
            let mut local = Diagnostics::default();
            let mut rejected = 0;
            let text = &bytes[a..b];
            // A stretch ends after a line end, or at the end of the file.
            let text = text.strip_suffix(b"\n").unwrap_or(text);
            if a < b {
                for (i, line) in text.split(|&c| c == b'\n').enumerate() {
                    let line_no = first + i as u64 + 1;
                    rejected += jsonl_line(line, file, line_no, &mut local, &mut |row, d| each(&mut state, row, d));
                }
            }
            (state, local.0, rejected)
        })
        .collect();
    let mut rejected = 0;
    let mut states = Vec::with_capacity(stretches.len());
    for (state, local, r) in stretches {
        states.push((state, diags.0.len()));
        diags.0.extend(local);
        rejected += r;
    }
    take(states);
    rejected
}

/// The members of one JSON object in the order written, duplicates kept
/// (serde_json's map keeps only the last) and values as their raw text.
struct Pairs(Vec<(String, Box<serde_json::value::RawValue>)>);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<serde_json::value::RawValue>>()? {
                    out.push(entry);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}
