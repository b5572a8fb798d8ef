//! FollowTheMoney entities as OpenSanctions exports them, as JSON lines or
//! one JSON array. Only parties are screened (schemata LegalEntity, Company,
//! Organization, Person); the addresses, sanctions and other things an export
//! carries are counted as skipped and summarised in one warning per file.

use super::add_country;
use crate::diag::Diagnostics;
use crate::model::{Country, ListEntry, ListSkips, Timestamp};
use serde_json::Value;
use std::collections::BTreeMap;

/// Schemata that name a party that can be screened.
const PARTIES: &[&str] = &["LegalEntity", "Company", "Organization", "Person"];

/// Properties whose values are countries tied to the party.
const COUNTRY_PROPS: &[&str] = &["country", "jurisdiction", "nationality", "citizenship", "mainCountry"];

/// Reads one FollowTheMoney file into `out`. Returns the entities skipped:
/// those reported and, by schema, those that are not parties.
pub fn read(bytes: &[u8], file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> ListSkips {
    let mut not_parties: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported = 0;
    let mut each = |value: Value, line: u64, diags: &mut Diagnostics| match entry(&value, file, line, diags) {
        Ok(e) => out.push(e),
        Err(Skip::NotParty(schema)) => *not_parties.entry(schema).or_default() += 1,
        Err(Skip::Reported) => reported += 1,
    };
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xef && *b != 0xbb && *b != 0xbf);
    let malformed = if let Some(start) = first.filter(|&i| bytes[i] == b'[') {
        read_arrays(bytes, start, file, diags, &mut each)
    } else {
        read_lines(bytes, file, diags, &mut each)
    };
    if !not_parties.is_empty() {
        let n: usize = not_parties.values().sum();
        let kinds: Vec<String> = not_parties.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        diags.warning(
            file,
            0,
            format!(
                "skipped {n} entities that are not parties ({}); only {} are screened",
                kinds.join(", "),
                PARTIES.join(", ")
            ),
        );
    }
    ListSkips { reported: reported + malformed, not_parties }
}

enum Skip {
    NotParty(String),
    Reported,
}

/// Reads one entity a line. Returns the lines that are not JSON, each reported.
fn read_lines(
    bytes: &[u8],
    file: &str,
    diags: &mut Diagnostics,
    each: &mut impl FnMut(Value, u64, &mut Diagnostics),
) -> usize {
    let mut malformed = 0;
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let text = crate::read::table::decode(raw, file, line, "line", diags);
        let text = text.trim().trim_start_matches('\u{feff}');
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(v) => each(v, line, diags),
            Err(e) => {
                diags.error(file, line, format!("malformed JSON: {e}"));
                malformed += 1;
            }
        }
    }
    malformed
}

/// Reads one JSON array after another from `start` (files written by
/// appending exports hold several: `[...]\n[...]`), each element with the
/// line it starts on. Anything after an array that is not another array is an
/// error naming its line. Returns the entities skipped.
fn read_arrays(
    bytes: &[u8],
    start: usize,
    file: &str,
    diags: &mut Diagnostics,
    each: &mut impl FnMut(Value, u64, &mut Diagnostics),
) -> usize {
    let mut pos = start;
    let mut skipped = 0;
    loop {
        let (end, bad) = read_array(bytes, pos + 1, file, diags, each);
        skipped += bad;
        let Some(end) = end else { return skipped };
        let next = end + bytes[end..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        match bytes.get(next) {
            None => return skipped,
            Some(b'[') => pos = next,
            Some(_) => {
                let line = bytes[..next].iter().filter(|b| **b == b'\n').count() as u64 + 1;
                diags.error(
                    file,
                    line,
                    "malformed JSON: text after the closing `]` of the array; the rest of the file is not read",
                );
                return skipped + 1;
            }
        }
    }
}

/// Reads the elements of a JSON array starting after its `[`, keeping the
/// line each element starts on. Returns the position after its `]` (None
/// when the array did not close properly) and the skipped entities. A syntax
/// error stops the file (there is no safe place to resume) and is reported
/// with its line; it counts as one skipped entity.
fn read_array(
    bytes: &[u8],
    mut pos: usize,
    file: &str,
    diags: &mut Diagnostics,
    each: &mut impl FnMut(Value, u64, &mut Diagnostics),
) -> (Option<usize>, usize) {
    let line_at = |p: usize| bytes[..p.min(bytes.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let skip_ws = |mut p: usize| {
        while p < bytes.len() && bytes[p].is_ascii_whitespace() {
            p += 1;
        }
        p
    };
    loop {
        pos = skip_ws(pos);
        match bytes.get(pos) {
            None => {
                diags.error(file, line_at(pos), "malformed JSON: the array is not closed with `]`");
                return (None, 0);
            }
            Some(b']') => return (Some(pos + 1), 0),
            Some(_) => {}
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let line = line_at(pos);
                pos += stream.byte_offset();
                each(v, line, diags);
            }
            Some(Err(e)) => {
                diags.error(
                    file,
                    line_at(pos) + e.line().saturating_sub(1) as u64,
                    format!("malformed JSON: {e}; the rest of the file is not read"),
                );
                return (None, 1);
            }
            None => return (None, 0),
        }
        pos = skip_ws(pos);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => return (Some(pos + 1), 0),
            _ => {
                diags.error(
                    file,
                    line_at(pos),
                    "malformed JSON: expected `,` or `]` after an array element; the rest of the file is not read",
                );
                return (None, 1);
            }
        }
    }
}

/// The strings of a property (FollowTheMoney values are always arrays of strings).
fn prop<'a>(props: Option<&'a Value>, key: &str) -> Vec<&'a str> {
    match props.and_then(|p| p.get(key)) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim()],
        _ => Vec::new(),
    }
}

fn entry(v: &Value, file: &str, line: u64, diags: &mut Diagnostics) -> Result<ListEntry, Skip> {
    let Some(obj) = v.as_object() else {
        diags.error(file, line, "expected a FollowTheMoney entity (a JSON object)");
        return Err(Skip::Reported);
    };
    let Some(schema) = obj.get("schema").and_then(Value::as_str) else {
        diags.error(file, line, "field `schema`: missing; expected a FollowTheMoney schema such as Company or Person");
        return Err(Skip::Reported);
    };
    if !PARTIES.contains(&schema) {
        return Err(Skip::NotParty(schema.to_string()));
    }
    let Some(id) = obj.get("id").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
        diags.error(file, line, format!("field `id`: missing on a {schema}; the entity cannot be cited"));
        return Err(Skip::Reported);
    };
    let props = obj.get("properties");
    let mut names: Vec<String> = prop(props, "name").into_iter().map(String::from).collect();
    if names.is_empty()
        && let Some(caption) = obj.get("caption").and_then(Value::as_str).filter(|c| !c.trim().is_empty())
    {
        names.push(caption.trim().to_string());
    }
    if names.is_empty() {
        diags.error(
            file,
            line,
            format!("field `properties.name`: missing on {schema} `{id}`; the entity cannot be screened"),
        );
        return Err(Skip::Reported);
    }
    let name = names.remove(0);
    let mut aliases = names;
    for a in prop(props, "alias").into_iter().chain(prop(props, "previousName")).chain(prop(props, "weakAlias")) {
        if a != name && !aliases.iter().any(|x| x == a) {
            aliases.push(a.to_string());
        }
    }
    let mut countries = Vec::new();
    for key in COUNTRY_PROPS {
        for c in prop(props, key) {
            if let Some(c) = Country::parse(c) {
                add_country(&mut countries, c);
            }
        }
    }
    let dataset = obj
        .get("datasets")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
        .and_then(Value::as_str)
        .unwrap_or("opensanctions");
    // `createdAt` is when the source published the party (the designation
    // date in sanctions data); `first_seen` is when OpenSanctions saw it.
    let since = prop(props, "createdAt")
        .first()
        .copied()
        .or_else(|| obj.get("first_seen").and_then(Value::as_str))
        .and_then(|d| Timestamp::parse(d).or_else(|| d.get(..10).and_then(Timestamp::parse)));
    Ok(ListEntry {
        list: "opensanctions".to_string(),
        list_name: format!("OpenSanctions ({dataset})"),
        entry_id: id.trim().to_string(),
        name,
        aliases,
        countries,
        programs: prop(props, "topics").into_iter().map(String::from).collect(),
        since,
        file: file.to_string(),
        line,
    })
}
