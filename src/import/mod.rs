//! `chiptrace import` (docs/spec.md §5.3): a customs or bill-of-lading export, with
//! its own column names, date formats and product descriptions, turned into
//! a case folder (`entities.csv`, `records.csv`).
//!
//! A [`Mapping`] names the source columns. Every source row becomes a record
//! or a diagnostic naming its line and field (rows in = records + rows
//! reported). Party names are merged into entities by the screening
//! normaliser ([`crate::screen::normalise`]): spellings of one party that
//! normalise alike, in the same country, become one entity whose most
//! frequent spelling is its name and whose other spellings are its aliases.
//! Product descriptions and HS codes go through [`product::recognise`].
//! Nothing here touches the file system: the CLI opens the source and writes
//! what [`import`] returns with [`write_case`].

pub mod mapping;
pub mod mirror;
pub mod party;
pub mod product;

pub use mapping::Mapping;

use crate::diag::Diagnostics;
use crate::model::{Country, EntityKind, Payment, RecordKind, Timestamp};
use crate::read::table::{Row, header_key, read_delimited};
use mapping::Source;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};

/// Why an import could not start (a row's problems are diagnostics instead).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {message}")]
    Mapping { file: String, message: String },
}

/// A party as the source names it, before merging.
#[derive(Clone, Debug)]
struct Party {
    /// The party's own name: the cell without a `C/O`, `ON BEHALF OF` or `ATTN` tail.
    name: String,
    /// The cell as written and what its tail named, where it had one.
    written: Option<(String, party::Written)>,
    country: Country,
    address: Option<String>,
    kind: Option<EntityKind>,
}

/// One imported record, with its parties by merge key.
#[derive(Clone, Debug)]
pub struct ImportedRecord {
    pub id: String,
    pub date: Timestamp,
    pub kind: RecordKind,
    pub from: usize,
    pub to: usize,
    /// The model (`H100`), or the description as written where none was recognised.
    pub product: String,
    /// GPUs: declared units times the GPUs one unit holds.
    pub quantity: u64,
    /// Units as declared on the document.
    pub declared_quantity: u64,
    pub description: String,
    pub hs_code: Option<String>,
    pub value_usd: Option<String>,
    pub lot: Option<String>,
    pub payment: Option<String>,
    pub declared_end_user: Option<String>,
    /// The declared end user cell as written, where the import read it
    /// otherwise (a consignee reference or a leading `ON BEHALF OF`).
    pub declared_end_user_as_written: Option<String>,
    /// The sender's and receiver's cells as written and what their tails
    /// named (`C/O`, `ON BEHALF OF`, `ATTN`), where they had one.
    pub from_written: Option<(String, party::Written)>,
    pub to_written: Option<(String, party::Written)>,
    pub ship_to_country: Option<Country>,
    pub source: String,
    pub line: u64,
    /// The id of the mirror declaration of the same shipment (the other
    /// side's declaration) joined into this record, see [`mirror`].
    pub mirror: Option<String>,
}

/// A merged party.
#[derive(Clone, Debug)]
pub struct ImportedEntity {
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    pub country: Country,
    /// Other spellings seen, sorted.
    pub aliases: Vec<String>,
    pub address: Option<String>,
    /// Source line where the party first appears.
    pub line: u64,
}

/// What an import produced.
#[derive(Debug, Default)]
pub struct Imported {
    pub entities: Vec<ImportedEntity>,
    pub records: Vec<ImportedRecord>,
    pub diags: Diagnostics,
    /// Data rows in the source (blank lines are not rows).
    pub rows: usize,
    /// Rows reported and not imported.
    pub rejected: usize,
    /// Records whose product description named no known model (kept as written, warned).
    pub unrecognised_products: usize,
    /// Records whose sender or receiver cell carried a `C/O`, `ON BEHALF OF`
    /// or `ATTN` tail (the party is the name before it; the tail is kept).
    pub party_tails: usize,
    /// Rows joined, as mirror declarations, into the record of the same
    /// shipment declared on the other side ([`mirror`]): rows = records +
    /// joined + rejected.
    pub mirrors: usize,
}

/// Reads a mapping file's text.
pub fn parse_mapping(text: &str, file: &str) -> Result<Mapping, ImportError> {
    let m: Mapping =
        toml::from_str(text).map_err(|e| ImportError::Mapping { file: file.to_string(), message: e.to_string() })?;
    for (name, kind) in &m.parties {
        if EntityKind::parse(kind).is_none() {
            return Err(ImportError::Mapping {
                file: file.to_string(),
                message: format!(
                    "[parties] `{name}`: unknown entity kind `{kind}` (expected one of {})",
                    EntityKind::expected()
                ),
            });
        }
    }
    if delimiter(&m).is_none() {
        return Err(ImportError::Mapping {
            file: file.to_string(),
            message: format!(
                "[source] delimiter `{}`: expected one character such as `,`, `;` or `\\t`",
                m.source.delimiter
            ),
        });
    }
    for f in &m.records.date_formats {
        // A format without a day, month and year field would give dates that never parse.
        if !(f.contains("%d") || f.contains("%e") || f.contains("%j")) || !f.contains("%Y") && !f.contains("%y") {
            return Err(ImportError::Mapping {
                file: file.to_string(),
                message: format!("date_formats: `{f}` has no day or no year (chrono format, e.g. `%m/%d/%Y`)"),
            });
        }
    }
    Ok(m)
}

fn delimiter(m: &Mapping) -> Option<u8> {
    match m.source.delimiter.as_str() {
        "\\t" | "\t" | "tab" => Some(b'\t'),
        d if d.len() == 1 => Some(d.as_bytes()[0]),
        _ => None,
    }
}

/// The source columns a mapping reads, by field.
fn columns(m: &Mapping) -> Vec<(&'static str, String)> {
    let r = &m.records;
    let mut out = Vec::new();
    let mut add = |field: &'static str, s: Source| {
        if let Source::Column(c) = s {
            out.push((field, c));
        }
    };
    let col = |s: &Option<mapping::Spec>| s.as_ref().map(|s| s.column_first());
    let val = |s: &Option<mapping::Spec>| s.as_ref().map(|s| s.value_first());
    add("date", r.date.column_first());
    add("from", r.from.column_first());
    add("to", r.to.column_first());
    add("product", r.product.column_first());
    add("quantity", r.quantity.column_first());
    for (f, s) in [
        ("id", col(&r.id)),
        ("kind", val(&r.kind)),
        ("from_country", col(&r.from_country)),
        ("from_address", col(&r.from_address)),
        ("from_kind", val(&r.from_kind)),
        ("to_country", col(&r.to_country)),
        ("to_address", col(&r.to_address)),
        ("to_kind", val(&r.to_kind)),
        ("hs_code", col(&r.hs_code)),
        ("value_usd", col(&r.value_usd)),
        ("lot", col(&r.lot)),
        ("payment", col(&r.payment)),
        ("declared_end_user", col(&r.declared_end_user)),
        ("ship_to_country", col(&r.ship_to_country)),
        ("source", col(&r.source)),
        ("declaration", col(&r.declaration)),
    ] {
        if let Some(s) = s {
            add(f, s);
        }
    }
    out
}

/// A field's value in a row: the column's trimmed text or the constant.
fn get(row: &Row, s: &Source) -> Option<String> {
    match s {
        Source::Column(c) => row.get(&header_key(c)).map(str::to_string),
        Source::Value(v) => (!v.trim().is_empty()).then(|| v.trim().to_string()),
    }
}

/// Parses a date with the mapping's formats; ISO 8601 is always tried last.
/// Returns the date and whether another format would read it differently.
pub fn parse_date(text: &str, formats: &[String]) -> Option<(Timestamp, bool)> {
    use chrono::{NaiveDate, NaiveDateTime};
    let one = |f: &str| {
        NaiveDate::parse_from_str(text, f)
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(text, f).ok().map(|d| d.date()))
            .map(Timestamp::from_date)
    };
    let mut found: Vec<Timestamp> = formats.iter().filter_map(|f| one(f)).collect();
    if found.is_empty() {
        found.extend(Timestamp::parse(text));
    }
    let first = *found.first()?;
    Some((first, found.iter().any(|t| *t != first)))
}

/// Parses a declared quantity: `12`, `1,200`, `12 PCS`, `12.0 units`.
pub fn parse_quantity(text: &str) -> Option<u64> {
    let t = text.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.' || c == ' ')).unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    let unit = unit.trim().to_ascii_lowercase();
    let units_ok = unit.is_empty()
        || ["pcs", "pc", "pieces", "piece", "units", "unit", "ea", "each", "sets", "set", "nos", "no", "ctns"]
            .contains(&unit.trim_end_matches('.'));
    if !units_ok {
        return None;
    }
    let num: String = num.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
    let num = num.strip_suffix(".0").or_else(|| num.strip_suffix(".00")).unwrap_or(&num);
    num.parse::<u64>().ok().filter(|&n| n > 0)
}

/// Parses an amount: `$1,200.50`, `USD 1200`, `1 200`.
fn parse_amount(text: &str) -> Option<String> {
    let t: String = text
        .trim()
        .trim_start_matches("USD")
        .trim_end_matches("USD")
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' '))
        .collect();
    let x: f64 = t.parse().ok()?;
    (x.is_finite() && x >= 0.0).then_some(t)
}

/// The merge key of a party: its name as the screening normaliser reduces it
/// (case, punctuation, legal forms, abbreviations), and its country.
fn party_key(name: &str, country: Country) -> (String, Country) {
    let n = crate::screen::normalise::normalise(name);
    let key = if n.compact.is_empty() { name.trim().to_lowercase() } else { n.compact };
    (key, country)
}

/// Imports the rows of `input` (named `file` in diagnostics) under `m`.
///
/// # Complexity
/// O(N log P) for N rows and P distinct parties, streaming the source.
pub fn import<R: Read>(input: R, file: &str, m: &Mapping) -> Imported {
    let mut out = Imported::default();
    let r = &m.records;
    let formats: Vec<String> = if r.date_formats.is_empty() { vec!["%Y-%m-%d".into()] } else { r.date_formats.clone() };
    let required: Vec<String> = columns(m).iter().map(|(_, c)| header_key(c)).collect();
    let required: Vec<&str> = required.iter().map(String::as_str).collect();
    let src_name = std::path::Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let src_name = if src_name.is_empty() { "stdin".to_string() } else { src_name };
    // Parties by merge key: the spellings seen (with counts and first line).
    let mut keys: HashMap<(String, Country), usize> = HashMap::new();
    let mut parties: Vec<(Vec<Party>, u64)> = Vec::new();
    let mut seen_ids: HashMap<String, (u64, u32)> = HashMap::new();
    let mut ambiguous: Option<(u64, String)> = None;
    let mut ambiguous_n = 0usize;
    let mut rows = 0usize;
    let mut rejected = 0usize;
    let mut records = Vec::new();
    let mut unrecognised = 0usize;
    let mut tails = 0usize;
    let mut sides: Vec<Option<mirror::Side>> = Vec::new();
    let delimiter = delimiter(m).unwrap_or(b',');
    let shape_rejected = read_delimited(input, delimiter, file, &required, &mut out.diags, |row, diags| {
        rows += 1;
        let mut bad = false;
        let mut err = |diags: &mut Diagnostics, field: &str, col: &Source, message: String| {
            let named = match col {
                Source::Column(c) => format!("column `{c}` (field `{field}`)"),
                Source::Value(_) => format!("field `{field}`"),
            };
            diags.error(row.file, row.line, format!("{named}: {message}"));
            bad = true;
        };
        let date_src = r.date.column_first();
        let date = match get(row, &date_src) {
            None => {
                err(diags, "date", &date_src, "required value is empty".into());
                None
            }
            Some(v) => match parse_date(&v, &formats) {
                Some((t, amb)) => {
                    if amb {
                        ambiguous_n += 1;
                        ambiguous.get_or_insert((row.line, v.clone()));
                    }
                    Some(t)
                }
                None => {
                    err(diags, "date", &date_src, format!("`{v}` matches none of the date formats {formats:?}"));
                    None
                }
            },
        };
        let kind_src = r.kind.as_ref().map(|k| k.value_first()).unwrap_or(Source::Value("sale".into()));
        let kind = match get(row, &kind_src) {
            None => {
                err(diags, "kind", &kind_src, "required value is empty".into());
                None
            }
            Some(k) => match RecordKind::parse(&k) {
                Some(k) => Some(k),
                None => {
                    err(
                        diags,
                        "kind",
                        &kind_src,
                        format!("unknown record kind `{k}` (expected one of {})", RecordKind::expected()),
                    );
                    None
                }
            },
        };
        let mut party = |diags: &mut Diagnostics,
                         side: &str,
                         name: &mapping::Spec,
                         country: &Option<mapping::Spec>,
                         address: &Option<mapping::Spec>,
                         kind: &Option<mapping::Spec>|
         -> Option<Party> {
            let name_src = name.column_first();
            let name = get(row, &name_src);
            if name.is_none() {
                err(diags, side, &name_src, "required value is empty".into());
            }
            let country = match country.as_ref().map(|c| c.column_first()) {
                None => {
                    err(
                        diags,
                        &format!("{side}_country"),
                        &Source::Value(String::new()),
                        "not mapped: every party needs a country (map a column or give `{ value = \"CN\" }`)".into(),
                    );
                    None
                }
                Some(src) => match get(row, &src) {
                    None => {
                        err(diags, &format!("{side}_country"), &src, "required value is empty".into());
                        None
                    }
                    Some(v) => match Country::parse(&v) {
                        Some(c) => Some(c),
                        None => {
                            err(
                                diags,
                                &format!("{side}_country"),
                                &src,
                                format!(
                                    "unknown country `{v}` (expected ISO 3166-1 alpha-2 such as CN, a name or alpha-3)"
                                ),
                            );
                            None
                        }
                    },
                },
            };
            let kind = match kind.as_ref().map(|k| k.value_first()) {
                None => Some(None),
                Some(src) => match get(row, &src) {
                    None => Some(None),
                    Some(k) => match EntityKind::parse(&k) {
                        Some(k) => Some(Some(k)),
                        None => {
                            err(
                                diags,
                                &format!("{side}_kind"),
                                &src,
                                format!("unknown entity kind `{k}` (expected one of {})", EntityKind::expected()),
                            );
                            None
                        }
                    },
                },
            };
            let address = address.as_ref().and_then(|a| get(row, &a.column_first()));
            let cell = name?;
            let split = party::split(&cell);
            let (name, written) =
                if split.has_tail() { (split.party.clone(), Some((cell, split))) } else { (cell, None) };
            Some(Party { name, written, country: country?, address, kind: kind? })
        };
        let from = party(diags, "from", &r.from, &r.from_country, &r.from_address, &r.from_kind);
        let to = party(diags, "to", &r.to, &r.to_country, &r.to_address, &r.to_kind);
        let product_src = r.product.column_first();
        let description = get(row, &product_src);
        if description.is_none() {
            err(diags, "product", &product_src, "required value is empty".into());
        }
        let hs_code = r.hs_code.as_ref().and_then(|h| get(row, &h.column_first()));
        let qty_src = r.quantity.column_first();
        let declared = match get(row, &qty_src) {
            None => {
                err(diags, "quantity", &qty_src, "required value is empty".into());
                None
            }
            Some(q) => match parse_quantity(&q) {
                Some(n) => Some(n),
                None => {
                    err(diags, "quantity", &qty_src, format!("`{q}` is not a positive whole number of units"));
                    None
                }
            },
        };
        let value_usd = match r.value_usd.as_ref().map(|v| v.column_first()) {
            None => None,
            Some(src) => match get(row, &src) {
                None => None,
                Some(v) => match parse_amount(&v) {
                    Some(a) => Some(a),
                    None => {
                        err(diags, "value_usd", &src, format!("`{v}` is not a non-negative amount"));
                        None
                    }
                },
            },
        };
        let payment = match r.payment.as_ref().map(|p| p.column_first()) {
            None => None,
            Some(src) => get(row, &src).and_then(|p| match Payment::parse(&p) {
                Some(p) => Some(p.to_string()),
                None => {
                    err(
                        diags,
                        "payment",
                        &src,
                        format!("unknown payment `{p}` (expected one of {})", Payment::expected()),
                    );
                    None
                }
            }),
        };
        let ship_to_country = match r.ship_to_country.as_ref().map(|s| s.column_first()) {
            None => None,
            Some(src) => get(row, &src).and_then(|v| match Country::parse(&v) {
                Some(c) => Some(c),
                None => {
                    err(diags, "ship_to_country", &src, format!("unknown country `{v}`"));
                    None
                }
            }),
        };
        let opt = |s: &Option<mapping::Spec>| s.as_ref().and_then(|s| get(row, &s.column_first()));
        let lot = opt(&r.lot);
        let declared_end_user = opt(&r.declared_end_user);
        let source_note = opt(&r.source);
        let id_given = opt(&r.id);
        let declared_side = opt(&r.declaration);
        let (Some(date), Some(kind), Some(from), Some(to), Some(description), Some(declared), false) =
            (date, kind, from, to, description, declared, bad)
        else {
            rejected += 1;
            return;
        };
        let (fk, tk) = (party_key(&from.name, from.country), party_key(&to.name, to.country));
        if fk == tk && matches!(kind, RecordKind::Sale | RecordKind::Lease) {
            diags.error(
                row.file,
                row.line,
                format!("fields `from`/`to`: `{}` and `{}` are one party; a {kind} to itself", from.name, to.name),
            );
            rejected += 1;
            return;
        }
        let recognised = product::recognise(&description, hs_code.as_deref());
        let product_col = match &product_src {
            Source::Column(c) | Source::Value(c) => c.clone(),
        };
        let product = match &recognised {
            Some(p) => {
                if p.count_unknown {
                    diags.warning(
                        row.file,
                        row.line,
                        format!("column `{product_col}` (field `product`): `{description}` is a server or board that does not say how many GPUs it holds; {declared} unit(s) counted as {declared} GPU(s), which may undercount"),
                    );
                }
                p.model.clone()
            }
            None => {
                unrecognised += 1;
                let hint = match hs_code.as_deref() {
                    Some(h) if product::computing_heading(h) => format!(
                        "; its HS code {h} is a heading GPUs and servers are declared under, so read the document"
                    ),
                    _ => String::new(),
                };
                diags.warning(
                    row.file,
                    row.line,
                    format!("column `{product_col}` (field `product`): `{description}` names no known GPU model; kept as written and not checked against export controls{hint}"),
                );
                description.clone()
            }
        };
        let per_unit = recognised.as_ref().map(|p| p.gpus_per_unit.max(1) as u64).unwrap_or(1);
        let mut idx = |p: Party, key: (String, Country)| -> usize {
            let i = *keys.entry(key).or_insert_with(|| {
                parties.push((Vec::new(), row.line));
                parties.len() - 1
            });
            parties[i].0.push(p);
            i
        };
        // The end user the paperwork declares: a leading `ON BEHALF OF` is
        // dropped, a reference back to the consignee (`SAME AS CONSIGNEE`)
        // names the party the consignee receives for, or else the consignee;
        // where none is declared, a consignee written `X C/O Y` or `X ON
        // BEHALF OF Y` declares Y. What was written is kept beside it.
        let acted_for = to.written.as_ref().and_then(|(_, w)| w.on_behalf_of.clone());
        let (declared_end_user, declared_end_user_as_written) = match declared_end_user {
            Some(d) if party::refers_to_consignee(&d) => (Some(acted_for.unwrap_or_else(|| to.name.clone())), Some(d)),
            Some(d) => {
                let n = party::declared_name(&d);
                if n == d { (Some(d), None) } else { (Some(n), Some(d)) }
            }
            None => (acted_for, None),
        };
        let (from_written, to_written) = (from.written.clone(), to.written.clone());
        if from_written.is_some() || to_written.is_some() {
            tails += 1;
        }
        let from = idx(from, fk);
        let to = idx(to, tk);
        // A bill of lading lists several goods under one number: the second
        // and later rows of a number get `/2`, `/3`, so each row keeps its own record.
        let id = match id_given {
            Some(id) => {
                let e = seen_ids.entry(id.clone()).or_insert((row.line, 0));
                e.1 += 1;
                if e.1 == 1 { id } else { format!("{id}/{}", e.1) }
            }
            None => format!("{}-{}", file_stem(&src_name), row.line),
        };
        let place = format!("{src_name}:{}", row.line);
        // The side of the border the row was declared on: the mapped
        // column, else the source cell's words, else the id's.
        sides.push(match &declared_side {
            Some(d) => mirror::side(d),
            None => source_note.as_deref().and_then(mirror::side).or_else(|| mirror::side(&id)),
        });
        records.push(ImportedRecord {
            id,
            date,
            kind,
            from,
            to,
            product,
            quantity: declared.saturating_mul(per_unit),
            declared_quantity: declared,
            description,
            hs_code,
            value_usd,
            lot,
            payment,
            declared_end_user,
            declared_end_user_as_written,
            from_written,
            to_written,
            ship_to_country,
            source: match source_note {
                Some(s) => format!("{s} ({place})"),
                None => place,
            },
            line: row.line,
            mirror: None,
        });
    });
    if let Some((line, v)) = ambiguous {
        out.diags.warning(
            file,
            line,
            format!(
                "field `date`: `{v}` and {} other date(s) read differently under the formats {formats:?}; the first format that parses was used",
                ambiguous_n - 1
            ),
        );
    }
    // Spellings that agree but for one trade word or a city's initials.
    let parties = merge_near_spellings(parties, &mut records, file, &mut out.diags);
    // One shipment declared on both sides of a border is one record.
    let (records, mirrors) = mirror::join(
        records,
        &sides,
        r.mirror_days.unwrap_or(mirror::DEFAULT_MIRROR_DAYS),
        file,
        &|i| parties[i].0.first().map(|p| p.name.clone()).unwrap_or_default(),
        &mut out.diags,
    );
    // Kinds the mapping names, by normalised name (any country).
    let named: HashMap<String, EntityKind> = m
        .parties
        .iter()
        .filter_map(|(n, k)| Some((party_key(n, Country::parse("US")?).0, EntityKind::parse(k)?)))
        .collect();
    // Every party key gets an entity; ids are readable and unique.
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut entities = Vec::with_capacity(parties.len());
    for (spellings, line) in &parties {
        let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for (i, p) in spellings.iter().enumerate() {
            let e = counts.entry(p.name.as_str()).or_insert((0, i));
            e.0 += 1;
        }
        // Most frequent spelling, then the first seen.
        let name = counts
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        let aliases: Vec<String> = counts.keys().filter(|n| **n != name).map(|n| n.to_string()).collect();
        let country = spellings[0].country;
        let kind = named
            .get(&party_key(&name, country).0)
            .copied()
            .or_else(|| spellings.iter().find_map(|p| p.kind))
            .unwrap_or(EntityKind::Unknown);
        let address = spellings.iter().find_map(|p| p.address.clone());
        let id = unique_id(&mut used, &name, country);
        entities.push(ImportedEntity { id, name, kind, country, aliases, address, line: *line });
    }
    out.entities = entities;
    out.records = records;
    out.rows = rows + shape_rejected;
    out.rejected = rejected + shape_rejected;
    out.unrecognised_products = unrecognised;
    out.party_tails = tails;
    out.mirrors = mirrors;
    out
}

/// Sum of the letters of a name's distinctive words: what must be left,
/// and identical, for a looser merge to be safe.
fn distinctive_letters(n: &crate::screen::normalise::Normalised) -> usize {
    use crate::screen::normalise::Class;
    (0..n.tokens.len()).filter(|&i| n.classes[i] == Class::Distinctive).map(|i| n.tokens[i].len()).sum()
}

/// Merges party groups whose names agree but for what clerks add or
/// shorten, where nothing else could be meant: one extra trade word
/// (`ALATAU SYSTEMS INTEGRATION LLP` and `ТОО «Алатау Системс»`, both
/// `alatau system` after transliteration and legal-form folding) or a city
/// written as its Pinyin initials (`SZ XINGHAI YUNSUAN TECH` and `SHENZHEN
/// XINGHAI YUNSUAN TECHNOLOGY CO.LTD`). Both need the same country,
/// distinctive words of five letters or more that are identical, exactly one
/// group to merge with, and no record between the two. Each merge is a
/// warning naming both spellings and why; parties left apart whose
/// distinctive words are the same are named together in one warning.
///
/// # Complexity
/// O(P x w) hash look-ups for P parties of at most w words.
fn merge_near_spellings(
    parties: Vec<(Vec<Party>, u64)>,
    records: &mut [ImportedRecord],
    file: &str,
    diags: &mut Diagnostics,
) -> Vec<(Vec<Party>, u64)> {
    use crate::screen::normalise::{Class, normalise, pinyin_initials};
    let norms: Vec<_> = parties.iter().map(|(sp, _)| normalise(&sp[0].name)).collect();
    let country = |i: usize| parties[i].0[0].country;
    let mut by_key: HashMap<(String, Country), usize> = HashMap::new();
    for (i, n) in norms.iter().enumerate() {
        by_key.entry((n.compact.clone(), country(i))).or_insert(i);
    }
    // Keyed as the exact merge keys them: the words joined without spaces.
    let joined = |t: &[String]| t.concat();
    // Candidates: (shorter or abbreviated group, group it belongs to, why).
    let mut cands: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
    for (b, nb) in norms.iter().enumerate() {
        for k in 0..nb.tokens.len() {
            if nb.classes[k] != Class::Generic || nb.tokens.len() < 2 {
                continue;
            }
            let mut t = nb.tokens.clone();
            t.remove(k);
            if let Some(&a) = by_key.get(&(joined(&t), country(b)))
                && a != b
                && distinctive_letters(&norms[a]) >= 5
            {
                cands
                    .entry(a)
                    .or_default()
                    .push((b, format!("the names differ only by the trade word `{}`", nb.tokens[k])));
            }
        }
        if nb.tokens.len() >= 2
            && nb.classes[0] == Class::Place
            && let Some(ini) = pinyin_initials(&nb.tokens[0])
        {
            let mut t = nb.tokens.clone();
            t[0] = ini.clone();
            if let Some(&a) = by_key.get(&(joined(&t), country(b)))
                && a != b
                && distinctive_letters(&norms[a]) >= 5
            {
                cands.entry(a).or_default().push((
                    b,
                    format!("`{}` is the initials of `{}`", ini.to_uppercase(), nb.tokens[0].to_uppercase()),
                ));
            }
        }
    }
    let linked: BTreeSet<(usize, usize)> = records.iter().flat_map(|r| [(r.from, r.to), (r.to, r.from)]).collect();
    // Union-find over the merges, each group into the earliest of its set.
    let mut root: Vec<usize> = (0..parties.len()).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    for (a, bs) in &cands {
        let targets: BTreeSet<usize> = bs.iter().map(|(b, _)| *b).collect();
        let [b] = targets.iter().copied().collect::<Vec<_>>()[..] else { continue };
        if linked.contains(&(*a, b)) {
            continue;
        }
        let why = &bs.iter().find(|(x, _)| *x == b).map(|(_, w)| w.clone()).unwrap_or_default();
        let (ra, rb) = (find(&mut root, *a), find(&mut root, b));
        if ra == rb {
            continue;
        }
        root[ra.max(rb)] = ra.min(rb);
        diags.warning(
            file,
            parties[*a].1,
            format!(
                "party `{}` merged with `{}` ({}): {why}; if the documents show two parties, rename one in the source",
                parties[*a].0[0].name,
                parties[b].0[0].name,
                country(b)
            ),
        );
    }
    let roots: Vec<usize> = (0..parties.len()).map(|i| find(&mut root, i)).collect();
    // What is left apart but looks alike: parties of one country whose
    // distinctive words are the same (five letters or more), named in one
    // warning so the investigator can read the documents.
    let mut alike: BTreeMap<(String, Country), BTreeSet<usize>> = BTreeMap::new();
    for (i, n) in norms.iter().enumerate() {
        if distinctive_letters(n) < 5 {
            continue;
        }
        let mut words: Vec<&str> =
            (0..n.tokens.len()).filter(|&k| n.classes[k] == Class::Distinctive).map(|k| n.tokens[k].as_str()).collect();
        words.sort_unstable();
        words.dedup();
        alike.entry((words.join(" "), country(i))).or_default().insert(roots[i]);
    }
    for ((words, c), groups) in &alike {
        if groups.len() < 2 {
            continue;
        }
        let names: Vec<String> = groups.iter().map(|&g| format!("`{}`", parties[g].0[0].name)).collect();
        let first = groups.iter().map(|&g| parties[g].1).min().unwrap_or(0);
        diags.warning(
            file,
            first,
            format!(
                "parties {} ({c}) share their distinctive words `{words}` but differ in others; import keeps them apart: if the documents show one party, write its name one way in the source",
                names.join(", ")
            ),
        );
    }
    if (0..parties.len()).all(|i| roots[i] == i) {
        return parties;
    }
    let mut new_index = vec![usize::MAX; parties.len()];
    let mut merged: Vec<(Vec<Party>, u64)> = Vec::new();
    for (i, (spellings, line)) in parties.into_iter().enumerate() {
        let r = roots[i];
        if new_index[r] == usize::MAX {
            new_index[r] = merged.len();
            merged.push((Vec::new(), line));
        }
        let g = &mut merged[new_index[r]];
        g.0.extend(spellings);
        g.1 = g.1.min(line);
    }
    for r in records.iter_mut() {
        r.from = new_index[roots[r.from]];
        r.to = new_index[roots[r.to]];
    }
    merged
}

fn file_stem(name: &str) -> String {
    let stem = name.split('.').next().unwrap_or(name);
    let s: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    if s.is_empty() { "row".to_string() } else { s }
}

/// The words of a name an id is made of: from its first distinctive word
/// on when only places stand before it, so a province or city in front is
/// left out (`HEILONGJIANG BINGCHENG TECHNOLOGY TRADING` -> `BINGCHENG
/// TECHNOLOGY TRADING`, `SHENZHEN XINGHAI YUNSUAN TECHNOLOGY` -> `XINGHAI
/// YUNSUAN TECHNOLOGY`) while a place after it stays (`ACME (HK)` -> `ACME
/// HONG KONG`). A name whose first distinctive word follows a trade or
/// kind word (`HANOI CLOUD INFRASTRUCTURE`, `SEOUL NATIONAL UNIVERSITY
/// R&DB FOUNDATION`), or that has none (`HEILONGJIANG UNIVERSITY`), keeps
/// all its words: its distinctive word alone (`INFRASTRUCTURE`) would say
/// nothing to a reader.
fn id_words(n: &crate::screen::normalise::Normalised) -> Vec<String> {
    use crate::screen::normalise::Class;
    match (0..n.tokens.len()).find(|&i| n.classes[i] == Class::Distinctive) {
        Some(first) if n.classes[..first].iter().all(|&c| c == Class::Place) => n.tokens[first..].to_vec(),
        _ => n.tokens.clone(),
    }
}

/// An entity id made from the normalised name's identifying words
/// ([`id_words`]): `LUCKY-DRAGON-TRADING`, with the country, then a number,
/// added where two parties would share it.
fn unique_id(used: &mut BTreeSet<String>, name: &str, country: Country) -> String {
    let n = crate::screen::normalise::normalise(name);
    let words: Vec<String> = id_words(&n)
        .iter()
        .map(|t| t.to_ascii_uppercase())
        .filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    let mut base = String::new();
    for w in &words {
        if base.len() + w.len() > 32 {
            break;
        }
        if !base.is_empty() {
            base.push('-');
        }
        base.push_str(w);
    }
    if base.is_empty() {
        base = "PARTY".to_string();
    }
    let mut id = base.clone();
    if used.contains(&id) {
        id = format!("{base}-{}", country.as_str());
    }
    let mut k = 2;
    while used.contains(&id) {
        id = format!("{base}-{}-{k}", country.as_str());
        k += 1;
    }
    used.insert(id.clone());
    id
}

/// Writes `entities.csv` and `records.csv` of an import. Extra columns keep
/// what the source said: `description` and `hs_code` of the goods,
/// `declared_quantity` in the document's units.
pub fn write_case(x: &Imported, entities: impl Write, records: impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(entities);
    w.write_record(["id", "name", "kind", "country", "aliases", "address", "import_line"])?;
    for e in &x.entities {
        w.write_record([
            e.id.as_str(),
            &e.name,
            e.kind.as_str(),
            e.country.as_str(),
            &e.aliases.join(";"),
            e.address.as_deref().unwrap_or(""),
            &e.line.to_string(),
        ])?;
    }
    w.flush()?;
    // Columns for what a party cell's tail named and what a declared end user
    // was written as, present only when some record has them, so an import
    // without such cells writes the same bytes as before they were read.
    let from_tail = x.records.iter().any(|r| r.from_written.is_some());
    let to_tail = x.records.iter().any(|r| r.to_written.is_some());
    let eu_written = x.records.iter().any(|r| r.declared_end_user_as_written.is_some());
    let mirrored = x.records.iter().any(|r| r.mirror.is_some());
    let mut extra_header: Vec<&str> = Vec::new();
    if from_tail {
        extra_header.extend(["from_as_written", "from_on_behalf_of", "from_attention"]);
    }
    if to_tail {
        extra_header.extend(["to_as_written", "to_on_behalf_of", "to_attention"]);
    }
    if eu_written {
        extra_header.push("declared_end_user_as_written");
    }
    if mirrored {
        extra_header.push("mirror_declaration");
    }
    let tail = |t: &Option<(String, party::Written)>| -> [String; 3] {
        match t {
            Some((cell, w)) => {
                [cell.clone(), w.on_behalf_of.clone().unwrap_or_default(), w.attention.clone().unwrap_or_default()]
            }
            None => Default::default(),
        }
    };
    let mut w = csv::Writer::from_writer(records);
    w.write_record(
        [
            "id",
            "date",
            "kind",
            "from",
            "to",
            "product",
            "quantity",
            "lot",
            "value_usd",
            "payment",
            "declared_end_user",
            "ship_to_country",
            "source",
            "description",
            "hs_code",
            "declared_quantity",
        ]
        .into_iter()
        .chain(extra_header),
    )?;
    for r in &x.records {
        let mut extra: Vec<String> = Vec::new();
        if from_tail {
            extra.extend(tail(&r.from_written));
        }
        if to_tail {
            extra.extend(tail(&r.to_written));
        }
        if eu_written {
            extra.push(r.declared_end_user_as_written.clone().unwrap_or_default());
        }
        if mirrored {
            extra.push(r.mirror.clone().unwrap_or_default());
        }
        w.write_record(
            [
                r.id.as_str(),
                &r.date.to_string(),
                r.kind.as_str(),
                &x.entities[r.from].id,
                &x.entities[r.to].id,
                &r.product,
                &r.quantity.to_string(),
                r.lot.as_deref().unwrap_or(""),
                r.value_usd.as_deref().unwrap_or(""),
                r.payment.as_deref().unwrap_or(""),
                r.declared_end_user.as_deref().unwrap_or(""),
                r.ship_to_country.map(|c| c.as_str().to_string()).as_deref().unwrap_or(""),
                &r.source,
                &r.description,
                r.hs_code.as_deref().unwrap_or(""),
                &r.declared_quantity.to_string(),
            ]
            .into_iter()
            .chain(extra.iter().map(String::as_str)),
        )?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_quantities_and_amounts_parse_as_documents_write_them() {
        let us = vec!["%m/%d/%Y".to_string()];
        assert_eq!(parse_date("02/05/2024", &us).unwrap().0.to_string(), "2024-02-05");
        assert_eq!(parse_date("2024-02-05", &us).unwrap().0.to_string(), "2024-02-05");
        let both = vec!["%m/%d/%Y".to_string(), "%d/%m/%Y".to_string()];
        assert_eq!(parse_date("02/05/2024", &both), Some((parse_date("2024-02-05", &[]).unwrap().0, true)));
        assert_eq!(parse_date("25/05/2024", &both).map(|x| x.1), Some(false));
        assert!(parse_date("31/02/2024", &both).is_none());
        assert_eq!(parse_quantity("1,200"), Some(1200));
        assert_eq!(parse_quantity("12 PCS"), Some(12));
        assert_eq!(parse_quantity("8.0"), Some(8));
        assert_eq!(parse_quantity("0"), None);
        assert_eq!(parse_quantity("12 tonnes"), None);
        assert_eq!(parse_amount("$1,200.50").as_deref(), Some("1200.50"));
        assert_eq!(parse_amount("USD 900").as_deref(), Some("900"));
    }

    #[test]
    fn spellings_of_one_party_merge_and_others_do_not() {
        let hk = Country::parse("HK").unwrap();
        assert_eq!(party_key("Lucky Dragon Trading Ltd.", hk), party_key("LUCKY DRAGON TRADING LIMITED", hk));
        assert_eq!(party_key("Lucky Dragon Trading Co., Limited", hk), party_key("lucky dragon trading", hk));
        assert_ne!(party_key("Lucky Dragon Trading Ltd", hk), party_key("Lucky Tiger Trading Ltd", hk));
        let cn = Country::parse("CN").unwrap();
        assert_ne!(party_key("Lucky Dragon Trading Ltd", hk), party_key("Lucky Dragon Trading Ltd", cn));
        // The legal form as Chinese clerks write it, without spaces, in Pinyin or in characters.
        for name in [
            "SHENZHEN XINGHAI YUNSUAN TECHNOLOGY CO.LTD",
            "SHENZHEN XINGHAI YUNSUAN TECH.CO.,LTD",
            "SHENZHEN XINGHAI YUNSUAN TECHNOLOGYCO.,LTD",
            "SHENZHEN SHI XINGHAI YUNSUAN KEJI YOUXIAN GONGSI",
            "深圳市星海云算科技有限公司",
        ] {
            assert_eq!(party_key(name, cn), party_key("Shenzhen Xinghai Yunsuan Technology Co., Ltd.", cn), "{name}");
        }
        assert_ne!(
            party_key("SHENZHEN XINGHAI YUNSUAN TECHNOLOGY CO.LTD", cn),
            party_key("SHENZHEN XINGHAI INTERNET CAFE MANAGEMENT CO.LTD", cn)
        );
    }

    fn import_rows(rows: &str) -> Imported {
        let m = parse_mapping(
            "[records]\ndate = \"date\"\nfrom = \"from\"\nfrom_country = \"fc\"\nto = \"to\"\nto_country = \"tc\"\nproduct = \"product\"\nquantity = \"qty\"\n",
            "mapping.toml",
        )
        .unwrap();
        let text = format!("date,from,fc,to,tc,product,qty\n{rows}");
        import(text.as_bytes(), "rows.csv", &m)
    }

    fn names(x: &Imported) -> Vec<(String, Vec<String>)> {
        x.entities.iter().map(|e| (e.id.clone(), e.aliases.clone())).collect()
    }

    #[test]
    fn one_party_in_cyrillic_and_latin_or_with_a_city_initialled_is_merged_once_nothing_else_could_be_meant() {
        let x = import_rows(
            "2024-01-02,KEYSTONE LLC,US,ALATAU SYSTEMS INTEGRATION LLP,KZ,H100,10\n\
             2024-01-09,ТОО «Алатау Системс»,KZ,GEFEST-M LLC,RU,H100,10\n\
             2024-01-03,ACME HK,HK,SHENZHEN XINGHAI YUNSUAN TECHNOLOGY CO.LTD,CN,H100,5\n\
             2024-01-04,ACME HK,HK,SZ XINGHAI YUNSUAN TECH,CN,H100,5\n",
        );
        let ids: Vec<String> = x.entities.iter().map(|e| e.id.clone()).collect();
        assert_eq!(
            ids,
            ["KEYSTONE", "ALATAU-SYSTEM-INTEGRATION", "GEFEST-M", "ACME-HONG-KONG", "XINGHAI-YUNSUAN-TECHNOLOGY"]
        );
        assert_eq!(x.entities[1].aliases, ["ТОО «Алатау Системс»"]);
        assert_eq!(x.entities[4].aliases, ["SZ XINGHAI YUNSUAN TECH"]);
        assert_eq!(x.records[1].from, 1, "the Cyrillic sender is the Latin receiver");
        let warnings: Vec<String> = x.diags.0.iter().map(|d| d.to_string()).collect();
        assert!(warnings.iter().any(|w| w.contains("differ only by the trade word `integration`")), "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("`SZ` is the initials of `SHENZHEN`")), "{warnings:?}");
    }

    #[test]
    fn near_misses_stay_separate_parties() {
        // Another distinctive word, another country, two parties it could be, or a sale between them.
        let x = import_rows(
            "2024-01-02,KEYSTONE LLC,US,ALATAU SYSTEMS INTEGRATION LLP,KZ,H100,10\n\
             2024-01-09,ТОО «Алатау Сервис»,KZ,GEFEST-M LLC,RU,H100,10\n\
             2024-01-10,ALATAU SYSTEMS LLP,UZ,GEFEST-M LLC,RU,H100,10\n\
             2024-01-03,ACME HK,HK,BETAMAX TRADING LTD,CN,H100,5\n\
             2024-01-04,ACME HK,HK,BETAMAX LOGISTICS LTD,CN,H100,5\n\
             2024-01-05,BETAMAX LTD,CN,GEFEST-M LLC,RU,H100,5\n\
             2024-01-06,ZETAWORKS LTD,CN,ZETAWORKS TRADING LTD,CN,H100,5\n\
             2024-01-03,ACME HK,HK,SZ XINGHAI YUNSUAN TECH,CN,H100,5\n\
             2024-01-04,ACME HK,HK,BEIJING XINGHAI YUNSUAN TECH,CN,H100,5\n",
        );
        assert_eq!(x.entities.len(), 13, "{:?}", names(&x));
        assert!(x.entities.iter().all(|e| e.aliases.is_empty()), "{:?}", names(&x));
        let warnings: Vec<String> = x.diags.0.iter().map(|d| d.to_string()).collect();
        assert!(warnings.iter().all(|d| !d.contains("merged with")), "{warnings:?}");
        // What is left apart but shares its distinctive words is named for the investigator.
        assert!(
            warnings.iter().any(|w| w.contains(
                "parties `BETAMAX TRADING LTD`, `BETAMAX LOGISTICS LTD`, `BETAMAX LTD` (CN) share their distinctive words `betamax`"
            )),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("`SZ XINGHAI YUNSUAN TECH`, `BEIJING XINGHAI YUNSUAN TECH` (CN)")),
            "{warnings:?}"
        );
        assert!(!warnings.iter().any(|w| w.contains("`ТОО «Алатау Сервис»`,")), "{warnings:?}");
    }

    #[test]
    fn ids_come_from_the_identifying_words_not_a_province_in_front() {
        let x = import_rows(
            "2024-01-02,黑龙江省冰城科技贸易有限公司,CN,哈尔滨工业大学,CN,H20,8\n\
             2024-01-03,HEILONGJIANG BINGCHENG TECH TRADING CO LTD,CN,黑龙江大学,CN,H20,8\n",
        );
        let ids: Vec<String> = x.entities.iter().map(|e| e.id.clone()).collect();
        assert_eq!(ids, ["BINGCHENG-TECHNOLOGY-TRADING", "HAERBINGONGYE-UNIVERSITY", "HEILONGJIANG-UNIVERSITY"]);
        assert_eq!(x.entities[0].aliases, ["HEILONGJIANG BINGCHENG TECH TRADING CO LTD"]);
        // A distinctive word after a trade word is not the name's head.
        let x = import_rows(
            "2024-06-03,HANBIT SYSTEMS CO.LTD,KR,SEOUL NATIONAL UNIVERSITY R&DB FOUNDATION,KR,H100,16\n\
             2024-06-11,HANBIT SYSTEMS CO.LTD,KR,HANOI CLOUD INFRASTRUCTURE JOINT STOCK COMPANY,VN,H100,32\n\
             2024-06-12,HANBIT SYSTEMS CO.LTD,KR,HANOI LOTUS INFRASTRUCTURE JSC,VN,H100,32\n",
        );
        let ids: Vec<String> = x.entities.iter().map(|e| e.id.clone()).collect();
        assert_eq!(
            ids,
            ["HANBIT-SYSTEM", "SEOUL-NATIONAL-UNIVERSITY-R-DB", "HANOI-CLOUD-INFRASTRUCTURE", "LOTUS-INFRASTRUCTURE"]
        );
    }

    fn import_mapped(mapping_extra: &str, header: &str, rows: &str) -> Imported {
        let m = parse_mapping(
            &format!(
                "[records]\nid = \"id\"\ndate = \"date\"\nfrom = \"from\"\nfrom_country = \"fc\"\nto = \"to\"\nto_country = \"tc\"\nproduct = \"product\"\nquantity = \"qty\"\nvalue_usd = \"value\"\nsource = \"src\"\n{mapping_extra}"
            ),
            "mapping.toml",
        )
        .unwrap();
        let text = format!("{header}\n{rows}");
        import(text.as_bytes(), "rows.csv", &m)
    }

    const HEAD: &str = "id,date,from,fc,to,tc,product,qty,value,src";

    #[test]
    fn mirror_declarations_of_one_shipment_are_one_record_citing_both_rows() {
        let x = import_mapped(
            "",
            HEAD,
            "KR-EXP-1,2024-05-29,\"HANBIT SYSTEMS CO., LTD\",KOREA REPUBLIC OF,SAO VIET AI TECHNOLOGY COMPANY LIMITED,VIET NAM,DGX H100 SERVER (8 GPU/UNIT),8 UNIT,\"$3,120,000\",Korea Customs export declaration\n\
             KR-EXP-2,2024-06-03,HANBIT SYSTEMS CO.LTD,KR,SEOUL NATIONAL UNIVERSITY,KR,H100,16,,domestic tax invoice\n\
             VN-IMP-1,2024-06-01,\"HANBIT SYSTEMS CO.,LTD\",KOREA (REPUBLIC),\"SAO VIET A.I TECHNOLOGY CO.,LTD\",VIET NAM,MAY CHU DGX H100 (8 GPU),8 UNIT,\"$3,120,000\",Viet Nam customs import declaration\n",
        );
        assert_eq!(x.rows, 3);
        assert_eq!((x.records.len(), x.mirrors, x.rejected), (2, 1, 0), "rows = records + joined + reported");
        let r = x.records.iter().find(|r| r.id == "KR-EXP-1").unwrap();
        assert_eq!((r.quantity, r.date.to_string().as_str()), (64, "2024-05-29"));
        assert_eq!(r.mirror.as_deref(), Some("VN-IMP-1"));
        assert!(
            r.source.contains("rows.csv:2") && r.source.contains("VN-IMP-1") && r.source.contains("rows.csv:4"),
            "{}",
            r.source
        );
        let w: Vec<String> = x.diags.0.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter().any(|d| d.contains("rows.csv:4")
                && d.contains("`VN-IMP-1`")
                && d.contains("`KR-EXP-1` (line 2")
                && d.contains("3 day(s) apart")),
            "{w:?}"
        );
        let mut out = Vec::new();
        write_case(&x, std::io::sink(), &mut out).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert!(csv.lines().next().unwrap().ends_with(",mirror_declaration"), "{csv}");
        // Turned off, both rows stay records.
        let x = import_mapped(
            "mirror_days = 0",
            HEAD,
            "KR-EXP-1,2024-05-29,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,,export declaration\n\
             VN-IMP-1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,,import declaration\n",
        );
        assert_eq!((x.records.len(), x.mirrors), (2, 0));
    }

    #[test]
    fn a_second_shipment_of_the_same_goods_is_not_a_mirror() {
        let pair = |a: &str, b: &str| {
            let x = import_mapped("", HEAD, &format!("{a}\n{b}\n"));
            assert_eq!(x.rows, 2);
            (x.records.len(), x.mirrors)
        };
        let exp = "E1,2024-05-29,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,3120000,Korea Customs export declaration";
        // The match itself.
        assert_eq!(
            pair(
                exp,
                "I1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,3120000,Viet Nam customs import declaration"
            ),
            (1, 1)
        );
        // Declared on the same side: two exports.
        assert_eq!(
            pair(
                exp,
                "E2,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,3120000,Korea Customs export declaration"
            ),
            (2, 0)
        );
        // Another quantity.
        assert_eq!(
            pair(
                exp,
                "I1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,56,3120000,Viet Nam customs import declaration"
            ),
            (2, 0)
        );
        // Far apart in time.
        assert_eq!(
            pair(
                exp,
                "I1,2024-07-15,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,3120000,Viet Nam customs import declaration"
            ),
            (2, 0)
        );
        // Another buyer, another model, or a value of another shipment.
        assert_eq!(
            pair(
                exp,
                "I1,2024-06-01,HANBIT SYSTEMS,KR,HANOI CLOUD,VN,H100,64,3120000,Viet Nam customs import declaration"
            ),
            (2, 0)
        );
        assert_eq!(
            pair(
                exp,
                "I1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H200,64,3120000,Viet Nam customs import declaration"
            ),
            (2, 0)
        );
        assert_eq!(
            pair(
                exp,
                "I1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,6240000,Viet Nam customs import declaration"
            ),
            (2, 0)
        );
        // A side nobody declared (a ledger line) is never joined.
        assert_eq!(pair(exp, "L1,2024-06-01,HANBIT SYSTEMS,KR,SAO VIET AI,VN,H100,64,3120000,seized ledger"), (2, 0));
    }

    #[test]
    fn the_declaring_side_is_read_from_the_source_then_the_id() {
        use mirror::{Side, side};
        assert_eq!(side("US EEI (vendor extract)"), Some(Side::Export));
        assert_eq!(side("Korea Customs export declaration"), Some(Side::Export));
        assert_eq!(side("Viet Nam customs import declaration"), Some(Side::Import));
        assert_eq!(side("tờ khai nhập khẩu"), Some(Side::Import));
        assert_eq!(side("海关出口报关单"), Some(Side::Export));
        assert_eq!(side("VN-IMP-104583920-A11"), Some(Side::Import));
        assert_eq!(side("import/export data"), None);
        assert_eq!(side("domestic tax invoice"), None);
        assert_eq!(side("IMPERIAL EXPRESS"), None);
    }
}
