//! The synthetic world: makers, a heavy-tailed network of distributors,
//! resellers and integrators, forwarders, data centres, clouds, end users,
//! investors and people; ownership trees, directors and screening lists.
//!
//! Entities scale with the number of records (about one per twenty) and live
//! in memory; records never do. Every trading entity has a Pareto-distributed
//! weight and is picked as a trade partner in proportion to it, so a few
//! distributors and resellers carry most of the trade, as in real channels.
//! Countries are weighted like the real trade in accelerators.
//!
//! Background entities in countries of concern (CN, HK) receive uncontrolled
//! products only, and nobody outside those countries is owned or directed from
//! them: the background is the lawful trade a scan should stay quiet about.

use super::names::{self, Variant};
use super::rng::Rng;
use crate::model::{EntityKind, RelationKind};
use std::collections::BTreeMap;

/// Country, share of trading entities, whether it is of concern in the background.
pub const COUNTRIES: &[(&str, f64)] = &[
    ("US", 28.0),
    ("TW", 7.0),
    ("SG", 7.0),
    ("MY", 5.0),
    ("JP", 7.0),
    ("KR", 6.0),
    ("DE", 6.0),
    ("NL", 4.0),
    ("IN", 5.0),
    ("AE", 4.0),
    ("CN", 10.0),
    ("HK", 5.0),
    ("GB", 4.0),
    ("FR", 2.0),
    ("AU", 3.0),
    ("CA", 2.0),
    ("IL", 2.0),
    ("TH", 2.0),
    ("VN", 2.0),
    ("SA", 1.0),
];

/// Countries of concern among [`COUNTRIES`] (docs/spec.md §4); they get no controlled products in the background.
pub fn of_concern(country: &str) -> bool {
    matches!(country, "CN" | "HK" | "MO" | "RU" | "IR" | "BY" | "KP")
}

/// Hub countries of the policy (docs/spec.md §4) that appear in this world.
pub const HUBS: &[&str] = &["SG", "MY", "TH", "VN", "AE", "TW", "IN"];

/// Allied countries where a lease or a sale is plainly lawful.
pub const ALLIED: &[&str] = &["JP", "DE", "GB", "NL", "FR", "AU", "CA", "KR"];

/// A product, whether it is controlled, and its unit price in USD.
pub struct Product {
    pub name: &'static str,
    pub controlled: bool,
    pub price: u32,
    /// How often it is traded, relative to the others of its class.
    pub share: f64,
}

/// The products of the world, with the product table's names. `controlled`
/// means a licence was needed for China for most of the period generated
/// (2022-2025): the background never sends these to a country of concern.
/// RTX 4090 and L40S count as controlled (from 2023-11-17); H20 too, though
/// only from 2025-04-09 (its lawful sales to China before that are a decoy).
pub const PRODUCTS: &[Product] = &[
    Product { name: "H100", controlled: true, price: 25_000, share: 5.0 },
    Product { name: "H200", controlled: true, price: 32_000, share: 3.0 },
    Product { name: "A100", controlled: true, price: 10_000, share: 2.0 },
    Product { name: "H20", controlled: true, price: 12_000, share: 2.0 },
    Product { name: "B200", controlled: true, price: 40_000, share: 2.0 },
    Product { name: "RTX 4090", controlled: true, price: 1_800, share: 2.0 },
    Product { name: "L40S", controlled: true, price: 8_000, share: 2.0 },
    Product { name: "RTX 4090 D", controlled: false, price: 1_700, share: 4.0 },
    Product { name: "RTX 4080", controlled: false, price: 1_200, share: 2.0 },
    Product { name: "A10", controlled: false, price: 3_000, share: 3.0 },
    Product { name: "T4", controlled: false, price: 1_500, share: 2.0 },
];

pub fn product(name: &str) -> &'static Product {
    PRODUCTS.iter().find(|p| p.name == name).unwrap_or(&PRODUCTS[0])
}

/// Entity kinds of the background and their share of entities.
const KIND_MIX: &[(EntityKind, f64)] = &[
    (EntityKind::Distributor, 4.0),
    (EntityKind::Reseller, 20.0),
    (EntityKind::Integrator, 9.0),
    (EntityKind::Logistics, 4.0),
    (EntityKind::DataCentre, 6.0),
    (EntityKind::Cloud, 5.0),
    (EntityKind::EndUser, 38.0),
    (EntityKind::Investor, 5.0),
    (EntityKind::Person, 9.0),
];

/// One entity of the world.
#[derive(Clone, Debug)]
pub struct GenEntity {
    pub name: String,
    pub kind: EntityKind,
    pub country: &'static str,
    pub aliases: Vec<String>,
    /// Days since 1970-01-01.
    pub incorporated: Option<i64>,
    pub address: String,
    pub capacity: Option<u32>,
}

/// Ownership or a directorship.
#[derive(Clone, Debug)]
pub struct GenRelation {
    pub kind: RelationKind,
    pub from: u32,
    pub to: u32,
    pub share: Option<u32>,
    pub since: i64,
}

/// One row of a screening list in the simple form.
#[derive(Clone, Debug)]
pub struct GenListEntry {
    pub name: String,
    pub aliases: Vec<String>,
    pub country: &'static str,
    pub list: &'static str,
    pub program: &'static str,
    pub since: i64,
}

/// Entities to pick from in proportion to their weights.
#[derive(Default)]
struct Pool {
    ids: Vec<u32>,
    cum: Vec<f64>,
}

impl Pool {
    fn push(&mut self, id: u32, w: f64) {
        let last = self.cum.last().copied().unwrap_or(0.0);
        self.ids.push(id);
        self.cum.push(last + w);
    }

    fn sample(&self, rng: &mut Rng) -> Option<u32> {
        let total = *self.cum.last()?;
        let x = rng.unit() * total;
        let i = self.cum.partition_point(|&c| c <= x).min(self.ids.len() - 1);
        Some(self.ids[i])
    }
}

/// The world: entities, relations, lists and the pools trade partners are drawn from.
pub struct World {
    pub entities: Vec<GenEntity>,
    pub relations: Vec<GenRelation>,
    pub lists: Vec<GenListEntry>,
    /// Makers and what they make.
    pub makers: Vec<(u32, Vec<&'static str>)>,
    /// (kind, for controlled products) -> weighted pool.
    pools: BTreeMap<(EntityKind, bool), Pool>,
    /// Trading entities by kind and country (for local partners).
    by_country: BTreeMap<(EntityKind, &'static str), Vec<u32>>,
    /// People by country of residence.
    people: BTreeMap<&'static str, Vec<u32>>,
}

/// 2022-01-01 as days since 1970-01-01: the world's first trade.
pub const EPOCH_DAY: i64 = 18_993;
/// The last day a background flow may start (2025-06-30).
pub const LAST_START_DAY: i64 = 20_269;

impl World {
    /// Builds a world of about `n` entities.
    ///
    /// # Complexity
    /// O(n log n) time, O(n) memory.
    pub fn build(rng: &mut Rng, n: usize) -> World {
        let mut w = World {
            entities: Vec::with_capacity(n + n / 8),
            relations: Vec::new(),
            lists: Vec::new(),
            makers: Vec::new(),
            pools: BTreeMap::new(),
            by_country: BTreeMap::new(),
            people: BTreeMap::new(),
        };
        for (name, products) in [
            ("Veridian Semiconductor Inc.", vec!["H100", "H200", "H20", "B200", "L40S", "RTX 4090"]),
            ("Apex Silicon Corp.", vec!["A100", "A10", "T4", "RTX 4080", "H100"]),
            ("Northstar Microdevices Inc.", vec!["RTX 4090 D", "RTX 4080", "RTX 4090", "H200"]),
        ] {
            let id = w.add(GenEntity {
                name: name.into(),
                kind: EntityKind::Manufacturer,
                country: "US",
                aliases: vec![name.split(' ').next().unwrap_or(name).to_string()],
                incorporated: Some(EPOCH_DAY - rng.range(7_000, 12_000)),
                address: names::address(rng, "US"),
                capacity: None,
            });
            w.makers.push((id, products));
        }
        let countries: Vec<(&'static str, f64)> = COUNTRIES.to_vec();
        for i in 0..n.saturating_sub(3) {
            // The first round makes one of each kind in the US, so that every
            // pool has a member however small the world.
            let kind = KIND_MIX.get(i).map(|k| k.0).unwrap_or_else(|| rng.weighted(KIND_MIX));
            let country = if i < KIND_MIX.len() || (kind == EntityKind::Distributor && rng.chance(0.4)) {
                "US"
            } else {
                rng.weighted(&countries)
            };
            let weight = match kind {
                EntityKind::EndUser | EntityKind::Person | EntityKind::Investor => rng.pareto(1.6),
                _ => rng.pareto(1.1),
            };
            let name = match kind {
                EntityKind::Person => names::person(rng, country),
                _ => names::company(rng, kind.as_str(), country),
            };
            let capacity = matches!(kind, EntityKind::DataCentre | EntityKind::Cloud)
                .then(|| ((weight * 2_000.0).round() as u32).clamp(500, 200_000));
            let aliases = if kind != EntityKind::Person && rng.chance(0.15) {
                vec![name.split(' ').take(2).collect::<Vec<_>>().join(" ")]
            } else {
                vec![]
            };
            let incorporated = (kind != EntityKind::Person).then(|| EPOCH_DAY - rng.range(400, 11_000));
            let address = names::address(rng, country);
            let id = w.add(GenEntity { name, kind, country, aliases, incorporated, address, capacity });
            match kind {
                EntityKind::Person => w.people.entry(country).or_default().push(id),
                EntityKind::Investor => {}
                _ => {
                    w.pools.entry((kind, false)).or_default().push(id, weight);
                    if !of_concern(country) {
                        w.pools.entry((kind, true)).or_default().push(id, weight);
                    }
                    w.by_country.entry((kind, country)).or_default().push(id);
                }
            }
        }
        w.ownership_and_directors(rng);
        w
    }

    pub fn add(&mut self, e: GenEntity) -> u32 {
        self.entities.push(e);
        (self.entities.len() - 1) as u32
    }

    /// The id written to the files.
    pub fn key(id: u32) -> String {
        format!("E{}", id + 1)
    }

    /// A trading partner of `kind`, by weight; for a controlled product only
    /// one outside the countries of concern.
    pub fn partner(&self, rng: &mut Rng, kind: EntityKind, controlled: bool) -> Option<u32> {
        self.pools.get(&(kind, controlled)).and_then(|p| p.sample(rng))
    }

    /// A partner of `kind` in `country`, or anywhere eligible when there is none.
    pub fn partner_in(&self, rng: &mut Rng, kind: EntityKind, country: &str, controlled: bool) -> Option<u32> {
        match self.by_country.iter().find(|((k, c), _)| *k == kind && *c == country) {
            Some((_, ids)) if !ids.is_empty() => Some(rng.pick(ids)),
            _ => self.partner(rng, kind, controlled),
        }
    }

    /// A person living in `country`, if the world has one.
    pub fn person_in(&self, rng: &mut Rng, country: &str) -> Option<u32> {
        self.people.get(country).filter(|p| !p.is_empty()).map(|p| rng.pick(p))
    }

    /// A maker of `product`.
    pub fn maker_of(&self, rng: &mut Rng, product: &str) -> u32 {
        let makers: Vec<u32> = self.makers.iter().filter(|(_, ps)| ps.contains(&product)).map(|(m, _)| *m).collect();
        if makers.is_empty() { 0 } else { rng.pick(&makers) }
    }

    /// Ownership trees (investors owning companies and each other, majority
    /// and minority stakes) and directors, all within one country.
    fn ownership_and_directors(&mut self, rng: &mut Rng) {
        let mut investors_by_country: BTreeMap<&'static str, Vec<u32>> = BTreeMap::new();
        for (i, e) in self.entities.iter().enumerate() {
            if e.kind == EntityKind::Investor {
                investors_by_country.entry(e.country).or_default().push(i as u32);
            }
        }
        for i in 0..self.entities.len() as u32 {
            let e = &self.entities[i as usize];
            let (kind, country, since) = (e.kind, e.country, e.incorporated.unwrap_or(EPOCH_DAY));
            if matches!(kind, EntityKind::Person | EntityKind::Manufacturer) {
                continue;
            }
            // Owners: investors of the same country with a smaller id, so that trees have no cycles.
            let p_owned = if kind == EntityKind::Investor { 0.3 } else { 0.22 };
            if rng.chance(p_owned)
                && let Some(cands) = investors_by_country.get(country)
            {
                // Investors were pushed in id order, so the older ones are a prefix.
                let older = &cands[..cands.partition_point(|&c| c < i)];
                if !older.is_empty() {
                    let owner = rng.pick(older);
                    let share = if rng.chance(0.55) {
                        if rng.chance(0.4) { 100 } else { rng.range(51, 99) as u32 }
                    } else {
                        rng.range(5, 49) as u32
                    };
                    self.relations.push(GenRelation {
                        kind: RelationKind::Owns,
                        from: owner,
                        to: i,
                        share: Some(share),
                        since,
                    });
                    // A second, minority owner now and then.
                    if share < 60 && older.len() > 1 && rng.chance(0.4) {
                        let other = rng.pick(older);
                        if other != owner {
                            let s2 = rng.range(5, (100 - share as i64).min(45)) as u32;
                            self.relations.push(GenRelation {
                                kind: RelationKind::Owns,
                                from: other,
                                to: i,
                                share: Some(s2),
                                since,
                            });
                        }
                    }
                }
            }
            let directors = rng.weighted(&[(0usize, 0.25), (1, 0.55), (2, 0.2)]);
            for _ in 0..directors {
                if let Some(p) = self.person_in(rng, country) {
                    let kind = if rng.chance(0.85) { RelationKind::Director } else { RelationKind::Officer };
                    self.relations.push(GenRelation { kind, from: p, to: i, share: None, since });
                }
            }
        }
    }

    /// A listed party: an entity named as trade documents write it, and its
    /// list entry in the list's spelling. Returns the entity.
    pub fn listed_party(&mut self, rng: &mut Rng, kind: EntityKind, country: &'static str, since: i64) -> u32 {
        let how = rng.pick(&[Variant::LegalForm, Variant::Abbreviation, Variant::Transliteration]);
        let listed_on = since - rng.range(60, 900);
        self.listed_party_as(rng, kind, country, since, listed_on, how)
    }

    /// A listed party whose documents spell its name `how`, listed on
    /// `listed_on` (which may fall after its trade), trading from `since`.
    pub fn listed_party_as(
        &mut self,
        rng: &mut Rng,
        kind: EntityKind,
        country: &'static str,
        since: i64,
        listed_on: i64,
        how: Variant,
    ) -> u32 {
        let kind_word = match kind {
            EntityKind::Investor => Some("Holdings Group"),
            EntityKind::Cloud => Some("Cloud Computing"),
            _ => None,
        };
        let listed = names::listed_name(rng, country, kind_word);
        let on_documents = names::variant(&listed, how);
        let (list, program) = match country {
            "RU" => ("sdn", "RUSSIA-EO14024"),
            "IR" => ("sdn", "IRAN"),
            _ => ("entity_list", "EAR744.11"),
        };
        let short: String = listed.split(' ').skip(usize::from(country == "CN")).take(2).collect::<Vec<_>>().join(" ");
        self.lists.push(GenListEntry { name: listed, aliases: vec![short], country, list, program, since: listed_on });
        self.add(GenEntity {
            name: on_documents,
            kind,
            country,
            aliases: vec![],
            incorporated: Some(since - rng.range(800, 6_000)),
            address: names::address(rng, country),
            capacity: None,
        })
    }

    /// List entries for parties that never trade in the case: screening noise.
    pub fn unrelated_listings(&mut self, rng: &mut Rng, n: usize) {
        for _ in 0..n {
            let country = rng.weighted(&[("CN", 6.0), ("HK", 1.0), ("RU", 2.0), ("IR", 1.0)]);
            let name = names::listed_name(rng, country, None);
            let (list, program) = match country {
                "RU" => ("sdn", "RUSSIA-EO14024"),
                "IR" => ("sdn", "IRAN"),
                _ => ("entity_list", "EAR744.11"),
            };
            self.lists.push(GenListEntry {
                name,
                aliases: vec![],
                country,
                list,
                program,
                since: EPOCH_DAY - rng.range(-600, 2_000),
            });
        }
    }
}
