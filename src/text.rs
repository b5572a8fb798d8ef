//! Showing values from the data to a person: escaped so that no name can
//! move the cursor, clear the screen, set a window title or reverse the text
//! around it, and cut to a readable length with the full length said. The
//! data is written by others (front companies choose their names, brokers
//! type free text), so every value echoed in a diagnostic or a table goes
//! through here; `cli::output` applies the same escaping to whole streams.

use std::borrow::Cow;

/// Most characters of one value echoed in a diagnostic; a longer value is cut
/// with a marker saying its full length. Long enough for any real name,
/// address or list remark; short enough that a 100 MB cell gives one line.
pub const SHOWN_CHARS: usize = 160;

/// Most characters of one diagnostic message: a backstop for messages that
/// echo several values or a whole header.
pub const MESSAGE_CHARS: usize = 1_000;

/// Whether `c` must not reach a terminal raw: C0 and C1 control characters
/// (ESC starts CSI and OSC sequences, BEL ends OSC, CR rewrites a line, C1
/// CSI is U+009B), DEL, the bidirectional embeddings, overrides and isolates
/// (U+202A..U+202E, U+2066..U+2069) and marks (U+200E, U+200F, U+061C), which
/// reorder what is printed after them, and the line and paragraph separators
/// U+2028 and U+2029, which break a line where the reader sees none.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Writes `c` as visible text: `\n`, `\t`, `\r` as such, others as `\u001b`.
/// These are JSON's escapes too (every unsafe character lies in the Basic
/// Multilingual Plane), so an escaped JSON stream is still JSON of the same data.
fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
    }
}

/// `s` with every unsafe character (see [`is_unsafe`]) written as an escape;
/// borrowed when there is none (the common case).
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_except(s, &[])
}

/// As [`escape`], but the characters in `keep` pass through: whole lines of
/// output keep their `\n`.
pub fn escape_except<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep.contains(&c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to `max` characters, with `…[cut: N chars in all]` after the cut.
pub fn cut_to(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…[cut: {} chars in all]", &s[..at], s.chars().count())),
    }
}

/// A value as echoed in a diagnostic: cut to [`SHOWN_CHARS`] and escaped.
///
/// # Complexity
/// O(len of `s`) to count it; the output is O(`SHOWN_CHARS`).
pub fn shown(s: &str) -> String {
    escape(&cut_to(s, SHOWN_CHARS)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_and_keeps_the_rest() {
        assert_eq!(escape("plain Ünïcode 北京"), "plain Ünïcode 北京");
        assert_eq!(escape("a\u{1b}]0;pwned\u{7}b"), "a\\u001b]0;pwned\\u0007b");
        assert_eq!(escape("x\u{202e}y\u{2066}z\u{2029}"), "x\\u202ey\\u2066z\\u2029");
        assert_eq!(escape("line\nnext\r\tend\u{9b}"), "line\\nnext\\r\\tend\\u009b");
        assert_eq!(escape_except("a\nb\u{1b}", &['\n']), "a\nb\\u001b");
        // An escaped JSON string is still JSON of the same text.
        let json = serde_json::to_string("\u{202e}\u{9b}x").unwrap();
        let back: String = serde_json::from_str(&escape(&json)).unwrap();
        assert_eq!(back, "\u{202e}\u{9b}x");
    }

    #[test]
    fn cuts_long_values_with_their_length() {
        assert_eq!(cut_to("abcdef", 6), "abcdef");
        assert_eq!(cut_to("abcdefg", 3), "abc…[cut: 7 chars in all]");
        assert_eq!(cut_to("ééééé", 2), "éé…[cut: 5 chars in all]");
        let long = "x".repeat(100_000);
        assert!(shown(&long).len() < SHOWN_CHARS + 40);
    }
}
