//! Given names of persons: the spellings under which one given name or
//! patronymic is written in the lists and in trade data, folded to one
//! spelling, so that `Tetiana Volodymyrivna` (Ukrainian) meets `Tatyana
//! Vladimirovna` (Russian) and `Khalid Sulayman` meets `Khaled Suleiman`.
//! A word found here is also known to be a given name, which the matcher
//! uses to weigh the extra given names of a fuller name (see
//! `super::compare`).
//!
//! Sources. East Slavic names ([`EAST_SLAVIC`]): the Russian, Ukrainian and
//! Belarusian forms of the same name (Tatiana / Tetiana / Tatsiana,
//! Vladimir / Volodymyr / Uladzimir), romanised by BGN/PCGN and ICAO Doc 9303
//! for Russian, the Ukrainian national system (Cabinet of Ministers
//! Resolution No. 55 of 27 January 2010) and the Belarusian national system
//! (2007, with its older `j`/`tj` spellings), and the older spellings lists
//! still carry (`Alexei`, `Yevgeny`). Arabic names ([`ARABIC`]): the
//! romanisations of each name under ALA-LC and BGN/PCGN, and the English-
//! and French-style spellings (`ou`, `ei`, doubled consonants) that the US,
//! UK, EU and UN lists give as aliases of one person. The tables were
//! written by hand from these systems for the most common names, not
//! collected from any benchmark; a name not here is still compared by
//! spelling.
//!
//! Patronymics (`Volodymyrivna`, `Uladzimiravich`, `Sergeyevich`) are
//! recognised by their endings and folded to the father's name in its
//! first spelling plus `ovik` (male) or `ovna` (female).

use super::normalise::fold;
use std::collections::HashMap;
use std::sync::LazyLock;

/// East Slavic given names: each group is one name, Russian form first, then
/// Ukrainian and Belarusian forms and other romanisations.
pub const EAST_SLAVIC: &[&[&str]] = &[
    &["aleksandr", "alexander", "aleksander", "oleksandr", "olexandr", "aliaksandr", "alyaksandr", "aleksandar"],
    &["aleksandra", "oleksandra", "aliaksandra", "alexandra"],
    &["aleksei", "alexei", "alexey", "aleksey", "oleksii", "oleksiy", "oleksij", "aliaksei", "alyaksei"],
    &["anatoli", "anatoly", "anatoliy", "anatolii", "anatol"],
    &["andrei", "andrey", "andriy", "andrii", "andrij", "andrej", "andrus"],
    &["anna", "hanna", "ganna"],
    &["artem", "artyom", "artiom", "artsiom"],
    &["boris", "borys", "barys"],
    &["denis", "denys", "dzianis"],
    &["dmitri", "dmitry", "dmitriy", "dmitrii", "dmytro", "dzmitry", "dzmitryi"],
    &["ekaterina", "yekaterina", "kateryna", "katsiaryna", "katerina"],
    &["elena", "yelena", "olena", "alena", "alyona", "alena"],
    &["evgeni", "evgeny", "evgeniy", "evgenii", "yevgeny", "yevgeniy", "yevhen", "ievgen", "yauhen", "jauhen"],
    &["fedor", "fyodor", "fedir", "fiodar"],
    &["gennadi", "gennady", "gennadiy", "gennadii", "hennadiy", "hennadii", "henadz"],
    &["georgi", "georgy", "georgiy", "georgii", "heorhiy", "heorhii"],
    &["grigori", "grigory", "grigoriy", "grigorii", "hryhoriy", "hryhorii", "ryhor"],
    &["igor", "ihor", "ihar"],
    &["ilya", "illia", "illya", "ilja"],
    &["irina", "iryna", "iryna", "iryna"],
    &["ivan", "iwan"],
    &["kirill", "kyrylo", "kiryl"],
    &["konstantin", "kostiantyn", "kostyantyn", "kanstantsin", "constantin"],
    &["leonid", "leanid"],
    &["lyudmila", "liudmila", "ludmila", "liudmyla", "lyudmyla", "liudmila"],
    &["maksim", "maxim", "maksym", "maksimilian"],
    &["maria", "mariya", "mariia", "maryia", "maryja"],
    &["mikhail", "mykhailo", "mykhaylo", "mikhal", "mihail", "michail", "mikhas"],
    &["natalia", "natalya", "nataliya", "natallia", "natalja", "natalie"],
    &["nikolai", "nikolay", "mykola", "mikalai", "mikola", "nicolai"],
    &["oksana", "aksana"],
    &["oleg", "oleh", "aleh"],
    &["olga", "olha", "volha", "olya"],
    &["pavel", "pavlo", "paval", "paviel", "paul"],
    &["petr", "pyotr", "petro", "piotr", "piatro", "pyatro"],
    &["roman", "raman"],
    &["ruslan"],
    &["sergei", "sergey", "serhiy", "serhii", "serhij", "sergii", "siarhei", "siarhiej", "sergej"],
    &["stanislav", "stanislau", "stanislaw"],
    &["svetlana", "svitlana", "sviatlana", "svjatlana", "svyatlana", "swetlana"],
    &["tatiana", "tatyana", "tetiana", "tetyana", "tatsiana", "tacciana", "tatjana"],
    &["valentina", "valentyna", "valiantsina"],
    &["valeri", "valery", "valeriy", "valerii", "valer", "valeryi"],
    &["vasili", "vasily", "vasiliy", "vasilii", "vasyl", "vasil"],
    &["viktor", "victor", "viktar"],
    &["vitali", "vitaly", "vitaliy", "vitalii", "vitalij", "vitaliy"],
    &["vladimir", "volodymyr", "uladzimir", "wladimir", "vladymyr", "uladzimer"],
    &["vladislav", "vladyslav", "uladzislau", "vladislau"],
    &["yaroslav", "iaroslav", "jaroslav", "yaraslau"],
    &["yuri", "yury", "yuriy", "yurii", "iurii", "jurij", "yurij", "jury"],
];

/// Arabic given names: each group is one name, its commonest romanisation first.
pub const ARABIC: &[&[&str]] = &[
    &["muhammad", "mohammed", "mohammad", "mohamed", "mohamad", "muhamad", "muhammed", "mohd", "mouhamed"],
    &["ahmad", "ahmed", "ahmet"],
    &["mahmud", "mahmoud", "mahmood"],
    &["mustafa", "mostafa", "moustafa", "mustapha"],
    &["khalid", "khaled", "khalied"],
    &["hasan", "hassan", "hasaan"],
    &["husayn", "hussein", "husein", "hussain", "husain", "hossein", "hosein", "houssein"],
    &["ali"],
    &["umar", "omar", "omer"],
    &["usama", "osama", "usamah", "oussama"],
    &["abdullah", "abdallah", "abdulla", "abdellah"],
    &["abd", "abdul", "abdel", "abdal", "abdol"],
    &["ibrahim", "ebrahim", "ibraheem", "brahim"],
    &["ismail", "ismael", "esmail", "ismaeel"],
    &["yusuf", "yousef", "youssef", "yousif", "yusef", "yussuf", "youcef", "yousuf"],
    &["yahya", "yehia", "yahia", "yahiya", "yehya", "yihya"],
    &["sulayman", "suleiman", "sulaiman", "soliman", "sleiman", "suleyman", "slimane"],
    &["fayiz", "fayez", "faiz", "fayz"],
    &["nasir", "nasser", "naser", "nassir", "nacer"],
    &["dawud", "daoud", "dawood", "daud", "davood", "daoued"],
    &["ubayda", "ubaydah", "obeida", "obaida", "obayda", "ubaida", "obaidah", "obeidah"],
    &["jamal", "gamal", "djamel"],
    &["jamil", "jameel", "gamil"],
    &["karim", "kareem", "karem"],
    &["hamid", "hameed", "hamed"],
    &["rashid", "rasheed", "rachid", "rashed"],
    &["said", "saeed", "saied"],
    &["salih", "saleh"],
    &["mahdi", "mehdi"],
    &["hamza", "hamzah", "hamzeh"],
    &["bilal", "belal"],
    &["tariq", "tarek", "tarik", "tareq"],
    &["walid", "waleed", "oualid"],
    &["zayd", "zaid", "zeid", "zayed"],
    &["faysal", "faisal", "feisal", "fayssal"],
    &["khalil", "khaleel"],
    &["majid", "majeed", "maged", "magid"],
    &["nabil", "nabeel"],
    &["samir", "sameer", "samer"],
    &["adil", "adel"],
    &["amin", "ameen", "amine"],
    &["abdulaziz", "abdelaziz", "abdalaziz"],
    &["jafar", "jaafar", "jaffar", "djafar"],
    &["mansur", "mansour", "mansoor"],
    &["murad", "mourad", "morad"],
    &["qasim", "qassem", "kassem", "qasem", "kasim", "qassim"],
    &["tahir", "taher", "tahar"],
    &["yasin", "yassin", "yaseen", "yacine"],
    &["yasir", "yasser", "yaser"],
    &["ziyad", "ziad", "zeyad"],
    &["fatima", "fatma", "fatemeh", "fatimah"],
    &["aisha", "ayesha", "aicha", "aysha"],
    &["zaynab", "zainab", "zeinab", "zineb"],
    &["maryam", "mariam", "meryem"],
    &["khadija", "khadijah", "khadidja"],
    &["uthman", "othman", "osman", "usman"],
    &["abbas"],
    &["anas"],
    &["hadi", "hady"],
];

/// Word endings of patronymics, folded (see [`fold`]), longest first:
/// Russian `-ovich`/`-evich`/`-ovna`/`-evna`, Ukrainian `-ovych`/`-ivna`,
/// Belarusian `-avich`/`-avitj`/`-auna`/`-avna`. The last letter says the
/// gender: `a` female.
const PATRONYMIC_ENDINGS: &[&str] = &["aviti", "ovik", "evik", "avik", "ovna", "evna", "ivna", "auna", "avna"];

struct Table {
    /// Folded spelling -> folded first spelling of its group.
    names: HashMap<String, &'static str>,
    /// Folded spellings and their stems (the spelling less its last one or
    /// two letters, at least four letters) -> first spelling, for patronymics.
    stems: HashMap<String, Option<&'static str>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut names = HashMap::new();
    let mut stems: HashMap<String, Option<&'static str>> = HashMap::new();
    for group in EAST_SLAVIC.iter().chain(ARABIC) {
        let first: &'static str = Box::leak(fold(group[0]).into_boxed_str());
        for v in group.iter() {
            let f = fold(v);
            for cut in 0..=2 {
                if f.len() >= 4 + cut {
                    let stem = f[..f.len() - cut].to_string();
                    let e = stems.entry(stem).or_insert(Some(first));
                    if *e != Some(first) {
                        // A stem of two names says neither.
                        *e = None;
                    }
                }
            }
            names.insert(f, first);
        }
    }
    Table { names, stems }
});

/// The one spelling of a given name or patronymic for a folded word, or
/// None when the word is neither: `tetiana` -> `tatiana`,
/// `volodimirivna` -> `vladimirovna`.
pub fn given_name(folded: &str) -> Option<String> {
    let t = &*TABLE;
    if let Some(first) = t.names.get(folded) {
        return Some((*first).to_string());
    }
    for end in PATRONYMIC_ENDINGS {
        let Some(stem) = folded.strip_suffix(end) else { continue };
        if stem.len() < 4 {
            continue;
        }
        if let Some(Some(first)) = t.stems.get(stem) {
            let gender = if end.ends_with('a') { "ovna" } else { "ovik" };
            return Some(format!("{first}{gender}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(w: &str) -> Option<String> {
        given_name(&fold(w))
    }

    #[test]
    fn ukrainian_belarusian_and_russian_forms_are_one_name() {
        assert_eq!(g("tetiana"), g("tatyana"));
        assert_eq!(g("sviatlana"), g("svetlana"));
        assert_eq!(g("volodymyr"), g("vladimir"));
        assert_eq!(g("viktar"), g("viktor"));
        assert_eq!(g("volodymyrivna"), g("vladimirovna"));
        assert_eq!(g("uladzimiravitj"), g("vladimirovich"));
        assert_eq!(g("paulauna"), g("pavlovna"));
        assert_ne!(g("vladimirovna"), g("vladimirovich"), "the gender differs");
        assert_ne!(g("tatiana"), g("natalia"));
        assert_ne!(g("oleksandr"), g("oleksii"));
    }

    #[test]
    fn arabic_romanisations_are_one_name() {
        assert_eq!(g("khalid"), g("khaled"));
        assert_eq!(g("sulayman"), g("suleiman"));
        assert_eq!(g("fayiz"), g("fayez"));
        assert_eq!(g("youssef"), g("yusuf"));
        assert_eq!(g("mohammed"), g("muhammad"));
        assert_ne!(g("hasan"), g("husayn"), "two names");
        assert_ne!(g("ahmad"), g("mahmud"));
    }

    #[test]
    fn other_words_are_not_given_names() {
        for w in ["zhuravleva", "transneft", "huawei", "technology", "hassanein", "ivanova"] {
            assert_eq!(g(w), None, "{w}");
        }
    }

    #[test]
    fn no_spelling_is_in_two_groups() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for group in EAST_SLAVIC.iter().chain(ARABIC) {
            for v in group.iter() {
                let f = fold(v);
                if let Some(other) = seen.insert(f.clone(), group[0]) {
                    assert_eq!(other, group[0], "`{v}` ({f}) is in the groups of {other} and {}", group[0]);
                }
            }
        }
    }
}
