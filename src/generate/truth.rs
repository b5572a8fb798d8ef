//! truth.json: what `generate` planted, read back by `eval`.
//!
//! ```json
//! {"seed": 7, "records": 2000,
//!  "schemes": [{"id": "S-1", "type": "hub_remote_access", "terminal": "E812",
//!               "records": ["R17", "R18"], "lot": "L9-12", "note": "..."}],
//!  "decoys":  [{"id": "D-1", "type": "allied_lease", "terminal": "E77",
//!               "records": ["R40"], "lot": "L31", "note": "..."}]}
//! ```
//! `records` lists every record of the planted flow, from the maker's sale to
//! the terminal, in time order; `lot` is the lot that reaches the terminal
//! (null where the route carries no lots). `schemes` are the planted
//! terminals a scan must report; `decoys` are lawful terminals that resemble
//! them and must not be `high`. A flow with several terminals (one lessor's
//! lessees) has one entry per terminal, sharing its records.

use serde::{Deserialize, Serialize};

/// The planted truth of a generated case.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Truth {
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub records: u64,
    pub schemes: Vec<Planted>,
    #[serde(default)]
    pub decoys: Vec<Planted>,
}

/// One planted scheme or decoy.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Planted {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Entity id where the route ends.
    pub terminal: String,
    /// Record ids of the planted flow.
    pub records: Vec<String>,
    #[serde(default)]
    pub lot: Option<String>,
    #[serde(default)]
    pub note: String,
}
