//! Name normalisation for screening: what two spellings of one company have
//! in common. Transliterates (diacritics, Cyrillic, Chinese) with `deunicode`,
//! folds case and punctuation, spells out abbreviations (Tech -> technology,
//! Intl -> international), drops legal forms (Ltd, Co., Limited, Pte, Sdn Bhd,
//! GmbH, LLC, Inc, K.K., and their Chinese and Russian spellings) and words
//! that carry no identity (the, and, of).
//!
//! Every remaining word is classed: *distinctive* words identify a party
//! (`zhiyuan`, `huaxin`, `kuzmenko`); *generic* words are common to many
//! unrelated companies (`technology`, `trading`, `international`, `group`);
//! *place* words (`beijing`, `hong kong`) are often dropped from a name. The
//! matcher requires distinctive words to agree and weighs the others less.

use std::collections::HashSet;
use std::sync::LazyLock;

/// A name reduced to its comparable words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    /// Words after normalisation, in their order in the name.
    pub tokens: Vec<String>,
    /// The words joined by one space: equal keys are an exact match.
    pub key: String,
    /// The words joined without spaces: `Sino Tech` and `Sinotech` agree.
    pub compact: String,
    /// Each word's spelling folded for comparison (see [`fold`]).
    pub folded: Vec<String>,
    /// Each word's class.
    pub classes: Vec<Class>,
    /// Whether each word is distinctive, long enough and free of digits, to
    /// be compared by spelling rather than only for equality.
    pub fuzzy: Vec<bool>,
    /// Positions of the distinctive words.
    pub distinctive: Vec<usize>,
}

/// Shortest word compared by spelling; shorter words, and words with digits
/// (`54th` against `55th`), must be equal.
pub const FUZZY_WORD_MIN_CHARS: usize = 5;

/// Longest word compared by spelling. Longer "words" are codes or run-together
/// text; comparing them by spelling (and indexing their one-deletion
/// spellings) would cost the square of their length for nothing.
pub const FUZZY_WORD_MAX_CHARS: usize = 40;

/// Whether a word may be compared by spelling.
pub fn fuzzy_word(w: &str) -> bool {
    (FUZZY_WORD_MIN_CHARS..=FUZZY_WORD_MAX_CHARS).contains(&w.len()) && !w.bytes().any(|b| b.is_ascii_digit())
}

/// A word's spelling with the differences that Latin transliterations of one
/// name commonly show folded away: `c` (not in `ch`) and `ck` as `k`, `y` as
/// `i`, `w` as `v`, `ph` as `f`, `ae`/`oe` as `a`/`o`, German `ue` as `u`
/// (not the Pinyin syllables `xue`, `yue`, `jue`, `que`, `lue`, `nue`), and
/// doubled letters once. `Viktor` = `Victor`, `Mueller` = `Müller` = `Muller`,
/// `Tatyana` = `Tatiana`.
pub fn fold(w: &str) -> String {
    let b = w.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let prev = if i > 0 { Some(b[i - 1]) } else { None };
        let (c, step) = match (b[i], next) {
            (b'a', Some(b'e')) | (b'o', Some(b'e')) if i > 0 => (b[i], 2),
            (b'u', Some(b'e')) if prev.is_some_and(|p| !b"xyjqln".contains(&p)) => (b'u', 2),
            (b'p', Some(b'h')) => (b'f', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'c', Some(b'h')) => (b'c', 1),
            (b'c', _) if prev != Some(b's') => (b'k', 1),
            (b'y', _) => (b'i', 1),
            (b'w', _) => (b'v', 1),
            (c, _) => (c, 1),
        };
        if !(out.as_bytes().last() == Some(&c) && c.is_ascii_alphabetic()) {
            out.push(c as char);
        }
        i += step;
    }
    out
}

/// How much a word says about who a party is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Distinctive,
    Generic,
    Place,
}

impl Class {
    /// Weight of a word of this class in the similarity score.
    pub fn weight(self) -> f64 {
        match self {
            Class::Distinctive => 1.0,
            Class::Generic => 0.5,
            Class::Place => 0.25,
        }
    }
}

/// Abbreviations and variants spelled one way.
const CANONICAL: &[(&str, &str)] = &[
    ("tech", "technology"),
    ("techs", "technology"),
    ("technologies", "technology"),
    ("techn", "technology"),
    ("intl", "international"),
    ("internat", "international"),
    ("co", "company"),
    ("cos", "company"),
    ("companies", "company"),
    ("corp", "corporation"),
    ("ltd", "limited"),
    ("ltda", "limited"),
    ("inc", "incorporated"),
    ("pvt", "private"),
    ("mfg", "manufacturing"),
    ("mgmt", "management"),
    ("svc", "service"),
    ("svcs", "service"),
    ("services", "service"),
    ("sys", "system"),
    ("systems", "system"),
    ("electronics", "electronic"),
    ("elec", "electronic"),
    ("industries", "industry"),
    ("ind", "industry"),
    ("industrial", "industry"),
    ("solutions", "solution"),
    ("intelligence", "intelligent"),
    ("grp", "group"),
    ("hldg", "holdings"),
    ("hldgs", "holdings"),
    ("holding", "holdings"),
    ("investments", "investment"),
    ("enterprises", "enterprise"),
    ("networks", "network"),
    ("communications", "communication"),
    ("products", "product"),
    ("resources", "resource"),
    ("instruments", "instrument"),
    ("materials", "material"),
    ("trade", "trading"),
    ("trdg", "trading"),
    ("engg", "engineering"),
    ("eng", "engineering"),
    ("univ", "university"),
    ("inst", "institute"),
    ("natl", "national"),
    ("dev", "development"),
    ("intl", "international"),
    ("centre", "center"),
    ("ctr", "center"),
    ("labs", "laboratory"),
    ("lab", "laboratory"),
    ("laboratories", "laboratory"),
    ("hongkong", "hong kong"),
];

/// Legal forms dropped wherever they stand (after spelling out).
const LEGAL_FORMS: &[&str] = &[
    "limited",
    "company",
    "corporation",
    "incorporated",
    "llc",
    "lc",
    "llp",
    "lp",
    "plc",
    "pte",
    "pty",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "kk",
    "sdn",
    "bhd",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "oao",
    "zao",
    "ooo",
    "pao",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "fz",
    "oy",
    "oyj",
    "ab",
    "sro",
    "doo",
    "tbk",
    "pt",
    "gongsi",
    "youxiangongsi",
];

/// Legal forms of several words whose words are not legal forms alone.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["limited", "liability"],
    &["joint", "stock"],
    &["public", "limited"],
    &["private", "limited"],
    &["private"],
    &["k", "k"],
    &["kabushiki", "kaisha"],
    &["yugen", "kaisha"],
    &["godo", "kaisha"],
    &["s", "a"],
    &["l", "l", "c"],
    &["you", "xian", "gong", "si"],
    &["you", "xian", "ze", "ren", "gong", "si"],
    &["gu", "fen", "you", "xian", "gong", "si"],
    &["gong", "si"],
    &["you", "xian"],
    &["youxian"],
    &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
    &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
    &["aktsionernoe", "obshchestvo"],
    &["publichnoe", "aktsionernoe", "obshchestvo"],
    &["sociedad", "de", "responsabilidad", "limitada"],
    &["sociedad", "anonima"],
    &["societatea", "cu", "raspundere", "limitata"],
    &["spolecnost", "s", "rucenim", "omezenym"],
    &["druzba", "z", "omejeno", "odgovornostjo"],
    &["an", "chuideachta", "theoranta"],
];

/// Words that carry no identity.
const STOPWORDS: &[&str] = &["the", "and", "of", "for", "und", "et", "de", "del", "la", "le", "des", "du"];

/// Words common to many unrelated companies: two names that share only these
/// are not the same party.
const GENERIC: &[&str] = &[
    "technology",
    "international",
    "trading",
    "advanced",
    "information",
    "group",
    "holdings",
    "computing",
    "compute",
    "electronic",
    "global",
    "industry",
    "development",
    "science",
    "scientific",
    "research",
    "institute",
    "engineering",
    "system",
    "solution",
    "service",
    "investment",
    "management",
    "import",
    "export",
    "enterprise",
    "manufacturing",
    "digital",
    "network",
    "data",
    "cloud",
    "intelligent",
    "ai",
    "smart",
    "semiconductor",
    "micro",
    "microelectronic",
    "logistics",
    "supply",
    "distribution",
    "commercial",
    "commerce",
    "general",
    "new",
    "national",
    "resource",
    "energy",
    "material",
    "equipment",
    "machinery",
    "instrument",
    "product",
    "partners",
    "capital",
    "ventures",
    "innovation",
    "software",
    "hardware",
    "communication",
    "telecom",
    "power",
    "precision",
    "center",
    "laboratory",
    "university",
    "academy",
    "electric",
    "aerospace",
    "defense",
    "defence",
    "security",
    "optical",
    "chemical",
    "construction",
    "consulting",
    "agency",
    "freight",
    "forwarding",
    "shipping",
    "express",
    "transport",
    "hosting",
    "cyber",
    "infotech",
    "machine",
    "factory",
    "works",
    "branch",
    "office",
    "company",
    "world",
    "worldwide",
    "universal",
    "united",
    "associated",
    "association",
    "star",
    "union",
    "hitech",
    "hi",
    "high",
    "sci",
    "first",
    "century",
    "modern",
    "future",
    "creative",
    "special",
    "applied",
    "integrated",
];

/// Places that names often include or omit.
const PLACES: &[&str] = &[
    "beijing",
    "shanghai",
    "shenzhen",
    "guangzhou",
    "hong",
    "kong",
    "hk",
    "china",
    "chinese",
    "sino",
    "macau",
    "macao",
    "singapore",
    "asia",
    "asian",
    "pacific",
    "dubai",
    "uae",
    "tianjin",
    "wuhan",
    "chengdu",
    "hangzhou",
    "nanjing",
    "xian",
    "harbin",
    "chongqing",
    "suzhou",
    "hefei",
    "changsha",
    "xiamen",
    "qingdao",
    "dalian",
    "shenyang",
    "zhuhai",
    "dongguan",
    "guangdong",
    "jiangsu",
    "zhejiang",
    "sichuan",
    "hubei",
    "fujian",
    "shandong",
    "kowloon",
    "taiwan",
    "taipei",
    "malaysia",
    "kuala",
    "lumpur",
    "thailand",
    "bangkok",
    "vietnam",
    "hanoi",
    "india",
    "russia",
    "russian",
    "moscow",
    "iran",
    "tehran",
    "usa",
    "america",
    "american",
    "us",
    "uk",
    "europe",
    "european",
    "east",
    "west",
    "north",
    "south",
    "northern",
    "southern",
    "eastern",
    "western",
    "middle",
    "orient",
    "oriental",
];

static GENERIC_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| GENERIC.iter().copied().collect());
static PLACE_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| PLACES.iter().copied().collect());

/// The class of a normalised word.
pub fn class(token: &str) -> Class {
    if PLACE_SET.contains(token) {
        Class::Place
    } else if GENERIC_SET.contains(token) {
        Class::Generic
    } else {
        Class::Distinctive
    }
}

/// Lower-case ASCII words: transliterated, apostrophes and full stops joined
/// (`K.K.` -> `kk`, `O'Neil` -> `oneil`), `&` read as `and`, other
/// punctuation a word break.
fn words(name: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(name);
    let mut s = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            'a'..='z' | '0'..='9' => s.push(c),
            'A'..='Z' => s.push(c.to_ascii_lowercase()),
            '\'' | '.' | '`' => {}
            '&' | '+' => s.push_str(" and "),
            _ => s.push(' '),
        }
    }
    s.split_whitespace().map(String::from).collect()
}

/// Normalises one name. The result has no words when the name has none
/// (only punctuation); a name made only of legal forms keeps them.
pub fn normalise(name: &str) -> Normalised {
    from_words(reduce(name).0)
}

/// The comparable words of a name, and how many of them stand before its
/// last legal form when other words follow it (`Gui'an New District Huawei
/// Investment Co., Ltd., Guiyang, Guizhou`: the Entity List appends the city).
fn reduce(name: &str) -> (Vec<String>, Option<usize>) {
    let mut spelled: Vec<String> = Vec::new();
    for w in words(name) {
        match CANONICAL.iter().find(|(from, _)| *from == w) {
            Some((_, to)) => spelled.extend(to.split(' ').map(String::from)),
            None => spelled.push(w),
        }
    }
    let mut kept: Vec<String> = Vec::with_capacity(spelled.len());
    let mut before_last_form = None;
    let mut i = 0;
    while i < spelled.len() {
        let rest = &spelled[i..];
        let phrase = LEGAL_PHRASES
            .iter()
            .filter(|p| p.len() <= rest.len() && p.iter().zip(rest).all(|(a, b)| *a == b))
            .map(|p| p.len())
            .max();
        if let Some(n) = phrase {
            before_last_form = Some(kept.len());
            i += n;
            continue;
        }
        let w = &spelled[i];
        if LEGAL_FORMS.contains(&w.as_str()) {
            before_last_form = Some(kept.len());
        } else if !STOPWORDS.contains(&w.as_str()) {
            kept.push(w.clone());
        }
        i += 1;
    }
    if kept.is_empty() {
        return (spelled.into_iter().filter(|w| !STOPWORDS.contains(&w.as_str())).collect(), None);
    }
    let cut = before_last_form.filter(|&n| n >= 2 && n < kept.len());
    (kept, cut)
}

/// Builds the comparable form of a name from its words.
fn from_words(kept: Vec<String>) -> Normalised {
    let key = kept.join(" ");
    let compact = kept.concat();
    let folded = kept.iter().map(|w| fold(w)).collect();
    let classes: Vec<Class> = kept.iter().map(|w| class(w)).collect();
    // Only distinctive words are compared by spelling: a misspelt generic
    // word says nothing about identity, and skipping them keeps screening fast.
    let fuzzy = kept.iter().map(|w| fuzzy_word(w) && class(w) == Class::Distinctive).collect();
    let distinctive = (0..kept.len()).filter(|&i| classes[i] == Class::Distinctive).collect();
    Normalised { tokens: kept, key, compact, folded, classes, fuzzy, distinctive }
}

/// The forms of a name worth comparing: the whole name, the name up to its
/// last legal form when words follow it (a city appended after `Co., Ltd.`),
/// and the name without its parenthesised parts (`Huaxin Cloud Holdings (HK) Limited`,
/// `Academy of Aerospace Solid Propulsion Technology (AASPT)`). Empty forms
/// are left out; the result is empty for a name without words.
pub fn variants(name: &str) -> Vec<Normalised> {
    let mut out = Vec::with_capacity(2);
    let (words, cut) = reduce(name);
    if let Some(n) = cut {
        let head = from_words(words[..n].to_vec());
        out.push(from_words(words));
        out.push(head);
    } else if !words.is_empty() {
        out.push(from_words(words));
    }
    if name.contains('(') {
        let mut bare = String::with_capacity(name.len());
        let mut depth = 0usize;
        for c in name.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => bare.push(c),
                _ => {}
            }
        }
        let bare = normalise(&bare);
        if !bare.tokens.is_empty() && !out.contains(&bare) {
            out.push(bare);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        normalise(s).key
    }

    #[test]
    fn legal_forms_and_abbreviations() {
        assert_eq!(key("Beijing Zhiyuan Intelligent Computing Co. Ltd."), "beijing zhiyuan intelligent computing");
        assert_eq!(
            key("Beijing Zhiyuan Intelligent Computing Company Limited"),
            "beijing zhiyuan intelligent computing"
        );
        assert_eq!(key("Beijing Lingxi Tech Company Limited"), key("Beijing Lingxi Technology Co., Ltd."));
        assert_eq!(key("Pacific Rim Components Pte. Ltd."), "pacific rim components");
        assert_eq!(key("Kulai Compute Park Sdn. Bhd."), "kulai compute park");
        assert_eq!(key("Sakura Cloud K.K."), "sakura cloud");
        assert_eq!(key("Müller Elektronik GmbH & Co. KG"), "muller elektronik");
        assert_eq!(key("ACME Intl LLC"), "acme international");
        assert_eq!(key("ACME International, Inc."), "acme international");
        assert_eq!(key("Falcon Capital Investments L.L.C."), "falcon capital investment");
    }

    #[test]
    fn scripts_and_diacritics() {
        assert_eq!(key("Družba z omejeno odgovornostjo „Inter Tobacco“"), "inter tobacco");
        assert_eq!(key("LLC “Inter Tobacco”"), "inter tobacco");
        assert_eq!(key("Sviatlana Pavlavna PACHODAVOVÁ"), "sviatlana pavlavna pachodavova");
        assert_eq!(key("Виктор Владимирович СОЙКО"), "viktor vladimirovich soiko");
        assert_eq!(normalise("北京智源智算").compact, "beijingzhiyuanzhisuan");
        assert_eq!(key("Gui’an New District"), "guian new district");
    }

    #[test]
    fn a_name_of_legal_forms_only_keeps_them() {
        assert_eq!(key("The Company Limited"), "company limited");
        assert!(normalise("—").tokens.is_empty());
        assert!(variants("...").is_empty());
    }

    #[test]
    fn parenthesised_parts_give_a_second_form() {
        let v: Vec<String> = variants("Huaxin Cloud Holdings (HK) Limited").into_iter().map(|n| n.key).collect();
        assert_eq!(v, ["huaxin cloud holdings hk", "huaxin cloud holdings"]);
    }

    #[test]
    fn transliteration_spellings_fold_together() {
        assert_eq!(fold("viktor"), fold("victor"));
        assert_eq!(fold("mueller"), fold("muller"));
        assert_eq!(fold("tatyana"), fold("tatiana"));
        assert_eq!(fold("praezisionswerk"), fold("prazisionswerk"));
        assert_ne!(fold("xuesheng"), fold("xusheng"), "Pinyin xue is not xu");
        assert_ne!(fold("zhuravleva"), fold("zjuravleva"), "left to the spelling similarity");
    }

    #[test]
    fn a_place_after_the_legal_form_gives_a_second_form() {
        let v: Vec<String> = variants("Gui’an New District Huawei Investment Co., Ltd., Guiyang, Guizhou")
            .into_iter()
            .map(|n| n.key)
            .collect();
        assert_eq!(v, ["guian new district huawei investment guiyang guizhou", "guian new district huawei investment"]);
        assert_eq!(variants("LLC “Inter Tobacco”").len(), 1, "a legal form in front cuts nothing");
    }

    #[test]
    fn classes() {
        assert_eq!(class("zhiyuan"), Class::Distinctive);
        assert_eq!(class("technology"), Class::Generic);
        assert_eq!(class("beijing"), Class::Place);
    }
}
