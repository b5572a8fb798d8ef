//! The side of a border a customs declaration was made on, read from the
//! words its source or id carries, and the bounds within which two
//! declarations of the same goods between the same parties, made on the two
//! sides, are one shipment's mirror rows. `import` joins such rows
//! (`crate::import::mirror`); `validate` warns of them in a case folder
//! (`crate::analysis::mirrors`).

/// Days between an export declaration and the import declaration of the
/// same shipment that are still read as one shipment: sea freight across
/// the Pacific takes two to four weeks, air freight days.
pub const DEFAULT_MIRROR_DAYS: u32 = 30;

/// The side of the border a declaration was made on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Export,
    Import,
}

/// Words that say a declaration is an export's, compared upper case,
/// whole words (a word starting with `EXPORT` counts: `EXPORTS`,
/// `EXPORTACION`).
const EXPORT_WORDS: &[&str] = &["EXP", "EEI", "AES", "SED", "OUTWARD", "OUTBOUND", "XUAT"];
const IMPORT_WORDS: &[&str] = &["IMP", "INWARD", "INBOUND", "NHAP"];
/// The same in scripts written without spaces, matched anywhere.
const EXPORT_CJK: &[&str] = &["出口", "輸出", "输出", "수출"];
const IMPORT_CJK: &[&str] = &["进口", "進口", "輸入", "输入", "수입"];

/// The side `text` names: export, import, or `None` when it names neither
/// or both (`import/export data`, or a record that already cites its mirror).
///
/// # Complexity
/// O(n) in the text's length.
pub fn side(text: &str) -> Option<Side> {
    let mut exp = EXPORT_CJK.iter().any(|w| text.contains(w));
    let mut imp = IMPORT_CJK.iter().any(|w| text.contains(w));
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let raw = word.to_uppercase();
        let w = deunicode::deunicode(word).to_uppercase();
        exp |= w.starts_with("EXPORT") || EXPORT_WORDS.contains(&w.as_str()) || raw.starts_with("ЭКСПОРТ");
        imp |= w.starts_with("IMPORT") || IMPORT_WORDS.contains(&w.as_str()) || raw.starts_with("ИМПОРТ");
    }
    match (exp, imp) {
        (true, false) => Some(Side::Export),
        (false, true) => Some(Side::Import),
        _ => None,
    }
}

/// Whether two declared values can be one shipment's: both absent or one
/// absent, or the larger at most 20% above the smaller (an export's FOB and
/// an import's CIF value differ by freight and insurance, not by a second
/// shipment's worth).
pub fn values_agree(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => {
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            hi <= lo * 1.2 + 0.005
        }
        _ => true,
    }
}
