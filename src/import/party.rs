//! Party names as clerks write them on customs filings and bills of lading:
//! a consignee or shipper cell often names more than the party. A
//! forwarder receiving for its client is written `SWIFTLINK FREIGHT (S) PTE
//! LTD C/O NAN YANG DIGITAL TECH` or `… ON BEHALF OF MERIDIAN HEALTH
//! ANALYTICS PTE LTD`; a contact person is added as `ATLAS CARGO SDN BHD
//! ATTN: MR. LIM K.H.`. [`split`] separates the party (the name before the
//! first such marker, which is who signs for the goods) from the party it
//! acts for and the person to attend, so that every spelling of one
//! forwarder stays one entity and the chain through it stays whole.
//!
//! Markers are whole words, upper or lower case: `C/O`, `CARE OF`, `IN
//! CARE OF`, `ON BEHALF OF`, `O/B`, `O/B OF`, `FOR ACCOUNT OF`, `FOR THE
//! ACCOUNT OF` (the party acted for), and `ATTN`, `ATTN:`, `ATTN.`,
//! `ATTENTION:`, `ATT:` (a contact). A marker at the start of the cell is
//! not split (the cell then names no party of its own), nor a word that
//! only contains one (`CO`, `ATTNA`, `HEALTH CARE OFFICE`).

/// A party cell split into what it names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The party: the text before the first marker, or the whole cell.
    pub party: String,
    /// The party it receives or ships for (after `C/O`, `ON BEHALF OF`, …).
    pub on_behalf_of: Option<String>,
    /// The person to attend (after `ATTN`), a contact and not a party.
    pub attention: Option<String>,
}

impl Written {
    /// Whether the cell held more than the party's name.
    pub fn has_tail(&self) -> bool {
        self.on_behalf_of.is_some() || self.attention.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    OnBehalf,
    Attention,
}

/// Marker word sequences, longest first so `O/B OF` wins over `O/B`. Words
/// are compared upper case without a trailing `:`, `.` or `,`.
const ON_BEHALF: &[&[&str]] = &[
    &["FOR", "THE", "ACCOUNT", "OF"],
    &["FOR", "ACCOUNT", "OF"],
    &["ON", "BEHALF", "OF"],
    &["IN", "CARE", "OF"],
    &["CARE", "OF"],
    &["O/B", "OF"],
    &["O/B"],
    &["C/O"],
];

/// One word of the cell: its byte span and its comparable form.
struct Word<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    key: String,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let raw = &text[s..i];
                let key = raw
                    .trim_start_matches(['(', '[', ','])
                    .trim_end_matches([':', '.', ',', ';', ')', ']'])
                    .to_uppercase();
                out.push(Word { start: s, end: i, raw, key });
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The marker starting at word `i`, and how many words it takes.
fn marker_at(w: &[Word<'_>], i: usize) -> Option<(Marker, usize)> {
    for seq in ON_BEHALF {
        if w.len() >= i + seq.len() && seq.iter().enumerate().all(|(k, s)| w[i + k].key == *s) {
            return Some((Marker::OnBehalf, seq.len()));
        }
    }
    let raw = w[i].raw.trim_start_matches(['(', '[', ',']);
    let colon = raw.ends_with(':');
    match w[i].key.as_str() {
        "ATTN" => Some((Marker::Attention, 1)),
        "ATTENTION" | "ATT" if colon => Some((Marker::Attention, 1)),
        _ => None,
    }
}

/// Trims what a clerk leaves around a part: spaces, separators and a
/// bracket the split left unmatched.
fn tidy(s: &str) -> String {
    let mut s = s.trim().trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '-' | '/') || c.is_whitespace());
    loop {
        let t = s.trim();
        let unmatched_close = t.ends_with(')') && t.matches('(').count() < t.matches(')').count();
        let unmatched_open = t.ends_with('(');
        if unmatched_close || unmatched_open {
            s = t[..t.len() - 1].trim_end_matches(|c: char| matches!(c, ',' | ';') || c.is_whitespace());
        } else {
            return t.to_string();
        }
    }
}

/// Splits a party cell into the party, the party it acts for and the
/// contact to attend. A cell without a marker (or with one only at its
/// start) comes back whole as the party.
///
/// # Complexity
/// O(n) in the cell's length (markers are at most four words).
pub fn split(text: &str) -> Written {
    let whole = || Written { party: text.trim().to_string(), ..Written::default() };
    let w = words(text);
    let mut cuts: Vec<(usize, usize, Marker)> = Vec::new(); // (byte start, byte end of marker, kind)
    let mut i = 1; // a marker in the first word names no party before it
    while i < w.len() {
        if let Some((m, n)) = marker_at(&w, i) {
            cuts.push((w[i].start, w[i + n - 1].end, m));
            i += n;
        } else {
            i += 1;
        }
    }
    let Some(&(first, _, _)) = cuts.first() else { return whole() };
    let party = tidy(&text[..first]);
    if party.is_empty() {
        return whole();
    }
    let mut out = Written { party, ..Written::default() };
    for (k, &(_, end, m)) in cuts.iter().enumerate() {
        let stop = cuts.get(k + 1).map_or(text.len(), |c| c.0);
        // The marker's own trailing `:` belongs to it; a `(` before it to the tail's bracket.
        let part = tidy(&text[end..stop]);
        if part.is_empty() {
            continue;
        }
        let slot = match m {
            Marker::OnBehalf => &mut out.on_behalf_of,
            Marker::Attention => &mut out.attention,
        };
        match slot {
            Some(s) => {
                s.push_str("; ");
                s.push_str(&part);
            }
            None => *slot = Some(part),
        }
    }
    out
}

/// A declared end user as the import writes it: a leading `ON BEHALF OF`,
/// `C/O` or `FOR ACCOUNT OF` is dropped (`ON BEHALF OF SHENZHEN QIANHAI
/// HUAXUN` declares `SHENZHEN QIANHAI HUAXUN`); anything else is kept.
pub fn declared_name(text: &str) -> String {
    let w = words(text);
    for seq in ON_BEHALF {
        if w.len() > seq.len() && seq.iter().enumerate().all(|(k, s)| w[k].key == *s) {
            let rest = tidy(&text[w[seq.len() - 1].end..]);
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    text.trim().to_string()
}

/// Whether a notify-party or end-user cell only points back at the
/// consignee: `SAME AS CONSIGNEE`, `SAME AS CNEE`, `AS CONSIGNEE`, `SAME AS ABOVE`.
pub fn refers_to_consignee(text: &str) -> bool {
    let key: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    matches!(
        key.as_str(),
        "sameasconsignee" | "sameascnee" | "asconsignee" | "asperconsignee" | "sameasabove" | "sameasconsignees"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (String, Option<String>, Option<String>) {
        let w = split(s);
        (w.party, w.on_behalf_of, w.attention)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn care_of_and_on_behalf_of_name_the_party_acted_for() {
        for (cell, party, acted_for) in [
            (
                "SWIFTLINK FREIGHT (S) PTE LTD C/O NAN YANG DIGITAL TECH",
                "SWIFTLINK FREIGHT (S) PTE LTD",
                "NAN YANG DIGITAL TECH",
            ),
            (
                "Swiftlink Freight (S) Pte Ltd c/o Nan Yang Digital Tech",
                "Swiftlink Freight (S) Pte Ltd",
                "Nan Yang Digital Tech",
            ),
            ("ACME LOGISTICS, C/O: BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS (C/O BETA LTD)", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS CARE OF BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS IN CARE OF BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            (
                "SWIFTLINK FREIGHT (S) PTE LTD ON BEHALF OF MERIDIAN HEALTH ANALYTICS PTE LTD",
                "SWIFTLINK FREIGHT (S) PTE LTD",
                "MERIDIAN HEALTH ANALYTICS PTE LTD",
            ),
            ("Acme Logistics on behalf of Beta Ltd", "Acme Logistics", "Beta Ltd"),
            ("ACME LOGISTICS O/B BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS O/B OF BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS FOR ACCOUNT OF BETA LTD", "ACME LOGISTICS", "BETA LTD"),
            ("ACME LOGISTICS FOR THE ACCOUNT OF BETA LTD", "ACME LOGISTICS", "BETA LTD"),
        ] {
            assert_eq!(parts(cell), (party.to_string(), some(acted_for), None), "{cell}");
        }
    }

    #[test]
    fn attention_names_a_contact_not_a_party() {
        for (cell, party, contact) in [
            ("ATLAS CARGO SDN BHD ATTN: MR. LIM K.H.", "ATLAS CARGO SDN BHD", "MR. LIM K.H."),
            ("ATLAS CARGO SDN BHD ATTN MR LIM", "ATLAS CARGO SDN BHD", "MR LIM"),
            ("Atlas Cargo Sdn Bhd, attn. Mr Lim", "Atlas Cargo Sdn Bhd", "Mr Lim"),
            ("ATLAS CARGO SDN BHD ATTENTION: MR LIM", "ATLAS CARGO SDN BHD", "MR LIM"),
            ("ATLAS CARGO SDN BHD ATT: MR LIM", "ATLAS CARGO SDN BHD", "MR LIM"),
        ] {
            assert_eq!(parts(cell), (party.to_string(), None, some(contact)), "{cell}");
        }
        // Both tails in one cell, in either order.
        assert_eq!(
            parts("ACME LOGISTICS C/O BETA LTD ATTN: MS WONG"),
            ("ACME LOGISTICS".into(), some("BETA LTD"), some("MS WONG"))
        );
        assert_eq!(
            parts("ACME LOGISTICS ATTN: MS WONG ON BEHALF OF BETA LTD"),
            ("ACME LOGISTICS".into(), some("BETA LTD"), some("MS WONG"))
        );
    }

    #[test]
    fn words_that_only_contain_a_marker_are_part_of_the_name() {
        for cell in [
            "COSCO SHIPPING CO LTD",
            "ACME CO., LTD.",
            "ATTNA TECHNOLOGY LTD",
            "SHENZHEN ATTNX TRADING",
            "GLOBAL ATTENTION MEDIA LTD",
            "HEALTH CARE OFFICE SUPPLIES LTD",
            "PRIMARY CARE OFFERINGS INC",
            "BEHALF HOLDINGS LTD",
            "OB/GYN MEDICAL PTE LTD",
            "CO/OP TRADING",
            // A marker first names no party of its own: the cell is kept whole.
            "C/O BETA LTD",
            "ATTN: MR LIM",
            "ON BEHALF OF BETA LTD",
        ] {
            let w = split(cell);
            assert_eq!(w, Written { party: cell.to_string(), ..Written::default() }, "{cell}");
            assert!(!w.has_tail());
        }
        // A marker with nothing after it leaves the party only.
        assert_eq!(parts("ACME LOGISTICS C/O"), ("ACME LOGISTICS".into(), None, None));
    }

    #[test]
    fn declared_end_users_drop_a_leading_marker_and_consignee_references_are_seen() {
        assert_eq!(declared_name("ON BEHALF OF SHENZHEN QIANHAI HUAXUN"), "SHENZHEN QIANHAI HUAXUN");
        assert_eq!(declared_name("c/o Beta Ltd"), "Beta Ltd");
        assert_eq!(declared_name("MERIDIAN HEALTH ANALYTICS PTE LTD"), "MERIDIAN HEALTH ANALYTICS PTE LTD");
        assert_eq!(declared_name("ON BEHALF OF"), "ON BEHALF OF");
        assert_eq!(declared_name("CARE OFFICE LTD"), "CARE OFFICE LTD");
        for t in ["SAME AS CONSIGNEE", "Same as consignee.", "SAME AS CNEE", "AS CONSIGNEE", "SAME AS ABOVE"] {
            assert!(refers_to_consignee(t), "{t}");
        }
        for t in ["SAME DAY LOGISTICS", "CONSIGNEE TRADING LTD", ""] {
            assert!(!refers_to_consignee(t), "{t}");
        }
    }
}
