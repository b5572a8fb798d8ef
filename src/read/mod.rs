//! Reading a case folder (docs/spec.md §1) into the [`Case`] model. Reading never
//! stops at the first problem and never panics: it returns the case it could
//! build and every diagnostic, and each row is either read or reported.
//!
//! A case is read from a folder ([`read_case`]) or from files held in memory
//! ([`read_case_from_files`], for fuzzing and embedding); both go through the
//! same code, which sees the files only through `Source`.

pub mod compressed;
mod records;
pub mod shards;
pub mod table;

use crate::diag::Diagnostics;
use crate::model::*;
use crate::policy::Policy;
use crate::text::shown;
use records::Threads;
use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use table::Row;

/// Problems that stop reading before any row is looked at.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}: no such case folder")]
    NoFolder(String),
    #[error("{0}: not a folder (a case is a folder holding entities.csv and records.csv)")]
    NotFolder(String),
}

/// Options for reading a case.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// A policy file to use instead of the case's `policy.toml`.
    pub policy_file: Option<PathBuf>,
    /// The policy's bytes where the caller read them itself (`--policy -`,
    /// standard input); they win over `policy_file`, which then names them.
    pub policy_bytes: Option<Vec<u8>>,
    /// Threads reading records.csv: 0 = the current rayon pool (one per
    /// core), 1 = the sequential reader, n = a pool of n.
    pub threads: usize,
    /// Bytes of records.csv a thread reads at a time (0 = 1 MiB); small
    /// values are for tests of the cuts between stretches.
    pub chunk_bytes: usize,
}

/// A case as read: the model, the policy in force, and every problem found.
pub struct Loaded {
    pub case: Case,
    pub policy: Policy,
    pub diags: Diagnostics,
}

const ENTITY_COLUMNS: &[&str] =
    &["id", "name", "kind", "country", "aliases", "incorporated", "address", "capacity_gpus"];
/// The columns of records.csv, in the order docs/spec.md §1 lists them (writers use this order).
pub const RECORD_COLUMNS: &[&str] = &[
    "id",
    "date",
    "kind",
    "from",
    "to",
    "product",
    "quantity",
    "lot",
    "parent_lot",
    "end_date",
    "value_usd",
    "payment",
    "declared_end_user",
    "ship_to_country",
    "source",
];
const RELATION_COLUMNS: &[&str] = &["kind", "from", "to", "share", "since", "until"];

/// Where the files of a case come from. Everything below reads through this,
/// so a folder and files in memory are read by the same code.
enum Source<'a> {
    Dir(&'a Path),
    /// (file name, bytes); a name may repeat, the first one counts.
    Memory(&'a [(&'a str, &'a [u8])]),
}

impl<'a> Source<'a> {
    /// The file that stands for `name` in a folder: the name itself, or the
    /// name with `.gz` or `.zst` after it (docs/spec.md §5.3), the first that exists.
    fn resolve(d: &Path, name: &str) -> Option<(PathBuf, compressed::Codec)> {
        compressed::SUFFIXES.iter().find_map(|(suffix, codec)| {
            let p = d.join(format!("{name}{suffix}"));
            p.exists().then_some((p, *codec))
        })
    }

    /// The file as diagnostics name it: the folder joined with the name as it
    /// is on disk (`records.csv.gz` when compressed), or the bare name.
    fn shown(&self, name: &str) -> String {
        match self {
            Source::Dir(d) => match Self::resolve(d, name) {
                Some((p, _)) => p.display().to_string(),
                None => d.join(name).display().to_string(),
            },
            Source::Memory(_) => name.to_string(),
        }
    }

    fn bytes(&self, name: &str) -> Option<&'a [u8]> {
        match self {
            Source::Dir(_) => None,
            Source::Memory(files) => files.iter().find(|(n, _)| *n == name).map(|(_, b)| *b),
        }
    }

    /// The names of the files in the folder (or in memory), compression suffixes kept.
    fn list(&self) -> Vec<String> {
        match self {
            Source::Dir(d) => std::fs::read_dir(d)
                .map(|it| it.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default(),
            Source::Memory(files) => files.iter().map(|(n, _)| n.to_string()).collect(),
        }
    }

    fn exists(&self, name: &str) -> bool {
        match self {
            Source::Dir(d) => Self::resolve(d, name).is_some(),
            Source::Memory(_) => self.bytes(name).is_some(),
        }
    }

    fn open(&self, name: &str) -> std::io::Result<Box<dyn BufRead + 'a>> {
        match self {
            Source::Dir(d) => match Self::resolve(d, name) {
                Some((p, codec)) => compressed::decode(codec, BufReader::with_capacity(1 << 16, File::open(p)?)),
                None => Err(std::io::ErrorKind::NotFound.into()),
            },
            Source::Memory(_) => match self.bytes(name) {
                Some(b) => Ok(Box::new(b)),
                None => Err(std::io::ErrorKind::NotFound.into()),
            },
        }
    }

    /// The file's hash for the dataset fingerprint (streamed from a folder;
    /// of the bytes on disk, compressed or not).
    fn fingerprint(&self, name: &str) -> Option<InputFile> {
        match self {
            Source::Dir(d) => fingerprint_path(&Self::resolve(d, name)?.0),
            Source::Memory(_) => {
                use sha2::{Digest, Sha256};
                let b = self.bytes(name)?;
                let sha256 = Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect();
                Some(InputFile { path: name.to_string(), sha256, bytes: b.len() as u64 })
            }
        }
    }
}

/// Reads the case folder at `dir`.
pub fn read_case(dir: &Path, opts: &ReadOptions) -> Result<Loaded, ReadError> {
    let shown = dir.display().to_string();
    if !dir.exists() {
        return Err(ReadError::NoFolder(shown));
    }
    if !dir.is_dir() {
        return Err(ReadError::NotFolder(shown));
    }
    Ok(read_from(&Source::Dir(dir), dir, opts))
}

/// Which records files the case folder at `dir` holds (see [`shards`]).
pub fn records_layout(dir: &Path) -> shards::Layout {
    layout(&Source::Dir(dir))
}

/// Reads a case from files held in memory, named as in a case folder
/// (`entities.csv`, `records.csv` or `records.jsonl`, `relations.csv`,
/// `policy.toml`); other names are ignored, and so are screening lists.
/// Diagnostics name the files without a folder.
pub fn read_case_from_files(files: &[(&str, &[u8])]) -> Loaded {
    read_case_from_files_with(files, &ReadOptions::default())
}

/// [`read_case_from_files`] with options (threads and stretch size; the
/// policy file is read from disk when given).
pub fn read_case_from_files_with(files: &[(&str, &[u8])], opts: &ReadOptions) -> Loaded {
    read_from(&Source::Memory(files), Path::new(""), opts)
}

/// Which records files to read: `records.csv`, `records.jsonl` or the
/// shards of [`shards::shard_name`], with the problems of that choice.
fn layout(src: &Source) -> shards::Layout {
    let mut out = shards::Layout::default();
    let mut found: Vec<(usize, usize, String)> = src
        .list()
        .iter()
        .filter_map(|n| shards::parse_shard_name(compressed::split_name(n).0).map(|(i, k, e)| (i, k, e.to_string())))
        .collect();
    found.sort();
    found.dedup();
    let error = |out: &mut shards::Layout, name: &str, message: String| {
        out.diags.push(crate::diag::Diagnostic::error(src.shown(name), 0, message))
    };
    let single = match (src.exists("records.csv"), src.exists("records.jsonl")) {
        (true, true) => {
            let m = "both records.csv and records.jsonl are present; keep one (records.csv was read)".to_string();
            error(&mut out, "records.jsonl", m);
            Some("records.csv")
        }
        (true, false) => Some("records.csv"),
        (false, true) => Some("records.jsonl"),
        (false, false) => None,
    };
    match (single, found.first()) {
        (Some(name), first) => {
            if let Some((i, k, e)) = first {
                let shard = shards::shard_name(*i, *k, e);
                error(
                    &mut out,
                    &shard,
                    format!("both {name} and record shards are present; keep one ({name} was read)"),
                );
            }
            out.names.push(name.to_string());
        }
        (None, None) => error(
            &mut out,
            "records.csv",
            "required file is missing (records.csv, records.jsonl or shards records-00000-of-NNNNN.csv)".to_string(),
        ),
        (None, Some((_, k, ext))) => {
            let (k, ext) = (*k, ext.clone());
            for (i, k2, e2) in &found {
                if *k2 != k || *e2 != ext {
                    let name = shards::shard_name(*i, *k2, e2);
                    error(
                        &mut out,
                        &name,
                        format!(
                            "shard of another layout: the case's first shard is {} (not read)",
                            shards::shard_name(0, k, &ext)
                        ),
                    );
                }
            }
            out.names = (0..k).map(|i| shards::shard_name(i, k, &ext)).collect();
        }
    }
    out
}

fn read_from(src: &Source, root: &Path, opts: &ReadOptions) -> Loaded {
    read_marked(src, root, opts, None).0
}

/// Where the records' part of a read sits in its diagnostics and files (see [`read_case_part`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Marks {
    /// Diagnostics: the records files' rows start at `rows.0` and end at
    /// `rows.1`, where the warnings about the lot lineage start; they end at `lineage`.
    pub rows: (usize, usize),
    pub lineage: usize,
    /// Files: the records files are `case.files[files.0..files.1]`.
    pub files: (usize, usize),
}

/// The cluster's read of one rank's share (docs/spec.md §5.5): the case at
/// `dir` with only the records files `layout` names (the rank's shards; the
/// layout's own diagnostics are reported as given), and where the records'
/// diagnostics and files sit, so that the ranks' shares can be put
/// together in the one-process order.
pub fn read_case_part(dir: &Path, opts: &ReadOptions, layout: &shards::Layout) -> Result<(Loaded, Marks), ReadError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(if dir.exists() { ReadError::NotFolder(shown) } else { ReadError::NoFolder(shown) });
    }
    Ok(read_marked(&Source::Dir(dir), dir, opts, Some(layout)))
}

fn read_marked(src: &Source, root: &Path, opts: &ReadOptions, given: Option<&shards::Layout>) -> (Loaded, Marks) {
    let mut marks = Marks::default();
    let mut diags = Diagnostics::default();
    let mut case = Case { root: root.to_path_buf(), ..Case::default() };

    // The policy is read first because its product table normalises the
    // records' products; its diagnostics and file hash are kept for the end,
    // where they have always been reported.
    let mut policy_diags = Diagnostics::default();
    let mut policy_files = Vec::new();
    let policy = read_policy(src, opts, &mut policy_files, &mut policy_diags);
    let refs = read_entities(&mut case, src, "entities.csv", &mut diags);
    let products = policy.products();
    let local;
    let layout = match given {
        Some(layout) => layout,
        None => {
            local = layout(src);
            &local
        }
    };
    diags.extend(layout.diags.iter().cloned());
    marks.rows.0 = diags.0.len();
    marks.files.0 = case.files.len();
    let threads = Threads {
        threads: opts.threads,
        chunk_bytes: if opts.chunk_bytes == 0 { records::CHUNK_BYTES } else { opts.chunk_bytes },
    };
    records::read_records(&mut case, &refs, products, src, &layout.names, threads, &mut diags);
    marks.files.1 = case.files.len();
    marks.rows.1 = diags.0.len();
    lineage_warnings(&case, &mut diags);
    marks.lineage = diags.0.len();
    if src.exists("relations.csv") {
        read_relations(&mut case, &refs, src, "relations.csv", &mut diags);
    }
    if let Source::Dir(dir) = src {
        let lists_dir = dir.join("lists");
        if lists_dir.is_dir() {
            let (entries, skipped, files) = crate::lists::read_dir(&lists_dir, &mut diags);
            case.stats.list_entries_read = entries.len();
            case.stats.list_rows_skipped = skipped;
            case.lists = entries;
            case.files.extend(files);
        }
    }
    case.files.extend(policy_files);
    diags.extend(policy_diags.0);
    (Loaded { case, policy, diags }, marks)
}

/// Reads the policy in force: the file named in the options, else the case's
/// `policy.toml`, else the built-in one.
fn read_policy(src: &Source, opts: &ReadOptions, files: &mut Vec<InputFile>, diags: &mut Diagnostics) -> Policy {
    if let Some(bytes) = &opts.policy_bytes {
        let shown = opts.policy_file.as_ref().map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
        files.push(fingerprint_bytes(&shown, bytes));
        return crate::policy::load_bytes(bytes, &shown, diags);
    }
    match (&opts.policy_file, src) {
        (Some(path), _) => {
            files.extend(fingerprint_path(path));
            crate::policy::load(path, diags)
        }
        (None, Source::Dir(dir)) if src.exists("policy.toml") => {
            files.extend(src.fingerprint("policy.toml"));
            match Source::resolve(dir, "policy.toml") {
                Some((path, compressed::Codec::Plain)) => crate::policy::load(&path, diags),
                Some((path, codec)) => {
                    let shown = path.display().to_string();
                    match std::fs::read(&path).and_then(|b| compressed::decode_bytes(codec, &b, 1 << 24)) {
                        Ok(bytes) => crate::policy::load_bytes(&bytes, &shown, diags),
                        Err(e) => {
                            diags.error(&shown, 0, format!("cannot read: {e}"));
                            Policy::default()
                        }
                    }
                }
                None => Policy::default(),
            }
        }
        (None, Source::Memory(_)) if src.exists("policy.toml") => {
            files.extend(src.fingerprint("policy.toml"));
            let bytes = src.bytes("policy.toml").unwrap_or_default();
            crate::policy::load_bytes(bytes, "policy.toml", diags)
        }
        (None, _) => Policy::default(),
    }
}

/// Opens a file, records its hash for the fingerprint, and reports a missing one.
fn open<'a>(case: &mut Case, src: &Source<'a>, name: &str, diags: &mut Diagnostics) -> Option<Box<dyn BufRead + 'a>> {
    open_into(&mut case.files, src, name, diags)
}

/// [`open`], recording the fingerprint in `files`.
fn open_into<'a>(
    files: &mut Vec<InputFile>,
    src: &Source<'a>,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<Box<dyn BufRead + 'a>> {
    match src.open(name) {
        Ok(f) => {
            files.extend(src.fingerprint(name));
            Some(f)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(&src.shown(name), 0, "required file is missing");
            None
        }
        Err(e) => {
            diags.error(&src.shown(name), 0, format!("cannot open: {e}"));
            None
        }
    }
}

/// Hashes bytes read elsewhere (standard input) for the dataset fingerprint.
fn fingerprint_bytes(name: &str, bytes: &[u8]) -> InputFile {
    use sha2::{Digest, Sha256};
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    InputFile { path: name.to_string(), sha256, bytes: bytes.len() as u64 }
}

/// Hashes a file's bytes (streamed) for the dataset fingerprint.
fn fingerprint_path(path: &Path) -> Option<InputFile> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 {
            break;
        }
        bytes += n as u64;
        h.update(&buf[..n]);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Some(InputFile { path: name, sha256, bytes })
}

/// What the other files need to know about entities.csv to explain a
/// reference that does not resolve.
struct EntityRefs {
    /// The file as diagnostics name it.
    file: String,
    /// Whether entities.csv could be opened at all.
    read: bool,
    /// Ids of rows that were rejected, with their line.
    rejected: HashMap<String, u64>,
}

fn read_entities(case: &mut Case, src: &Source, name: &str, diags: &mut Diagnostics) -> EntityRefs {
    let file = src.shown(name);
    let mut refs = EntityRefs { file: file.clone(), read: false, rejected: HashMap::default() };
    let Some(input) = open(case, src, name, diags) else { return refs };
    refs.read = true;
    // First line of every id, whether or not its row was read, so that a
    // duplicate is reported even when the first row had another problem.
    let mut first_line: HashMap<String, u64> = HashMap::default();
    let mut entities = Vec::new();
    let mut rejected = 0;
    let shape_rejected = table::read_csv(input, &file, &["id", "name", "kind", "country"], diags, |row, diags| {
        let entity = entity_from_row(row, diags);
        let Some(id) = row.get("id") else {
            rejected += 1;
            return;
        };
        if let Some(prev) = first_line.get(id) {
            diags.error(
                row.file,
                row.line,
                format!("field `id`: duplicate id `{}` (first defined at line {prev})", shown(id)),
            );
            rejected += 1;
            return;
        }
        first_line.insert(id.to_string(), row.line);
        match entity {
            Some(e) => entities.push(e),
            None => {
                refs.rejected.insert(id.to_string(), row.line);
                rejected += 1;
            }
        }
    });
    case.entity_index = entities.iter().enumerate().map(|(i, e)| (e.id.clone(), i as EntityId)).collect();
    case.stats.entities_read = entities.len();
    case.stats.entities_rejected = rejected + shape_rejected;
    case.entities = entities;
    refs
}

/// Reports a missing required field.
fn required<'r>(row: &'r Row, col: &str, diags: &mut Diagnostics) -> Option<&'r str> {
    need(row, col, row.get(col), diags)
}

/// Reports a required value that is missing, given the value already looked up.
fn need<'r>(row: &Row, col: &str, v: Option<&'r str>, diags: &mut Diagnostics) -> Option<&'r str> {
    if v.is_none() {
        diags.error(row.file, row.line, format!("field `{col}`: required value is empty"));
    }
    v
}

fn parse_date(row: &Row, col: &str, diags: &mut Diagnostics) -> Result<Option<Timestamp>, ()> {
    date_value(row, col, row.get(col), diags)
}

fn date_value(row: &Row, col: &str, v: Option<&str>, diags: &mut Diagnostics) -> Result<Option<Timestamp>, ()> {
    match v {
        None => Ok(None),
        Some(v) => match Timestamp::parse(v) {
            Some(t) => Ok(Some(t)),
            None => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `{col}`: `{}` is not a valid date (expected ISO 8601: 2024-06-01 or 2024-06-01T08:30:00Z)", shown(v)),
                );
                Err(())
            }
        },
    }
}

fn parse_country(row: &Row, col: &str, diags: &mut Diagnostics) -> Result<Option<Country>, ()> {
    country_value(row, col, row.get(col), diags)
}

fn country_value(row: &Row, col: &str, v: Option<&str>, diags: &mut Diagnostics) -> Result<Option<Country>, ()> {
    match v {
        None => Ok(None),
        Some(v) => match Country::parse(v) {
            Some(c) => Ok(Some(c)),
            None => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `{col}`: unknown country `{}` (expected ISO 3166-1 alpha-2 such as CN, a name or alpha-3)", shown(v)),
                );
                Err(())
            }
        },
    }
}

fn entity_from_row(row: &Row, diags: &mut Diagnostics) -> Option<Entity> {
    let id = required(row, "id", diags);
    let name = required(row, "name", diags);
    let kind_text = required(row, "kind", diags);
    let country_text = row.get("country");
    let mut ok = id.is_some() && name.is_some() && kind_text.is_some();
    let kind = kind_text.and_then(|k| {
        let parsed = EntityKind::parse(k);
        if parsed.is_none() {
            diags.error(
                row.file,
                row.line,
                format!(
                    "field `kind`: unknown entity kind `{}` (expected one of {})",
                    shown(k),
                    EntityKind::expected()
                ),
            );
        }
        parsed
    });
    ok &= kind.is_some();
    let country = match country_text {
        None => {
            diags.error(row.file, row.line, "field `country`: required value is empty");
            None
        }
        Some(_) => parse_country(row, "country", diags).ok().flatten(),
    };
    ok &= country.is_some();
    let incorporated = parse_date(row, "incorporated", diags);
    ok &= incorporated.is_ok();
    let capacity = match row.get("capacity_gpus") {
        None => Some(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `capacity_gpus`: `{}` is not a whole number of GPUs", shown(v)),
                );
                None
            }
        },
    };
    ok &= capacity.is_some();
    if !ok {
        return None;
    }
    Some(Entity {
        id: id?.to_string(),
        name: name?.to_string(),
        kind: kind?,
        country: country?,
        aliases: row
            .get("aliases")
            .map(|a| a.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
            .unwrap_or_default(),
        incorporated: incorporated.ok()?,
        address: row.get("address").map(String::from),
        capacity_gpus: capacity?,
        attrs: row.attrs(ENTITY_COLUMNS),
        line: row.line,
    })
}

fn lookup_entity(case: &Case, refs: &EntityRefs, row: &Row, col: &str, diags: &mut Diagnostics) -> Option<EntityId> {
    entity_value(case, refs, row, col, row.get(col), diags)
}

fn entity_value(
    case: &Case,
    refs: &EntityRefs,
    row: &Row,
    col: &str,
    v: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<EntityId> {
    let v = need(row, col, v, diags)?;
    let id = case.entity_by_key(v);
    if id.is_none() {
        let why = if !refs.read {
            "entities.csv could not be read".to_string()
        } else if let Some(line) = refs.rejected.get(v) {
            format!("its row at {}:{line} was rejected", refs.file)
        } else {
            "not an id in entities.csv".to_string()
        };
        diags.error(row.file, row.line, format!("field `{col}`: unknown entity `{}` ({why})", shown(v)));
    }
    id
}

/// Warns of every record whose parent lot is not the lot of any record: the
/// lineage is broken there. Run once all records files are read.
///
/// # Complexity
/// O(R).
pub fn lineage_warnings(case: &Case, diags: &mut Diagnostics) {
    let (records, record_files) = (&case.records, &case.record_files);
    if records.iter().all(|r| r.parent_lot.is_none()) {
        return; // no lineage to check (and no set of lots to build)
    }
    let lots: rustc_hash::FxHashSet<Sym> = records.iter().filter_map(|r: &Record| r.lot).collect();
    let mut fi = 0;
    for (ri, r) in records.iter().enumerate() {
        while fi + 1 < record_files.len() && record_files[fi + 1].0 as usize <= ri {
            fi += 1;
        }
        if let Some(p) = r.parent_lot
            && !lots.contains(&p)
        {
            diags.warning(
                &record_files[fi].1,
                r.line,
                format!(
                    "field `parent_lot`: lot `{}` is not the lot of any record; lineage stops here",
                    shown(case.strings.resolve(p))
                ),
            );
        }
    }
}

/// Attribute keeping a product description that was normalised to a model.
pub const PRODUCT_AS_WRITTEN: &str = "product_as_written";
/// Attribute keeping a quantity of servers that was counted in GPUs.
pub const QUANTITY_AS_WRITTEN: &str = "quantity_as_written";
/// Attribute keeping a payment as written when it was a spelling or unknown.
pub const PAYMENT_AS_WRITTEN: &str = "payment_as_written";

/// An amount as written: `1,200.50`, `$1200` (separators and the dollar sign dropped).
fn parse_amount(v: &str) -> Result<f64, std::num::ParseFloatError> {
    if v.contains([',', '$']) { v.replace([',', '$'], "").parse() } else { v.parse() }
}

/// Product names compare in upper case without inner spaces: `h100` = `H100`.
pub fn normalise_product(p: &str) -> std::borrow::Cow<'_, str> {
    if p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
        return std::borrow::Cow::Borrowed(p); // already normal: the common case, no allocation
    }
    std::borrow::Cow::Owned(p.split_whitespace().collect::<String>().to_uppercase())
}

fn read_relations(case: &mut Case, refs: &EntityRefs, src: &Source, name: &str, diags: &mut Diagnostics) {
    let file = src.shown(name);
    let Some(input) = open(case, src, name, diags) else { return };
    let mut relations = Vec::new();
    let mut rejected = 0;
    rejected += table::read_csv(input, &file, &["kind", "from", "to"], diags, |row, diags| {
        match relation_from_row(case, refs, row, diags) {
            Some(r) => relations.push(r),
            None => rejected += 1,
        }
    });
    case.stats.relations_read = relations.len();
    case.stats.relations_rejected = rejected;
    case.relations = relations;
}

fn relation_from_row(case: &Case, refs: &EntityRefs, row: &Row, diags: &mut Diagnostics) -> Option<Relation> {
    let kind = required(row, "kind", diags).and_then(|k| {
        let parsed = RelationKind::parse(k);
        if parsed.is_none() {
            diags.error(
                row.file,
                row.line,
                format!(
                    "field `kind`: unknown relation kind `{}` (expected one of {})",
                    shown(k),
                    RelationKind::expected()
                ),
            );
        }
        parsed
    });
    let from = lookup_entity(case, refs, row, "from", diags);
    let to = lookup_entity(case, refs, row, "to", diags);
    let share = match (kind, row.get("share")) {
        (Some(RelationKind::Owns), None) => {
            diags.error(row.file, row.line, "field `share`: required for `owns` (percent, 0 < share <= 100)");
            Err(())
        }
        (_, None) => Ok(None),
        (_, Some(v)) => match v.trim_end_matches('%').trim().parse::<f64>() {
            Ok(x) if x > 0.0 && x <= 100.0 => Ok(Some(x)),
            _ => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `share`: `{}` is not a percent with 0 < share <= 100", shown(v)),
                );
                Err(())
            }
        },
    };
    let since = parse_date(row, "since", diags);
    let until = parse_date(row, "until", diags);
    let (Some(kind), Some(from), Some(to), Ok(share), Ok(since), Ok(until)) = (kind, from, to, share, since, until)
    else {
        return None;
    };
    if from == to {
        diags.error(
            row.file,
            row.line,
            format!("fields `from`/`to`: `{}` {kind} itself", shown(&case.entity(from).id)),
        );
        return None;
    }
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        diags.error(row.file, row.line, format!("field `until`: `{u}` is before `since` `{s}`"));
        return None;
    }
    Some(Relation { kind, from, to, share, since, until, attrs: row.attrs(RELATION_COLUMNS), line: row.line })
}
