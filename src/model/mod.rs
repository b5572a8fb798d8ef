//! The case model: entities, records, relations and screening-list entries,
//! as read from a case folder and checked. Everything downstream (graph,
//! analysis, rules, exports) reads this model and never the files.
//!
//! Records are stored compactly because trade datasets reach millions of rows:
//! strings that repeat (lots, products, sources) are interned, record ids
//! kept in one arena ([`Strings`]), entities are referred to by index, and
//! the fields few records have sit in side columns ([`Records`]).

mod country;
mod country_names;
pub mod declaration;
pub mod product;
mod records;
mod strings;
mod time;

pub use country::Country;
pub use product::{Normalised, ProductTable};
pub use records::{Record, RecordExtras, Records};
pub use strings::{IdArena, Strings, id_hash};
pub use time::{DAY, Timestamp};

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use string_interner::symbol::SymbolU32;

/// An interned string (record id, lot, product, source).
pub type Sym = SymbolU32;

/// Index of an entity in [`Case::entities`].
pub type EntityId = u32;

/// Index of a record in [`Case::records`].
pub type RecordId = u32;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        string_enum! { $(#[$m])* $name else |_| None; { $($variant = $text $(| $alias)*),+ } }
    };
    // `else FALLBACK;`: what `parse` gives for a text that is none of the
    // spellings (`Payment` reads a payment written in words by its words).
    ($(#[$m:meta])* $name:ident else $fallback:expr; { $($variant:ident = $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses case-insensitively, ignoring surrounding space, `-` and
            /// ` ` versus `_`; a text that is none of the spellings goes to
            /// the type's fallback, if it has one.
            pub fn parse(s: &str) -> Option<$name> {
                let fallback: fn(&str) -> Option<$name> = $fallback;
                $name::parse_spelling(s).or_else(|| fallback(s))
            }

            /// Parses one of the listed spellings (case-insensitively,
            /// ignoring surrounding space, `-` and ` ` versus `_`).
            pub fn parse_spelling(s: &str) -> Option<$name> {
                // Written as listed (the common case, once a row): no allocation.
                match s.trim() {
                    $($text $(| $alias)* => return Some($name::$variant),)+
                    _ => {}
                }
                let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match key.as_str() {
                    $($text $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// What an entity is in the trade.
    EntityKind {
        Manufacturer = "manufacturer" | "maker",
        Distributor = "distributor",
        Reseller = "reseller",
        Integrator = "integrator",
        Logistics = "logistics" | "forwarder",
        DataCentre = "data_centre" | "data_center" | "datacenter" | "datacentre",
        Cloud = "cloud",
        EndUser = "end_user" | "enduser",
        Investor = "investor",
        Person = "person",
        Unknown = "unknown",
    }
}

string_enum! {
    /// What a record says happened.
    RecordKind {
        Sale = "sale",
        Shipment = "shipment",
        Install = "install",
        Lease = "lease",
    }
}

string_enum! {
    /// How a record was paid. A payment written in words that is none of
    /// the spellings (`USDT (TRC-20)`, `paid in Tether via Binance`,
    /// `Bank transfer (USD)`) is read by its words: see [`payment_by_words`].
    Payment else payment_by_words; {
        Wire = "wire" | "wire_transfer" | "bank_transfer" | "bank" | "swift" | "tt" | "t/t" | "telegraphic_transfer"
            | "ach" | "sepa",
        Crypto = "crypto" | "cryptocurrency" | "crypto_currency" | "usdt" | "usdc" | "usd_coin" | "tether"
            | "usdt_trc20" | "usdt_erc20" | "trc20" | "erc20" | "btc" | "bitcoin" | "xbt" | "eth" | "ether"
            | "ethereum" | "stablecoin" | "stable_coin" | "busd" | "dai" | "xmr" | "monero" | "ltc" | "litecoin"
            | "trx" | "tron" | "sol" | "solana" | "bnb" | "digital_currency" | "digital_asset" | "virtual_currency",
        Cash = "cash",
        Card = "card" | "credit_card" | "debit_card",
        Unknown = "unknown",
    }
}

/// A payment written in words, read by them: the one way to pay that its
/// words (or two neighbouring words joined: `TRC-20`, `USD Coin`) name, when
/// they name exactly one (`USDT (TRC-20)` is crypto, `Bank transfer (USD)` a
/// wire); a text naming two ways (`wire or USDT`) or none (`Letter of
/// Credit`) is not read. The one reading of payments: the reader (and so
/// `validate`), `import` and `crypto_payment` all go through
/// [`Payment::parse`], which falls back to this.
pub fn payment_by_words(written: &str) -> Option<Payment> {
    let words: Vec<&str> = written.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut named: Vec<Payment> = Vec::new();
    let mut note = |p: Option<Payment>| {
        if let Some(p) = p.filter(|&p| p != Payment::Unknown)
            && !named.contains(&p)
        {
            named.push(p);
        }
    };
    for (i, w) in words.iter().enumerate() {
        note(Payment::parse_spelling(w));
        if let Some(next) = words.get(i + 1) {
            note(Payment::parse_spelling(&format!("{w}{next}")));
            note(Payment::parse_spelling(&format!("{w}_{next}")));
        }
    }
    match named[..] {
        [one] => Some(one),
        _ => None,
    }
}

string_enum! {
    /// A tie between two entities.
    RelationKind {
        Owns = "owns",
        Director = "director",
        Officer = "officer",
        Controls = "controls",
    }
}

impl RecordKind {
    /// Sales and shipments move goods from one holder to the next; installs
    /// and leases end a route (the units stay with `from`).
    pub fn moves_goods(&self) -> bool {
        matches!(self, RecordKind::Sale | RecordKind::Shipment)
    }
}

/// Columns not in the format, kept as they were.
pub type Attrs = BTreeMap<String, String>;

/// A company, site or person.
#[derive(Clone, Debug, Serialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    pub country: Country,
    pub aliases: Vec<String>,
    pub incorporated: Option<Timestamp>,
    pub address: Option<String>,
    pub capacity_gpus: Option<u64>,
    pub attrs: Attrs,
    /// Line in entities.csv (0 for entities made by code).
    pub line: u64,
}

impl Entity {
    /// An entity made by code rather than read from entities.csv (line 0):
    /// no aliases, incorporation date, address, capacity or attributes.
    pub fn new(id: impl Into<String>, name: impl Into<String>, kind: EntityKind, country: Country) -> Entity {
        Entity {
            id: id.into(),
            name: name.into(),
            kind,
            country,
            aliases: vec![],
            incorporated: None,
            address: None,
            capacity_gpus: None,
            attrs: Default::default(),
            line: 0,
        }
    }
}

/// Ownership or control between two entities.
#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    pub kind: RelationKind,
    pub from: EntityId,
    pub to: EntityId,
    /// Percent, for `owns`.
    pub share: Option<f64>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub attrs: Attrs,
    pub line: u64,
}

impl Relation {
    /// Whether the relation held at `t` (open ends hold forever).
    pub fn holds_at(&self, t: Timestamp) -> bool {
        self.since.is_none_or(|s| s <= t) && self.until.is_none_or(|u| t <= u)
    }
}

/// One entry of a screening list, with the row it came from.
#[derive(Clone, Debug, Serialize)]
pub struct ListEntry {
    /// Short list id used in evidence, e.g. `entity_list`, `sdn`, `opensanctions`.
    pub list: String,
    /// The list's name as published, e.g. `Entity List (EL) - Bureau of Industry and Security`.
    pub list_name: String,
    /// The entry's id in its list (`entity_number`, `_id`, FollowTheMoney id) or its row number.
    pub entry_id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub countries: Vec<Country>,
    pub programs: Vec<String>,
    /// When the entry was listed.
    pub since: Option<Timestamp>,
    /// File it came from, as the user named it.
    pub file: String,
    pub line: u64,
}

impl ListEntry {
    /// The evidence key cited by findings: `list:<list>:<entry_id>`.
    pub fn evidence(&self) -> String {
        format!("list:{}:{}", self.list, self.entry_id)
    }
}

/// A file that was read, for the dataset fingerprint.
#[derive(Clone, Debug, Serialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Counts of what was read and rejected.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReadStats {
    pub entities_read: usize,
    pub entities_rejected: usize,
    pub records_read: usize,
    pub records_rejected: usize,
    /// Records read whose product the product table does not know: they are
    /// not checked against export controls.
    pub records_unknown_product: usize,
    pub relations_read: usize,
    pub relations_rejected: usize,
    pub list_entries_read: usize,
    /// List rows not read as entries, by cause.
    pub list_rows_skipped: ListSkips,
}

/// List rows not read as entries: those reported (each with an error
/// naming its line) and the entities of a FollowTheMoney export that are
/// not parties (addresses, sanctions), which are not errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListSkips {
    /// Rows that could not be read or screened, each reported as an error.
    pub reported: usize,
    /// Entities skipped because their schema is not a party, by schema.
    pub not_parties: std::collections::BTreeMap<String, usize>,
}

impl ListSkips {
    /// Rows reported, and no entity skipped as not a party.
    pub fn reported(n: usize) -> ListSkips {
        ListSkips { reported: n, ..ListSkips::default() }
    }

    /// Entities skipped because they are not parties.
    pub fn not_parties_total(&self) -> usize {
        self.not_parties.values().sum()
    }

    /// Every row skipped, whatever the cause.
    pub fn total(&self) -> usize {
        self.reported + self.not_parties_total()
    }

    /// Adds another file's skips.
    pub fn add(&mut self, other: ListSkips) {
        self.reported += other.reported;
        for (schema, n) in other.not_parties {
            *self.not_parties.entry(schema).or_default() += n;
        }
    }
}

/// Everything in a case folder, checked and cross-referenced.
#[derive(Debug, Default)]
pub struct Case {
    pub root: PathBuf,
    pub entities: Vec<Entity>,
    pub entity_index: HashMap<String, EntityId>,
    pub records: Records,
    pub relations: Vec<Relation>,
    pub lists: Vec<ListEntry>,
    pub strings: Strings,
    pub files: Vec<InputFile>,
    /// The records files read, as diagnostics name them, each with the index
    /// of its first record and its rows (read and rejected): one entry, or
    /// one a shard of a sharded case.
    pub record_files: Vec<(RecordId, String, usize)>,
    pub stats: ReadStats,
}

impl Case {
    /// The text of an interned string.
    pub fn s(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id as usize]
    }

    pub fn entity_by_key(&self, key: &str) -> Option<EntityId> {
        self.entity_index.get(key).copied()
    }

    /// One record as JSON, as a route's path and a trace show it: `record`,
    /// `kind`, `from`, `to` (entity ids), `date`, `quantity`, `lot`, and
    /// `product` when `with_product` (a route's path has one product).
    pub fn record_json(&self, ri: RecordId, with_product: bool) -> serde_json::Value {
        let r = &self.records[ri as usize];
        let mut v = serde_json::json!({
            "record": self.s(r.id),
            "kind": r.kind,
            "from": self.entity(r.from).id,
            "to": self.entity(r.to).id,
            "date": r.date,
            "quantity": r.quantity,
            "lot": r.lot.map(|l| self.s(l)),
        });
        if with_product {
            v["product"] = self.s(r.product).into();
        }
        v
    }

    pub fn record_id(&self, r: RecordId) -> &str {
        self.s(self.records[r as usize].id)
    }

    /// The records file that record `r` came from, as diagnostics name it.
    pub fn record_file(&self, r: RecordId) -> Option<&str> {
        let i = self.record_files.partition_point(|(start, _, _)| *start <= r);
        self.record_files.get(i.checked_sub(1)?).map(|(_, f, _)| f.as_str())
    }

    /// Every field of record `ri` on one line, each symbol as its text (symbols are
    /// numbered per process, so two cases are compared through this): the
    /// canonical form that the readers' twin tests, the readers' fuzz target
    /// and the cluster's round-trip test compare records by. The record is
    /// taken apart field by field, so a field added to [`Record`] or
    /// [`RecordExtras`] fails to compile here until it is shown.
    pub fn record_line(&self, ri: RecordId) -> String {
        let Record { id, date, kind, from, to, product, quantity, lot, parent_lot, payment, line } =
            &self.records[ri as usize];
        let RecordExtras { end_date, value_usd, declared_end_user, ship_to_country, source, attrs } =
            self.records.extras(ri);
        let text = |s: &Option<Sym>| s.map(|s| self.s(s));
        let attrs: Vec<(&str, &str)> =
            attrs.iter().flat_map(|a| a.iter()).map(|&(k, v)| (self.s(k), self.s(v))).collect();
        format!(
            "{} line {line} {date} {kind:?} {from}>{to} {} x{quantity} lot {:?} parent {:?} end {end_date:?} \
             value {value_usd:?} payment {payment:?} end user {:?} ship to {:?} source {:?} attrs {attrs:?}",
            self.s(*id),
            self.s(*product),
            text(lot),
            text(parent_lot),
            text(&declared_end_user),
            ship_to_country.as_ref().map(|c| c.as_str()),
            text(&source),
        )
    }

    /// Finds a record by its id. Linear; for CLI look-ups, not hot loops.
    pub fn record_by_key(&self, key: &str) -> Option<RecordId> {
        let sym = self.strings.get(key)?;
        self.records.iter().position(|r| r.id == sym).map(|i| i as RecordId)
    }

    /// The interned symbol of a string, if any record uses it.
    pub fn sym(&self, text: &str) -> Option<Sym> {
        self.strings.get(text)
    }

    /// A short hash of every input file, so a reader can tell two datasets apart.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for f in &self.files {
            h.update(f.path.as_bytes());
            h.update(f.sha256.as_bytes());
        }
        let digest = h.finalize();
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Payment, payment_by_words};

    #[test]
    fn a_payment_written_in_words_is_read_by_them() {
        assert_eq!(Payment::parse("USDT (TRC-20)"), Some(Payment::Crypto));
        assert_eq!(Payment::parse("paid in Tether via Binance"), Some(Payment::Crypto));
        assert_eq!(Payment::parse("USD Coin"), Some(Payment::Crypto));
        assert_eq!(Payment::parse("(USDT)"), Some(Payment::Crypto));
        assert_eq!(Payment::parse("Bank transfer (USD)"), Some(Payment::Wire));
        assert_eq!(Payment::parse("T/T"), Some(Payment::Wire));
        // Near misses: two ways to pay, or none, are not read; dollars are
        // no stablecoin; one listed spelling never goes through the words.
        assert_eq!(Payment::parse("wire or USDT"), None);
        assert_eq!(Payment::parse("Letter of Credit"), None);
        assert_eq!(Payment::parse("USD"), None);
        assert_eq!(payment_by_words("USD 20"), None);
        assert_eq!(Payment::parse_spelling("USDT (TRC-20)"), None);
    }
}
