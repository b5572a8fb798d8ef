//! Screening: every entity's names and aliases against every list entry's
//! names and aliases (docs/spec.md §1 lists/, §2 `screen`, §5.4).
//!
//! Two names match exactly when they normalise to the same words (see
//! [`normalise`]), or to the same letters apart from spacing. Otherwise the
//! matcher weighs the evidence word by word: it pairs the words of the two
//! names (equal, equal once transliteration spellings are folded, a close
//! spelling of a long word, the same consonants, or two words joined into
//! one), then scores the words both names carry against the words only one
//! carries. An extra place, qualifier or parent-group word costs little
//! (`ANHUI IFLYTEK` is `iFLYTEK`); an extra distinctive word costs as much
//! as it weighs; a trade word of the listed name that a filing left out
//! (`SHENZHEN QIANHAI HUAXUN` for `Shenzhen Qianhai Huaxun Supply Chain
//! Co., Ltd.`) costs little where every word the filing kept pairs;
//! a different number in a numbered unit is a strong negative
//! (CETC's 14th institute is not the 13th); names that only share generic
//! words (`technology`, `trading`) never match unless all their words agree.
//! An entity outside the countries an entry names scores 10% lower (China,
//! Hong Kong and Macau count as one, as the EAR treats them since 2020).
//! Every match says which words decided it.
//!
//! Candidates are found through an inverted index of the list's identifying
//! words, their one-deletion spellings and consonant skeletons, so the cost
//! grows with the number of names and the pairs that share a word, not with
//! entities × entries. Bounds: a word in more than [`MAX_POSTING`] list names
//! does not find candidates on its own (a name sharing only that word is not
//! compared; the word is reported), an entity name is compared with at most
//! [`MAX_CANDIDATES`] list names (those sharing the most words), names are
//! compared on their first [`normalise::MAX_WORDS`] words, and each entity
//! keeps its [`MAX_MATCHES_PER_ENTITY`] best matches. [`ScreenStats`] counts
//! the work and every bound that cut.
//!
//! Candidates that share a word are many where a word is common (a Pinyin
//! given name, a surname), and most cannot match. Before two names are
//! aligned word by word, an upper bound on their score (`score_bound`: the
//! weight of the words that could pair at all against the least cost of
//! those that cannot, proved in its doc) rules out those that cannot reach
//! the threshold or beat the match already found with their entry; the
//! result is the same (property-tested), and [`ScreenStats::ruled_out`]
//! counts them. Each name's acronyms, letter counts and least costs are
//! worked out once, not per comparison.

pub mod aka;
pub mod names;
pub mod normalise;

use crate::model::{Case, Country, EntityId, ListEntry};
use crate::policy::Policy;
use normalise::{Class, Normalised, normalise};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Lowest Jaro similarity at which two long distinctive words are taken as
/// spellings of one word: transliterations such as `Zhuravleva` /
/// `Zjuravleva` (0.93) and `Kuzmenko` / `Kusmenko` (0.92) pass, different
/// names such as `Huawei` / `Huaxin` (0.78) do not.
const WORD_SIMILARITY: f64 = 0.90;

/// Similarity of two words that differ only in a folded spelling.
const FOLDED_SIMILARITY: f64 = 0.95;

/// Similarity of two words with the same consonant skeleton (`Jheisheh` /
/// `Jhesheh`, `mhmd` / `Mohammed`): a weaker sign than a folded spelling.
const SKELETON_SIMILARITY: f64 = 0.9;

/// Similarity of two words on one side that make one word on the other
/// (`Zhong Xing` / `Zhongxing`, `RT Okhrana` / `RTOkhrana`).
const JOINED_SIMILARITY: f64 = 0.95;

/// Factor applied when the entity sits outside every country the entry names.
const OTHER_COUNTRY_FACTOR: f64 = 0.9;

/// Factor applied when both names carry numbers and they differ: a numbered
/// unit (the 13th and the 14th institute, vessel 1 and vessel 2) is another party.
const NUMBER_CONFLICT_FACTOR: f64 = 0.5;

/// Factor applied when both names carry a distinctive word the other lacks:
/// a substitution (`Huaxin Cloud` / `Huaxin Group`) rather than an addition.
const SUBSTITUTION_FACTOR: f64 = 0.85;

/// Cost of an extra place that stood in parentheses or after the name:
/// `Gazprombank (Switzerland)` is a subsidiary registered elsewhere, not the
/// listed bank, while a province in front of a Chinese name is part of how
/// the same company is written.
const PAREN_PLACE_COST: f64 = 0.6;

/// Cost of another extra word in parentheses: an acronym or a gloss
/// (`(AASPT)`, `(GEC)`) that customs data leaves out.
const PAREN_WORD_COST: f64 = 0.2;

/// A word in more list names than this does not find candidates alone.
pub const MAX_POSTING: usize = 2_000;

/// Most list names one entity name is compared with.
pub const MAX_CANDIDATES: usize = 4_000;

/// Most matches kept per entity (its best; the rules read only the best).
pub const MAX_MATCHES_PER_ENTITY: usize = 16;

/// One entity matched with one list entry, by its best pair of names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub entity: EntityId,
    /// Index of the entry in [`Case::lists`].
    pub entry: usize,
    /// The entity's name or alias that matched, as written.
    pub matched_name: String,
    /// The entry's name or alias that matched, as listed (docs/spec.md §5.4 `listed_as`).
    pub listed_name: String,
    /// 0..1; 1 for an exact match in a country the entry names.
    pub score: f64,
    /// `exact`, `compact` (same letters, other spacing) or `fuzzy` (word by word).
    pub method: &'static str,
    /// The words that decided it: `[entity word, listed word, similarity]`.
    pub words: Vec<(String, String, f64)>,
    /// Words only the entity's name has.
    pub entity_only: Vec<String>,
    /// Words only the listed name has.
    pub listed_only: Vec<String>,
    /// Which names matched, how, and what lowered the score.
    pub reason: String,
}

impl Match {
    /// The evidence key of the matched entry: `list:<list>:<entry_id>`.
    pub fn evidence(&self, case: &Case) -> String {
        case.lists[self.entry].evidence()
    }
}

/// The work screening did and the bounds that cut it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScreenStats {
    /// Entity names (names and aliases) screened.
    pub entity_names: u64,
    /// List names indexed.
    pub list_names: u64,
    /// Name pairs compared (candidates found through the index).
    pub comparisons: u64,
    /// Of those, the pairs an upper bound on their score ruled out before
    /// their words were aligned (see `score_bound`): they could not reach the
    /// threshold, or the score of a match already found with their entry.
    /// Not in the JSON outputs (printed by `screen` on standard error).
    #[serde(skip)]
    pub ruled_out: u64,
    /// Words left out of candidate search because more than [`MAX_POSTING`]
    /// list names carry them: `(word, list names)`, most common first
    /// (in JSON, `{"word", "list_names"}` objects).
    #[serde(serialize_with = "common_words_json")]
    pub common_words: Vec<(String, usize)>,
    /// Entity names whose candidates were cut to [`MAX_CANDIDATES`].
    pub candidates_cut: u64,
    /// Matches above the threshold not kept beyond [`MAX_MATCHES_PER_ENTITY`] per entity.
    pub matches_not_kept: u64,
    /// Names (entity or list) compared on their first words only.
    pub long_names_cut: u64,
    /// Whether any bound cut the screening.
    pub truncated: bool,
}

/// `common_words` in JSON as `[{"word": .., "list_names": ..}]`, as `screen` prints it.
fn common_words_json<S: serde::Serializer>(words: &[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(words.len()))?;
    for (word, n) in words {
        seq.serialize_element(&serde_json::json!({"word": word, "list_names": n}))?;
    }
    seq.end()
}

impl ScreenStats {
    /// What each bound that cut the screening left out, one sentence each
    /// (empty when none cut).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.common_words.is_empty() {
            let shown: Vec<String> =
                self.common_words.iter().take(5).map(|(w, n)| format!("`{w}` ({n} list names)")).collect();
            notes.push(format!(
                "{} word(s) in more than {MAX_POSTING} list names did not find candidates on their own, so names sharing only them were not compared: {}{}",
                self.common_words.len(),
                shown.join(", "),
                if self.common_words.len() > 5 { ", …" } else { "" }
            ));
        }
        if self.candidates_cut > 0 {
            notes.push(format!(
                "{} entity name(s) had more than {MAX_CANDIDATES} candidate list names; those sharing the most words were compared",
                self.candidates_cut
            ));
        }
        if self.matches_not_kept > 0 {
            notes.push(format!(
                "{} match(es) not kept: each entity keeps its {MAX_MATCHES_PER_ENTITY} best",
                self.matches_not_kept
            ));
        }
        if self.long_names_cut > 0 {
            notes.push(format!(
                "{} name(s) longer than {} words were compared on their first {} words",
                self.long_names_cut,
                normalise::MAX_WORDS,
                normalise::MAX_WORDS
            ));
        }
        notes
    }
}

/// A list name in the index.
struct ListName {
    entry: usize,
    /// The name or alias cell as listed.
    text: String,
    /// The name compared, where the cell holds several (`X F/K/A Y`).
    part: Option<String>,
    /// Its normal form and what every comparison asks of it, worked out once.
    prep: Prepared,
}

/// A name prepared once for every comparison it takes part in: its normal
/// form, its acronyms (each asked whether it reads as Pinyin at most once),
/// and per word the letters it holds (for [`jaro_may_reach`]) and the least
/// its being unpaired can cost (for [`score_bound`]).
struct Prepared {
    norm: Normalised,
    acronyms: Vec<Acronym>,
    /// Per word, how often each of `a`..`z` occurs in its folded spelling;
    /// None when that holds another character or the word is not compared
    /// by spelling.
    letters: Vec<Option<[u8; 26]>>,
    /// Per word, the least it costs when unpaired, whatever the other name
    /// (see [`least_cost`]).
    least_cost: Vec<f64>,
}

/// One of a name's [`acronyms`]: its letters, the positions of the words
/// it is made of, and its folded spelling and whether it reads as Pinyin,
/// each found when first asked (list names are shared by the threads that
/// screen entities).
struct Acronym {
    text: String,
    at: Vec<usize>,
    folded: std::sync::OnceLock<String>,
    pinyin: std::sync::OnceLock<bool>,
}

impl Acronym {
    fn new(text: String, at: Vec<usize>) -> Acronym {
        Acronym { text, at, folded: std::sync::OnceLock::new(), pinyin: std::sync::OnceLock::new() }
    }

    fn folded(&self) -> &str {
        self.folded.get_or_init(|| normalise::fold(&self.text))
    }

    fn pinyin(&self) -> bool {
        *self.pinyin.get_or_init(|| normalise::pinyin(&self.text))
    }
}

impl Prepared {
    fn new(norm: Normalised) -> Prepared {
        let acronyms = acronyms(&norm).into_iter().map(|(text, at)| Acronym::new(text, at)).collect();
        let letters = (0..norm.tokens.len())
            .map(|i| {
                let mut counts = [0u8; 26];
                let word = &norm.folded[i];
                // Fuzzy words have at most FUZZY_WORD_MAX_CHARS letters, so a count fits a byte.
                let plain = norm.fuzzy[i] && word.len() <= 255 && word.bytes().all(|b| b.is_ascii_lowercase());
                plain.then(|| {
                    word.bytes().for_each(|b| counts[usize::from(b - b'a')] += 1);
                    counts
                })
            })
            .collect();
        let least_cost = (0..norm.tokens.len()).map(|i| least_cost(&norm, i)).collect();
        Prepared { norm, acronyms, letters, least_cost }
    }
}

/// A name as a match's reason shows it: the name compared, and the cell it
/// was written in when that held more (`Y` in `X F/K/A Y`).
fn shown(part: &str, cell: &str) -> String {
    if part == cell { format!("`{cell}`") } else { format!("`{part}` (in `{cell}`)") }
}

/// The list's names, indexed for look-up by exact key, compact key and
/// identifying word (with one-deletion spellings and skeletons for long words).
struct Index {
    names: Vec<ListName>,
    by_key: HashMap<String, Vec<u32>>,
    by_compact: HashMap<String, Vec<u32>>,
    by_word: HashMap<String, Vec<u32>>,
    /// All-generic names by their sorted non-place words.
    by_generic: HashMap<String, Vec<u32>>,
    /// Names by the initials of their runs of words (see [`initials`]).
    by_initials: HashMap<String, Vec<u32>>,
    /// Names by their acronyms (see [`acronyms`]).
    by_acronym: HashMap<String, Vec<u32>>,
    long_names_cut: u64,
}

/// Spellings of word `i` of `n` under which it is indexed and looked up: its
/// folded spelling; for long words without digits every one-deletion
/// spelling of that, so that words one edit apart (on either side) share a
/// key; and its consonant skeleton.
fn word_keys(n: &Normalised, i: usize) -> Vec<String> {
    let folded = &n.folded[i];
    let mut keys = vec![folded.clone()];
    if n.fuzzy[i] {
        let chars: Vec<char> = folded.chars().collect();
        for k in 0..chars.len() {
            let mut key: String = chars[..k].iter().collect();
            key.extend(&chars[k + 1..]);
            keys.push(key);
        }
    }
    if !n.skeletons[i].is_empty() {
        keys.push(format!("#{}", n.skeletons[i]));
    }
    keys
}

/// Words of one Pinyin syllable each, two to [`MAX_JOINED`] in a row,
/// joined and folded: `Ming De` is looked up as `mingde`.
fn joined_keys(n: &Normalised) -> Vec<String> {
    let mut out = Vec::new();
    let syllable = |i: usize| n.classes[i].identifies() && normalise::pinyin_syllable(&n.tokens[i]);
    for i in 0..n.tokens.len() {
        let mut joined = String::new();
        for j in i..n.tokens.len().min(i + MAX_JOINED) {
            if !syllable(j) {
                break;
            }
            joined.push_str(&n.tokens[j]);
            if j > i {
                out.push(normalise::fold(&joined));
            }
        }
    }
    out
}

/// The key of a name without identifying words: its generic and qualifier
/// words, sorted (places may differ). None when the name has identifying words.
fn generic_key(n: &Normalised) -> Option<String> {
    if n.identifying().next().is_some() {
        return None;
    }
    let mut w: Vec<&str> =
        (0..n.tokens.len()).filter(|&i| n.classes[i] != Class::Place).map(|i| n.folded[i].as_str()).collect();
    if w.is_empty() {
        return None;
    }
    w.sort_unstable();
    w.dedup();
    Some(w.join(" "))
}

impl Index {
    fn build(lists: &[ListEntry]) -> Index {
        let mut idx = Index {
            names: Vec::new(),
            by_key: HashMap::default(),
            by_compact: HashMap::default(),
            by_word: HashMap::default(),
            by_generic: HashMap::default(),
            by_initials: HashMap::default(),
            by_acronym: HashMap::default(),
            long_names_cut: 0,
        };
        for (entry, e) in lists.iter().enumerate() {
            // A cell may hold several names (`X F/K/A Y`): each is indexed,
            // and a match cites the cell as the list writes it.
            let cells = std::iter::once(&e.name).chain(&e.aliases);
            for (text, part) in cells.flat_map(|t| aka::names_in(t).into_iter().map(move |p| (t, p))) {
                let prep = Prepared::new(normalise(&part));
                let norm = &prep.norm;
                if norm.tokens.is_empty() {
                    continue;
                }
                idx.long_names_cut += u64::from(norm.cut_words > 0);
                let id = idx.names.len() as u32;
                idx.by_key.entry(norm.key.clone()).or_default().push(id);
                idx.by_compact.entry(norm.compact.clone()).or_default().push(id);
                if let Some(g) = generic_key(norm) {
                    idx.by_generic.entry(g).or_default().push(id);
                }
                for i in norm.identifying() {
                    for k in word_keys(norm, i) {
                        let p = idx.by_word.entry(k).or_default();
                        if p.last() != Some(&id) {
                            p.push(id);
                        }
                    }
                }
                for k in joined_keys(norm) {
                    let p = idx.by_word.entry(k).or_default();
                    if p.last() != Some(&id) {
                        p.push(id);
                    }
                }
                for k in initials(norm) {
                    idx.by_initials.entry(k).or_default().push(id);
                }
                for a in &prep.acronyms {
                    let p = idx.by_acronym.entry(a.text.clone()).or_default();
                    if p.last() != Some(&id) {
                        p.push(id);
                    }
                }
                let part = (part != *text).then_some(part);
                idx.names.push(ListName { entry, text: text.clone(), part, prep });
            }
        }
        idx
    }

    /// Names that could match `norm`, without repeats: every name with the
    /// same key or compact key, and those sharing the most identifying words
    /// (or spellings), at most [`MAX_CANDIDATES`]. Words of more than
    /// [`MAX_POSTING`] names are skipped and reported in `common`.
    fn candidates(&self, prep: &Prepared, common: &mut Vec<(String, usize)>, cut: &mut bool) -> Vec<u32> {
        let norm = &prep.norm;
        let mut shared: HashMap<u32, u32> = HashMap::default();
        for i in norm.identifying() {
            for (ki, k) in word_keys(norm, i).into_iter().enumerate() {
                if let Some(p) = self.by_word.get(&k) {
                    if p.len() > MAX_POSTING {
                        // The word itself is reported; its other spellings are skipped alike.
                        if ki == 0 && !common.iter().any(|(w, _)| *w == norm.tokens[i]) {
                            common.push((norm.tokens[i].clone(), p.len()));
                        }
                        continue;
                    }
                    for &id in p {
                        *shared.entry(id).or_default() += 1;
                    }
                }
            }
        }
        // Syllables joined find the word they make; an acronym finds the
        // names whose words it abbreviates, and the other way round.
        let joined = joined_keys(norm).into_iter().map(|k| (k, &self.by_word, "joined syllables"));
        let acronym_keys = prep.acronyms.iter().map(|a| (a.text.clone(), &self.by_initials, "an acronym"));
        let initial_keys = initials(norm).into_iter().map(|k| (k, &self.by_acronym, "initials"));
        for (k, map, how) in joined.chain(acronym_keys).chain(initial_keys) {
            if let Some(p) = map.get(&k) {
                if p.len() > MAX_POSTING {
                    let label = format!("{k} (as {how})");
                    if !common.iter().any(|(w, _)| *w == label) {
                        common.push((label, p.len()));
                    }
                    continue;
                }
                for &id in p {
                    *shared.entry(id).or_default() += 1;
                }
            }
        }
        let mut out: Vec<u32> = Vec::new();
        let exact = [self.by_key.get(&norm.key), self.by_compact.get(&norm.compact)];
        let generic = generic_key(norm).and_then(|g| self.by_generic.get(&g));
        for p in exact.into_iter().chain(std::iter::once(generic)).flatten() {
            out.extend(p.iter().take(MAX_CANDIDATES));
            *cut |= p.len() > MAX_CANDIDATES;
        }
        let mut ranked: Vec<(u32, u32)> = shared.into_iter().collect();
        if ranked.len() > MAX_CANDIDATES {
            *cut = true;
            ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(MAX_CANDIDATES);
        }
        out.extend(ranked.into_iter().map(|(id, _)| id));
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Similarity of word `i` of `a` and word `j` of `b`: 1 if equal,
/// [`FOLDED_SIMILARITY`] if equal once folded (`Viktor` / `Victor`), for two
/// long words of one class whose folded Jaro similarity `s` reaches
/// [`WORD_SIMILARITY`], `1 - 1.5 (1 - s)`, or `1 - 3 (1 - s)` when either
/// reads as Pinyin (there one letter is another syllable and another
/// company: `Xingrui` / `Mingrui`, 0.90 -> 0.71), and
/// [`SKELETON_SIMILARITY`] for the same consonant skeleton. Plain Jaro, not
/// Jaro-Winkler: the Winkler bonus for a shared prefix rewards exactly the
/// compound names (`Eaglexin` / `Eagleyun`) that differ only at the end.
/// Numbers, generic words, qualifiers and places must be equal. Else 0.
fn word_similarity(pa: &Prepared, i: usize, pb: &Prepared, j: usize) -> f64 {
    let (a, b) = (&pa.norm, &pb.norm);
    if a.tokens[i] == b.tokens[j] {
        return 1.0;
    }
    let (ca, cb) = (a.classes[i], b.classes[j]);
    if ca == Class::Number || cb == Class::Number {
        return 0.0;
    }
    if a.folded[i] == b.folded[j] {
        return FOLDED_SIMILARITY;
    }
    if ca != cb || ca == Class::Place || ca == Class::Short {
        return 0.0;
    }
    let mut best = 0.0;
    if a.fuzzy[i] && b.fuzzy[j] && jaro_may_reach(pa, i, pb, j) {
        let s = strsim::jaro(&a.folded[i], &b.folded[j]);
        if s >= WORD_SIMILARITY {
            let strict = normalise::pinyin(&a.tokens[i]) || normalise::pinyin(&b.tokens[j]);
            best = 1.0 - if strict { 3.0 } else { 1.5 } * (1.0 - s);
        }
    }
    if !a.skeletons[i].is_empty() && a.skeletons[i] == b.skeletons[j] {
        best = f64::max(best, SKELETON_SIMILARITY);
    }
    best
}

/// Whether the Jaro similarity of the folded spellings of word `i` of `a`
/// and word `j` of `b` can reach [`WORD_SIMILARITY`], found without
/// computing it: false only when it provably cannot.
///
/// Jaro is `(m/|x| + m/|y| + (m - t)/m) / 3` for `m` matching characters
/// and `t ≤ m` transpositions (0 when `m` is 0). It is at most
/// `(2 + shorter / longer) / 3`, since `m` is at most the shorter length;
/// and at most `(M/|x| + M/|y| + 1) / 3`, where `M` is the number of
/// letters the two spellings have in common counted with repeats
/// (`Σ min(count in x, count in y)` over the letters), since every match
/// pairs one letter of `x` with an equal letter of `y`, each used once, so
/// `m ≤ M`, and the bound grows with `m`. Both are computed with the same
/// floating-point operations as Jaro itself on a larger or equal `m` and no
/// transposition, and rounding is monotone, so neither is ever below the
/// Jaro value `strsim` computes. `technology` / `electronics`: at most
/// 0.72, never compared.
fn jaro_may_reach(a: &Prepared, i: usize, b: &Prepared, j: usize) -> bool {
    let (x, y) = (&a.norm.folded[i], &b.norm.folded[j]);
    let (short, long) = (x.len().min(y.len()) as f64, x.len().max(y.len()) as f64);
    if (2.0 + short / long) / 3.0 < WORD_SIMILARITY {
        return false;
    }
    let (Some(cx), Some(cy)) = (&a.letters[i], &b.letters[j]) else { return true };
    let common: u32 = cx.iter().zip(cy).map(|(p, q)| u32::from(*p.min(q))).sum();
    if common == 0 {
        return false;
    }
    let m = f64::from(common);
    (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0 >= WORD_SIMILARITY
}

/// Words paired between two names: positions in the first, positions in
/// the second (two when two words make one), and how alike they are.
type Pairs = Vec<(Vec<usize>, Vec<usize>, f64)>;

/// The words of a comparison for a report: `[entity word, listed word,
/// similarity]`, the words only the entity's name has, those only the listed name has.
type Explained = (Vec<(String, String, f64)>, Vec<String>, Vec<String>);

/// How two normalised names compare, before the country is considered.
#[derive(Clone, Debug)]
struct Comparison {
    score: f64,
    method: &'static str,
    /// Paired words.
    pairs: Pairs,
    only_a: Vec<usize>,
    only_b: Vec<usize>,
    /// What lowered the score, in words.
    notes: Vec<&'static str>,
}

/// Pairs the words of two names, best similarity first: single words; two
/// to [`MAX_JOINED`] adjacent words on one side that make one word on the
/// other (`Zhong Guan Cun` / `Zhongguancun`); and an acronym on one side for
/// a run of words on the other (see [`acronym_runs`]).
fn align(pa: &Prepared, pb: &Prepared) -> (Pairs, Vec<bool>, Vec<bool>) {
    let (a, b) = (&pa.norm, &pb.norm);
    let mut options: Vec<(f64, Vec<usize>, Vec<usize>)> = Vec::new();
    for i in 0..a.tokens.len() {
        for j in 0..b.tokens.len() {
            let s = word_similarity(pa, i, pb, j);
            if s > 0.0 {
                options.push((s, vec![i], vec![j]));
            }
        }
    }
    joined_runs(a, b, |i, k, j| options.push((JOINED_SIMILARITY, (i..i + k).collect(), vec![j])));
    joined_runs(b, a, |i, k, j| options.push((JOINED_SIMILARITY, vec![j], (i..i + k).collect())));
    acronym_runs(a, pb, |i, k, ys| options.push((ACRONYM_SIMILARITY, (i..i + k).collect(), ys.to_vec())));
    acronym_runs(b, pa, |i, k, xs| options.push((ACRONYM_SIMILARITY, xs.to_vec(), (i..i + k).collect())));
    // Best first; of equals, the one that pairs more words (`MMEZ KT` for six words before `MMEZ` for four).
    options.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| (y.1.len() + y.2.len()).cmp(&(x.1.len() + x.2.len())))
            .then_with(|| x.1.cmp(&y.1))
            .then_with(|| x.2.cmp(&y.2))
    });
    let mut used_a = vec![false; a.tokens.len()];
    let mut used_b = vec![false; b.tokens.len()];
    let mut pairs = Vec::new();
    for (s, xs, ys) in options {
        if xs.iter().any(|&i| used_a[i]) || ys.iter().any(|&j| used_b[j]) {
            continue;
        }
        xs.iter().for_each(|&i| used_a[i] = true);
        ys.iter().for_each(|&j| used_b[j] = true);
        pairs.push((xs, ys, s));
    }
    (pairs, used_a, used_b)
}

/// Calls `found(i, k, j)` for each run of `k` (two to [`MAX_JOINED`])
/// adjacent words of `x` from word `i` on that make word `j` of `y`
/// (`Zhong Guan Cun` / `Zhongguancun`), in the order [`align`] takes them.
fn joined_runs(x: &Normalised, y: &Normalised, mut found: impl FnMut(usize, usize, usize)) {
    for i in 0..x.tokens.len() {
        for k in 2..=MAX_JOINED.min(x.tokens.len() - i) {
            let run = &x.tokens[i..i + k];
            let len: usize = run.iter().map(String::len).sum();
            for j in 0..y.tokens.len() {
                let w = &y.tokens[j];
                if w.len() == len && run.iter().map(String::as_str).eq(split_like(w, run)) {
                    found(i, k, j);
                }
            }
        }
    }
}

/// Most adjacent words that may make one word on the other side.
const MAX_JOINED: usize = 4;

/// Similarity of an acronym or a syllable abbreviation and the words it
/// stands for (`IRGC` / `Iranian Revolutionary Guard Corps`).
const ACRONYM_SIMILARITY: f64 = 0.9;

/// Letters of an acronym: fewer say too little, more are not written as one.
const ACRONYM_LETTERS: std::ops::RangeInclusive<usize> = 3..=8;

/// `w` cut into pieces as long as the words of `run`, to compare them in turn.
fn split_like<'w>(w: &'w str, run: &[String]) -> impl Iterator<Item = &'w str> {
    let mut at = 0;
    run.iter().map(move |r| {
        let piece = w.get(at..at + r.len()).unwrap_or("");
        at += r.len();
        piece
    })
}

/// The acronyms of a name: each identifying word (not a known given name),
/// and each two adjacent such words of at most five letters each (`MMEZ-KT`),
/// of [`ACRONYM_LETTERS`] letters without digits, with their positions.
fn acronyms(n: &Normalised) -> Vec<(String, Vec<usize>)> {
    let shaped = |i: usize| {
        matches!(n.classes[i], Class::Distinctive | Class::Short)
            && !n.given[i]
            && n.tokens[i].bytes().all(|b| b.is_ascii_alphabetic())
    };
    let mut out = Vec::new();
    for i in 0..n.tokens.len() {
        if !shaped(i) {
            continue;
        }
        if ACRONYM_LETTERS.contains(&n.tokens[i].len()) {
            out.push((n.tokens[i].clone(), vec![i]));
        }
        if i + 1 < n.tokens.len() && shaped(i + 1) && n.tokens[i].len() <= 5 && n.tokens[i + 1].len() <= 5 {
            let both = format!("{}{}", n.tokens[i], n.tokens[i + 1]);
            if ACRONYM_LETTERS.contains(&both.len()) {
                out.push((both, vec![i, i + 1]));
            }
        }
    }
    out
}

/// Whether `acronym` stands for the words `run`: their initials (three words
/// or more: `NPK` / `Nauchno Proizvodstvenny Kontsern`), or the first three
/// letters or more of each of two words or more, folded (`TEKHMASH` /
/// `Tekhnologii Mashinostroeniya`), unless the acronym is Pinyin (asked
/// only when the prefixes agree: the answer is the same, and they rarely do).
fn abbreviates(acronym: &Acronym, run: &[String], folded_run: &[String]) -> bool {
    let text = &acronym.text;
    if run.len() == text.len() && run.len() >= 3 && run.iter().zip(text.bytes()).all(|(w, c)| w.as_bytes()[0] == c) {
        return true;
    }
    /// Whether `rest` is made of a prefix of three letters or more of each of `words` in turn.
    fn prefixes(rest: &str, words: &[String]) -> bool {
        match words {
            [] => rest.is_empty(),
            // The three letters every prefix starts with, checked once (most runs fail there).
            [w, ..] if rest.len() < 3 || w.len() < 3 || rest.as_bytes()[..3] != w.as_bytes()[..3] => false,
            [w, more @ ..] => (3..=w.len().min(rest.len()))
                .rev()
                .any(|k| rest.as_bytes()[..k] == w.as_bytes()[..k] && prefixes(&rest[k..], more)),
        }
    }
    // Not for Pinyin: there `Mingrui` is one name, not `Ming Ruixin` cut short.
    run.len() >= 2 && prefixes(acronym.folded(), folded_run) && !acronym.pinyin()
}

/// Calls `found(i, k, at)` for each acronym of `y` (see [`acronyms`]; `at`
/// its words' positions in `y`) that stands for the `k` words of `x` from
/// word `i` on (no numbers among them), in the order [`align`] takes them.
fn acronym_runs(x: &Normalised, y: &Prepared, mut found: impl FnMut(usize, usize, &[usize])) {
    for acronym in &y.acronyms {
        // The acronym's folded spelling and whether it is Pinyin are found
        // once for every comparison of its name (asked for each run they
        // were about 16% of a million-record scan's CPU, perf, 2026-11-29).
        for i in 0..x.tokens.len() {
            for k in 2..=acronym.text.len().min(x.tokens.len() - i) {
                if x.classes[i + k - 1] == Class::Number {
                    break;
                }
                if abbreviates(acronym, &x.tokens[i..i + k], &x.folded[i..i + k]) {
                    found(i, k, &acronym.at);
                }
            }
        }
    }
}

/// The initials of each run of [`ACRONYM_LETTERS`] words of a name without
/// numbers: the keys under which an acronym finds the name.
fn initials(n: &Normalised) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n.tokens.len() {
        let mut key = String::new();
        for j in i..n.tokens.len() {
            if n.classes[j] == Class::Number || key.len() == *ACRONYM_LETTERS.end() {
                break;
            }
            key.push(n.tokens[j].as_bytes()[0] as char);
            if ACRONYM_LETTERS.contains(&key.len()) {
                out.push(key.clone());
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What an unpaired word of `n` costs. A word the name repeats
/// (`AHMAD, Ahmad Ali Ahmad`) costs as a qualifier; an extra distinctive
/// word costs half when [`WELL_PAIRED`] identifying words already agree (a
/// middle name or a second surname beside three that match).
fn extra_cost(n: &Normalised, i: usize, paired_identifying: usize) -> f64 {
    if n.classes[i] != Class::Number && n.tokens[..i].contains(&n.tokens[i]) {
        return Class::Qualifier.extra_cost();
    }
    match (n.classes[i], n.paren[i]) {
        (Class::Place, true) => PAREN_PLACE_COST,
        (Class::Number, _) => Class::Number.extra_cost(),
        (c, true) => c.extra_cost().min(PAREN_WORD_COST),
        (Class::Distinctive, false) if paired_identifying >= WELL_PAIRED => Class::Distinctive.extra_cost() / 2.0,
        (c, false) => c.extra_cost(),
    }
}

/// What an extra given name costs in the fuller of two names of one person
/// (`ABU HASSAN, Khaled Suleiman Fayez` / `ABU HASSAN, Khaled`).
const PERSON_EXTRA_COST: f64 = 0.25;

/// What an extra word costs there when it is a known given name or
/// patronymic (see [`names`]): lists and trade data leave patronymics and
/// second given names out more often than not.
const KNOWN_GIVEN_EXTRA_COST: f64 = 0.15;

/// Whether one name is the other person's name with further given names:
/// Some(true) when `a` is the fuller, Some(false) when `b` is. That takes
/// a person's name (a known given name paired, see [`names`]), a surname
/// that agrees (a paired identifying word that is not a known given name,
/// or three paired identifying words), and every identifying word of the
/// shorter name paired while the fuller has identifying words the other
/// lacks. Two persons who share a surname and one given name but each
/// have another (`Khaled Omar` / `Khaled Suleiman`) are not this.
fn fuller_person_name(
    a: &Normalised,
    b: &Normalised,
    pairs: &Pairs,
    only_a: &[usize],
    only_b: &[usize],
) -> Option<bool> {
    let given = pairs.iter().any(|(xs, ys, _)| xs.iter().any(|&i| a.given[i]) || ys.iter().any(|&j| b.given[j]));
    let identifying: Vec<&(Vec<usize>, Vec<usize>, f64)> =
        pairs.iter().filter(|(xs, _, _)| xs.iter().any(|&i| a.classes[i].identifies())).collect();
    let surname = identifying.iter().any(|(xs, ys, _)| {
        xs.iter().all(|&i| a.classes[i] == Class::Distinctive && !a.given[i])
            && ys.iter().all(|&j| b.classes[j] == Class::Distinctive && !b.given[j])
    });
    if !given || !(surname || identifying.len() >= 3) {
        return None;
    }
    let extra = |n: &Normalised, ix: &[usize]| ix.iter().any(|&i| n.classes[i].identifies());
    let numbers = |n: &Normalised, ix: &[usize]| ix.iter().any(|&i| n.classes[i] == Class::Number);
    match (extra(a, only_a), extra(b, only_b)) {
        (true, false) if !numbers(a, only_a) => Some(true),
        (false, true) if !numbers(b, only_b) => Some(false),
        _ => None,
    }
}

/// What a trade word of the listed name costs when the entity's name is the
/// listed name without some of its trade words ([`shortened_filing`]): as
/// little as an extra qualifier. A customs or export filing writes a name
/// into a short field and drops the trade words first (`SHENZHEN QIANHAI
/// HUAXUN` for `Shenzhen Qianhai Huaxun Supply Chain Co., Ltd.`); the words
/// that name the firm are the ones it keeps.
const SHORTENED_TRADE_COST: f64 = 0.15;

/// Whether the entity's name `a` is the listed name `b` without some of its
/// trade words: every word of `a` paired with a word of `b`, in order and
/// spelled alike (equal, or equal once spellings are folded), at least one
/// of them distinctive, and the words only `b` has trade words
/// ([`Class::Generic`]), with perhaps a place or a qualifier (which cost
/// little anyway). An entity's name with a word the
/// listing lacks, a different distinctive word (`HUAXIN` for `Huaxun`) or
/// only short and generic words (`A C INTERNATIONAL` for `A & C
/// International Trade`) is not this; nor is an entity's name with more
/// trade words than the listing (`Huaxin Cloud` is not `Huaxin`): a firm
/// adds trade words to a group's name for a new business.
fn shortened_filing(
    a: &Normalised,
    b: &Normalised,
    pairs: &Pairs,
    only_a: &[usize],
    only_b: &[usize],
    order_kept: bool,
) -> bool {
    only_a.is_empty()
        && !only_b.is_empty()
        && order_kept
        && only_b.iter().all(|&j| matches!(b.classes[j], Class::Generic | Class::Place | Class::Qualifier))
        && only_b.iter().any(|&j| b.classes[j] == Class::Generic)
        && pairs.iter().all(|p| p.2 >= FOLDED_SIMILARITY)
        && pairs.iter().any(|(xs, ys, _)| {
            xs.iter().all(|&i| a.classes[i] == Class::Distinctive)
                && ys.iter().all(|&j| b.classes[j] == Class::Distinctive)
        })
}

/// Identifying words that must agree before an extra distinctive word costs half.
const WELL_PAIRED: usize = 3;

/// Compares two normalised names. None when they cannot be the same party.
///
/// The score is the weight of the words both names carry (times how alike
/// they are), over that weight plus the cost of the words only one carries
/// (see [`Class::weight`], [`Class::extra_cost`]); then lowered when numbers
/// differ or both names carry a distinctive word the other lacks.
fn compare(pa: &Prepared, pb: &Prepared) -> Option<Comparison> {
    let (a, b) = (&pa.norm, &pb.norm);
    if a.tokens.is_empty() || b.tokens.is_empty() {
        return None;
    }
    let plain = |score, method| Comparison {
        score,
        method,
        pairs: (0..a.tokens.len()).map(|i| (vec![i], vec![i], 1.0)).collect(),
        only_a: vec![],
        only_b: vec![],
        notes: vec![],
    };
    if a.key == b.key {
        return Some(plain(1.0, "exact"));
    }
    if a.compact == b.compact {
        let mut c = plain(0.98, "compact");
        c.pairs.clear();
        return Some(c);
    }
    let (pairs, used_a, used_b) = align(pa, pb);
    let identifies = |n: &Normalised, ix: &[usize]| ix.iter().any(|&i| n.classes[i].identifies());
    let only_a: Vec<usize> = (0..a.tokens.len()).filter(|&i| !used_a[i]).collect();
    let only_b: Vec<usize> = (0..b.tokens.len()).filter(|&j| !used_b[j]).collect();
    let paired_identifying = pairs.iter().any(|(xs, ys, _)| identifies(a, xs) || identifies(b, ys));
    if !paired_identifying {
        // Names of generic words only: every word but places must agree.
        let non_place = |n: &Normalised, ix: &[usize]| ix.iter().any(|&i| n.classes[i] != Class::Place);
        if pairs.is_empty() || non_place(a, &only_a) || non_place(b, &only_b) {
            return None;
        }
    }
    let mut got = 0.0;
    let mut total = 0.0;
    for (xs, ys, s) in &pairs {
        let w: f64 = xs.iter().map(|&i| a.classes[i].weight()).sum::<f64>()
            + ys.iter().map(|&j| b.classes[j].weight()).sum::<f64>();
        got += s * w;
        total += w;
    }
    let well = pairs.iter().filter(|(xs, _, _)| identifies(a, xs)).count();
    let fuller = fuller_person_name(a, b, &pairs, &only_a, &only_b);
    let cost = |n: &Normalised, i: usize, fuller: bool| match n.classes[i] {
        Class::Distinctive if fuller && n.given[i] => KNOWN_GIVEN_EXTRA_COST,
        Class::Distinctive | Class::Short if fuller => PERSON_EXTRA_COST,
        _ => extra_cost(n, i, well),
    };
    let order_kept = pairs.windows(2).all(|w| w[0].1[0] < w[1].1[0]) || pairs.len() < 2;
    let shortened = shortened_filing(a, b, &pairs, &only_a, &only_b, order_kept);
    total += only_a.iter().map(|&i| cost(a, i, fuller == Some(true))).sum::<f64>();
    total += only_b
        .iter()
        .map(|&j| {
            let c = cost(b, j, fuller == Some(false));
            if shortened { c.min(SHORTENED_TRADE_COST) } else { c }
        })
        .sum::<f64>();
    let mut score = if total > 0.0 { got / total } else { 0.0 };
    let mut notes = Vec::new();
    if fuller.is_some() {
        notes.push("a person's name with further given names");
    }
    if shortened {
        notes.push("the listed name without some of its trade words (a shortened filing)");
    }
    let has = |n: &Normalised, ix: &[usize], c: Class| ix.iter().any(|&i| n.classes[i] == c && !n.paren[i]);
    let number = |n: &Normalised, ix: &[usize]| ix.iter().any(|&i| n.classes[i] == Class::Number);
    if number(a, &only_a) && number(b, &only_b) {
        score *= NUMBER_CONFLICT_FACTOR;
        notes.push("the numbers differ");
    }
    if has(a, &only_a, Class::Distinctive) && has(b, &only_b, Class::Distinctive) {
        score *= SUBSTITUTION_FACTOR;
        notes.push("each name has a distinctive word the other lacks");
    }
    if only_a.is_empty() && only_b.is_empty() && pairs.iter().all(|p| p.2 == 1.0) && !order_kept {
        notes.push("the same words in another order");
    }
    // A name not spelled the same stays below an exact match.
    Some(Comparison { score: score.min(0.99), method: "fuzzy", pairs, only_a, only_b, notes })
}

/// The least word `i` of `n` costs when unpaired, whatever the other name:
/// the least of what [`compare`] may charge it ([`extra_cost`] with few or
/// with [`WELL_PAIRED`] identifying words agreeing, and, for a distinctive
/// or short word, its cost in the fuller name of one person).
fn least_cost(n: &Normalised, i: usize) -> f64 {
    let mut least = extra_cost(n, i, 0).min(extra_cost(n, i, WELL_PAIRED));
    match n.classes[i] {
        Class::Distinctive if n.given[i] => least = least.min(KNOWN_GIVEN_EXTRA_COST),
        Class::Distinctive | Class::Short => least = least.min(PERSON_EXTRA_COST),
        _ => {}
    }
    least
}

/// The words of `a` and of `b` (as bit sets) that some option of [`align`]
/// could pair: a superset of those it pairs. Single words as
/// [`word_similarity`] pairs them, with Jaro not computed but bounded
/// ([`jaro_may_reach`]); joined syllables and acronyms exactly as `align`
/// finds them.
fn pairable(pa: &Prepared, pb: &Prepared) -> (u32, u32) {
    let (a, b) = (&pa.norm, &pb.norm);
    let run = |i: usize, k: usize| ((1u32 << k) - 1) << i;
    let all = |n: usize| if n == 32 { u32::MAX } else { (1u32 << n) - 1 };
    let (full_a, full_b) = (all(a.tokens.len()), all(b.tokens.len()));
    let (mut in_a, mut in_b) = (0u32, 0u32);
    for i in 0..a.tokens.len() {
        for j in 0..b.tokens.len() {
            if may_pair(pa, i, pb, j) {
                in_a |= 1 << i;
                in_b |= 1 << j;
            }
        }
    }
    if in_a == full_a && in_b == full_b {
        return (in_a, in_b);
    }
    joined_runs(a, b, |i, k, j| {
        in_a |= run(i, k);
        in_b |= 1 << j;
    });
    joined_runs(b, a, |i, k, j| {
        in_b |= run(i, k);
        in_a |= 1 << j;
    });
    if in_a == full_a && in_b == full_b {
        return (in_a, in_b);
    }
    acronym_runs(a, pb, |i, k, ys| {
        in_a |= run(i, k);
        ys.iter().for_each(|&j| in_b |= 1 << j);
    });
    acronym_runs(b, pa, |i, k, xs| {
        in_b |= run(i, k);
        xs.iter().for_each(|&j| in_a |= 1 << j);
    });
    (in_a, in_b)
}

/// Whether [`word_similarity`] of word `i` of `a` and word `j` of `b` may
/// be above 0: the same tests in the same order, with Jaro bounded rather
/// than computed.
fn may_pair(pa: &Prepared, i: usize, pb: &Prepared, j: usize) -> bool {
    let (a, b) = (&pa.norm, &pb.norm);
    if a.tokens[i] == b.tokens[j] {
        return true;
    }
    let (ca, cb) = (a.classes[i], b.classes[j]);
    if ca == Class::Number || cb == Class::Number {
        return false;
    }
    if a.folded[i] == b.folded[j] {
        return true;
    }
    if ca != cb || ca == Class::Place || ca == Class::Short {
        return false;
    }
    (a.fuzzy[i] && b.fuzzy[j] && jaro_may_reach(pa, i, pb, j))
        || (!a.skeletons[i].is_empty() && a.skeletons[i] == b.skeletons[j])
}

// [`pairable`] holds a name's words as the bits of a u32.
const _: () = assert!(normalise::MAX_WORDS <= 32);

/// Slack for the rounding of [`score_bound`] against [`compare`]'s own
/// sums, which add the same terms in another order.
const BOUND_SLACK: f64 = 1e-9;

/// An upper bound on the score [`compare`] gives two names whose keys and
/// compact keys differ (it does not look at those), computed without
/// aligning their words: `W / (W + C)`, where `W` is the weight of every
/// word some option of [`align`] could pair ([`pairable`]) and `C` the
/// least cost ([`least_cost`]) of every other word; 0 when no word can pair.
///
/// Proof. `compare`'s score before its factors is `got / total`, with
/// `got = Σ s·w` over the pairs it makes (`w` the weights of a pair's
/// words, `s ≤ 1` its similarity: 1, 0.95, 0.9, or `1 - 1.5 (1 - s)` /
/// `1 - 3 (1 - s)` of a Jaro `s ≤ 1`), and `total = P + U`, with `P = Σ w`
/// over the pairs and `U` the cost of the unpaired words. So the score is
/// at most `P / (P + U)`. Every paired word is pairable, so `P ≤ W`; every
/// word that is not pairable is unpaired and costs at least its least cost
/// (for a trade word of the listed name, the least of that and
/// [`SHORTENED_TRADE_COST`], what a shortened filing charges it), and other
/// unpaired words cost 0 or more, so `U ≥ C`. `x / (x + c)` grows
/// with `x ≥ 0` and falls as `c ≥ 0` grows, so `P / (P + U) ≤ W / (W + C)`.
/// The factors after it (differing numbers, a substitution) are at most 1,
/// the cap is 0.99, and a name with no pair is no match (`compare` gives
/// None). So `compare(a, b).score ≤ score_bound(a, b)`, up to the rounding
/// of sums taken in another order ([`BOUND_SLACK`] covers it).
/// `tests::the_bound_is_never_below_the_score` checks it on random names
/// and on the labelled pairs of `benches/screening/`.
fn score_bound(pa: &Prepared, pb: &Prepared) -> f64 {
    let (in_a, in_b) = pairable(pa, pb);
    let (mut w, mut c) = (0.0, 0.0);
    for (p, bits, listed) in [(pa, in_a, false), (pb, in_b, true)] {
        for i in 0..p.norm.tokens.len() {
            if bits & (1 << i) != 0 {
                w += p.norm.classes[i].weight();
            } else if listed && p.norm.classes[i] == Class::Generic {
                // A trade word of a shortened filing's listing costs less.
                c += p.least_cost[i].min(SHORTENED_TRADE_COST);
            } else {
                c += p.least_cost[i];
            }
        }
    }
    if w == 0.0 { 0.0 } else { w / (w + c) }
}

/// The words of a comparison for a report: paired words with their
/// similarity, and the words only each side has.
fn explain(a: &Normalised, b: &Normalised, c: &Comparison) -> Explained {
    let join = |n: &Normalised, ix: &[usize]| ix.iter().map(|&i| n.tokens[i].as_str()).collect::<Vec<_>>().join(" ");
    let words = if c.method == "compact" {
        vec![(a.compact.clone(), b.compact.clone(), 1.0)]
    } else {
        c.pairs.iter().map(|(xs, ys, s)| (join(a, xs), join(b, ys), *s)).collect()
    };
    let only = |n: &Normalised, ix: &[usize]| ix.iter().map(|&i| n.tokens[i].clone()).collect();
    (words, only(a, &c.only_a), only(b, &c.only_b))
}

/// A comparison in words, for the match's reason.
fn detail(c: &Comparison, words: &[(String, String, f64)], only_a: &[String], only_b: &[String], key: &str) -> String {
    match c.method {
        "exact" => format!("the same after normalisation (`{key}`)"),
        "compact" => format!("the same letters apart from spacing (`{}`)", words[0].0),
        _ => {
            let w: Vec<String> =
                words.iter().map(|(x, y, s)| if x == y { x.clone() } else { format!("{x} ~ {y} ({s:.2})") }).collect();
            let mut d = format!("alike word by word ({}), score {:.2}", w.join(", "), c.score);
            if !only_a.is_empty() {
                d.push_str(&format!("; only in the entity's name: {}", only_a.join(" ")));
            }
            if !only_b.is_empty() {
                d.push_str(&format!("; only in the listed name: {}", only_b.join(" ")));
            }
            for n in &c.notes {
                d.push_str(&format!("; {n}"));
            }
            d
        }
    }
}

/// China, Hong Kong and Macau are one country for screening: listed parties
/// move between them and the EAR treats them alike since 2020.
fn same_country(a: Country, b: Country) -> bool {
    let china = |c: Country| matches!(c.as_str(), "CN" | "HK" | "MO");
    a == b || (china(a) && china(b))
}

/// One entity's screening: its kept matches and its share of the work.
struct EntityScreening {
    matches: Vec<Match>,
    stats: ScreenStats,
}

/// A candidate match before its words are put into a report.
struct Scored {
    entry: usize,
    score: f64,
    name: usize,
    list_name: u32,
    c: Comparison,
    country_note: Option<String>,
}

/// Screens one entity against the index: its best match with each entry,
/// at most [`MAX_MATCHES_PER_ENTITY`]. With `prune`, a candidate whose
/// [`score_bound`] (times the country factor) is below the threshold, or
/// below the score of the match already found with its entry, is not
/// compared word by word: the comparison could not be kept, so the result
/// is the same (`tests::pruning_changes_no_match` holds the two runs equal).
fn screen_entity(case: &Case, idx: &Index, entity: EntityId, threshold: f64, prune: bool) -> EntityScreening {
    let e = case.entity(entity);
    let cells = std::iter::once(&e.name).chain(&e.aliases);
    screen_party(case, idx, entity, cells, Some(e.country), threshold, prune)
}

/// Screens one party's names (`cells`, each as written), in `country` when
/// known, as [`screen_entity`] screens an entity's: its best match with each
/// entry, each match carrying `entity`.
fn screen_party<'n>(
    case: &Case,
    idx: &Index,
    entity: EntityId,
    cells: impl Iterator<Item = &'n String>,
    country: Option<crate::model::Country>,
    threshold: f64,
    prune: bool,
) -> EntityScreening {
    let mut stats = ScreenStats::default();
    // Each name a cell holds (`X (formerly Y)` holds two), cited as written.
    let names: Vec<(&String, String, Prepared)> = cells
        .flat_map(|t| aka::names_in(t).into_iter().map(move |p| (t, normalise(&p), p)))
        .filter(|n| !n.1.tokens.is_empty())
        .map(|(t, n, p)| (t, p, Prepared::new(n)))
        .collect();
    let mut best: HashMap<usize, Scored> = HashMap::default();
    for (ni, (_, _, prep)) in names.iter().enumerate() {
        let norm = &prep.norm;
        stats.entity_names += 1;
        stats.long_names_cut += u64::from(norm.cut_words > 0);
        let mut cut = false;
        for id in idx.candidates(prep, &mut stats.common_words, &mut cut) {
            stats.comparisons += 1;
            let ln = &idx.names[id as usize];
            let entry = &case.lists[ln.entry];
            let elsewhere = country
                .is_some_and(|c| !entry.countries.is_empty() && !entry.countries.iter().any(|l| same_country(c, *l)));
            if prune && norm.key != ln.prep.norm.key && norm.compact != ln.prep.norm.compact {
                let factor = if elsewhere { OTHER_COUNTRY_FACTOR } else { 1.0 };
                let bound = score_bound(prep, &ln.prep) * factor + BOUND_SLACK;
                if bound < threshold || best.get(&ln.entry).is_some_and(|m| bound < m.score) {
                    stats.ruled_out += 1;
                    continue;
                }
            }
            let Some(c) = compare(prep, &ln.prep) else { continue };
            let mut score = c.score;
            let mut country_note = None;
            if elsewhere {
                score *= OTHER_COUNTRY_FACTOR;
                let listed: Vec<&str> = entry.countries.iter().map(|c| c.as_str()).collect();
                country_note = Some(format!(
                    "; the entity is in {} but the entry names {}: score lowered by {:.0}%",
                    country.map(|c| c.to_string()).unwrap_or_default(),
                    listed.join(", "),
                    (1.0 - OTHER_COUNTRY_FACTOR) * 100.0
                ));
            }
            if score < threshold {
                continue;
            }
            if best.get(&ln.entry).is_none_or(|m| score > m.score) {
                best.insert(ln.entry, Scored { entry: ln.entry, score, name: ni, list_name: id, c, country_note });
            }
        }
        stats.candidates_cut += u64::from(cut);
    }
    let mut kept: Vec<Scored> = best.into_values().collect();
    kept.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
    if kept.len() > MAX_MATCHES_PER_ENTITY {
        stats.matches_not_kept += (kept.len() - MAX_MATCHES_PER_ENTITY) as u64;
        kept.truncate(MAX_MATCHES_PER_ENTITY);
    }
    let matches = kept
        .into_iter()
        .map(|s| {
            let (text, part, prep) = &names[s.name];
            let norm = &prep.norm;
            let ln = &idx.names[s.list_name as usize];
            let (words, entity_only, listed_only) = explain(norm, &ln.prep.norm, &s.c);
            let mut reason = format!(
                "{} and {} are {}",
                shown(part, text),
                shown(ln.part.as_deref().unwrap_or(&ln.text), &ln.text),
                detail(&s.c, &words, &entity_only, &listed_only, &norm.key)
            );
            if let Some(n) = &s.country_note {
                reason.push_str(n);
            }
            Match {
                entity,
                entry: s.entry,
                matched_name: (*text).clone(),
                listed_name: ln.text.clone(),
                score: s.score,
                method: s.c.method,
                words,
                entity_only,
                listed_only,
                reason,
            }
        })
        .collect();
    EntityScreening { matches, stats }
}

/// Adds one entity's work to the totals.
fn add(total: &mut ScreenStats, s: ScreenStats) {
    total.entity_names += s.entity_names;
    total.comparisons += s.comparisons;
    total.ruled_out += s.ruled_out;
    total.candidates_cut += s.candidates_cut;
    total.matches_not_kept += s.matches_not_kept;
    total.long_names_cut += s.long_names_cut;
    for (w, n) in s.common_words {
        if !total.common_words.iter().any(|(x, _)| *x == w) {
            total.common_words.push((w, n));
        }
    }
}

/// Puts the per-entity results together, in entity order.
fn gather(idx: &Index, per: Vec<EntityScreening>) -> (Vec<Match>, ScreenStats) {
    let mut stats = ScreenStats { list_names: idx.names.len() as u64, ..ScreenStats::default() };
    stats.long_names_cut += idx.long_names_cut;
    let mut matches = Vec::new();
    for p in per {
        matches.extend(p.matches);
        add(&mut stats, p.stats);
    }
    stats.common_words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    stats.truncated = !stats.common_words.is_empty()
        || stats.candidates_cut > 0
        || stats.matches_not_kept > 0
        || stats.long_names_cut > 0;
    (matches, stats)
}

/// Every entity's best matches with list entries at or above the policy's
/// `fuzzy_threshold` (one per entry, at most [`MAX_MATCHES_PER_ENTITY`] per
/// entity), ordered by entity, then score (best first), then entry, and the
/// work it took. Runs over entities in parallel; the result is the same as
/// [`screen_sequential_with_stats`].
///
/// # Complexity
/// O(L + N · C · W² + A · W² log W) where L is the number of list names, N
/// the number of entity names, C ≤ [`MAX_CANDIDATES`] the list names that
/// share an identifying word (or a spelling one edit away) with a name
/// through words of at most [`MAX_POSTING`] names, W ≤
/// [`normalise::MAX_WORDS`] the words of a name, and A ≤ N · C the pairs
/// whose score bound reaches the threshold (aligned with Jaro and sorted
/// options); the other candidates cost only the bound's equality and
/// letter-count checks.
pub fn screen_with_stats(case: &Case, policy: &Policy) -> (Vec<Match>, ScreenStats) {
    let idx = Index::build(&case.lists);
    let per: Vec<EntityScreening> = (0..case.entities.len() as EntityId)
        .into_par_iter()
        .map(|e| screen_entity(case, &idx, e, policy.fuzzy_threshold, true))
        .collect();
    gather(&idx, per)
}

/// The sequential twin of [`screen_with_stats`].
pub fn screen_sequential_with_stats(case: &Case, policy: &Policy) -> (Vec<Match>, ScreenStats) {
    let idx = Index::build(&case.lists);
    let per = (0..case.entities.len() as EntityId)
        .map(|e| screen_entity(case, &idx, e, policy.fuzzy_threshold, true))
        .collect();
    gather(&idx, per)
}

/// Screens names that the case holds as text, not as entities: a declared
/// end user, the party a consignee receives for (`X C/O Y`). Each name's
/// matches, as [`screen_with_stats`] finds an entity's, with `entity` the
/// index of the name in `names`; a name's country is not known, so no match
/// is lowered for naming another. The work is added to `stats`.
///
/// # Complexity
/// As [`screen_with_stats`], for `names.len()` names.
pub fn screen_free_names(case: &Case, policy: &Policy, names: &[&String], stats: &mut ScreenStats) -> Vec<Vec<Match>> {
    if case.lists.is_empty() || names.is_empty() {
        return vec![Vec::new(); names.len()];
    }
    let idx = Index::build(&case.lists);
    let per: Vec<EntityScreening> = names
        .par_iter()
        .enumerate()
        .map(|(i, &n)| screen_party(case, &idx, i as EntityId, std::iter::once(n), None, policy.fuzzy_threshold, true))
        .collect();
    let out = per
        .into_iter()
        .map(|p| {
            let mut s = p.stats;
            // Counted as comparisons and cuts; `entity_names` stays the entities'.
            s.entity_names = 0;
            add(stats, s);
            p.matches
        })
        .collect();
    stats.truncated |= !stats.common_words.is_empty() || stats.candidates_cut > 0 || stats.matches_not_kept > 0;
    out
}

/// The matches of [`screen_with_stats`].
///
/// # Complexity
/// As [`screen_with_stats`].
pub fn screen(case: &Case, policy: &Policy) -> Vec<Match> {
    if case.lists.is_empty() {
        return Vec::new();
    }
    screen_with_stats(case, policy).0
}

/// The sequential twin of [`screen`], for tests and single-threaded callers.
pub fn screen_sequential(case: &Case, policy: &Policy) -> Vec<Match> {
    if case.lists.is_empty() {
        return Vec::new();
    }
    screen_sequential_with_stats(case, policy).0
}

/// Compares two names as screening would, without countries: the score,
/// the method and the reason, or None when the listed name would not be a
/// candidate for the other or they cannot be the same party. Goes through
/// the same index look-up as [`screen`]. For the benchmark, tests and
/// explaining a match.
pub fn compare_names(a: &str, b: &str) -> Option<(f64, &'static str, String)> {
    let entry = ListEntry {
        list: "pair".into(),
        list_name: "pair".into(),
        entry_id: "1".into(),
        name: b.to_string(),
        aliases: vec![],
        countries: vec![],
        programs: vec![],
        since: None,
        file: String::new(),
        line: 0,
    };
    let idx = Index::build(std::slice::from_ref(&entry));
    // The best pair among the names each side holds (`X F/K/A Y` holds two).
    let mut best: Option<(f64, &'static str, String)> = None;
    for part in aka::names_in(a) {
        let prep = Prepared::new(normalise(&part));
        let (mut common, mut cut) = (Vec::new(), false);
        for id in idx.candidates(&prep, &mut common, &mut cut) {
            let ln = &idx.names[id as usize];
            let Some(c) = compare(&prep, &ln.prep) else { continue };
            if best.as_ref().is_some_and(|b| b.0 >= c.score) {
                continue;
            }
            let (words, oa, ob) = explain(&prep.norm, &ln.prep.norm, &c);
            let d = detail(&c, &words, &oa, &ob, &prep.norm.key);
            best = Some((c.score, c.method, d));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: &str, b: &str) -> f64 {
        compare_names(a, b).map(|c| c.0).unwrap_or(0.0)
    }

    const T: f64 = 0.88;

    #[test]
    fn legal_form_variants_match_exactly() {
        let c = compare_names(
            "Beijing Zhiyuan Intelligent Computing Co. Ltd.",
            "Beijing Zhiyuan Intelligent Computing Company Limited",
        );
        assert_eq!(c.map(|c| (c.0, c.1)), Some((1.0, "exact")));
        assert_eq!(score("Pacific Rim Components Pte. Ltd.", "PACIFIC RIM COMPONENTS PTE LTD"), 1.0);
        assert_eq!(score("Sakura Cloud K.K.", "Sakura Cloud Kabushiki Kaisha"), 1.0);
    }

    #[test]
    fn positives() {
        assert!(score("Beijing Zhiyuan Intelligent Computing Co. Ltd.", "Zhiyuan Intelligent Computing") >= T);
        assert!(score("Vitaly Yurievich KUZMENKO", "Vitaly Yurievich Kusmenko") >= T);
        assert!(score("Tatiana Vladimirovna ZJURAVLEVA", "Tatyana Vladimirovna ZHURAVLEVA") >= T);
        assert!(score("Kuzmenko Vitaly", "Vitaly KUZMENKO") >= T, "word order");
        assert!(score("Zhongxing Holdings", "Zhong Xing Holdings Ltd") >= T, "spacing");
        assert!(score("Muller Elektronik GmbH", "Müller Elektronik AG") >= T);
    }

    /// Words of every class and spelling the matcher treats apart: places,
    /// generic words, qualifiers, numbers, Pinyin written joined and apart,
    /// transliterated given names and surnames, acronyms and the words they
    /// stand for, parentheses, legal forms and a former-name marker.
    const VOCABULARY: &[&str] = &[
        "beijing",
        "shenzhen",
        "hong",
        "kong",
        "anhui",
        "(hk)",
        "technology",
        "technologies",
        "electronics",
        "electronic",
        "trading",
        "international",
        "group",
        "holdings",
        "research",
        "institute",
        "co",
        "ltd",
        "llc",
        "13th",
        "14th",
        "7",
        "qiming",
        "qimin",
        "huaxin",
        "huaxing",
        "zhong",
        "xing",
        "zhongxing",
        "ming",
        "de",
        "mingde",
        "khaled",
        "khalid",
        "suleiman",
        "sulayman",
        "mohammed",
        "mhmd",
        "muhammad",
        "tatyana",
        "tatiana",
        "vladimirovna",
        "zhuravleva",
        "zjuravleva",
        "kuzmenko",
        "kusmenko",
        "irgc",
        "iranian",
        "revolutionary",
        "guard",
        "corps",
        "npk",
        "nauchno",
        "proizvodstvenny",
        "kontsern",
        "tekhmash",
        "tekhnologii",
        "mashinostroeniya",
        "abu",
        "hassan",
        "ahmad",
        "ali",
        "a",
        "c",
        "of",
        "and",
        "teir",
        "tair",
        "f/k/a",
        "(cetc",
        "13)",
        "optika",
        "obedinenie",
        "npo",
    ];

    /// A name of one to six words, from [`VOCABULARY`] or made up.
    fn a_name() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let word = prop_oneof![3 => proptest::sample::select(VOCABULARY).prop_map(String::from), 1 => "[a-z]{1,9}"];
        proptest::collection::vec(word, 1..=6).prop_map(|w| w.join(" "))
    }

    /// A case of these entities and list entries (name, country or none).
    fn case_of(entities: &[(String, &str)], entries: &[(String, &str)]) -> Case {
        let mut case = Case::default();
        for (i, (name, country)) in entities.iter().enumerate() {
            let id = format!("E{i}");
            case.entity_index.insert(id.clone(), i as EntityId);
            let country = Country::from_code(country.as_bytes().try_into().unwrap());
            case.entities.push(crate::model::Entity::new(id, name.clone(), crate::model::EntityKind::EndUser, country));
        }
        for (i, (name, country)) in entries.iter().enumerate() {
            case.lists.push(ListEntry {
                list: "test".into(),
                list_name: "test".into(),
                entry_id: format!("L{i}"),
                name: name.clone(),
                aliases: vec![],
                countries: if country.is_empty() {
                    vec![]
                } else {
                    vec![Country::from_code(country.as_bytes().try_into().unwrap())]
                },
                programs: vec![],
                since: None,
                file: String::new(),
                line: i as u64,
            });
        }
        case
    }

    /// The screening of `case` with and without pruning by [`score_bound`].
    fn pruned_and_not(case: &Case, threshold: f64) -> ((Vec<Match>, ScreenStats), (Vec<Match>, ScreenStats)) {
        let idx = Index::build(&case.lists);
        let run = |prune| {
            let per =
                (0..case.entities.len() as EntityId).map(|e| screen_entity(case, &idx, e, threshold, prune)).collect();
            gather(&idx, per)
        };
        (run(true), run(false))
    }

    /// Asserts that pruning changed nothing but the counter of pairs it ruled out.
    fn assert_same(pruned: &(Vec<Match>, ScreenStats), full: &(Vec<Match>, ScreenStats)) {
        assert_eq!(pruned.0, full.0);
        assert_eq!(full.1.ruled_out, 0);
        assert_eq!(ScreenStats { ruled_out: 0, ..pruned.1.clone() }, full.1);
    }

    /// Every `(query, listed)` pair of the labelled benchmark (benches/screening/pairs.tsv).
    fn labelled_pairs() -> Vec<(&'static str, &'static str)> {
        include_str!("../../benches/screening/pairs.tsv")
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[5], f[6])
            })
            .collect()
    }

    /// Checks [`score_bound`] and [`may_pair`] against [`compare`] and
    /// [`word_similarity`] on every pair of names the two cells hold.
    fn check_bound(a: &str, b: &str) -> Result<(), String> {
        for x in aka::names_in(a) {
            for y in aka::names_in(b) {
                let (pa, pb) = (Prepared::new(normalise(&x)), Prepared::new(normalise(&y)));
                for i in 0..pa.norm.tokens.len() {
                    for j in 0..pb.norm.tokens.len() {
                        if !may_pair(&pa, i, &pb, j) && word_similarity(&pa, i, &pb, j) > 0.0 {
                            return Err(format!("{x} / {y}: words {i} and {j} pair"));
                        }
                    }
                }
                if pa.norm.key == pb.norm.key || pa.norm.compact == pb.norm.compact {
                    continue;
                }
                let bound = score_bound(&pa, &pb);
                if let Some(c) = compare(&pa, &pb)
                    && c.score > bound + BOUND_SLACK
                {
                    return Err(format!("{x} / {y}: score {} above its bound {bound}", c.score));
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_bound_is_never_below_the_score_on_the_labelled_pairs() {
        let pairs = labelled_pairs();
        assert_eq!(pairs.len(), 1_269);
        for (a, b) in pairs {
            check_bound(a, b).unwrap();
            check_bound(b, a).unwrap();
        }
    }

    /// The labelled pairs' names screened against each other (every query
    /// an entity, every listed name an entry, countries spread over them so
    /// that the country factor counts): pruning rules out pairs and changes
    /// no match, score, method or word.
    #[test]
    fn pruning_changes_no_match_on_the_labelled_pairs() {
        let pairs = labelled_pairs();
        let mut queries: Vec<&str> = pairs.iter().map(|p| p.0).collect();
        let mut listed: Vec<&str> = pairs.iter().map(|p| p.1).collect();
        queries.sort_unstable();
        queries.dedup();
        listed.sort_unstable();
        listed.dedup();
        let countries = ["CN", "RU", "IR", "US", "HK"];
        let entities: Vec<(String, &str)> =
            queries.iter().enumerate().map(|(i, q)| (q.to_string(), countries[i % 5])).collect();
        let entries: Vec<(String, &str)> = listed
            .iter()
            .enumerate()
            .map(|(i, l)| (l.to_string(), if i % 3 == 0 { "" } else { countries[i % 4] }))
            .collect();
        let case = case_of(&entities, &entries);
        for threshold in [0.88, 0.7, 0.5] {
            let (pruned, full) = pruned_and_not(&case, threshold);
            assert_same(&pruned, &full);
            assert!(pruned.0.len() > 500, "{threshold}: {} matches", pruned.0.len());
            assert!(pruned.1.ruled_out > 0, "{threshold}: nothing ruled out");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// On random names the bound is never below the score, and a word
        /// [`may_pair`] rules out never pairs.
        #[test]
        fn the_bound_is_never_below_the_score(a in a_name(), b in a_name()) {
            proptest::prop_assert_eq!(check_bound(&a, &b), Ok(()));
        }

        /// Random cases screened with and without pruning give the same matches and counters.
        #[test]
        fn pruning_changes_no_match(
            entities in proptest::collection::vec((a_name(), proptest::sample::select(vec!["CN", "HK", "RU", "US"])), 1..8),
            entries in proptest::collection::vec((a_name(), proptest::sample::select(vec!["", "CN", "RU"])), 1..8),
            threshold in proptest::sample::select(vec![0.5, 0.7, 0.88, 0.95]),
        ) {
            let case = case_of(&entities, &entries);
            let (pruned, full) = pruned_and_not(&case, threshold);
            assert_same(&pruned, &full);
        }
    }

    proptest::proptest! {
        /// Any name with words matches itself exactly, and every score is in 0..1.
        #[test]
        fn scores_are_bounded_and_a_name_matches_itself(a in "\\PC{0,40}", b in "[A-Za-z .,&()-]{0,40}") {
            if let Some((s, _, _)) = compare_names(&a, &b) {
                proptest::prop_assert!((0.0..=1.0).contains(&s));
            }
            if !normalise(&a).tokens.is_empty() {
                proptest::prop_assert_eq!(compare_names(&a, &a).map(|c| (c.0, c.1)), Some((1.0, "exact")));
            }
        }
    }

    /// A filing that writes the listed name without some of its trade words
    /// (a short field) is the listed party; a different distinctive word, a
    /// word the listing lacks, or only short words kept are not.
    #[test]
    fn a_shortened_filing_matches_the_listed_name_it_shortens() {
        let listed = "Shenzhen Qianhai Huaxun Supply Chain Co., Ltd.";
        for filed in ["SHENZHEN QIANHAI HUAXUN", "SHENZHEN QIANHAI HUAXUN SUPPLY"] {
            let c = compare_names(filed, listed);
            assert!(score(filed, listed) >= T, "{filed}: {c:?}");
            assert!(c.unwrap().2.contains("a shortened filing"), "{filed}");
        }
        assert!(score("SHENZHEN QIANHAI HUAXUN", "SHENZHEN QIANHAI HUAXUN TECHNOLOGY CO LTD") >= T);
        assert!(score("HUAWEI", "Huawei Technologies Co., Ltd.") >= T);
        // Near misses: another distinctive word, a word the listing lacks,
        // a distinctive word of the listing left out, only short words kept.
        for (filed, listed) in [
            ("SHENZHEN QIANHAI HUAXIN", listed),
            ("SHENZHEN QIANHAI HUAXUN LOGISTICS", listed),
            ("SHENZHEN QIANHAI HUAXUN ROBOTICS", "SHENZHEN QIANHAI HUAXUN TECHNOLOGY CO LTD"),
            ("SHENZHEN HUAXUN", "Shenzhen Qianhai Huaxun Supply Chain Co., Ltd."),
            ("A C INTERNATIONAL", "A & C International Trade, Inc."),
            ("Shenzhen Electronics Co. Ltd.", "Shenzhen Bright Electronics Retail Co. Ltd."),
        ] {
            let c = compare_names(filed, listed);
            assert!(
                c.as_ref().is_none_or(|c| c.0 < T && !c.2.contains("a shortened filing")),
                "{filed} / {listed}: {c:?}"
            );
        }
    }

    /// The misses and false matches issue 9 measured, each a regression.
    #[test]
    fn issue_9_cases() {
        assert!(score("ANHUI IFLYTEK CO LTD", "iFLYTEK Co., Ltd.") >= T, "an extra province");
        assert!(score("AK TRANSNEFT OAO", "TRANSNEFT") >= T, "AK and OAO are legal forms");
        assert!(score("7TH OF TIR COMPLEX", "7TH OF TIR") >= T, "an extra qualifier");
        assert!(score("SEVENTH OF TIR", "7TH OF TIR") >= T, "ordinals");
        assert!(score("SHENZHEN GLOBAL TRADING", "Global Trading Co., Ltd.") >= T, "a city before generic words");
        assert!(score("Transneft Limitada", "TRANSNEFT AO") >= T, "Spanish and Russian legal forms");
        assert!(
            score("A C INTERNATIONAL", "A & C International Trade, Inc.") < T,
            "a generic word more is another firm"
        );
        let listed = "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)";
        for other in [
            "China Electronics Technology Group Corporation 14th Research Institute",
            "China Electronics Technology Group Corporation 54th Research Institute (CETC 54)",
            "CETC 14th Research Institute",
        ] {
            assert!(score(other, listed) < T, "{other}: {}", score(other, listed));
        }
        assert!(score("CETC 13th Research Institute", listed) >= 0.5, "the same number is evidence");
    }

    #[test]
    fn other_scripts_meet_latin_names() {
        assert!(score("北京中科曙光", "Beijing Zhongke Shuguang") >= T, "Chinese script and Pinyin");
        assert!(score("安徽科大讯飞有限公司", "Anhui Kedaxunfei Co., Ltd.") >= T, "a Chinese legal form");
        assert!(score("ОАО ТРАНСНЕФТЬ", "Transneft OAO") >= T, "Cyrillic");
        assert!(
            score("خالد مشعل", "Khaled Mashal") >= T,
            "Arabic script without vowels: {:?}",
            compare_names("خالد مشعل", "Khaled Mashal")
        );
    }

    #[test]
    fn every_match_names_the_words_that_decided_it() {
        let (_, method, detail) = compare_names("ANHUI IFLYTEK CO LTD", "iFLYTEK Co., Ltd.").unwrap();
        assert_eq!(method, "fuzzy");
        assert!(detail.contains("(iflytek)") && detail.contains("only in the entity's name: anhui"), "{detail}");
        let (_, _, detail) =
            compare_names("CETC 14th Research Institute", "CETC 13th Research Institute").unwrap_or_default();
        assert!(detail.is_empty() || detail.contains("the numbers differ"), "{detail}");
    }

    #[test]
    fn ukrainian_belarusian_and_russian_given_names_and_patronymics_meet() {
        assert!(score("Tetiana Volodymyrivna ZJURAVLEVA", "Татьяна Владимировна ЖУРАВЛЕВА") >= T);
        assert!(score("Sviatlana Pavlovna PACHODAVA", "Svetlana Pavlovna PACHODAVA") >= T);
        assert!(score("Viktor Vladimirovich KUZMENKO", "Viktar Uladzimiravich Kuzmenko") >= T);
        assert!(score("Natalia Vladimirovna ZHURAVLEVA", "Tatyana Vladimirovna ZHURAVLEVA") < T, "another given name");
        assert!(score("Tatyana Vladimirovich ZHURAVLEV", "Tatyana Vladimirovna ZHURAVLEVA") < 1.0);
    }

    #[test]
    fn a_fuller_name_of_the_same_person_matches_and_a_namesake_does_not() {
        assert!(score("ABOU HASSAN, Khaled Suleiman Fayez", "ABU HASSAN, Khaled") >= T);
        assert!(score("ABU HASAN, Khalid Sulayman Fayiz", "ABU HASSAN, Khaled") >= T);
        assert!(score("Svjatlana Paulauna PACHODAVA", "Svjatlana Pachodava") >= T, "a patronymic more");
        // Each has a given name the other lacks: two persons of one family.
        assert!(score("Khaled Omar ABU HASSAN", "ABU HASSAN, Khaled Suleiman") < T);
        assert!(score("Layla Ali AHMAD", "AHMAD, Ahmad Ali") < T, "the repeated name counts");
        // Only given names agree: no surname says it is the same person.
        assert!(score("Mohammed ALI", "Mohammed Ali HASSAN") < T);
        assert!(score("Khaled HASSAN 2", "Khaled HASSAN") < T, "a number is not a given name");
    }

    #[test]
    fn arabic_vowel_spellings_meet_outside_pinyin() {
        assert!(score("ABU TAIR, Mohammed Mahmud", "ABU TEIR, Mohammed") >= T);
        assert!(score("ABOU TAYR, Mohammad", "ABU TEIR, Mohammed") >= T);
        assert!(score("Beijing Baida Technology", "Beijing Beida Technology") < T, "Pinyin bai is not bei");
        assert!(!normalise::pinyin("pachodava") && normalise::pinyin("ouyang") && normalise::pinyin("anhui"));
    }

    #[test]
    fn chinese_names_meet_across_syllable_boundaries() {
        assert!(score("Shenzhen Ming De Technology Co", "Shenzhen Mingde Tech Ltd") >= T);
        assert!(score("Ming De Technology", "Shenzhen Mingde Technology Co Ltd") >= T);
        assert!(score("Zhong Guan Cun Holdings", "Zhongguancun Holdings Ltd") >= T, "three syllables");
        assert!(score("Shenzhen Ming Dao Technology", "Shenzhen Mingde Technology") < T, "another syllable");
        assert!(score("Kun Feng Bank", "Bank of Kunlun") < T);
        assert!(score("Mingrui Trading", "Ming Ruixin Trading") < T, "a Pinyin word is not an abbreviation");
        assert_eq!(normalise::normalise("Banco de Venezuela").key, "banco venezuela", "Spanish de is still dropped");
    }

    #[test]
    fn acronyms_stand_for_their_words() {
        assert!(score("Iranian Revolutionary Guard Corps", "IRGC") >= T);
        assert!(score("AICTC", "Advanced Information and Communication Technology Center") >= T);
        assert!(
            score("MMEZ-KT, AO", "AO Moskovski Mashinostroitelny Eksperimentalny Zavod - Kompozitsionnye Tekhnologii")
                >= T
        );
        assert!(
            score("NPK TEKHMASH OAO", "AO Nauchno-Proizvodstvenny Kontsern Tekhnologii Mashinostroeniya") >= T,
            "initials and a syllable abbreviation"
        );
        assert!(score("NPO OPTIKA", "AO Nauchno-Proizvodstvennoe Obedinenie Optika") >= T);
        assert!(score("AICTR", "Advanced Information and Communication Technology Center") < T, "one letter off");
        assert!(score("IRG", "Iranian Revolutionary Guard Corps") < T, "a word left out");
        assert!(score("NPK OPTIKA", "AO Nauchno-Proizvodstvennoe Obedinenie Optika") < T);
    }

    #[test]
    fn a_former_or_other_name_written_with_its_marker_matches_its_listing() {
        let listed = "Shanghai Borui Computing Technology Co., Ltd.";
        for alias in [
            "F/K/A SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "FORMERLY SHANGHAI BORUI COMPUTING TECHNOLOGY CO LTD",
            "formerly known as Shanghai Borui Computing Technology Co Ltd",
            "Shanghai Borui Computing Technology Co Ltd (former name)",
            "Shanghai Ruixin Data Technology Co. Ltd. (f/k/a Shanghai Borui Computing Technology Co Ltd)",
            "SHANGHAI RUIXIN DATA TECHNOLOGY A.K.A. SHANGHAI BORUI COMPUTING TECHNOLOGY",
            "SHANGHAI RUIXIN DATA TECHNOLOGY D/B/A SHANGHAI BORUI COMPUTING TECHNOLOGY",
        ] {
            assert!(score(alias, listed) >= T, "{alias}: {:?}", compare_names(alias, listed));
            // And the other way round: the list writes the former name.
            assert!(score(listed, alias) >= T, "listed as {alias}");
        }
        // The renamed firm's new name is found through a list cell that holds both.
        assert!(
            score(
                "Shanghai Ruixin Data Technology Co. Ltd.",
                "Shanghai Borui Computing Technology Co Ltd F/K/A Shanghai Ruixin Data Technology"
            ) >= T
        );
    }

    #[test]
    fn a_former_name_dated_or_in_chinese_matches_its_listing() {
        let listed = "Shanghai Xinyao Computing Technology Co., Ltd.";
        for alias in [
            "Shanghai Xinyao Computing Technology Co., Ltd. (name until 2025-02-11)",
            "Shanghai Xinyao Computing Technology Co Ltd (until 2025)",
            "上海芯耀算力科技有限公司",
            "上海芯耀算力科技有限公司 (曾用名)",
            "曾用名:上海芯耀算力科技有限公司",
        ] {
            assert!(score(alias, listed) >= T, "{alias}: {:?}", compare_names(alias, listed));
            assert!(score(listed, alias) >= T, "listed as {alias}");
        }
        // Near misses: another trade name, or a date note on another firm.
        for alias in [
            "上海天枢算力科技有限公司",
            "上海天枢算力科技有限公司 (曾用名)",
            "Shanghai Tianshu Computing Technology Co Ltd (name until 2025-02-11)",
            "Shanghai Xinyao Logistics Co Ltd (until 2025)",
        ] {
            assert!(score(alias, listed) < T, "{alias}: {:?}", compare_names(alias, listed));
        }
    }

    #[test]
    fn a_marker_does_not_make_another_firm_match() {
        let listed = "Shanghai Borui Computing Technology Co., Ltd.";
        for alias in [
            "F/K/A SHANGHAI BORUI LOGISTICS CO LTD",
            "FORMERLY SHANGHAI BORUI LOGISTICS CO LTD",
            "Shanghai Ruixin Data Technology Co. Ltd. (f/k/a Shanghai Borui Logistics Co Ltd)",
            "Shanghai Ruixin Data Technology Co. Ltd. (former name)",
        ] {
            assert!(score(alias, listed) < T, "{alias}: {:?}", compare_names(alias, listed));
            assert!(score(listed, alias) < T, "listed as {alias}");
        }
    }

    #[test]
    fn generic_words_do_not_match_different_companies() {
        assert!(score("Advanced Technology Trading Ltd", "Global Advanced Technology Trading Co") < T);
        assert!(
            score(
                "Lingxi Advanced Technology Trading International",
                "Huaxin Advanced Technology Trading International"
            ) < T
        );
        assert!(score("Huaxin Cloud Holdings (HK) Limited", "Huaxin Holdings Group Co. Ltd.") < T);
        assert!(score("Huaxin Cloud Holdings (HK) Limited", "Huaxin Group") < T);
        assert!(score("54th Research Institute of China", "55th Research Institute of China") < T);
        assert!(score("Huawei Technologies Co., Ltd.", "Huaxin Technologies Co., Ltd.") < T);
        assert!(score("Shenzhen Bright Electronics Retail Co. Ltd.", "Shenzhen Electronics Co. Ltd.") < T);
    }
}
