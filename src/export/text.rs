//! Escaping of values from the data for every format they are written into.
//! Names and values in a case are untrusted: they may hold quotes,
//! backslashes, newlines, markup, bidirectional overrides or thousands of
//! characters. Each function here makes one kind of output safe; exporters
//! never write a data value without one of them.

/// Bidirectional embedding, override and isolate controls. Shown as a visible
/// `⟨U+202E⟩` in diagrams and reports, so a name cannot pose as another by
/// reversing the text that follows it.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text for people to read in a diagram or a report: control characters
/// (newlines included) become spaces, runs of space collapse, bidirectional
/// controls are shown as `⟨U+XXXX⟩`.
pub fn display(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\u{27E8}U+{:04X}\u{27E9}", c as u32));
            space = false;
        } else if c.is_control() || c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim_end().to_string()
}

/// At most `max` characters of `s`, with `…` where it was cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('\u{2026}');
    out
}

/// Splits `s` into at most `lines` lines of about `width` characters at
/// spaces; the last line is shortened with `…` when the text does not fit.
pub fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let len = cur.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(shorten(&rest, width));
    }
    out.into_iter().map(|l| shorten(&l, width + width / 2)).collect()
}

/// A DOT double-quoted string, quotes included: `"` and `\` are escaped so
/// Graphviz reads the value literally (no `\N`, `\G` or `\l` expansion), and
/// newlines become Graphviz's centred line break `\n`. Other control
/// characters are dropped.
pub fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for XML and HTML content or attribute values: `& < > " '` as
/// entities, tab, newline and carriage return as character references (so
/// attribute values keep them), other characters that XML 1.0 forbids dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` without the characters XML 1.0 forbids (controls other than tab,
/// newline and carriage return; U+FFFE, U+FFFF), for writers such as
/// quick-xml that escape markup but pass every character through.
pub fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| !(((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect()
}

/// Text for HTML shown to a reader: [`display`] then [`xml`].
pub fn html(s: &str) -> String {
    xml(&display(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_escape_quotes_backslashes_and_newlines() {
        assert_eq!(dot_quote("a\"b\\c\nd\re"), r#""a\"b\\c\nde""#);
        assert_eq!(dot_quote(r"\N \G"), r#""\\N \\G""#);
    }

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            xml("<script>alert(1)</script> & ]]> -->"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; --&gt;"
        );
        assert_eq!(xml("a\u{1}b\nc\"'"), "ab&#10;c&quot;&#39;");
    }

    #[test]
    fn display_reveals_bidi_overrides_and_flattens_newlines() {
        assert_eq!(display("abc\u{202E}def"), "abc\u{27E8}U+202E\u{27E9}def");
        assert_eq!(display("two\nlines\t here "), "two lines here");
        assert_eq!(display("北京 Москва שלום"), "北京 Москва שלום");
    }

    #[test]
    fn wrap_keeps_lines_short_and_marks_cuts() {
        assert_eq!(wrap("Pacific Rim Components Pte. Ltd.", 20, 2), vec!["Pacific Rim", "Components Pte. Ltd."]);
        let long = "x".repeat(5000);
        let w = wrap(&long, 20, 2);
        assert_eq!(w.len(), 1);
        assert!(w[0].chars().count() <= 30 && w[0].ends_with('\u{2026}'));
        let w = wrap("one two three four five six seven eight nine ten", 10, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('\u{2026}'));
    }
}
