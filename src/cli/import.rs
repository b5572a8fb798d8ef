//! `chiptrace import SRC --mapping MAPPING.toml --out CASE` (docs/spec.md §5.3): a
//! customs or bill-of-lading export turned into a case folder. SRC may be
//! `-` (standard input) and may be compressed (`.gz`, `.zst`).

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::import::{self, Imported};
use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace import examples/bol/shipments.csv --mapping examples/bol/mapping.toml --out /tmp/case
  chiptrace scan /tmp/case
  zcat export.csv.gz | chiptrace import - --mapping mapping.toml --out case --force

Every source row becomes a record or an error naming its line; exit 2 when a
row was not imported (the case still holds the rest). The mapping format is in
docs/import.md and examples/bol/mapping.toml.")]
pub struct Args {
    /// The source table (CSV, or another separator set in the mapping); `-` reads
    /// standard input; `.gz` and `.zst` are decompressed.
    pub src: PathBuf,
    /// The mapping file: which source column holds each field (docs/import.md); `-`
    /// reads it from standard input (then SRC must be a file).
    #[arg(long)]
    pub mapping: PathBuf,
    /// The case folder to write (entities.csv, records.csv); created if missing.
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a folder that already holds files, replacing its entities.csv and records.csv.
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    if super::is_stdin(&a.src) && super::is_stdin(&a.mapping) {
        say!("error: the source and --mapping are both `-`; only one of them can be standard input");
        return Ok(EXIT_BAD_INPUT);
    }
    let (mapping_name, mapping_bytes) = super::read_input(&a.mapping, "the mapping file")?;
    let mapping_text = String::from_utf8(mapping_bytes)
        .map_err(|e| anyhow::anyhow!("{mapping_name}: the mapping file is not UTF-8 ({e})"))?;
    let mapping = import::parse_mapping(&mapping_text, &mapping_name)?;
    if !a.force && std::fs::read_dir(&a.out).is_ok_and(|mut d| d.next().is_some()) {
        say!(
            "error: {}: the folder is not empty; pass --force to write the case into it (its entities.csv and records.csv are replaced)",
            a.out.display()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let shown = if a.src.as_os_str() == "-" { "<stdin>".to_string() } else { a.src.display().to_string() };
    let input = crate::read::compressed::open_input(&a.src).with_context(|| format!("{shown}: cannot open"))?;
    let x: Imported = import::import(input, &shown, &mapping);
    for d in &x.diags.0 {
        if d.is_error() {
            say!("{d}");
        } else {
            super::note!("{d}");
        }
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("{}: cannot create the case folder", a.out.display()))?;
    let open = |name: &str| {
        let p = a.out.join(name);
        std::fs::File::create(&p).with_context(|| format!("{}: cannot write", p.display()))
    };
    import::write_case(
        &x,
        std::io::BufWriter::new(open("entities.csv")?),
        std::io::BufWriter::new(open("records.csv")?),
    )
    .with_context(|| format!("{}: cannot write the case", a.out.display()))?;
    let merged = x.entities.iter().filter(|e| !e.aliases.is_empty()).count();
    super::note!(
        "{shown}: {} rows: {} records imported, {}{} rows reported; {} entities ({merged} merged from several spellings); {} products not recognised; wrote {}",
        x.rows,
        x.records.len(),
        if x.mirrors > 0 {
            format!("{} joined as mirror declarations of a shipment another row declares, ", x.mirrors)
        } else {
            String::new()
        },
        x.rejected,
        x.entities.len(),
        x.unrecognised_products,
        a.out.display()
    );
    if x.party_tails > 0 {
        super::note!(
            "{shown}: {} records name a party with a `C/O`, `ON BEHALF OF` or `ATTN` tail: the party is the name before it, the tail is kept in the records' `*_as_written`, `*_on_behalf_of` and `*_attention` columns",
            x.party_tails
        );
    }
    if x.rejected > 0 {
        say!(
            "error: {shown}: {} of {} rows were not imported (see above); {} holds the rest",
            x.rejected,
            x.rows,
            a.out.display()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    Ok(EXIT_OK)
}
