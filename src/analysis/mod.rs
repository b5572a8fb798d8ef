//! Analyses over the model and graph: inventories, lot lineage, traces,
//! ownership and the route search. They compute; they never print.

pub mod inventory;
pub mod mirrors;
pub mod ownership;
pub mod reach;
pub mod routes;
pub mod trace;
