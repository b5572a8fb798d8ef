//! The simple list form an investigator writes by hand:
//! `name,aliases,country,list,program,since` (docs/spec.md §1), plus an optional
//! `id` (or `entry_id`). Aliases, countries and programs are `;`-separated.
//! A file without a `list` column is one list named after the file.
//!
//! This form is the investigator's own, so it is held to the case rules: an
//! unknown country or an unreadable date is an error and the row is skipped.

use super::{field, list_id, split_list};
use crate::diag::Diagnostics;
use crate::model::{Country, ListEntry, Timestamp};
use crate::read::table::{Row, read_delimited};
use std::path::Path;

/// Reads one simple-form file into `out`. Returns the rows skipped, each reported.
pub fn read(bytes: &[u8], delimiter: u8, file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> usize {
    let stem = Path::new(file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut skipped = 0;
    skipped += read_delimited(bytes, delimiter, file, &["name"], diags, |row, diags| match entry(row, &stem, diags) {
        Some(e) => out.push(e),
        None => skipped += 1,
    });
    skipped
}

fn entry(row: &Row, stem: &str, diags: &mut Diagnostics) -> Option<ListEntry> {
    let name = field(row, "name", diags);
    if name.is_none() {
        diags.error(row.file, row.line, "field `name`: required value is empty; the row cannot be screened");
    }
    let mut ok = name.is_some();
    let mut countries = Vec::new();
    if let Some(v) = field(row, "country", diags).or_else(|| field(row, "countries", diags)) {
        for part in split_list(&v) {
            match Country::parse(&part) {
                Some(c) => super::add_country(&mut countries, c),
                None => {
                    diags.error(
                        row.file,
                        row.line,
                        format!("field `country`: unknown country `{part}` (expected ISO 3166-1 alpha-2 such as CN, a name or alpha-3)"),
                    );
                    ok = false;
                }
            }
        }
    }
    let since = match row.get("since") {
        None => None,
        Some(v) => match Timestamp::parse(v) {
            Some(t) => Some(t),
            None => {
                diags.error(
                    row.file,
                    row.line,
                    format!("field `since`: `{v}` is not a valid date (expected ISO 8601: 2024-06-01 or 2024-06-01T08:30:00Z)"),
                );
                ok = false;
                None
            }
        },
    };
    if !ok {
        return None;
    }
    let name = name?;
    let list_name = field(row, "list", diags).unwrap_or_else(|| stem.to_string());
    let aliases = field(row, "aliases", diags).map(|a| split_list(&a)).unwrap_or_default();
    let programs = field(row, "program", diags).or_else(|| field(row, "programs", diags));
    Some(ListEntry {
        list: list_id(&list_name),
        list_name,
        entry_id: row
            .get("id")
            .or_else(|| row.get("entry_id"))
            .map(String::from)
            .unwrap_or_else(|| row.line.to_string()),
        aliases: aliases.into_iter().filter(|a| *a != name).collect(),
        name,
        countries,
        programs: programs.map(|p| split_list(&p)).unwrap_or_default(),
        since,
        file: row.file.to_string(),
        line: row.line,
    })
}
