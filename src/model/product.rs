//! The product table (docs/spec.md §5.2): which accelerator a description names, how
//! many GPUs one unit of it holds, and from which date it needs a licence for
//! which destinations. Invoice and customs text (`NVIDIA H100 80GB HBM3 SXM5
//! GPU ACCELERATOR`, `HGX H100 8-GPU server`, `GPU H100 PCIE`) normalises to a
//! model here; the reader counts a server of N GPUs as N units, the policy
//! adds or overrides entries, and the rules ask [`ProductTable::control`]
//! whether a record needed a licence.
//!
//! The built-in controls follow the public rules, each named in its entry:
//! NVIDIA's 8-K of 2022-08-31 (A100/H100), the Interim Final Rule of
//! 2022-10-07 (ECCN 3A090, whose thresholds later flagships exceed from
//! launch), the rule of 2023-10-17 in force 2023-11-17 (A800/H800, L40, L40S,
//! RTX 4090, which lowered the thresholds), and NVIDIA's and AMD's 8-Ks of
//! 2025-04-15 (H20, MI308, licence required from 2025-04-09). `D:5` in a
//! control's destinations stands for the policy's countries of concern
//! (EAR Country Group D:5 with China, Hong Kong and Macau by default).

use super::{Country, Timestamp};
use serde::{Deserialize, Serialize};

/// The destination group that stands for the policy's countries of concern.
pub const D5: &str = "D:5";

/// A licence requirement: the product needs one for these destinations from this date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// `D:5` (the policy's countries of concern) and/or ISO alpha-2 codes.
    pub to: Vec<String>,
    /// First day the requirement applied; a record before it raises no control flag.
    pub from: Timestamp,
    /// Last day it applied, if it was lifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// The public rule behind it, as a reader would look it up.
    pub reason: String,
}

/// A complete system sold as one unit: `DGX H100` holds 8 GPUs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub name: String,
    pub gpus: u32,
}

/// One accelerator model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// The name findings print: `H100`, `RTX 4090`.
    pub model: String,
    /// Other ways the model itself is written (`H100 NVL` needs none: form
    /// factors, memory sizes and vendor names are understood around any model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Complete systems built on this model, with their GPU count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<System>,
    /// Licence requirements; none for a product known to be below the thresholds.
    #[serde(default)]
    pub controls: Vec<Control>,
    /// Why the entry is here, or why it carries no control.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What a product description was recognised as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    /// The model as the table names it.
    pub model: String,
    /// GPUs in one unit of the description: 8 for `HGX H100 8-GPU server` or
    /// `DGX H100`, 1 for a card. A record's quantity is multiplied by it.
    pub gpus_per_unit: u32,
    /// The description names a server, board or rack without saying how many
    /// GPUs it holds: its quantity is counted as written, which may undercount.
    pub count_unknown: bool,
}

/// Why a description was not recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotRecognised {
    /// No model of the table appears in it.
    Unknown,
    /// It names more than one model.
    Ambiguous(Vec<String>),
}

impl std::fmt::Display for NotRecognised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRecognised::Unknown => f.write_str("no known model in it"),
            NotRecognised::Ambiguous(m) => write!(f, "it names several models ({})", m.join(", ")),
        }
    }
}

/// Words that describe a product around its model and never name one: vendors,
/// form factors, memory, packaging. Any other leftover word is ignored too;
/// this list only decides what counts as a server for counting.
const SERVER_WORDS: &[&str] = &[
    "SERVER",
    "SERVERS",
    "SYSTEM",
    "SYSTEMS",
    "NODE",
    "NODES",
    "BOARD",
    "BASEBOARD",
    "HGX",
    "TRAY",
    "RACK",
    "CHASSIS",
];

/// The product table in force: built in, with the policy's additions.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductTable {
    pub products: Vec<Product>,
    /// Alias key (upper-case letters and digits, no spaces) -> (index in
    /// `products`, GPUs per unit).
    keys: std::collections::HashMap<String, (usize, u32)>,
    /// Longest alias, in tokens, to bound the windows tried.
    max_tokens: usize,
}

/// Letters and digits only, upper case: `RTX 4090` -> `RTX4090`.
fn key(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn tokens(s: &str) -> Vec<String> {
    let s = latin_terms(s);
    s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(|t| t.to_ascii_uppercase()).collect()
}

/// "Server" as Chinese (simplified and traditional), Japanese, Korean and
/// Russian invoices write it.
const SERVER_WORDS_OTHER_SCRIPTS: &[&str] =
    &["服务器", "伺服器", "服務器", "サーバー", "サーバ", "서버", "сервер", "Сервер", "СЕРВЕР"];

/// A description's words that are not in Latin letters but say what the
/// Latin ones would, read as those: a server in another script (`推理服务器`
/// = inference server) as `SERVER`; after a number, the Chinese counters
/// 卡 (cards: GPUs in a server's text, else pieces) and 路 (way), and the
/// counters for pieces (片, 块, 张, 个, 台; Russian `шт`) as `PCS`. `推理服务器
/// 8*H20` reads `SERVER 8 H20`, `H20 服务器 (8卡)` reads `H20 SERVER (8 GPU)`.
fn latin_terms(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut t = s.to_string();
    let server = SERVER_WORDS_OTHER_SCRIPTS.iter().any(|w| t.contains(w));
    for w in SERVER_WORDS_OTHER_SCRIPTS {
        t = t.replace(w, " SERVER ");
    }
    let mut out = String::with_capacity(t.len());
    let mut after_digit = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        let counter = match c {
            '卡' if server => Some(" GPU "),
            '卡' => Some(" PCS "),
            '路' => Some(" WAY "),
            '片' | '块' | '塊' | '张' | '張' | '个' | '個' | '台' => Some(" PCS "),
            'ш' | 'Ш' if chars.peek().is_some_and(|n| matches!(n, 'т' | 'Т')) => {
                chars.next();
                Some(" PCS ")
            }
            _ => None,
        };
        match counter {
            Some(word) if after_digit => out.push_str(word),
            _ => out.push(c),
        }
        if !c.is_whitespace() {
            after_digit = c.is_ascii_digit();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A token that states a GPU count: `8GPU`, `8X`, `NVL72`.
fn count_token(t: &str) -> Option<u32> {
    let digits =
        |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten();
    let n = if let Some(d) = t.strip_suffix("GPUS").or_else(|| t.strip_suffix("GPU")) {
        digits(d)
    } else if let Some(d) = t.strip_prefix("NVL") {
        digits(d)
    } else if let Some(d) = t.strip_suffix('X') {
        digits(d)
    } else {
        None
    }?;
    (2..=1024).contains(&n).then_some(n)
}

/// A token that states a server's GPUs as pieces: `8PCS`, `8PC`.
fn pieces_token(t: &str) -> Option<u32> {
    let d = t.strip_suffix("PCS").or_else(|| t.strip_suffix("PC"))?;
    let n = (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).then(|| d.parse::<u32>().ok()).flatten()?;
    (2..=1024).contains(&n).then_some(n)
}

/// Form-factor and memory suffixes written onto a model without a space:
/// `H100SXM5`, `A100-80GB` is split already, `H100PCIE`, `A10080GB` is not tried.
fn strip_suffixes(t: &str) -> &str {
    let mut t = t;
    loop {
        let before = t;
        for suffix in ["PCIE", "SXM6", "SXM5", "SXM4", "SXM3", "SXM2", "SXM", "NVL"] {
            if let Some(rest) = t.strip_suffix(suffix)
                && rest.len() >= 2
            {
                t = rest;
            }
        }
        if t == before {
            return t;
        }
    }
}

impl ProductTable {
    /// Builds the table's look-up keys from its entries. A later entry with
    /// the same model replaces an earlier one (how the policy overrides).
    pub fn new(products: Vec<Product>) -> ProductTable {
        let mut merged: Vec<Product> = Vec::with_capacity(products.len());
        for p in products {
            match merged.iter_mut().find(|m| key(&m.model) == key(&p.model)) {
                Some(m) => *m = p,
                None => merged.push(p),
            }
        }
        let mut keys = std::collections::HashMap::new();
        let mut max_tokens = 1;
        for (i, p) in merged.iter().enumerate() {
            for name in std::iter::once(&p.model).chain(&p.aliases) {
                keys.insert(key(name), (i, 1));
                max_tokens = max_tokens.max(tokens(name).len());
            }
            for s in &p.systems {
                keys.insert(key(&s.name), (i, s.gpus.max(1)));
                max_tokens = max_tokens.max(tokens(&s.name).len());
            }
        }
        ProductTable { products: merged, keys, max_tokens }
    }

    /// The built-in table.
    pub fn builtin() -> ProductTable {
        ProductTable::new(builtin_products())
    }

    pub fn get(&self, model: &str) -> Option<&Product> {
        self.keys.get(&key(model)).map(|&(i, _)| &self.products[i])
    }

    /// Recognises the model a product description names.
    ///
    /// Words around the model (vendor, memory size, form factor, "GPU
    /// ACCELERATOR") are ignored; a GPU count written in the text (`8-GPU`,
    /// `8x`, `NVL72`) or known for a system (`DGX H100`) sets
    /// [`Normalised::gpus_per_unit`].
    ///
    /// # Complexity
    /// O(w x k) for w words and aliases of at most k words.
    pub fn recognise(&self, text: &str) -> Result<Normalised, NotRecognised> {
        let toks = tokens(text);
        let server = toks.iter().any(|t| SERVER_WORDS.contains(&t.as_str()));
        // Longest windows of consecutive tokens first, so `DGX H100` beats
        // `H100` and `RTX 4090 D` beats `RTX 4090`.
        let mut found: Vec<(usize, u32)> = Vec::new();
        let mut used = vec![false; toks.len()];
        for len in (1..=self.max_tokens.min(toks.len())).rev() {
            for start in 0..=toks.len() - len {
                if used[start..start + len].iter().any(|&u| u) {
                    continue;
                }
                let joined: String = toks[start..start + len].concat();
                let hit = self
                    .keys
                    .get(&joined)
                    .or_else(|| (len == 1).then(|| self.keys.get(strip_suffixes(&joined))).flatten());
                if let Some(&hit) = hit {
                    used[start..start + len].iter_mut().for_each(|u| *u = true);
                    found.push(hit);
                }
            }
        }
        // A count, outside the model's own words, is `8 GPU` (two tokens) or
        // one token such as `8GPU`, `8X`, `NVL72`. In a server's description
        // customs clerks also write the GPUs it carries as pieces or as a
        // multiple: `8 X NVIDIA H200 GPU`, `8PCS H200`, `WITH 8 H100`
        // (a number just before the model); a card's `8 PCS` is a package
        // count and is not read.
        let mut written_count: Option<u32> = None;
        // A bare number just before the model (`WITH 8 H100`): read only for
        // a server whose system name gives no count (`2 DGX H100` are two systems).
        let mut before_model: Option<u32> = None;
        for (i, t) in toks.iter().enumerate() {
            if used[i] {
                continue;
            }
            let next = toks.get(i + 1).map(String::as_str);
            let two = matches!(next, Some("GPU" | "GPUS" | "WAY"))
                || (server && matches!(next, Some("X" | "PCS" | "PC" | "PIECES" | "NOS")));
            let number = t.parse::<u32>().ok().filter(|n| (2..=1024).contains(n));
            if two && let Some(n) = number {
                written_count.get_or_insert(n);
            } else if let Some(n) = count_token(t).or_else(|| if server { pieces_token(t) } else { None }) {
                written_count.get_or_insert(n);
            } else if server && used.get(i + 1) == Some(&true) && t.len() <= 2 {
                before_model = before_model.or(number);
            }
        }
        let mut models: Vec<usize> = found.iter().map(|&(i, _)| i).collect();
        models.sort_unstable();
        models.dedup();
        match models.as_slice() {
            [] => Err(NotRecognised::Unknown),
            [i] => {
                let system = found.iter().map(|&(_, g)| g).max().unwrap_or(1);
                let written_count = written_count.or(before_model.filter(|_| system == 1));
                let gpus = written_count.unwrap_or(system);
                Ok(Normalised {
                    model: self.products[*i].model.clone(),
                    gpus_per_unit: gpus,
                    count_unknown: server && written_count.is_none() && system == 1,
                })
            }
            many => Err(NotRecognised::Ambiguous(many.iter().map(|&i| self.products[i].model.clone()).collect())),
        }
    }

    /// The control that made a record of `model` to `country` on `date` need a
    /// licence, if any. `concern` says whether a country is of concern (`D:5`).
    pub fn control(
        &self,
        model: &str,
        country: Country,
        date: Timestamp,
        concern: impl Fn(Country) -> bool,
    ) -> Option<&Control> {
        self.get(model)?.controls.iter().find(|c| {
            c.from <= date
                && c.until.is_none_or(|u| date <= u)
                && c.to.iter().any(|d| if d == D5 { concern(country) } else { Country::parse(d) == Some(country) })
        })
    }

    /// Whether any control on `model` is in force on `date`, whatever the
    /// destination: the gate for pattern rules, since before a product's
    /// first control nobody had a reason to hide where it went.
    pub fn controlled_at(&self, model: &str, date: Timestamp) -> bool {
        self.get(model).is_some_and(|p| p.controls.iter().any(|c| c.from <= date && c.until.is_none_or(|u| date <= u)))
    }

    /// Whether `model` carries any control at any date.
    pub fn ever_controlled(&self, model: &str) -> bool {
        self.get(model).is_some_and(|p| !p.controls.is_empty())
    }
}

/// Whether an HS code is a heading under which GPUs and GPU servers are
/// declared: 8471 (computers, servers), 8473.30 (parts of computers, GPU
/// boards), 8542.31 (processors), 8543.70 (other machines, some accelerators).
/// It never names a model; it says a description that names none is
/// computing hardware worth a second look (`import`'s warning, the
/// `unverified_product` rule).
pub fn computing_heading(hs_code: &str) -> bool {
    let digits: String = hs_code.chars().filter(char::is_ascii_digit).collect();
    ["8471", "847330", "854231", "854370"].iter().any(|h| digits.starts_with(h))
}

/// Recognises a product description against the built-in table (for
/// `chiptrace import`, which runs before a case has a policy).
pub fn normalise(text: &str) -> Option<Normalised> {
    static TABLE: std::sync::OnceLock<ProductTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(ProductTable::builtin).recognise(text).ok()
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or(Timestamp(0))
}

const R_2022_08: &str = "NVIDIA 8-K of 2022-08-31: the US government told NVIDIA a licence is required for A100 and \
     H100 exports to China (including Hong Kong) and Russia; made ECCN 3A090 by the rule of 2022-10-07";
const R_2022_10: &str = "Interim Final Rule of 2022-10-07 (87 FR 62186), ECCN 3A090: total processing performance \
     4800 or more with 600 GB/s interconnect; this model exceeds both from launch, so the date never binds";
const R_2023_11: &str = "Interim Final Rule of 2023-10-17 (88 FR 73458), in force 2023-11-17: ECCN 3A090 without \
     the interconnect test and with a performance-density test, licence required for D:1, D:4 and D:5; \
     NVIDIA's 8-K of 2023-10-24 names A800, H800, L40, L40S and RTX 4090";
const R_2025_04_NV: &str = "NVIDIA 8-K of 2025-04-15: on 2025-04-09 the US government told NVIDIA a licence is \
     required for H20 exports to China (including Hong Kong and Macau) and D:5 countries";
const R_2025_04_AMD: &str = "AMD 8-K of 2025-04-16: licence required for MI308 exports to China (including Hong \
     Kong and Macau) and D:5 countries, from the notice of 2025-04-09";
const R_AMD_2022: &str = "AMD statement of 2022-08-31: told that MI250 exports to China and Russia need a licence \
     (the A100/H100 notice); ECCN 3A090 from the rule of 2022-10-07";

fn product(model: &str, aliases: &[&str], systems: &[(&str, u32)], controls: &[(&str, &str)], note: &str) -> Product {
    Product {
        model: model.to_string(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        systems: systems.iter().map(|&(name, gpus)| System { name: name.to_string(), gpus }).collect(),
        controls: controls
            .iter()
            .map(|&(from, reason)| Control {
                to: vec![D5.to_string()],
                from: ts(from),
                until: None,
                reason: reason.to_string(),
            })
            .collect(),
        note: note.to_string(),
    }
}

/// The built-in products. Every entry with controls names the rule; entries
/// without controls are models known to be below the 3A090 thresholds, so
/// that they are recognised (no warning) and plainly not controlled.
pub fn builtin_products() -> Vec<Product> {
    vec![
        product("A100", &[], &[("DGX A100", 8)], &[("2022-08-31", R_2022_08)], ""),
        product("H100", &[], &[("DGX H100", 8)], &[("2022-08-31", R_2022_08)], ""),
        product("A800", &[], &[], &[("2023-11-17", R_2023_11)], "the A100 cut for China after the 2022 rule"),
        product("H800", &[], &[], &[("2023-11-17", R_2023_11)], "the H100 cut for China after the 2022 rule"),
        product("L40", &[], &[], &[("2023-11-17", R_2023_11)], ""),
        product("L40S", &[], &[], &[("2023-11-17", R_2023_11)], ""),
        product("RTX 4090", &[], &[], &[("2023-11-17", R_2023_11)], "a consumer card caught by the 2023 thresholds"),
        product(
            "RTX 4090 D",
            &[],
            &[],
            &[],
            "the China variant of the RTX 4090, cut below the 2023 thresholds (total processing performance under 4800)",
        ),
        product(
            "H20",
            &[],
            &[],
            &[("2025-04-09", R_2025_04_NV)],
            "below the 2023 thresholds; controlled by the notice of 2025-04-09",
        ),
        product("H200", &[], &[("DGX H200", 8)], &[("2022-10-07", R_2022_10)], ""),
        product("GH200", &[], &[], &[("2022-10-07", R_2022_10)], "Grace Hopper superchip, counted as one GPU"),
        product("B100", &[], &[], &[("2022-10-07", R_2022_10)], ""),
        product("B200", &[], &[("DGX B200", 8)], &[("2022-10-07", R_2022_10)], ""),
        product(
            "GB200",
            &[],
            &[],
            &[("2022-10-07", R_2022_10)],
            "a GB200 NVL72 rack is written with its count (NVL72 = 72 GPUs)",
        ),
        product("B300", &[], &[("DGX B300", 8)], &[("2022-10-07", R_2022_10)], ""),
        product("GB300", &[], &[], &[("2022-10-07", R_2022_10)], ""),
        product("MI250X", &["MI250"], &[], &[("2022-08-31", R_AMD_2022)], "AMD Instinct; MI250 is counted with it"),
        product("MI300X", &["MI300A"], &[], &[("2022-10-07", R_2022_10)], "AMD Instinct"),
        product("MI308", &["MI308X"], &[], &[("2025-04-09", R_2025_04_AMD)], "AMD Instinct cut for China"),
        product("T4", &[], &[], &[], "below the 3A090 thresholds (total processing performance about 1000)"),
        product(
            "A10",
            &[],
            &[],
            &[],
            "below the 3A090 thresholds (total processing performance about 2000, density about 3)",
        ),
        product("RTX 4080", &[], &[], &[], "below the 3A090 thresholds (total processing performance under 1600)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> Option<(String, u32, bool)> {
        normalise(s).map(|n| (n.model, n.gpus_per_unit, n.count_unknown))
    }

    #[test]
    fn invoice_text_normalises_to_the_model() {
        assert_eq!(norm("NVIDIA H100 80GB HBM3 SXM5 GPU ACCELERATOR"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("GPU H100 PCIE"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("h100"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("H100-SXM5-80GB"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("H100SXM5"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("NVIDIA H100 NVL 94GB"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("NVIDIA A100-SXM4-40GB"), Some(("A100".into(), 1, false)));
        assert_eq!(norm("GeForce RTX 4090 24GB"), Some(("RTX 4090".into(), 1, false)));
        assert_eq!(norm("RTX4090"), Some(("RTX 4090".into(), 1, false)));
        assert_eq!(norm("NVIDIA GeForce RTX 4090 D"), Some(("RTX 4090 D".into(), 1, false)));
        assert_eq!(norm("H20 96GB"), Some(("H20".into(), 1, false)));
        assert_eq!(norm("AMD Instinct MI300X OAM"), Some(("MI300X".into(), 1, false)));
    }

    #[test]
    fn servers_count_their_gpus_where_the_text_says_so() {
        assert_eq!(norm("HGX H100 8-GPU server"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("8x NVIDIA H100 SXM5 server"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("DGX H100"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("NVIDIA DGX-H100 system"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("GB200 NVL72 rack"), Some(("GB200".into(), 72, false)));
        assert_eq!(norm("HGX H200 4 GPU baseboard"), Some(("H200".into(), 4, false)));
        // As customs clerks write a server's GPUs: a multiple, pieces, a number before the model.
        assert_eq!(norm("SERVER C/W 8 X NVIDIA H200 GPU"), Some(("H200".into(), 8, false)));
        assert_eq!(norm("SERVER W/ 8PCS H200 141GB GPU"), Some(("H200".into(), 8, false)));
        assert_eq!(norm("GPU SERVER WITH 8 PCS NVIDIA H100"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("4U SERVER WITH 8*H100 SXM5"), Some(("H100".into(), 8, false)));
        // A card's pieces are a package count, not GPUs per unit; a memory size is no count.
        assert_eq!(norm("NVIDIA H100 80GB PCIE 8 PCS"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("NVIDIA H100 80GB PCIE 8PCS"), Some(("H100".into(), 1, false)));
        assert_eq!(norm("H200 141GB SERVER"), Some(("H200".into(), 1, true)));
        assert_eq!(norm("2 DGX H100 SYSTEMS"), Some(("H100".into(), 8, false)));
        // A server that does not say how many GPUs it holds is counted as written, and says so.
        assert_eq!(norm("Supermicro H100 server"), Some(("H100".into(), 1, true)));
        // A server written in another script, its GPUs as `8*` or the counter 卡 (cards).
        assert_eq!(norm("推理服务器 8*H20"), Some(("H20".into(), 8, false)));
        assert_eq!(norm("服务器 8卡 H20"), Some(("H20".into(), 8, false)));
        assert_eq!(norm("H20 服务器 (8卡)"), Some(("H20".into(), 8, false)));
        assert_eq!(norm("H20 伺服器 8 卡"), Some(("H20".into(), 8, false)));
        assert_eq!(norm("GPUサーバー H100 8基"), Some(("H100".into(), 1, true)));
        assert_eq!(norm("Сервер 8x H100 SXM5"), Some(("H100".into(), 8, false)));
        assert_eq!(norm("推理服务器 H20"), Some(("H20".into(), 1, true)));
        // Near misses: a graphics card (显卡) is no server, and a card's `8卡` or `8片` is a package count.
        assert_eq!(norm("显卡 GEFORCE RTX 4090D 24GB 游戏显卡"), Some(("RTX 4090 D".into(), 1, false)));
        assert_eq!(norm("H20 显卡 8卡"), Some(("H20".into(), 1, false)));
        assert_eq!(norm("H100 80GB 8片"), Some(("H100".into(), 1, false)));
    }

    #[test]
    fn unknown_and_ambiguous_text_is_not_recognised() {
        let t = ProductTable::builtin();
        assert_eq!(t.recognise("Zephyr X9 accelerator"), Err(NotRecognised::Unknown));
        assert_eq!(t.recognise("H1000"), Err(NotRecognised::Unknown));
        // A model's own words are never read as a GPU count.
        let mut with_x9 = builtin_products();
        with_x9.push(product("Zephyr X9", &[], &[], &[], ""));
        let t9 = ProductTable::new(with_x9);
        assert_eq!(t9.recognise("Zephyr X9 8-GPU server").map(|n| n.gpus_per_unit), Ok(8));
        assert_eq!(t9.recognise("Zephyr X9").map(|n| n.gpus_per_unit), Ok(1));
        assert_eq!(t.recognise("H200 or H100"), Err(NotRecognised::Ambiguous(vec!["H100".into(), "H200".into()])));
        // H20 and H200 are different models, not prefixes of each other.
        assert_eq!(norm("H200").map(|n| n.0), Some("H200".into()));
    }

    #[test]
    fn controls_apply_from_their_date_to_their_destinations() {
        let t = ProductTable::builtin();
        let cn = Country::from_code(b"CN");
        let jp = Country::from_code(b"JP");
        let concern = |c: Country| c == cn;
        let d = |s| Timestamp::parse(s).unwrap();
        assert!(t.control("RTX 4090", cn, d("2024-03-01"), concern).is_some());
        assert!(t.control("RTX 4090", cn, d("2023-11-16"), concern).is_none());
        assert!(t.control("H20", cn, d("2024-06-01"), concern).is_none());
        assert!(t.control("H20", cn, d("2025-04-09"), concern).is_some());
        assert!(t.control("H100", jp, d("2024-06-01"), concern).is_none());
        assert!(t.control("RTX 4090 D", cn, d("2024-06-01"), concern).is_none());
        assert!(t.controlled_at("H100", d("2023-01-01")) && !t.controlled_at("H20", d("2024-12-31")));
    }
}
