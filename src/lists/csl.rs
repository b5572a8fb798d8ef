//! The Consolidated Screening List as trade.gov publishes it: CSV in the 2019
//! layout (28 columns) and the current one (29, with `_id` and `ids`), the
//! same columns as TSV, and the JSON download (`{"results": [...]}`, with
//! `alt_names`, `programs` and `addresses` as arrays). The reader looks
//! columns up by name, so every layout, and any reordering, reads the same way.

use super::{add_country, field, list_id, since, split_list};
use crate::diag::Diagnostics;
use crate::model::{Country, ListEntry};
use crate::read::table::{Row, read_delimited};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Reads one CSL file (CSV or TSV by `delimiter`) into `out`. Returns the
/// rows skipped, each reported.
pub fn read(bytes: &[u8], delimiter: u8, file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> usize {
    let mut skipped = 0;
    skipped += read_delimited(bytes, delimiter, file, &["source"], diags, |row, diags| match entry(row, diags) {
        Some(e) => out.push(e),
        None => skipped += 1,
    });
    skipped
}

/// trade.gov's JSON download: one object whose `results` hold the rows.
#[derive(serde::Deserialize)]
struct Download<'a> {
    #[serde(borrow)]
    results: Vec<&'a RawValue>,
}

/// Reads trade.gov's CSL JSON download into `out`, when `bytes` is one: a
/// single JSON object with a `results` array. Returns None for any other
/// JSON (FollowTheMoney), so the caller tries that; else the results
/// skipped, each reported with the line its object starts on.
pub fn read_json(bytes: &[u8], file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> Option<usize> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes[start] != b'{' {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let download: Download = serde_json::from_str(text).ok()?;
    let base = text.as_ptr() as usize;
    let mut skipped = 0;
    for raw in download.results {
        let offset = raw.get().as_ptr() as usize - base;
        let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(raw.get()) else {
            diags.error(file, line, "expected a screening-list row (a JSON object) in `results`");
            skipped += 1;
            continue;
        };
        let mut headers = Vec::with_capacity(obj.len());
        let mut values = Vec::with_capacity(obj.len());
        for (k, v) in &obj {
            // The download's `id` is the current CSV layout's `_id`.
            headers.push(if k == "id" { "_id".to_string() } else { k.to_ascii_lowercase() });
            values.push(Cow::Owned(json_cell(v)));
        }
        let row = Row::new(file, line, &headers, values);
        match entry(&row, diags) {
            Some(e) => out.push(e),
            None => skipped += 1,
        }
    }
    Some(skipped)
}

/// A JSON value as the CSV cell it stands for: arrays `; `-joined, an
/// address object as `address, city, state, postal_code, country`.
fn json_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            items.iter().map(json_cell).filter(|s| !s.trim().is_empty()).collect::<Vec<_>>().join("; ")
        }
        Value::Object(o) => ["address", "city", "state", "postal_code", "country"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()))
            .map(|s| s.replace(';', ","))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn entry(row: &Row, diags: &mut Diagnostics) -> Option<ListEntry> {
    let raw_name = field(row, "name", diags).unwrap_or_default();
    let (mut name, mut aliases) = split_name(&raw_name);
    let alt: Vec<String> = field(row, "alt_names", diags)
        .map(|a| split_list(&a).iter().map(|a| clean_alias(a)).collect())
        .unwrap_or_default();
    if name.is_empty() {
        // A row with no name but aliases is still a listed party: screen it
        // by its aliases, the first standing as its name.
        let Some(first) = alt.iter().find(|a| !a.is_empty()) else {
            let why = if raw_name.is_empty() {
                "required value is empty".to_string()
            } else {
                format!("`{raw_name}` holds no name")
            };
            diags.error(
                row.file,
                row.line,
                format!("field `name`: {why} and `alt_names` has none; the row cannot be screened"),
            );
            return None;
        };
        name = first.clone();
        diags.warning(
            row.file,
            row.line,
            format!(
                "field `name`: empty; the entry is screened by its `alt_names`, listed as `{}`",
                super::printable(&name)
            ),
        );
    }
    let source = match field(row, "source", diags) {
        Some(s) => s,
        None => {
            diags.warning(row.file, row.line, "field `source`: empty; the entry is filed under list `csl`");
            "Consolidated Screening List".to_string()
        }
    };
    for a in alt {
        if !a.is_empty() && a != name && !aliases.contains(&a) {
            aliases.push(a);
        }
    }
    let entry_id =
        row.get("entity_number").or_else(|| row.get("_id")).map(String::from).unwrap_or_else(|| row.line.to_string());
    let mut countries = Vec::new();
    if let Some(addresses) = field(row, "addresses", diags) {
        for a in addresses.split(';') {
            if let Some(c) = address_country(a) {
                add_country(&mut countries, c);
            }
        }
    }
    for col in ["nationalities", "citizenships"] {
        if let Some(v) = row.get(col) {
            for part in v.split([';', ',']) {
                if let Some(c) = Country::parse(part) {
                    add_country(&mut countries, c);
                }
            }
        }
    }
    Some(ListEntry {
        list: list_id(&source),
        list_name: source,
        entry_id,
        name,
        aliases,
        countries,
        programs: row.get("programs").map(split_list).unwrap_or_default(),
        since: since(row, "start_date", diags),
        file: row.file.to_string(),
        line: row.line,
    })
}

/// Splits a listed name from the boilerplate the State Department appends
/// (`X; and any successor, sub-unit, or subsidiary thereof`); other
/// `;`-separated parts are aliases.
fn split_name(raw: &str) -> (String, Vec<String>) {
    let mut parts = raw.split(';');
    let name = parts.next().unwrap_or_default().trim().to_string();
    let aliases = parts
        .map(clean_alias)
        .filter(|p| !p.is_empty() && !p.to_ascii_lowercase().starts_with("any successor"))
        .collect();
    (name, aliases)
}

/// An alias as listed, without a leading `and ` or a trailing full stop left
/// by the list's prose (`…; and Shijiazhuang … Institute.`).
fn clean_alias(a: &str) -> String {
    let a = a.trim();
    let a = a.strip_prefix("and ").or_else(|| a.strip_prefix("And ")).unwrap_or(a);
    let a = a.trim();
    // A full stop after a long word ends the list's sentence; after an
    // abbreviation (`Co.`, `INC.`) it is part of the name.
    let last = a.rsplit(' ').next().unwrap_or(a).trim_end_matches('.');
    if a.ends_with('.') && last.chars().count() >= 5 && last.chars().all(char::is_alphabetic) {
        a.trim_end_matches('.').trim().to_string()
    } else {
        a.to_string()
    }
}

/// The country at the end of one CSL address: `…, Kowloon, HK` -> HK,
/// `Yerevan, Armenia, AM` -> AM, `CN` -> CN. Free text that ends with a
/// postcode or a city yields nothing.
fn address_country(address: &str) -> Option<Country> {
    let last = address.rsplit(',').next()?.trim();
    if last.len() == 2 && last.bytes().all(|b| b.is_ascii_uppercase()) {
        return Country::parse(last);
    }
    if last.len() >= 4 && last.chars().all(|c| c.is_alphabetic() || c == ' ') {
        return Country::parse(last);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_countries() {
        assert_eq!(address_country("Room 1905, Sheung Wang, HK").map(|c| c.to_string()), Some("HK".into()));
        assert_eq!(address_country("Yerevan, Armenia, AM").map(|c| c.to_string()), Some("AM".into()));
        assert_eq!(address_country("3037 S. 69TH DRIVE, PHONEIX, AZ, 85043"), None);
        assert_eq!(address_country("Nanshan, Shenzhen"), None);
    }

    #[test]
    fn state_department_boilerplate_is_not_a_name() {
        let (name, aliases) =
            split_name("Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof");
        assert_eq!(name, "Sinobright Import and Export Company");
        assert!(aliases.is_empty(), "{aliases:?}");
    }
}
