//! Names for a synthetic world: company names in each country's style with
//! its legal forms, people's names, street addresses, and the spelling
//! variants under which a listed party appears in trade documents (legal-form
//! changes, abbreviations, transliteration-like respellings).
//!
//! Listed parties draw on their own vocabulary ([`LISTED_CORES`]) so that a
//! background company never matches a screening list by accident.

use super::rng::Rng;

/// Words that start a background company's name anywhere.
const COMMON: &[&str] = &[
    "Pacific",
    "Atlas",
    "Summit",
    "Apex",
    "Harbor",
    "Orion",
    "Vertex",
    "Nova",
    "Silverline",
    "Meridian",
    "Crescent",
    "Pioneer",
    "Zenith",
    "Northwind",
    "Evergreen",
    "Granite",
    "Lumen",
    "Cobalt",
    "Redwood",
    "Keystone",
    "Horizon",
    "Sterling",
    "Aurora",
    "Titan",
    "Vanguard",
    "Beacon",
    "Cascade",
    "Sapphire",
    "Emerald",
    "Polaris",
    "Nimbus",
    "Helix",
    "Vector",
    "Strata",
    "Prism",
    "Sequoia",
    "Lotus",
    "Bluewater",
    "Ironbridge",
    "Clearpath",
    "Brightline",
    "Skyline",
    "Oakmont",
    "Westgate",
    "Eastbay",
    "Crosspoint",
    "Highland",
    "Riverside",
    "Starling",
    "Copperleaf",
];

/// Words that give a name a country's flavour.
fn local_words(country: &str) -> &'static [&'static str] {
    match country {
        "US" => &["Liberty", "Golden Gate", "Lone Star", "Great Lakes", "Bayview", "Mesa", "Frontier"],
        "JP" => &["Sakura", "Fuji", "Kansai", "Hoshi", "Midori", "Tokai", "Asahi", "Kaze", "Yamato", "Hikari"],
        "KR" => &["Hanbit", "Daehan", "Saebyeok", "Mirae", "Hanul", "Gaon", "Nuri", "Bitsol"],
        "CN" => {
            &["Tianrui", "Jinhong", "Haoyun", "Longteng", "Ruixin", "Yuanda", "Hongda", "Xingyue", "Shengshi", "Jiahe"]
        }
        "HK" => &["Kowloon", "Victoria", "Golden Bridge", "Lucky Star", "Harbour Gate", "Wing Fat", "Tai Ping"],
        "TW" => &["Formosa", "Hsinchu", "Yung Feng", "Chung Yuan", "Da An", "Tai Yang"],
        "SG" => &["Merlion", "Lion City", "Marina", "Orchard", "Raffles Bay", "Straits"],
        "MY" => &["Nusantara", "Kinabalu", "Permata", "Johor Bay", "Seri", "Mutiara"],
        "DE" => &["Rhein", "Nordstern", "Alpen", "Elbe", "Schwarzwald", "Hansa"],
        "NL" => &["Delta", "Oranje", "Noordzee", "Polder", "Zuidas"],
        "IN" => &["Shakti", "Vayu", "Indus", "Ganga", "Surya", "Akash"],
        "AE" => &["Al Noor", "Gulf Star", "Al Safa", "Desert Falcon", "Al Waha", "Jumeirah Bay"],
        "GB" => &["Thames", "Albion", "Pennine", "Kingsway"],
        "FR" => &["Lumiere", "Garonne", "Azur", "Bastille"],
        "AU" => &["Southern Cross", "Coral Sea", "Outback", "Eucalypt"],
        "CA" => &["Maple", "Laurentian", "Borealis"],
        "IL" => &["Carmel", "Negev", "Galil"],
        "TH" => &["Siam", "Chao Phraya", "Lanna"],
        "VN" => &["Saigon", "Hoan Kiem", "Mekong"],
        "SA" => &["Najd", "Al Rawdah", "Red Sea"],
        _ => &["Continental", "Global"],
    }
}

/// Words that say what a company does, by entity kind.
fn kind_words(kind: &str) -> &'static [&'static str] {
    match kind {
        "manufacturer" => &["Semiconductor", "Microdevices", "Silicon"],
        "distributor" => &["Distribution", "Components", "Electronics Supply", "Electronic Components"],
        "reseller" => &["Trading", "Technology", "Systems", "Tech Supply", "Solutions", "Computer Trading"],
        "integrator" => &["Systems Integration", "Server Systems", "Computing Solutions", "Integration"],
        "logistics" => &["Logistics", "Freight", "Forwarding", "Express Cargo", "Supply Chain"],
        "data_centre" => &["Data Centre", "Compute Park", "Data Hall", "Digital Infrastructure"],
        "cloud" => &["Cloud", "Cloud Services", "GPU Cloud", "Compute"],
        "end_user" => &["Robotics", "AI Lab", "Analytics", "Biotech", "Autonomous Systems", "Research", "Fintech"],
        "investor" => &["Capital", "Holdings", "Investments", "Ventures", "Group"],
        _ => &["Enterprises"],
    }
}

/// The usual legal forms of a country.
fn legal_forms(country: &str) -> &'static [&'static str] {
    match country {
        "US" => &["Inc.", "LLC", "Corp."],
        "SG" => &["Pte. Ltd."],
        "MY" => &["Sdn. Bhd."],
        "JP" => &["K.K.", "Co., Ltd."],
        "KR" => &["Co., Ltd.", "Inc."],
        "DE" => &["GmbH", "AG"],
        "NL" => &["B.V."],
        "IN" => &["Private Limited", "Pvt. Ltd."],
        "AE" => &["FZE", "LLC", "FZCO"],
        "CN" => &["Co., Ltd.", "Company Limited"],
        "HK" => &["Limited"],
        "TW" => &["Co., Ltd.", "Corporation"],
        "GB" => &["Ltd", "PLC"],
        "FR" => &["SAS", "SA"],
        "AU" => &["Pty Ltd"],
        "CA" => &["Inc.", "Ltd."],
        "IL" => &["Ltd."],
        "TH" => &["Co., Ltd."],
        "VN" => &["JSC", "Co., Ltd."],
        "SA" => &["LLC"],
        "RU" => &["LLC", "JSC"],
        "IR" => &["Co."],
        _ => &["Ltd."],
    }
}

/// Cities that prefix many Chinese company names.
const CN_CITIES: &[&str] = &["Shenzhen", "Shanghai", "Beijing", "Hangzhou", "Guangzhou", "Chengdu", "Suzhou", "Wuhan"];

/// A background company name for an entity of `kind` in `country`.
pub fn company(rng: &mut Rng, kind: &str, country: &str) -> String {
    let local = local_words(country);
    let first = if rng.chance(0.45) { rng.pick(local) } else { rng.pick(COMMON) };
    let mut name = String::new();
    if country == "CN" && rng.chance(0.6) {
        name.push_str(rng.pick(CN_CITIES));
        name.push(' ');
    }
    name.push_str(first);
    if rng.chance(0.35) {
        name.push(' ');
        name.push_str(rng.pick(COMMON));
    }
    name.push(' ');
    name.push_str(rng.pick(kind_words(kind)));
    name.push(' ');
    name.push_str(rng.pick(legal_forms(country)));
    name
}

const FIRST: &[(&str, &[&str])] = &[
    ("CN", &["Wei", "Jing", "Hao", "Lei", "Min", "Yan", "Jun", "Xiaoming", "Li", "Fang"]),
    ("HK", &["Ka Wai", "Chi Ming", "Siu Fung", "Wing Yee", "Kwok Leung"]),
    ("JP", &["Hiroshi", "Yuki", "Takeshi", "Aiko", "Kenji", "Naoko"]),
    ("KR", &["Min-jun", "Seo-yeon", "Ji-hoon", "Hye-jin"]),
    ("RU", &["Alexei", "Dmitry", "Irina", "Sergei", "Olga"]),
    ("IN", &["Arjun", "Priya", "Rahul", "Ananya", "Vikram"]),
    ("AE", &["Omar", "Fatima", "Khalid", "Aisha"]),
    ("DE", &["Jonas", "Lena", "Matthias", "Katrin"]),
];
const LAST: &[(&str, &[&str])] = &[
    ("CN", &["Chen", "Wang", "Li", "Zhang", "Liu", "Zhao", "Huang", "Zhou"]),
    ("HK", &["Chan", "Wong", "Leung", "Cheung", "Lau"]),
    ("JP", &["Tanaka", "Suzuki", "Sato", "Watanabe", "Ito"]),
    ("KR", &["Kim", "Lee", "Park", "Choi"]),
    ("RU", &["Ivanov", "Petrova", "Smirnov", "Volkov"]),
    ("IN", &["Sharma", "Patel", "Iyer", "Reddy"]),
    ("AE", &["Al Mansoori", "Al Hashimi", "Al Falasi"]),
    ("DE", &["Muller", "Schmidt", "Weber", "Fischer"]),
];
const ANY_FIRST: &[&str] = &["James", "Maria", "David", "Sarah", "Michael", "Anna", "Daniel", "Emily", "Ahmad", "Nur"];
const ANY_LAST: &[&str] = &["Smith", "Tan", "Lim", "Nguyen", "Garcia", "Brown", "Cohen", "Martin", "Rahman", "Ong"];

/// A person's name in the style of `country`.
pub fn person(rng: &mut Rng, country: &str) -> String {
    let first = FIRST.iter().find(|(c, _)| *c == country).map(|(_, w)| *w).unwrap_or(ANY_FIRST);
    let last = LAST.iter().find(|(c, _)| *c == country).map(|(_, w)| *w).unwrap_or(ANY_LAST);
    let (f, l) = (rng.pick(first), rng.pick(last));
    if matches!(country, "CN" | "HK" | "KR") { format!("{l} {f}") } else { format!("{f} {l}") }
}

const STREETS: &[&str] = &["Harbour Road", "Industrial Park", "Tech Avenue", "Commerce Street", "Science Park Road"];

/// A registered address; `n` makes it unlikely to be shared by chance.
pub fn address(rng: &mut Rng, country: &str) -> String {
    let city = match country {
        "US" => "San Jose, CA",
        "SG" => "Singapore",
        "MY" => "Johor Bahru",
        "JP" => "Tokyo",
        "KR" => "Seoul",
        "DE" => "Frankfurt",
        "NL" => "Amsterdam",
        "IN" => "Bengaluru",
        "AE" => "Dubai",
        "CN" => "Shenzhen",
        "HK" => "Kowloon",
        "TW" => "Hsinchu",
        "RU" => "Moscow",
        _ => "Capital City",
    };
    format!("{} {}, Unit {}, {city}", rng.range(1, 400), rng.pick(STREETS), rng.range(1, 3000))
}

/// Core words of listed parties' names, kept apart from [`COMMON`] and
/// [`local_words`] so that listing is never an accident of the vocabulary.
pub const LISTED_CORES: &[(&str, &[&str])] = &[
    (
        "CN",
        &[
            "Zhiyuan",
            "Lingxi",
            "Huaxin",
            "Qiming",
            "Haoxing",
            "Jiuzhou",
            "Xinghan",
            "Ruiyang",
            "Boyuan",
            "Yunmai",
            "Tianshu",
            "Mingde",
            "Huanyu",
            "Xinrui",
            "Jinwei",
            "Kaiyuan",
            "Zhongrui",
            "Hengyuan",
            "Yuxing",
            "Longxin",
            "Chenguang",
            "Anxin",
            "Lianhe",
            "Wanfang",
            "Hongyuan",
            "Deyi",
            "Jiarui",
        ],
    ),
    ("HK", &["Kexin", "Dingsheng", "Hanwei", "Tengyue"]),
    ("RU", &["Tekhnoprom", "Severnaya Zvezda", "Vostok Kompyut", "Uralskiy Signal", "Amur Elektronika"]),
    ("IR", &["Pars Rayaneh", "Arya Sanat", "Kaveh Pardazesh"]),
];

const LISTED_TAILS: &[&str] =
    &["Intelligent Computing", "Technology", "Microelectronics", "Advanced Computing", "Supercomputing", "Electronics"];

/// The name of a listed party as the list prints it.
pub fn listed_name(rng: &mut Rng, country: &str, kind_word: Option<&str>) -> String {
    let cores = LISTED_CORES.iter().find(|(c, _)| *c == country).map(|(_, w)| *w).unwrap_or(LISTED_CORES[0].1);
    let core = rng.pick(cores);
    let tail = kind_word.unwrap_or_else(|| rng.pick(LISTED_TAILS));
    match country {
        "CN" => format!("{} {core} {tail} Co., Ltd.", rng.pick(CN_CITIES)),
        "HK" => format!("{core} {tail} Limited"),
        "RU" => format!("{core} {tail} LLC"),
        _ => format!("{core} {tail} Co."),
    }
}

/// How a listed name was changed on the trade documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `Co., Ltd.` -> `Company Limited`, `LLC` -> `OOO`.
    LegalForm,
    /// `Technology` -> `Tech`, the city prefix dropped.
    Abbreviation,
    /// `Zhiyuan` -> `Zhi Yuan`, `zh` -> `j`, `kh` -> `h`.
    Transliteration,
    /// As customs data writes it: upper case, no punctuation, short legal
    /// forms (`BEIJING ZHIYUAN TECH CO LTD`).
    Customs,
}

/// The listed `name` as it appears on trade documents.
pub fn variant(name: &str, how: Variant) -> String {
    match how {
        Variant::Customs => {
            let mut s: String =
                name.to_uppercase().chars().filter(|c| !matches!(c, '.' | ',' | '(' | ')' | '"')).collect();
            for (from, to) in [
                ("COMPANY LIMITED", "CO LTD"),
                ("LIMITED", "LTD"),
                ("COMPANY", "CO"),
                ("TECHNOLOGY", "TECH"),
                ("TECHNOLOGIES", "TECH"),
                ("INTERNATIONAL", "INTL"),
            ] {
                s = s.replace(from, to);
            }
            s.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        Variant::LegalForm => {
            let swaps = [
                ("Co., Ltd.", "Company Limited"),
                ("Company Limited", "Co. Ltd"),
                (" Limited", " Ltd."),
                (" LLC", " OOO"),
                (" Co.", " Company"),
            ];
            for (from, to) in swaps {
                if name.contains(from) {
                    return name.replacen(from, to, 1);
                }
            }
            format!("{name} Ltd.")
        }
        Variant::Abbreviation => {
            let mut s = name.to_string();
            for (from, to) in [
                ("Technology", "Tech"),
                ("Intelligent Computing", "Intelligent Comp."),
                ("Microelectronics", "Microelec."),
                ("Advanced Computing", "Adv. Computing"),
                ("Electronics", "Elec."),
                ("Supercomputing", "Supercomp."),
            ] {
                s = s.replacen(from, to, 1);
            }
            // Drop a leading city, as trade documents often do.
            if let Some(rest) = CN_CITIES.iter().find_map(|c| s.strip_prefix(&format!("{c} "))) {
                s = rest.to_string();
            }
            s
        }
        Variant::Transliteration => {
            let mut words: Vec<String> = name.split(' ').map(String::from).collect();
            // Respell the first distinctive word (after a city).
            let at = usize::from(CN_CITIES.contains(&words[0].as_str())).min(words.len() - 1);
            let w = &words[at];
            match split_syllables(w) {
                Some(respelled) => {
                    words[at] = respelled;
                    words.join(" ")
                }
                // Romanisations of Russian and Persian differ in these letters.
                None => name
                    .replace("kh", "h")
                    .replace("ya", "ia")
                    .replace("iy", "ii")
                    .replace("yu", "iu")
                    .replace("zh", "j")
                    .replace("Zh", "J"),
            }
        }
    }
}

/// `Zhiyuan` -> `Zhi Yuan`: pinyin compounds written as separate syllables.
fn split_syllables(w: &str) -> Option<String> {
    const SECOND: &[&str] = &[
        "yuan", "xi", "xin", "ming", "xing", "zhou", "han", "yang", "mai", "sheng", "wei", "yue", "ran", "shu", "de",
        "yu", "rui", "guang", "he", "fang", "yi",
    ];
    let lower = w.to_ascii_lowercase();
    SECOND.iter().filter(|s| lower.len() > s.len() + 1 && lower.ends_with(*s)).max_by_key(|s| s.len()).map(|s| {
        let cut = w.len() - s.len();
        let (a, b) = w.split_at(cut);
        let mut b = b.to_string();
        b[..1].make_ascii_uppercase();
        format!("{a} {b}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_differ_from_the_listed_name() {
        let name = "Beijing Zhiyuan Intelligent Computing Co., Ltd.";
        assert_eq!(variant(name, Variant::LegalForm), "Beijing Zhiyuan Intelligent Computing Company Limited");
        assert_eq!(variant(name, Variant::Abbreviation), "Zhiyuan Intelligent Comp. Co., Ltd.");
        assert_eq!(variant(name, Variant::Transliteration), "Beijing Zhi Yuan Intelligent Computing Co., Ltd.");
        assert_eq!(variant("Tekhnoprom Electronics LLC", Variant::Transliteration), "Tehnoprom Electronics LLC");
    }
}
