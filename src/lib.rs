//! chiptrace: provenance graphs of AI-chip trade records and the routes that
//! plausibly end with a restricted end user.
//!
//! Data flows one way: [`read`] turns a case folder into a [`model::Case`];
//! [`graph`] indexes it; [`analysis`] traces lots and searches routes;
//! [`screen`] matches entities against lists; [`rules`] flag routes;
//! [`scan`] ranks them into findings; [`export`] draws them. Only [`cli`]
//! touches arguments, standard output and exit codes.

pub mod analysis;
pub mod cli;
pub mod cluster;
pub mod diag;
pub mod eval;
pub mod export;
pub mod generate;
pub mod graph;
pub mod import;
pub mod lists;
pub mod model;
pub mod par;
pub mod policy;
pub mod read;
pub mod rules;
pub mod scan;
pub mod screen;
pub mod text;
