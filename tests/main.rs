//! The one integration test binary: every module below runs the real
//! `chiptrace` binary or the library against fixture folders.

mod cli;
mod cluster;
mod common;
mod docs;
mod export;
mod ftm;
mod generate;
mod graphfiles;
mod hostile;
mod import;
mod investigator;
mod read_parallel;
mod readers;
mod report;
mod rules;
mod scan;
mod schema;
mod screen;
mod screen_lists;
mod shards;
mod trace;
mod validate;
