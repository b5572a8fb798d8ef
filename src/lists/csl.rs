//! The Consolidated Screening List CSV as trade.gov publishes it, in the 2019
//! layout (28 columns) and the current one (29, with `_id` and `ids`). The
//! reader looks columns up by name, so both layouts, and any reordering, read
//! the same way.

use super::{add_country, field, list_id, since, split_list};
use crate::diag::Diagnostics;
use crate::model::{Country, ListEntry};
use crate::read::table::{Row, read_csv};

/// Reads one CSL file into `out`. Returns the rows skipped, each reported.
pub fn read(bytes: &[u8], file: &str, out: &mut Vec<ListEntry>, diags: &mut Diagnostics) -> usize {
    let mut skipped = 0;
    skipped += read_csv(bytes, file, &["source", "name"], diags, |row, diags| match entry(row, diags) {
        Some(e) => out.push(e),
        None => skipped += 1,
    });
    skipped
}

fn entry(row: &Row, diags: &mut Diagnostics) -> Option<ListEntry> {
    let Some(raw_name) = field(row, "name", diags) else {
        diags.error(row.file, row.line, "field `name`: required value is empty; the row cannot be screened");
        return None;
    };
    let (name, mut aliases) = split_name(&raw_name);
    if name.is_empty() {
        diags.error(
            row.file,
            row.line,
            format!("field `name`: `{raw_name}` holds no name; the row cannot be screened"),
        );
        return None;
    }
    let source = match field(row, "source", diags) {
        Some(s) => s,
        None => {
            diags.warning(row.file, row.line, "field `source`: empty; the entry is filed under list `csl`");
            "Consolidated Screening List".to_string()
        }
    };
    if let Some(alt) = field(row, "alt_names", diags) {
        for a in split_list(&alt) {
            let a = clean_alias(&a);
            if !a.is_empty() && a != name && !aliases.contains(&a) {
                aliases.push(a);
            }
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
