//! Screening: every entity's names and aliases against every list entry's
//! names and aliases (SPEC §1 lists/, §2 `screen`).
//!
//! Two names match exactly when they normalise to the same words (see
//! [`normalise`]), or to the same letters apart from spacing. Otherwise they
//! match fuzzily when their distinctive words pair up one to one (equal, or a
//! close spelling of a long word: `Kuzmenko` ~ `Kusmenko`) and the weighted
//! share of words both names carry reaches the policy's `fuzzy_threshold`.
//! Generic words (`technology`, `trading`, `group`) weigh half and never make
//! a match alone, so `Advanced Technology Trading Ltd` and `Global Advanced
//! Technology Trading Co` do not match. An entity outside the countries an
//! entry names scores 10% lower (China, Hong Kong and Macau count as one, as
//! the EAR treats them since 2020).
//!
//! Candidates are found through an inverted index of the list's distinctive
//! words and their one-deletion spellings, so the cost grows with the number
//! of names and the pairs that share a word, not with entities × entries.

pub mod normalise;

use crate::model::{Case, Country, EntityId, ListEntry};
use crate::policy::Policy;
use normalise::{Normalised, variants};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Lowest Jaro similarity at which two long distinctive words are taken as
/// spellings of one word: transliterations such as `Zhuravleva` /
/// `Zjuravleva` (0.93) and `Kuzmenko` / `Kusmenko` (0.92) pass, different
/// names such as `Huawei` / `Huaxin` (0.78) do not.
const WORD_SIMILARITY: f64 = 0.90;

/// Similarity of two words that differ only in a folded spelling.
const FOLDED_SIMILARITY: f64 = 0.95;

/// Factor applied when the entity sits outside every country the entry names.
const OTHER_COUNTRY_FACTOR: f64 = 0.9;

/// One entity matched with one list entry, by its best pair of names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub entity: EntityId,
    /// Index of the entry in [`Case::lists`].
    pub entry: usize,
    /// The entity's name or alias that matched, as written.
    pub matched_name: String,
    /// The entry's name or alias that matched, as listed.
    pub listed_name: String,
    /// 0..1; 1 for an exact match in a country the entry names.
    pub score: f64,
    /// `exact`, `compact` (same letters, other spacing) or `fuzzy`.
    pub method: &'static str,
    /// Which names matched, how, and what lowered the score.
    pub reason: String,
}

impl Match {
    /// The evidence key of the matched entry: `list:<list>:<entry_id>`.
    pub fn evidence(&self, case: &Case) -> String {
        case.lists[self.entry].evidence()
    }
}

/// A list name in the index.
struct ListName {
    entry: usize,
    /// The name as listed.
    text: String,
    norm: Normalised,
}

/// The list's names, indexed for look-up by exact key, compact key and
/// distinctive word (with one-deletion spellings for fuzzy words).
struct Index {
    names: Vec<ListName>,
    by_key: HashMap<String, Vec<u32>>,
    by_compact: HashMap<String, Vec<u32>>,
    by_word: HashMap<String, Vec<u32>>,
}

/// Spellings of a word under which it is indexed and looked up: its folded
/// spelling, and for long words without digits every one-deletion spelling
/// of that, so that words one edit apart (on either side) share a key.
fn word_keys(folded: &str, fuzzy: bool) -> Vec<String> {
    let mut keys = vec![folded.to_string()];
    if fuzzy {
        let chars: Vec<char> = folded.chars().collect();
        for i in 0..chars.len() {
            let mut k: String = chars[..i].iter().collect();
            k.extend(&chars[i + 1..]);
            keys.push(k);
        }
    }
    keys
}

impl Index {
    fn build(lists: &[ListEntry]) -> Index {
        let mut idx =
            Index { names: Vec::new(), by_key: HashMap::new(), by_compact: HashMap::new(), by_word: HashMap::new() };
        for (entry, e) in lists.iter().enumerate() {
            for text in std::iter::once(&e.name).chain(&e.aliases) {
                for norm in variants(text) {
                    let id = idx.names.len() as u32;
                    idx.by_key.entry(norm.key.clone()).or_default().push(id);
                    idx.by_compact.entry(norm.compact.clone()).or_default().push(id);
                    for &i in &norm.distinctive {
                        for k in word_keys(&norm.folded[i], norm.fuzzy[i]) {
                            let p = idx.by_word.entry(k).or_default();
                            if p.last() != Some(&id) {
                                p.push(id);
                            }
                        }
                    }
                    idx.names.push(ListName { entry, text: text.clone(), norm });
                }
            }
        }
        idx
    }

    /// Names that could match `norm`, sorted and without repeats.
    fn candidates(&self, norm: &Normalised) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for map_hit in [self.by_key.get(&norm.key), self.by_compact.get(&norm.compact)].into_iter().flatten() {
            out.extend(map_hit);
        }
        for &i in &norm.distinctive {
            for k in word_keys(&norm.folded[i], norm.fuzzy[i]) {
                if let Some(p) = self.by_word.get(&k) {
                    out.extend(p);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Similarity of word `i` of `a` and word `j` of `b`: 1 if equal,
/// [`FOLDED_SIMILARITY`] if equal once folded (`Viktor` / `Victor`), and for
/// two long words whose folded Jaro similarity `s` reaches
/// [`WORD_SIMILARITY`], `1 - 3 (1 - s)`: in Pinyin one letter is another
/// syllable and another company (`Xingrui` / `Mingrui`, 0.90 -> 0.71), so a
/// near spelling counts for much less than an equal one. Plain Jaro, not
/// Jaro-Winkler: the Winkler bonus for a shared prefix rewards exactly the
/// compound names (`Eaglexin` / `Eagleyun`) that differ only at the end. Else 0.
fn word_similarity(a: &Normalised, i: usize, b: &Normalised, j: usize) -> f64 {
    if a.tokens[i] == b.tokens[j] {
        return 1.0;
    }
    if a.folded[i] == b.folded[j] {
        return FOLDED_SIMILARITY;
    }
    if !a.fuzzy[i] || !b.fuzzy[j] {
        return 0.0;
    }
    let (x, y) = (&a.folded[i], &b.folded[j]);
    // Jaro is at most (2 + shorter / longer) / 3: skip pairs that cannot reach the bar.
    let (short, long) = (x.len().min(y.len()) as f64, x.len().max(y.len()) as f64);
    if (2.0 + short / long) / 3.0 < WORD_SIMILARITY {
        return 0.0;
    }
    let s = strsim::jaro(x, y);
    if s >= WORD_SIMILARITY { 1.0 - 3.0 * (1.0 - s) } else { 0.0 }
}

/// How two normalised names compare, before the country is considered.
struct Comparison {
    score: f64,
    method: &'static str,
    detail: String,
}

/// Compares two normalised names. None when they cannot be the same party.
fn compare(a: &Normalised, b: &Normalised) -> Option<Comparison> {
    if a.key == b.key {
        return Some(Comparison {
            score: 1.0,
            method: "exact",
            detail: format!("the same after normalisation (`{}`)", a.key),
        });
    }
    if a.compact == b.compact {
        return Some(Comparison {
            score: 0.98,
            method: "compact",
            detail: format!("the same letters apart from spacing (`{}` / `{}`)", a.key, b.key),
        });
    }
    let (da, db) = (&a.distinctive, &b.distinctive);
    // Names of generic words only match exactly; distinctive words must pair one to one.
    if da.is_empty() || da.len() != db.len() {
        return None;
    }
    let mut used = vec![false; db.len()];
    let mut pairs = Vec::with_capacity(da.len());
    for &i in da {
        let best = db
            .iter()
            .enumerate()
            .filter(|(k, _)| !used[*k])
            .map(|(k, &j)| (k, j, word_similarity(a, i, b, j)))
            .filter(|(_, _, s)| *s > 0.0)
            .max_by(|x, y| x.2.total_cmp(&y.2).then(y.0.cmp(&x.0)))?;
        used[best.0] = true;
        pairs.push((i, best.1, best.2));
    }
    let side = |x: &Normalised, y: &Normalised| -> (f64, f64) {
        let mut got = 0.0;
        let mut total = 0.0;
        for i in 0..x.tokens.len() {
            let weight = x.classes[i].weight();
            total += weight;
            got += weight * (0..y.tokens.len()).map(|j| word_similarity(x, i, y, j)).fold(0.0, f64::max);
        }
        (got, total)
    };
    let (ga, ta) = side(a, b);
    let (gb, tb) = side(b, a);
    // A name whose words are all there in another order is still not spelled
    // the same, so a fuzzy score stays below an exact one.
    let score = ((ga + gb) / (ta + tb)).min(0.99);
    let words: Vec<String> = pairs
        .iter()
        .map(|&(i, j, s)| {
            let (x, y) = (&a.tokens[i], &b.tokens[j]);
            if x == y { x.clone() } else { format!("{x} ~ {y} ({s:.2})") }
        })
        .collect();
    let only = |x: &Normalised, y: &Normalised| -> Vec<String> {
        (0..x.tokens.len())
            .filter(|&i| !(0..y.tokens.len()).any(|j| word_similarity(x, i, y, j) > 0.0))
            .map(|i| x.tokens[i].clone())
            .collect()
    };
    let mut detail = format!("alike: distinctive words agree ({}), word similarity {score:.2}", words.join(", "));
    let (oa, ob) = (only(a, b), only(b, a));
    if !oa.is_empty() {
        detail.push_str(&format!("; only in the entity's name: {}", oa.join(" ")));
    }
    if !ob.is_empty() {
        detail.push_str(&format!("; only in the listed name: {}", ob.join(" ")));
    }
    Some(Comparison { score, method: "fuzzy", detail })
}

/// China, Hong Kong and Macau are one country for screening: listed parties
/// move between them and the EAR treats them alike since 2020.
fn same_country(a: Country, b: Country) -> bool {
    let china = |c: Country| matches!(c.as_str(), "CN" | "HK" | "MO");
    a == b || (china(a) && china(b))
}

/// Screens one entity against the index: its best match with each entry.
fn screen_entity(case: &Case, idx: &Index, entity: EntityId, threshold: f64) -> Vec<Match> {
    let e = case.entity(entity);
    let mut best: HashMap<usize, Match> = HashMap::new();
    for text in std::iter::once(&e.name).chain(&e.aliases) {
        for norm in variants(text) {
            for id in idx.candidates(&norm) {
                let ln = &idx.names[id as usize];
                let Some(c) = compare(&norm, &ln.norm) else { continue };
                let entry = &case.lists[ln.entry];
                let mut score = c.score;
                let mut reason = format!("`{text}` and `{}` are {}", ln.text, c.detail);
                if !entry.countries.is_empty() && !entry.countries.iter().any(|l| same_country(e.country, *l)) {
                    score *= OTHER_COUNTRY_FACTOR;
                    let listed: Vec<&str> = entry.countries.iter().map(|c| c.as_str()).collect();
                    reason.push_str(&format!(
                        "; the entity is in {} but the entry names {}: score lowered by {:.0}%",
                        e.country,
                        listed.join(", "),
                        (1.0 - OTHER_COUNTRY_FACTOR) * 100.0
                    ));
                }
                if score < threshold {
                    continue;
                }
                let better = best.get(&ln.entry).is_none_or(|m| score > m.score);
                if better {
                    best.insert(
                        ln.entry,
                        Match {
                            entity,
                            entry: ln.entry,
                            matched_name: text.clone(),
                            listed_name: ln.text.clone(),
                            score,
                            method: c.method,
                            reason,
                        },
                    );
                }
            }
        }
    }
    let mut out: Vec<Match> = best.into_values().collect();
    sort(&mut out);
    out
}

/// Order of matches: by entity, best score first, then by entry.
fn sort(m: &mut [Match]) {
    m.sort_by(|a, b| a.entity.cmp(&b.entity).then(b.score.total_cmp(&a.score)).then(a.entry.cmp(&b.entry)));
}

/// Every entity's best match with each list entry at or above the policy's
/// `fuzzy_threshold`, ordered by entity, then score (best first), then entry.
/// Runs over entities in parallel; the result is the same as
/// [`screen_sequential`].
///
/// # Complexity
/// O(L + N · C) where L is the number of list names, N the number of entity
/// names and C the candidates that share a distinctive word (or a spelling
/// one edit away) with a name; each comparison is linear in the words.
pub fn screen(case: &Case, policy: &Policy) -> Vec<Match> {
    if case.lists.is_empty() {
        return Vec::new();
    }
    let idx = Index::build(&case.lists);
    let per: Vec<Vec<Match>> = (0..case.entities.len() as EntityId)
        .into_par_iter()
        .map(|e| screen_entity(case, &idx, e, policy.fuzzy_threshold))
        .collect();
    per.into_iter().flatten().collect()
}

/// The sequential twin of [`screen`], for tests and single-threaded callers.
pub fn screen_sequential(case: &Case, policy: &Policy) -> Vec<Match> {
    if case.lists.is_empty() {
        return Vec::new();
    }
    let idx = Index::build(&case.lists);
    (0..case.entities.len() as EntityId).flat_map(|e| screen_entity(case, &idx, e, policy.fuzzy_threshold)).collect()
}

/// Compares two names as screening would, without countries: the score and
/// how, or None when they are not the same party. For tests and for
/// explaining a match.
pub fn compare_names(a: &str, b: &str) -> Option<(f64, &'static str, String)> {
    let mut best: Option<Comparison> = None;
    for x in variants(a) {
        for y in variants(b) {
            if let Some(c) = compare(&x, &y)
                && best.as_ref().is_none_or(|b| c.score > b.score)
            {
                best = Some(c);
            }
        }
    }
    best.map(|c| (c.score, c.method, c.detail))
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

    proptest::proptest! {
        /// Any name with words matches itself exactly, and every score is in 0..1.
        #[test]
        fn scores_are_bounded_and_a_name_matches_itself(a in "\\PC{0,40}", b in "[A-Za-z .,&()-]{0,40}") {
            if let Some((s, _, _)) = compare_names(&a, &b) {
                proptest::prop_assert!((0.0..=1.0).contains(&s));
            }
            if !variants(&a).is_empty() {
                proptest::prop_assert_eq!(compare_names(&a, &a).map(|c| (c.0, c.1)), Some((1.0, "exact")));
            }
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
