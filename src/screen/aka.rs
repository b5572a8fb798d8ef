//! The names one name cell holds. Lists, registries and investigators write
//! a former or other name into a name or alias cell with a marker: `F/K/A
//! SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD`, `X (formerly known as Y)`,
//! `X A.K.A. Y`, `X D/B/A Y`, `Y (former name)`, `原名：Y`. Screened as one
//! name, the marker and the second name are words the other side lacks, and
//! a renamed listed firm is missed. [`names_in`] splits such a cell into the
//! names it holds, without the markers; a cell without one is one name.
//!
//! Markers are whole words in any case. With dots or slashes (`F/K/A`,
//! `f.k.a.`, `A/K/A`, `a.k.a.`, `D/B/A`, `d.b.a.`, `N/K/A`, `T/A`) and in
//! words (`formerly`, `formerly known as`, `previously known as`, `also
//! known as`, `doing business as`, `now known as`, `former name:`) they are
//! always markers. The bare letters `AKA`, `FKA`, `DBA` and `NKA` can be a
//! name's own word (`DBA TECHNOLOGIES`): the cell is then kept whole as
//! well. A parenthesis that only says the name is old (`(former name)`,
//! `(formerly)`, `(old name)`) or dates it (`(name until 2025-02-11)`,
//! `(until 2025)`, `(renamed 11 Feb 2025)`) is dropped.

/// Marker word sequences, longest first, compared upper case with full
/// stops and a trailing `:` or `,` removed. The flag says whether the
/// marker could be a word of a name (bare letters).
const MARKERS: &[(&[&str], bool)] = &[
    (&["FORMERLY", "KNOWN", "AS"], false),
    (&["PREVIOUSLY", "KNOWN", "AS"], false),
    (&["ALSO", "KNOWN", "AS"], false),
    (&["NOW", "KNOWN", "AS"], false),
    (&["DOING", "BUSINESS", "AS"], false),
    (&["FORMERLY", "CALLED"], false),
    (&["FORMER", "NAMES"], false),
    (&["FORMER", "NAME"], false),
    (&["PREVIOUS", "NAME"], false),
    (&["FORMERLY"], false),
    (&["PREVIOUSLY"], false),
    (&["F/K/A"], false),
    (&["A/K/A"], false),
    (&["D/B/A"], false),
    (&["N/K/A"], false),
    (&["T/A"], false),
    (&["原名"], false),
    (&["曾用名"], false),
    (&["AKA"], true),
    (&["FKA"], true),
    (&["DBA"], true),
    (&["NKA"], true),
];

/// What a parenthesis holds when it only says the name beside it is old.
const OLD_NAME_NOTES: &[&str] =
    &["FORMERNAME", "FORMERNAMES", "FORMERLY", "FORMER", "OLDNAME", "PREVIOUSNAME", "PREVIOUSLY", "原名", "曾用名"];

/// Words a parenthesis may hold when it dates the name beside it (`(name
/// until 2025-02-11)`, `(renamed 11 Feb 2025)`, `(used until 2025)`),
/// beside numbers and month names; [`DATING_WORDS`] says it does.
const NOTE_WORDS: &[&str] = &[
    "NAME",
    "NAMES",
    "NAMED",
    "RENAMED",
    "FORMER",
    "FORMERLY",
    "PREVIOUS",
    "PREVIOUSLY",
    "OLD",
    "USED",
    "UNTIL",
    "TILL",
    "BEFORE",
    "SINCE",
    "FROM",
    "TO",
    "IN",
    "ON",
    "AS",
    "OF",
    "CHANGED",
    "曾用名",
    "原名",
];

/// The words of [`NOTE_WORDS`] that say the name is dated, one of which a
/// note must hold: `(2019)` or `(as of)` alone is no note.
const DATING_WORDS: &[&str] = &[
    "RENAMED",
    "FORMER",
    "FORMERLY",
    "PREVIOUS",
    "PREVIOUSLY",
    "OLD",
    "UNTIL",
    "TILL",
    "BEFORE",
    "SINCE",
    "CHANGED",
    "曾用名",
    "原名",
];

const MONTHS: &[&str] = &[
    "JAN",
    "JANUARY",
    "FEB",
    "FEBRUARY",
    "MAR",
    "MARCH",
    "APR",
    "APRIL",
    "MAY",
    "JUN",
    "JUNE",
    "JUL",
    "JULY",
    "AUG",
    "AUGUST",
    "SEP",
    "SEPT",
    "SEPTEMBER",
    "OCT",
    "OCTOBER",
    "NOV",
    "NOVEMBER",
    "DEC",
    "DECEMBER",
];

/// Whether a parenthesis's text only dates the name beside it: every word
/// a note word ([`NOTE_WORDS`]), a number or a month, one of them saying
/// the name is dated. `(Former Zhangjiang Branch)` names a branch and is
/// kept.
fn dates_the_name(inner: &str) -> bool {
    let words: Vec<String> =
        inner.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_uppercase).collect();
    let fits = |w: &String| {
        NOTE_WORDS.contains(&w.as_str()) || MONTHS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit())
    };
    !words.is_empty() && words.iter().all(fits) && words.iter().any(|w| DATING_WORDS.contains(&w.as_str()))
}

/// Whether a cell could hold a marker at all: a cheap test that lets the
/// common name through without splitting it into words.
fn may_hold_marker(text: &str) -> bool {
    let up = text.to_ascii_uppercase();
    [
        "/",
        "AKA",
        "A.K",
        "FKA",
        "F.K",
        "DBA",
        "D.B",
        "NKA",
        "N.K",
        "FORMER",
        "PREVIOUS",
        "KNOWN AS",
        "BUSINESS AS",
        "原名",
        "曾用名",
        "UNTIL",
        "TILL",
        "BEFORE",
        "SINCE",
        "RENAMED",
        "CHANGED",
    ]
    .iter()
    .any(|n| up.contains(n))
}

/// One word of the cell with its byte span; `key` is its comparable form,
/// `dotted` whether it was written with full stops (`a.k.a.`).
struct Word {
    start: usize,
    end: usize,
    key: String,
    dotted: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let is_break = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）' | '[' | ']' | '：');
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (is_break(c), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let raw = text[s..i].trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '-' | '—' | '–'));
                let key: String = raw.chars().filter(|&c| c != '.').collect::<String>().to_uppercase();
                out.push(Word { start: s, end: i, dotted: raw.contains('.'), key });
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The marker at word `i`: its word count and whether the cell must also be
/// kept whole (a bare-letter marker that could be a word of the name).
fn marker_at(w: &[Word], i: usize) -> Option<(usize, bool)> {
    MARKERS.iter().find_map(|(seq, bare)| {
        let fits = w.len() >= i + seq.len() && seq.iter().enumerate().all(|(k, s)| w[i + k].key == *s);
        fits.then(|| (seq.len(), *bare && !w[i].dotted))
    })
}

/// A part of the cell as a name: spaces, separators, the Federal Register's
/// `the following N aliases:` and brackets left unmatched trimmed away.
fn tidy(s: &str) -> String {
    let sep = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '：' | '-' | '—' | '–' | '/');
    let mut s = s.trim_matches(sep);
    if s.to_lowercase().starts_with("the following")
        && let Some(colon) = s.find(':')
        && s[..colon].to_lowercase().contains("alias")
    {
        s = s[colon + 1..].trim_matches(sep);
    }
    let mut s = s.to_string();
    loop {
        let opens = s.matches(['(', '（', '[']).count();
        let closes = s.matches([')', '）', ']']).count();
        let t = s.trim_matches(sep).to_string();
        let trimmed = if closes > opens && t.ends_with([')', '）', ']']) {
            t.char_indices().last().map(|(i, _)| t[..i].to_string())
        } else if opens > closes && t.starts_with(['(', '（', '[']) {
            t.chars().next().map(|c| t[c.len_utf8()..].to_string())
        } else if t.ends_with(['(', '（', '[']) {
            t.char_indices().last().map(|(i, _)| t[..i].to_string())
        } else {
            None
        };
        match trimmed {
            Some(x) => s = x,
            None => return t,
        }
    }
}

/// Drops parentheses that only say the name is old or until when it was
/// used: `Y (former name)`, `Y (name until 2025-02-11)` -> `Y`.
fn drop_old_name_notes(text: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(open) = rest.find(['(', '（']) {
        let after = &rest[open..];
        let close = after.find([')', '）']);
        let Some(close) = close else { break };
        let inner = &after[after.chars().next().map_or(1, char::len_utf8)..close];
        let key: String = inner.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase();
        let end = open + close + after[close..].chars().next().map_or(1, char::len_utf8);
        if OLD_NAME_NOTES.contains(&key.as_str()) || dates_the_name(inner) {
            out.push_str(&rest[..open]);
            out.push(' ');
            changed = true;
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    if !changed {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The names a name or alias cell holds, in the order written: the cell
/// itself when it holds no marker; otherwise each name before, between and
/// after the markers (and the whole cell too where a marker could be a word
/// of the name). Never empty for a cell with any words.
///
/// # Complexity
/// O(n) in the cell's length (markers are at most three words).
pub fn names_in(text: &str) -> Vec<String> {
    if !may_hold_marker(text) {
        return vec![text.to_string()];
    }
    // `曾用名:` with an ASCII colon, as registry extracts are retyped.
    let colon;
    let text = if text.contains("名:") {
        colon = text.replace("原名:", "原名：").replace("曾用名:", "曾用名：");
        colon.as_str()
    } else {
        text
    };
    let cleaned = drop_old_name_notes(text);
    let t = cleaned.as_ref();
    let w = words(t);
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // byte spans of markers
    let mut keep_whole = false;
    let mut i = 0;
    while i < w.len() {
        match marker_at(&w, i) {
            Some((n, bare)) => {
                // A bare `AKA` at the end of a cell is a word of the name.
                if bare && i + n == w.len() {
                    i += n;
                    continue;
                }
                keep_whole |= bare;
                cuts.push((w[i].start, w[i + n - 1].end));
                i += n;
            }
            None => i += 1,
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if s.chars().any(char::is_alphanumeric) && !names.contains(&s) {
            names.push(s);
        }
    };
    if keep_whole || cuts.is_empty() {
        push(tidy(t));
    }
    let mut from = 0;
    for &(start, end) in &cuts {
        push(tidy(&t[from..start]));
        from = end;
    }
    if !cuts.is_empty() {
        push(tidy(&t[from..]));
    }
    if names.is_empty() {
        return vec![text.to_string()];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::names_in;

    #[test]
    fn former_and_other_names_are_split_from_their_markers() {
        let borui = "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD";
        for cell in [
            "F/K/A SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "f/k/a Shanghai Borui Computing Technology Co Ltd",
            "F.K.A. SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "FORMERLY SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "formerly known as SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "Former name: SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (former name)",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (FORMERLY)",
            "A.K.A. SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "a/k/a: SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "D/B/A SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "原名：SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (name until 2025-02-11)",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (until 2025)",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (renamed 11 Feb 2025)",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (former name, used until 2024)",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD (name before 11.02.2025)",
        ] {
            let got = names_in(cell);
            assert_eq!(got.len(), 1, "{cell}: {got:?}");
            assert!(got[0].eq_ignore_ascii_case(borui), "{cell}: {got:?}");
        }
        let ruixin = "Shanghai Ruixin Data Technology Co. Ltd.";
        for cell in [
            "Shanghai Ruixin Data Technology Co. Ltd. F/K/A SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "Shanghai Ruixin Data Technology Co. Ltd. (formerly SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD)",
            "Shanghai Ruixin Data Technology Co. Ltd. (f/k/a SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD)",
            "Shanghai Ruixin Data Technology Co. Ltd., formerly known as SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "Shanghai Ruixin Data Technology Co. Ltd. a.k.a. SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
        ] {
            assert_eq!(names_in(cell), [ruixin, borui], "{cell}");
        }
        // The Chinese label, in parentheses or before the name, with either colon.
        for cell in [
            "上海芯耀算力科技有限公司 (曾用名)",
            "上海芯耀算力科技有限公司（曾用名）",
            "曾用名:上海芯耀算力科技有限公司",
            "曾用名：上海芯耀算力科技有限公司",
        ] {
            assert_eq!(names_in(cell), ["上海芯耀算力科技有限公司"], "{cell}");
        }
        // The Federal Register's way of listing aliases.
        assert_eq!(
            names_in("Beijing Computational Science Research Center, a.k.a., the following one alias: -Beijing CSRC"),
            ["Beijing Computational Science Research Center", "Beijing CSRC"]
        );
        // A bare-letter marker splits, and the whole cell stays a name too.
        assert_eq!(names_in("ACME LTD AKA BETA LTD"), ["ACME LTD AKA BETA LTD", "ACME LTD", "BETA LTD"]);
    }

    #[test]
    fn words_that_only_look_like_markers_leave_the_name_whole() {
        for cell in [
            "OSAKA TRADING K.K.",
            "FORMOSA PLASTICS CORP",
            "DBATECH LIMITED",
            "SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "Shanghai Borui (Former Zhangjiang Branch) Co Ltd",
            "Shanghai Borui (2019) Co Ltd",
            "Borui (Until Dawn) Studios",
            "ACME (2025) LTD",
            "UNTIL 2025 TECHNOLOGY LTD",
            "BEFORE 1990 (HK) LTD",
            "A/S NORDIC DATA",
            "ALSO HOLDING AG",
            "KNOWN AS ONE LTD",
            "TATA CONSULTANCY SERVICES AKA",
        ] {
            assert_eq!(names_in(cell), [cell], "{cell}");
        }
        // A bare `DBA` that may be the firm's own word keeps the cell whole
        // beside the split.
        assert_eq!(names_in("DBA TECHNOLOGIES LTD"), ["DBA TECHNOLOGIES LTD", "TECHNOLOGIES LTD"]);
        assert_eq!(names_in("F/K/A"), ["F/K/A"]);
    }
}
