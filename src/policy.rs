//! The screening policy: countries of concern, controlled products, hubs,
//! dated rules, thresholds and rule weights (docs/spec.md §4). Built in, overridable
//! key by key from a `policy.toml`. Each default carries the reason for its
//! value; `chiptrace scan --format json` and HTML reports print the policy used.

use crate::diag::Diagnostics;
use crate::model::product::{Control, D5, Product};
use crate::model::{Country, ProductTable, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The policy in force for one scan.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// China, Hong Kong and Macau (treated as China under the EAR since 2020)
    /// and the other EAR Country Group D:5 countries.
    pub countries_of_concern: Vec<Country>,
    /// The product table (docs/spec.md §5.2): models with their aliases, server
    /// systems and dated licence requirements, each with the public rule behind
    /// it (see `model::product`). Replacing it replaces the whole table.
    pub products: Vec<Product>,
    /// Entries added to the table; one with the model of a built-in entry
    /// replaces it (`controls = []` lifts its controls).
    pub add_products: Vec<Product>,
    /// When given, only these models are controlled (a name the table does not
    /// control is controlled for D:5 at every date). Absent: every product the
    /// table controls, from its dates. Products the table knows without
    /// controls (a consumer card) raise no country or route flag on their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controlled_products: Option<Vec<String>>,
    /// Countries through which diverted chips are most often routed in
    /// reported cases (docs/spec.md §4 fixes the built-in list: Singapore,
    /// Malaysia, Thailand, Vietnam, the UAE, Taiwan, India and Indonesia, the
    /// routes to China). A case about Russia or Belarus adds the
    /// transshipment points the FinCEN and BIS Joint Alert FIN-2022-Alert003
    /// (June 28, 2022; reaffirmed by the Supplemental Alert FIN-2023-Alert004
    /// of May 19, 2023) names on Russia's own routes with `add_hub_countries
    /// = ["AM", "GE", "KG", "KZ", "TJ", "TR", "UZ"]` in its policy.toml: they
    /// are not built in because the contract's default list is what users'
    /// findings rest on.
    pub hub_countries: Vec<Country>,
    /// Added to the lists above instead of replacing them (a product named in
    /// `add_controlled_products` that the table does not control is
    /// controlled for D:5 at every date).
    pub add_countries_of_concern: Vec<Country>,
    pub add_controlled_products: Vec<String>,
    pub add_hub_countries: Vec<Country>,
    /// The Entity List affiliates (50%) rule took effect on this date...
    pub affiliates_rule_effective: Timestamp,
    /// ...and was suspended over this period (inclusive).
    pub affiliates_rule_suspended_from: Timestamp,
    pub affiliates_rule_suspended_until: Timestamp,
    /// Units sold on within this many days of arriving are a rapid resale: in the
    /// reported diversion cases shell intermediaries resold within days, while
    /// normal distribution holds stock for one to three months.
    pub rapid_resale_days: f64,
    /// A hub country passage shorter than this is a transshipment rather than
    /// a sale into that market (two weeks covers a forwarder's turnaround).
    pub hub_dwell_days: f64,
    /// An intermediary incorporated less than this many days before its first
    /// trade is new: half a year is shorter than any genuine distributor's
    /// vetting by a chip maker's channel programme.
    pub shell_age_days: f64,
    /// More intermediaries than this between maker and terminal within
    /// `long_chain_window_days` is layering: normal channels are maker,
    /// distributor, reseller or integrator, customer.
    pub long_chain_hops: usize,
    pub long_chain_window_days: f64,
    /// Lowest fuzzy name similarity (0..1) reported as a list match. Below 0.88
    /// Jaro-Winkler starts to pair unrelated company names with a shared word.
    pub fuzzy_threshold: f64,
    /// A data centre that installed, leased or sold on less than this share of
    /// what it received holds stock undeployed.
    pub undeployed_ratio: f64,
    /// Undeployed stock smaller than this many units is ordinary spares.
    pub undeployed_min_units: u64,
    /// Share held (alone or together) by listed parties that makes an affiliate.
    pub affiliate_share: f64,
    /// Score cut-offs: at or above `severity_high` is high, at or above `severity_medium` medium.
    pub severity_high: f64,
    pub severity_medium: f64,
    /// Weight of each rule in the score (see `scan::score`).
    pub weights: BTreeMap<String, f64>,
    /// The share of the gap to 1 that flags about other parties can close on
    /// a route whose terminal has no flag of its own (it grows to 1 as the
    /// terminal's own score does; see `scan::score`). 0.40 keeps what others
    /// did below `severity_medium` (0.45) on its own: an investigator opens a
    /// file on the customer for what the customer is, not for its supplier's
    /// boxes or its lessor's director.
    pub aggravation_share: f64,
    /// A lease of controlled units within this many days of their
    /// installation to a party in a country of concern, or flagged, is a
    /// `rental_after_install`: a cloud normally fills new capacity over
    /// months of acceptance tests and sales, so a rental that follows the
    /// install within six weeks suggests the servers were installed for that
    /// lessee (the Brisbane case: installed, then rented to Beijing three
    /// weeks later).
    pub rental_after_install_days: f64,
    /// Weight of a listing that came after every record the party took part
    /// in on the route: the party is now known to be of concern, but the
    /// trade broke no listing, so it counts as a pattern flag, not as a
    /// restriction (0.30 < `country_of_concern`).
    pub listed_after_trade_weight: f64,
    /// Weight of `control_ties` where the director, officer or controller is
    /// listed, or also owns, directs or controls a listed party: the listed
    /// party's own people run the buyer, so the buyer is how the listing can
    /// be got around. As strong a sign as a terminal in a country of concern
    /// (`country_of_concern`, 0.55), stronger than a residence there alone
    /// (`control_ties`, 0.40); below a listing or 50% ownership (0.80, 0.90).
    pub listed_tie_weight: f64,
    /// Units that arrived within this many days of the case's last date are
    /// not yet undeployed: installing and burning in a GPU cluster takes one
    /// to three months from delivery.
    pub undeployed_grace_days: f64,
    /// A holder still installing within the grace period is ramping, not
    /// hoarding, when at its pace so far (units deployed per day since the
    /// first arrival) it would deploy the rest within this many days: large
    /// clusters are built out in phases over two quarters.
    pub undeployed_ramp_days: f64,
    /// Weight of `undeployed_inventory` for a data centre or cloud with no
    /// install record of the product at all: the case cannot tell boxed stock
    /// from installs that were never filed, so the flag says "unknown" and
    /// counts for less than the 0.45 of stock seen sitting beside installs.
    pub undeployed_unknown_weight: f64,
    /// Weight of `country_of_concern` and `parent_in_country_of_concern`
    /// about the lessee of units that already sit in its own country (a
    /// Chengdu cloud renting to a Chengdu studio): the lease exports
    /// nothing, the step that brought the units in is judged on its own
    /// route, so where the lessee sits is context, not a restriction (0.30 <
    /// `country_of_concern`; `remote_access` then counts only for a listing
    /// or ties abroad: otherwise it is shown with weight 0, saying the lease
    /// exports nothing).
    pub domestic_lease_weight: f64,
    /// A holder with at least `established_min_records` records over at
    /// least this many days before a hand-off is an established trader: a
    /// distributor buying to fill an order it already holds (back to back)
    /// resells within days as a matter of course, so its quick resale is
    /// not a diversion sign. A year of history is what a shell set up for
    /// one deal does not have.
    pub established_days: f64,
    pub established_min_records: u32,
    /// A new company majority-owned by a group incorporated at least this
    /// many years before, outside the countries of concern and not listed,
    /// is a new subsidiary, not a shell: groups found new local companies for
    /// new markets, and the group's age is its history.
    pub established_group_years: f64,
    /// Longest route searched, in records. Routes longer than this are cut and reported as truncated.
    pub max_depth: usize,
    /// Most partial routes explored from one terminal step before the search is cut.
    pub max_expansions: usize,
    /// Most flags of one rule printed on one finding (the score counts them
    /// all): an entity that traded thousands of times would otherwise carry
    /// thousands of near-identical flags, and a report of dense trade grow
    /// to gigabytes. Twenty show the pattern; the report says when flags
    /// were left out (`stats.truncated_by`).
    pub max_flags_per_rule: usize,
    /// Most records printed in one finding's path: the routes grouped into a
    /// finding (every delivery of one lot to one data centre) can number
    /// thousands; the first 500 in time order are shown, the id and the
    /// score are computed from all, and the report says when any were left out.
    pub max_path_records: usize,
    /// The product table built from `products`, `add_products` and the
    /// controlled-product lists, on first use.
    #[serde(skip)]
    table: std::sync::OnceLock<ProductTable>,
}

fn codes(list: &[&[u8; 2]]) -> Vec<Country> {
    list.iter().map(|c| Country::from_code(c)).collect()
}

fn date(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or(Timestamp(0))
}

/// Default rule weights.
///
/// The scoring model (`scan::score`; the README's "How findings are made"):
/// terminal restriction first, aggravation second. A route finding's score
/// starts from the flags about its terminal, combined as a noisy-or, so a
/// weight is the score that flag alone gives a route whose terminal it is
/// about, and `severity_medium` (0.45) is the line between "note" and "open a
/// file". Flags about other parties on the route (a lessor's boxes, an
/// intermediary's director) and the hand-off family add to it only by closing
/// a share of the remaining gap, `aggravation_share` (0.40) for an unflagged
/// terminal, so they never make a route high on their own; they also make an
/// entity finding about their subject, scored by the same noisy-or. Hub
/// passage, rapid resale and long chain read the same hand-offs and count once
/// together, with the strongest of them.
/// - Listing (0.90) and ownership by listed parties (0.80) are near-conclusive.
/// - A controlled product reaching a country of concern (0.55), a parent there
///   (0.50), remote access by a flagged lessee (0.50) are each enough to open a file.
/// - Stock held undeployed in a data centre (0.45: the boxed GPUs of the
///   Malaysian case) and units with no recorded source (0.45: laundering of
///   origin) are each enough to ask questions about their holder, and reach
///   medium alone (0.20 when the case has no install records to judge by).
/// - Control ties (0.40) and a declared end user that is not the real one (0.35)
///   are strong but need one more sign. A rental within weeks of the install
///   (0.35) adds to a lessee already restricted: it says the servers were
///   put up for that lessee.
/// - A restricted terminal that got its units through a front (0.30: an
///   intermediary with two signs of concealment among shell indicators, a
///   pass-on within days, paperwork naming another end user and units sent
///   beyond what it had on record) is the end user
///   the front hid: the licence its destination needed was routed around,
///   not applied for. It fires only beside a restriction, so it never makes
///   an allied customer of a suspicious intermediary a finding; with a
///   country of concern (0.55) it makes the route high once the front's own
///   flags aggravate it.
/// - Pattern flags are weak alone and meant to add up: shell indicators
///   (0.25), crypto payment (0.20), and the hand-off family, counted once:
///   transshipment through a hub (0.25), rapid resale (0.15), long chain (0.10).
pub fn default_weights() -> BTreeMap<String, f64> {
    [
        ("listed_party", 0.90),
        ("listed_affiliate", 0.80),
        ("country_of_concern", 0.55),
        ("parent_in_country_of_concern", 0.50),
        ("control_ties", 0.40),
        ("remote_access", 0.50),
        ("transshipment_hub", 0.25),
        ("rapid_resale", 0.15),
        ("shell_indicators", 0.25),
        ("crypto_payment", 0.20),
        ("end_user_mismatch", 0.35),
        ("undeployed_inventory", 0.45),
        ("quantity_mismatch", 0.45),
        ("long_chain", 0.10),
        ("rental_after_install", 0.35),
        ("supplied_by_front", 0.30),
        ("unverified_product", 0.45),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            countries_of_concern: codes(&[
                b"CN", b"HK", b"MO", b"AF", b"BY", b"CD", b"CF", b"CU", b"ER", b"HT", b"IQ", b"IR", b"KP", b"LB",
                b"LY", b"MM", b"NI", b"RU", b"SD", b"SO", b"SS", b"SY", b"VE", b"ZW",
            ]),
            products: crate::model::product::builtin_products(),
            add_products: vec![],
            controlled_products: None,
            hub_countries: codes(&[b"SG", b"MY", b"TH", b"VN", b"AE", b"TW", b"IN", b"ID"]),
            add_countries_of_concern: vec![],
            add_controlled_products: vec![],
            add_hub_countries: vec![],
            affiliates_rule_effective: date("2025-09-29"),
            affiliates_rule_suspended_from: date("2025-11-10"),
            affiliates_rule_suspended_until: date("2026-11-09"),
            rapid_resale_days: 14.0,
            hub_dwell_days: 14.0,
            shell_age_days: 180.0,
            long_chain_hops: 3,
            long_chain_window_days: 120.0,
            fuzzy_threshold: 0.88,
            undeployed_ratio: 0.5,
            undeployed_min_units: 50,
            affiliate_share: 50.0,
            severity_high: 0.75,
            severity_medium: 0.45,
            weights: default_weights(),
            aggravation_share: 0.40,
            rental_after_install_days: 42.0,
            listed_after_trade_weight: 0.30,
            listed_tie_weight: 0.55,
            undeployed_grace_days: 90.0,
            undeployed_ramp_days: 180.0,
            undeployed_unknown_weight: 0.20,
            domestic_lease_weight: 0.30,
            established_days: 365.0,
            established_min_records: 4,
            established_group_years: 5.0,
            max_depth: 12,
            max_expansions: 20_000,
            max_flags_per_rule: 20,
            max_path_records: 500,
            table: std::sync::OnceLock::new(),
        }
    }
}

impl Policy {
    pub fn is_country_of_concern(&self, c: Country) -> bool {
        self.countries_of_concern.contains(&c) || self.add_countries_of_concern.contains(&c)
    }

    pub fn is_hub(&self, c: Country) -> bool {
        self.hub_countries.contains(&c) || self.add_hub_countries.contains(&c)
    }

    /// Whether a product (a model of the table, or an unknown name as written)
    /// is controlled for some destination at some date.
    pub fn is_controlled(&self, product: &str) -> bool {
        self.products().ever_controlled(product)
    }

    /// The product table in force.
    pub fn products(&self) -> &ProductTable {
        self.table.get_or_init(|| {
            let mut list = self.products.clone();
            list.extend(self.add_products.iter().cloned());
            let mut table = ProductTable::new(list);
            let named = |set: &[String], model: &str| {
                set.iter().any(|c| crate::read::normalise_product(c) == crate::read::normalise_product(model))
            };
            let added: Vec<String> = self.add_products.iter().map(|p| p.model.clone()).collect();
            if let Some(only) = &self.controlled_products {
                for p in &mut table.products {
                    if !named(only, &p.model)
                        && !named(&self.add_controlled_products, &p.model)
                        && !named(&added, &p.model)
                    {
                        p.controls.clear();
                    }
                }
            }
            let always = |model: &str| Product {
                model: model.to_string(),
                aliases: vec![],
                systems: vec![],
                controls: vec![Control {
                    to: vec![D5.to_string()],
                    from: Timestamp(i64::MIN),
                    until: None,
                    reason: "named in the policy's controlled products".to_string(),
                }],
                note: String::new(),
            };
            let mut extra = Vec::new();
            for name in self.controlled_products.iter().flatten().chain(&self.add_controlled_products) {
                match table.products.iter_mut().find(|p| named(std::slice::from_ref(name), &p.model)) {
                    Some(p) if p.controls.is_empty() => p.controls = always(name).controls,
                    Some(_) => {}
                    None => extra.push(always(&crate::read::normalise_product(name))),
                }
            }
            let mut all = table.products;
            all.extend(extra);
            ProductTable::new(all)
        })
    }

    /// The control that made a record of `product` to `country` on `date`
    /// need a licence, if any (`D:5` is this policy's countries of concern).
    pub fn control(&self, product: &str, country: Country, date: Timestamp) -> Option<&Control> {
        self.products().control(product, country, date, |c| self.is_country_of_concern(c))
    }

    pub fn weight(&self, rule: &str) -> f64 {
        self.weights.get(rule).copied().or_else(|| default_weights().get(rule).copied()).unwrap_or(0.0)
    }

    /// Whether the Entity List affiliates rule made a licence requirement at `t`.
    pub fn affiliates_rule_in_force(&self, t: Timestamp) -> bool {
        t >= self.affiliates_rule_effective
            && !(self.affiliates_rule_suspended_from <= t && t <= self.affiliates_rule_suspended_until)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not an ISO 8601 date")))
    }
}

/// Reads a policy file over the built-in policy. Problems become diagnostics
/// and the built-in policy stays in force.
pub fn load(path: &Path, diags: &mut Diagnostics) -> Policy {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(&bytes, &file, diags),
        Err(e) => {
            diags.error(&file, 0, format!("cannot read policy: {e}"));
            Policy::default()
        }
    }
}

/// Reads a policy from the bytes of a policy file that diagnostics call `file`.
pub fn load_bytes(bytes: &[u8], file: &str, diags: &mut Diagnostics) -> Policy {
    let Ok(text) = std::str::from_utf8(bytes) else {
        diags.error(file, 0, "cannot read policy: stream did not contain valid UTF-8");
        return Policy::default();
    };
    match toml::from_str::<Policy>(text) {
        Ok(mut p) => {
            // Weights given in the file override the defaults one by one.
            let mut w = default_weights();
            w.extend(std::mem::take(&mut p.weights));
            p.weights = w;
            validate(&p, text, file, diags);
            p
        }
        Err(e) => {
            // Counted in bytes: a span need not fall on a character boundary.
            let line = e
                .span()
                .map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1)
                .unwrap_or(0);
            diags.error(file, line, format!("invalid policy: {}", e.message()));
            Policy::default()
        }
    }
}

/// Most records a route may have (`max_depth`) and most candidates one
/// route may look at (`max_expansions`): beyond these a policy would let one
/// case make gigabytes of output or search for hours, so it is refused.
pub const MAX_DEPTH_LIMIT: usize = 64;
pub const MAX_EXPANSIONS_LIMIT: usize = 10_000_000;
/// Most flags of one rule on one finding, and most path records of one
/// finding, a policy may ask to print.
pub const MAX_FLAGS_LIMIT: usize = 10_000;

/// Checks every value of a policy read from `text`: each number finite and
/// in its range, each weight's rule known, each pair of dates in order, the
/// search bounds within their limits. A problem is an error naming the key
/// and its line in the file, so a typo or a NaN never silently changes
/// results (unknown keys elsewhere are refused by the parser itself).
fn validate(p: &Policy, text: &str, file: &str, diags: &mut Diagnostics) {
    let mut found: Vec<(u64, String)> = Vec::new();
    let mut err = |section: Option<&str>, key: &str, message: String| {
        let shown_key = match section {
            Some(s) => format!("{s}.{key}"),
            None => key.to_string(),
        };
        found.push((key_line(text, section, key), format!("`{}`: {message}", crate::text::shown(&shown_key))));
    };
    let days = [
        ("rapid_resale_days", p.rapid_resale_days),
        ("hub_dwell_days", p.hub_dwell_days),
        ("shell_age_days", p.shell_age_days),
        ("long_chain_window_days", p.long_chain_window_days),
        ("rental_after_install_days", p.rental_after_install_days),
        ("undeployed_grace_days", p.undeployed_grace_days),
        ("undeployed_ramp_days", p.undeployed_ramp_days),
        ("established_days", p.established_days),
        ("established_group_years", p.established_group_years),
    ];
    for (key, v) in days {
        if !(v.is_finite() && v >= 0.0) {
            err(None, key, format!("{v} is not a finite number of days or years >= 0"));
        }
    }
    let fractions = [
        ("fuzzy_threshold", p.fuzzy_threshold),
        ("undeployed_ratio", p.undeployed_ratio),
        ("severity_high", p.severity_high),
        ("severity_medium", p.severity_medium),
        ("aggravation_share", p.aggravation_share),
        ("listed_after_trade_weight", p.listed_after_trade_weight),
        ("listed_tie_weight", p.listed_tie_weight),
        ("undeployed_unknown_weight", p.undeployed_unknown_weight),
        ("domestic_lease_weight", p.domestic_lease_weight),
    ];
    for (key, v) in fractions {
        if !(0.0..=1.0).contains(&v) {
            err(None, key, format!("{v} is outside 0..1"));
        }
    }
    // docs/spec.md §5.1: flags about other parties never make a route high on their own.
    if p.aggravation_share.is_finite() && p.severity_high.is_finite() && p.aggravation_share >= p.severity_high {
        err(
            None,
            "aggravation_share",
            format!(
                "{} is not below severity_high ({}): flags about other parties alone would make a route high",
                p.aggravation_share, p.severity_high
            ),
        );
    }
    if !(p.affiliate_share > 0.0 && p.affiliate_share <= 100.0) {
        err(None, "affiliate_share", format!("{} is not a percent with 0 < share <= 100", p.affiliate_share));
    }
    // Written so that a NaN cut-off is refused too.
    if !matches!(
        p.severity_medium.partial_cmp(&p.severity_high),
        Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
    ) {
        err(
            None,
            "severity_medium",
            format!("{} must not exceed severity_high ({})", p.severity_medium, p.severity_high),
        );
    }
    let known = default_weights();
    for (k, v) in &p.weights {
        if !known.contains_key(k) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            err(Some("weights"), k, format!("no rule has this id (rules: {})", names.join(", ")));
        } else if !(0.0..=1.0).contains(v) {
            err(Some("weights"), k, format!("{v} is outside 0..1"));
        }
    }
    if !(1..=MAX_DEPTH_LIMIT).contains(&p.max_depth) {
        err(None, "max_depth", format!("{} is outside 1..={MAX_DEPTH_LIMIT} records", p.max_depth));
    }
    if !(1..=MAX_FLAGS_LIMIT).contains(&p.max_path_records) {
        err(None, "max_path_records", format!("{} is outside 1..={MAX_FLAGS_LIMIT}", p.max_path_records));
    }
    if !(1..=MAX_FLAGS_LIMIT).contains(&p.max_flags_per_rule) {
        err(None, "max_flags_per_rule", format!("{} is outside 1..={MAX_FLAGS_LIMIT}", p.max_flags_per_rule));
    }
    if !(1..=MAX_EXPANSIONS_LIMIT).contains(&p.max_expansions) {
        err(None, "max_expansions", format!("{} is outside 1..={MAX_EXPANSIONS_LIMIT}", p.max_expansions));
    }
    if p.affiliates_rule_suspended_until < p.affiliates_rule_suspended_from {
        err(
            None,
            "affiliates_rule_suspended_until",
            format!(
                "{} is before affiliates_rule_suspended_from ({})",
                p.affiliates_rule_suspended_until, p.affiliates_rule_suspended_from
            ),
        );
    }
    if p.affiliates_rule_suspended_from < p.affiliates_rule_effective {
        err(
            None,
            "affiliates_rule_suspended_from",
            format!(
                "{} is before the rule took effect (affiliates_rule_effective {})",
                p.affiliates_rule_suspended_from, p.affiliates_rule_effective
            ),
        );
    }
    for (section, list) in [("products", &p.products), ("add_products", &p.add_products)] {
        for prod in list {
            let model = crate::text::shown(&prod.model);
            for c in &prod.controls {
                for to in &c.to {
                    if to != D5 && Country::parse(to).is_none() {
                        err(
                            Some(section),
                            "to",
                            format!(
                                "product `{model}`: destination `{}` is neither D:5 nor a country",
                                crate::text::shown(to)
                            ),
                        );
                    }
                }
                if let Some(until) = c.until
                    && until < c.from
                {
                    err(
                        Some(section),
                        "until",
                        format!("product `{model}`: control until {until} is before its start {}", c.from),
                    );
                }
            }
            for sys in &prod.systems {
                if sys.gpus == 0 {
                    err(
                        Some(section),
                        "gpus",
                        format!("product `{model}`: system `{}` holds 0 GPUs", crate::text::shown(&sys.name)),
                    );
                }
            }
        }
    }
    // In the order of the file.
    found.sort_by_key(|(line, _)| *line);
    for (line, message) in found {
        diags.error(file, line, message);
    }
}

/// The 1-based line where `key` is set in a policy file (in `[section]` or
/// as `section.key`, or inside an array of `[[section]]` tables), or 0 when
/// it is not written there (a built-in value).
fn key_line(text: &str, section: Option<&str>, key: &str) -> u64 {
    let mut current: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[') {
            current = Some(h.trim_start_matches('[').split(']').next().unwrap_or("").trim());
            continue;
        }
        let Some((lhs, _)) = l.split_once('=') else { continue };
        let lhs = lhs.trim().trim_matches('"');
        let matches = match section {
            None => current.is_none() && lhs == key,
            Some(s) => (current == Some(s) && lhs == key) || lhs == format!("{s}.{key}"),
        };
        if matches {
            return i as u64 + 1;
        }
    }
    0
}
