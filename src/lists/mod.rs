//! Screening lists (docs/spec.md §1 lists/, §5.3): the Consolidated Screening List
//! as CSV (2019 and current layouts), TSV and trade.gov's JSON download, the
//! simple form, and FollowTheMoney JSON; any of them `.gz` or `.zst`.
//!
//! One file per format; this module picks the reader by extension and, for
//! CSV, by header. Lists are data published by others, so readers are lenient
//! where a row is still usable (an unreadable date is a warning and the entry
//! is kept without it) and strict only where the row cannot be screened (no
//! name). Every row is either read or reported.

mod csl;
mod ftm;
mod simple;

use crate::diag::Diagnostics;
use crate::model::{Country, InputFile, ListEntry, ListSkips, Timestamp};
use crate::read::table::{Row, header_key};
use std::path::Path;

/// Largest list a compressed file may inflate to. The full OpenSanctions
/// export is about 2 GiB of JSON lines; a small file that inflates past this
/// is refused rather than allowed to exhaust memory.
pub const MAX_LIST_BYTES: u64 = 4 << 30;

/// The list formats read, by the extension under any `.gz` / `.zst`.
const LIST_EXTENSIONS: &[&str] = &["csv", "tsv", "json", "jsonl", "ndjson"];

/// Reads every list file in `dir` (not its sub-folders), in file-name order.
/// Returns the entries, the rows skipped by cause (each reported row with an
/// error, the entities that are not parties in one warning per file), and
/// the files read for the fingerprint.
///
/// Every entry of the folder is either read or named in a diagnostic: a
/// file that cannot be read or decompressed is an error; a hidden file, a
/// file of another type, a sub-folder, a dangling or looping symbolic link
/// and anything that is not a regular file (a FIFO is never opened, so it
/// cannot block the read) is a warning. A file may be compressed (`.gz`,
/// `.zst`, docs/spec.md §5.3).
///
/// # Complexity
/// Linear in the size of the files.
pub fn read_dir(dir: &Path, diags: &mut Diagnostics) -> (Vec<ListEntry>, ListSkips, Vec<InputFile>) {
    let mut entries = Vec::new();
    let mut skipped = ListSkips::default();
    let mut files = Vec::new();
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            diags.error(&dir.display().to_string(), 0, format!("cannot list the folder: {e}"));
            return (entries, skipped, files);
        }
    };
    let mut paths = Vec::new();
    for item in listing {
        match item {
            Ok(e) => paths.push(e.path()),
            Err(e) => diags.error(&dir.display().to_string(), 0, format!("cannot list an entry of the folder: {e}")),
        }
    }
    paths.sort();
    for path in paths {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = path.display().to_string();
        if file_name.starts_with('.') {
            diags.warning(&shown, 0, "hidden file in lists/; not read (remove the leading `.` to screen against it)");
            continue;
        }
        // `metadata` follows symbolic links: a dangling link or a loop fails here.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                let what = if link { "symbolic link that cannot be followed" } else { "entry that cannot be read" };
                diags.warning(&shown, 0, format!("{what} ({e}); not read"));
                continue;
            }
        };
        if meta.is_dir() {
            diags.warning(&shown, 0, "sub-folder in lists/; not read (only files directly in lists/ are screened)");
            continue;
        }
        if !meta.is_file() {
            diags.warning(&shown, 0, "not a regular file (a FIFO, socket or device); not read");
            continue;
        }
        let (base, codec) = crate::read::compressed::split_name(&file_name);
        let ext = Path::new(base).extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !LIST_EXTENSIONS.contains(&ext.as_str()) {
            diags.warning(
                &shown,
                0,
                "not a list file (expected .csv, .tsv, .json, .jsonl or .ndjson, optionally .gz or .zst); not read",
            );
            continue;
        }
        let raw = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                diags.error(&shown, 0, format!("cannot read: {e}"));
                continue;
            }
        };
        let bytes = match crate::read::compressed::decode_bytes(codec, &raw, MAX_LIST_BYTES) {
            Ok(b) => b,
            Err(e) => {
                diags.error(&shown, 0, format!("cannot decompress: {e}"));
                continue;
            }
        };
        files.push(input_file(&file_name, &raw));
        let before = entries.len();
        let diags_before = diags.0.len();
        skipped.add(read_bytes_by_cause(&shown, &ext, &bytes, &mut entries, diags));
        if entries.len() == before && !diags.0[diags_before..].iter().any(|d| d.file == shown) {
            diags.warning(&shown, 0, "no list entries in this file");
        }
    }
    (entries, skipped, files)
}

/// Reads one list file held in memory: `ext` (`csv`, `tsv`, `json`, `jsonl`,
/// `ndjson`) picks the format, `file` names it in diagnostics. A `.json` file
/// holding one object with a `results` array is the trade.gov CSL download;
/// any other JSON is FollowTheMoney. Appends the entries to `out` and returns
/// the rows skipped, each with a diagnostic. Never panics.
pub fn read_bytes(file: &str, ext: &str, bytes: &[u8], out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> usize {
    read_bytes_by_cause(file, ext, bytes, out, diags).total()
}

/// [`read_bytes`], with the rows skipped told apart: reported (errors) and
/// not parties (a FollowTheMoney export's addresses, sanctions and the like).
pub fn read_bytes_by_cause(
    file: &str,
    ext: &str,
    bytes: &[u8],
    out: &mut Vec<ListEntry>,
    diags: &mut Diagnostics,
) -> ListSkips {
    match ext {
        "csv" => ListSkips::reported(read_csv_list(bytes, b',', file, out, diags)),
        "tsv" => ListSkips::reported(read_csv_list(bytes, b'\t', file, out, diags)),
        _ => match csl::read_json(bytes, file, out, diags) {
            Some(skipped) => ListSkips::reported(skipped),
            None => ftm::read(bytes, file, out, diags),
        },
    }
}

/// Hashes a file's bytes for the dataset fingerprint, as `read::fingerprint_file` does.
pub(crate) fn input_file(name: &str, bytes: &[u8]) -> InputFile {
    use sha2::{Digest, Sha256};
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    InputFile { path: name.to_string(), sha256, bytes: bytes.len() as u64 }
}

/// Reads a CSV or TSV list, choosing the layout from its header.
fn read_csv_list(bytes: &[u8], delimiter: u8, file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> usize {
    let headers = peek_header(bytes, delimiter);
    let has = |c: &str| headers.iter().any(|h| h == c);
    if has("source") && has("name") && (has("entity_number") || has("alt_names")) {
        csl::read(bytes, delimiter, file, out, diags)
    } else if has("name") {
        simple::read(bytes, delimiter, file, out, diags)
    } else if headers.is_empty() {
        diags.error(file, 1, "the file is empty: expected a header row");
        0
    } else {
        diags.error(
            file,
            1,
            format!(
                "unknown list layout: expected a Consolidated Screening List header (source, entity_number, name, …) \
                 or the simple form (name, aliases, country, list, program, since); header has: {}",
                headers.join(", ")
            ),
        );
        0
    }
}

/// The header row's keys, without reporting anything (the reader reports).
fn peek_header(bytes: &[u8], delimiter: u8) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).delimiter(delimiter).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut record) {
        Ok(true) => record.iter().map(|h| header_key(&String::from_utf8_lossy(h))).collect(),
        _ => Vec::new(),
    }
}

/// A field's value with C1 control characters (U+0080..U+009F) read as the
/// Windows-1252 characters they stand for. Publishers that once decoded
/// Windows-1252 as Latin-1 left them behind: the 2019 CSL has `Gui\u{92}an`
/// for `Gui’an`. Warns with the line, the field and the repaired value.
pub(crate) fn field(row: &Row, column: &str, diags: &mut Diagnostics) -> Option<String> {
    let v = row.get(column)?;
    if !v.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        return Some(v.to_string());
    }
    let fixed: String = v
        .chars()
        .map(|c| {
            if ('\u{80}'..='\u{9f}').contains(&c) {
                let byte = [c as u32 as u8];
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
                t.chars().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    diags.warning(
        row.file,
        row.line,
        format!("field `{column}`: control characters read as Windows-1252: `{}`", printable(&fixed)),
    );
    Some(fixed)
}

/// Splits a multi-valued cell on `;`, trimming and dropping empty parts.
pub(crate) fn split_list(v: &str) -> Vec<String> {
    v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The short list id used in evidence, from a list's published name:
/// `Entity List (EL) - Bureau of Industry and Security` -> `entity_list`,
/// `Specially Designated Nationals (SDN) - Treasury Department` -> `sdn`,
/// `Military End User (MEU) List - …` -> `meu`. The abbreviation in
/// parentheses is the id trade.gov itself uses; the Entity List is spelled
/// out because the contract's (docs/spec.md) evidence examples (`list:entity_list:…`) do. A name
/// without an abbreviation becomes snake case: `entity_list`, `My List` -> `my_list`.
pub fn list_id(source: &str) -> String {
    let abbrev = source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(a, _)| a.trim())
        .filter(|a| !a.is_empty() && a.len() <= 12 && a.chars().all(|c| c.is_ascii_alphanumeric()));
    if let Some(a) = abbrev {
        let a = a.to_ascii_lowercase();
        return if a == "el" { "entity_list".to_string() } else { a };
    }
    let head = source.split(" - ").next().unwrap_or(source);
    let mut id = String::new();
    for c in deunicode::deunicode(head).chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('_') {
            id.push('_');
        }
    }
    let id = id.trim_end_matches('_').to_string();
    if id.is_empty() { "list".to_string() } else { id }
}

/// Parses a listing date; an unreadable one is a warning and the entry is kept
/// without it (it then counts as listed since always).
pub(crate) fn since(row: &Row, column: &str, diags: &mut Diagnostics) -> Option<Timestamp> {
    let v = row.get(column)?;
    let t = Timestamp::parse(v);
    if t.is_none() {
        diags.warning(
            row.file,
            row.line,
            format!("field `{column}`: `{v}` is not a valid date (expected ISO 8601 such as 2024-06-01); the entry is kept without a listing date"),
        );
    }
    t
}

/// Adds a country once, keeping first-seen order.
pub(crate) fn add_country(countries: &mut Vec<Country>, c: Country) {
    if !countries.contains(&c) {
        countries.push(c);
    }
}

/// A value for a diagnostic message: control characters escaped.
pub(crate) fn printable(s: &str) -> String {
    s.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}
