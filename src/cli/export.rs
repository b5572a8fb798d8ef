//! `chiptrace export CASE (--finding ID | --lot LOT | --entity ID | --all) --format F -o FILE`.

use super::{EXIT_BAD_INPUT, EXIT_OK, Out};
use crate::export::{self, Bounds, Export, Format, diagram};
use crate::scan::{ScanConfig, scan};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["finding", "lot", "entity", "all"])))]
#[command(after_help = "\
Examples:
  chiptrace export fixtures/demo --finding F-9e792daa8b6b -o top.svg
  chiptrace export fixtures/demo --finding F-9e792daa8b6b -o top.html   (print it to PDF from a browser)
  chiptrace export fixtures/demo --lot L-100 -o lot.png --dpi 200
  chiptrace export fixtures/demo --all -o case.gexf                     (Gephi, with a timeline)
  chiptrace export fixtures/demo --all -o case.ftm.json                 (FollowTheMoney: Aleph, ftm tools)
  chiptrace export big-case --all -o case.html             (over --max-records: a country map, printed in parts)
  chiptrace export big-case --all --part 2 -o part2.svg    (one printable part of that map)
  chiptrace export fixtures/demo --entity HCS -o - --format dot | dot -Tpdf > hcs.pdf")]
pub struct Args {
    /// The case folder.
    pub case: PathBuf,
    /// A finding of `chiptrace scan CASE`, by id: its route, owners and evidence.
    #[arg(long)]
    pub finding: Option<String>,
    /// A lot and the lots split from it, traced forward.
    #[arg(long)]
    pub lot: Option<String>,
    /// An entity's neighbourhood: records in and out, and its owners and officers.
    #[arg(long)]
    pub entity: Option<String>,
    /// The whole case. As html, a report of every finding of the scan, each with
    /// its diagram; as graphml or gexf, every entity, record and relation.
    #[arg(long)]
    pub all: bool,
    /// Output format; by default taken from the extension of -o. `dot` Graphviz source;
    /// `svg`, `png` drawn by Graphviz; `html` a self-contained report that prints;
    /// `graphml` and `gexf` graph files for Gephi, yEd, networkx; `ftm` FollowTheMoney
    /// entities (JSON lines; `.ftm.json`) for Aleph.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// File to write (`-` for standard output).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// A policy file to use instead of the case's policy.toml (`-` reads standard input).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Resolution of PNG output in dots per inch (96 is a screen's; 300 prints sharp).
    #[arg(long, default_value_t = crate::export::DEFAULT_DPI, value_parser = clap::value_parser!(u32).range(24..=1200))]
    pub dpi: u32,
    /// Most records drawn for an entity or the whole case. A case with more is drawn as
    /// an overview: a map of countries and the records between them, with a note of
    /// what was left out (graphml, gexf and ftm of --all are never cut).
    #[arg(long, default_value_t = Bounds::default().max_records)]
    pub max_records: usize,
    /// With --all on a case drawn as an overview: draw only part K of the country
    /// map (dot, svg, png), one of the parts that each print legibly on a page;
    /// the note on the whole map says how many there are.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub part: Option<u32>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let Some(format) = a.format.or_else(|| export::Format::from_path(&a.output)) else {
        say!(
            "error: cannot tell the format from `{}`; pass --format dot, svg, png, html, graphml, gexf or ftm",
            a.output.display()
        );
        return Ok(EXIT_BAD_INPUT);
    };
    let Some(loaded) = super::load_case(&a.case, a.policy.clone())? else { return Ok(EXIT_BAD_INPUT) };
    let (case, policy) = (&loaded.case, &loaded.policy);
    let report = scan(case, policy, &ScanConfig::default());
    let bounds = Bounds { max_records: a.max_records };
    let shown = a.case.display();
    let x = if let Some(id) = &a.finding {
        match report.findings.iter().find(|f| &f.id == id) {
            Some(f) => Export::finding(case, policy, f),
            None => {
                say!(
                    "error: no finding `{id}` in the scan of {shown} ({} findings); run `chiptrace scan {shown}` to list their ids",
                    report.findings.len()
                );
                return Ok(EXIT_BAD_INPUT);
            }
        }
    } else if let Some(lot) = &a.lot {
        match case.sym(lot).filter(|s| case.records.iter().any(|r| r.lot == Some(*s))) {
            Some(l) => Export::diagram(case, policy, diagram::of_lot(case, policy, l, &report.findings)),
            None => {
                say!("error: no record of {shown} carries lot `{lot}`");
                return Ok(EXIT_BAD_INPUT);
            }
        }
    } else if let Some(id) = &a.entity {
        match case.entity_by_key(id) {
            Some(e) => Export::diagram(case, policy, diagram::of_entity(case, policy, e, &report.findings, bounds)),
            None => {
                say!("error: no entity with id `{id}` in {shown}/entities.csv");
                return Ok(EXIT_BAD_INPUT);
            }
        }
    } else {
        let cut = match format {
            Format::Graphml | Format::Gexf | Format::Ftm => None,
            _ => Some(a.max_records),
        };
        Export::report(case, policy, &report.findings, cut)
    };
    if format == Format::Html && !export::render::dot_available() {
        super::note!(
            "warning: Graphviz `dot` was not found; the report has its tables but no diagram (apt-get install graphviz)"
        );
    }
    let mut x = x;
    x.dpi = a.dpi;
    if let Some(k) = a.part {
        let parts = x.diagram.overview.as_ref().map_or(0, |o| o.parts.len());
        if !a.all {
            say!(
                "error: --part {k} goes with --all: it draws one part of the country map of a case over --max-records"
            );
            return Ok(EXIT_BAD_INPUT);
        }
        if !matches!(format, Format::Dot | Format::Svg | Format::Png) {
            say!("error: --part draws one part of the country map as dot, svg or png, not {format}");
            return Ok(EXIT_BAD_INPUT);
        }
        if parts == 0 {
            say!(
                "error: --part {k}: {shown} has {} records, within --max-records {}, so it is drawn whole, not as a \
                 country map in parts",
                case.records.len(),
                a.max_records
            );
            return Ok(EXIT_BAD_INPUT);
        }
        if k as usize > parts {
            say!("error: --part {k}: the country map of {shown} has {parts} part(s); pass 1 to {parts}");
            return Ok(EXIT_BAD_INPUT);
        }
        x.part = Some(k as usize);
    }
    let bytes = export::export(&x, format)?;
    if a.output.as_os_str() == "-" {
        let mut out = Out::raw();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        std::fs::write(&a.output, &bytes)
            .map_err(|e| anyhow::anyhow!("{}: cannot write the export: {e}", a.output.display()))?;
        super::note!("wrote {} ({format}, {} bytes)", a.output.display(), bytes.len());
    }
    Ok(EXIT_OK)
}
