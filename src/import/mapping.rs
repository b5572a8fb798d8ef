//! The mapping file of `chiptrace import` (docs/spec.md §5.3): which source column
//! holds each field of a record, the date formats of the source, and
//! constants for what the source does not say (record kind, party kinds).

use serde::Deserialize;

/// A field's source: a column of the source file, or a constant.
///
/// For `kind`, `from_kind` and `to_kind` a bare string is a constant
/// (`kind = "sale"`); for every other field it names a column
/// (`date = "Arrival Date"`). Either meaning can be spelled out:
/// `{ column = "Mode" }` or `{ value = "wire" }`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Spec {
    Bare(String),
    Column { column: String },
    Value { value: String },
}

/// A resolved field source.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Column(String),
    Value(String),
}

impl Spec {
    /// This spec where a bare string names a column.
    pub fn column_first(&self) -> Source {
        match self {
            Spec::Bare(c) | Spec::Column { column: c } => Source::Column(c.clone()),
            Spec::Value { value } => Source::Value(value.clone()),
        }
    }

    /// This spec where a bare string is a constant.
    pub fn value_first(&self) -> Source {
        match self {
            Spec::Bare(v) | Spec::Value { value: v } => Source::Value(v.clone()),
            Spec::Column { column } => Source::Column(column.clone()),
        }
    }
}

/// The whole mapping file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub source: SourceFormat,
    pub records: Records,
    /// Entity kinds of named parties (`"Formosa Server Manufacturing" =
    /// "manufacturer"`), matched by normalised name: what the investigator
    /// knows and the source does not say. A maker's units need no source.
    #[serde(default)]
    pub parties: std::collections::BTreeMap<String, String>,
}

/// How the source file is laid out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceFormat {
    /// Field separator: `,` (default), `;`, `|` or `\t` for TSV.
    pub delimiter: String,
}

impl Default for SourceFormat {
    fn default() -> Self {
        SourceFormat { delimiter: ",".to_string() }
    }
}

/// Where each field of a record comes from. Only `date`, `from`, `to`,
/// `product` and `quantity` are required; the rest are optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// Record id (a bill-of-lading or declaration number). When absent, ids
    /// are made from the source file's name and line.
    pub id: Option<Spec>,
    pub date: Spec,
    /// chrono formats tried in order (`%Y-%m-%d`, `%m/%d/%Y`, `%d.%m.%Y`, `%Y%m%d`,
    /// `%d-%b-%Y`); the first that parses wins. Default: ISO 8601 only.
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// Record kind: a constant (`"sale"`, `"shipment"`) or `{ column = "..." }`.
    pub kind: Option<Spec>,
    pub from: Spec,
    pub from_country: Option<Spec>,
    pub from_address: Option<Spec>,
    /// Entity kind of the senders: a constant or a column. Default `unknown`.
    pub from_kind: Option<Spec>,
    pub to: Spec,
    pub to_country: Option<Spec>,
    pub to_address: Option<Spec>,
    /// Entity kind of the receivers: a constant or a column. Default `unknown`.
    pub to_kind: Option<Spec>,
    /// The goods as described on the document ("HGX H100 8-GPU server").
    pub product: Spec,
    /// The Harmonized System code, kept beside the description and given to
    /// the product normaliser as a hint.
    pub hs_code: Option<Spec>,
    /// Units as declared (servers, boards or cards); multiplied by the GPUs a
    /// unit holds where the description says so.
    pub quantity: Spec,
    pub value_usd: Option<Spec>,
    pub lot: Option<Spec>,
    pub payment: Option<Spec>,
    pub declared_end_user: Option<Spec>,
    pub ship_to_country: Option<Spec>,
    /// Cited with the source file and line in each record's `source`.
    pub source: Option<Spec>,
    /// The side of the border each row was declared on (`export` /
    /// `import`, or a constant): where absent, the `source` cell's words or
    /// the id's say it (see [`super::mirror`]).
    pub declaration: Option<Spec>,
    /// Days apart within which an export and an import declaration of the
    /// same goods between the same parties are one shipment's mirror rows,
    /// joined into one record (default 30; `0` keeps every row a record).
    pub mirror_days: Option<u32>,
}
