//! Diagrams and reports an investigator can hand on: a finding's route, a
//! lot's trace, an entity's neighbourhood or the whole case, as Graphviz DOT,
//! SVG or PNG (rendered by Graphviz `dot`), a self-contained HTML report, or
//! GraphML and GEXF for Gephi and yEd.
//!
//! [`diagram`] decides what is drawn; one file per format turns a
//! [`Diagram`] into bytes behind the [`Exporter`] trait, and [`exporter`] is
//! the registry. Every value from the data is escaped for the format it goes
//! into ([`text`]), and output is byte-identical for the same input: nothing is
//! stamped with the time of the run.

pub mod diagram;
pub mod dot;
pub mod ftm;
pub mod gexf;
pub mod graphml;
pub mod html;
pub mod render;
pub mod text;

pub use diagram::{Bounds, Component, Diagram, Mark, Overview, Part, RecordIndex, Subject};

use crate::model::Case;
use crate::policy::Policy;
use crate::scan::{Finding, ScanReport, Severity};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The formats `chiptrace export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// Graphviz source, to render or edit elsewhere.
    Dot,
    /// A drawing, rendered by Graphviz `dot`.
    Svg,
    /// A raster drawing, rendered by Graphviz `dot` (resolution: --dpi).
    Png,
    /// A self-contained report with diagrams, tables and evidence, laid out for printing.
    Html,
    /// GraphML for yEd, Cytoscape, networkx and igraph, with typed attributes.
    Graphml,
    /// GEXF 1.3 for Gephi, dynamic: nodes and edges carry their dates for the timeline.
    Gexf,
    /// FollowTheMoney entities, one JSON object a line, for Aleph and OpenSanctions tools.
    Ftm,
}

impl Format {
    pub const ALL: &'static [Format] =
        &[Format::Dot, Format::Svg, Format::Png, Format::Html, Format::Graphml, Format::Gexf, Format::Ftm];

    pub fn as_str(&self) -> &'static str {
        exporter(*self).name()
    }

    /// The file extension, without the dot.
    pub fn extension(&self) -> &'static str {
        exporter(*self).extension()
    }

    /// The format a file name asks for by its extension (`.gv` is DOT, `.htm` HTML).
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".ftm.json") || name.ends_with(".ftm.jsonl") || name.ends_with(".ftm") {
            return Some(Format::Ftm);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "gv" => Some(Format::Dot),
            "htm" => Some(Format::Html),
            _ => Format::ALL.iter().copied().find(|f| f.extension() == ext),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "Graphviz `dot` was not found on PATH; {format} output is rendered by it. Install Graphviz \
         (`apt-get install graphviz`, `brew install graphviz`, or https://graphviz.org/download/), \
         or export `--format dot` and render it elsewhere"
    )]
    DotMissing { format: Format },
    #[error("Graphviz `dot` failed to render {format}: {message}")]
    Render { format: Format, message: String },
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{format} export of the diagram failed: {message}")]
    Encode { format: Format, message: String },
}

/// A finding reported in an export, with the diagram of its route.
pub struct FindingView<'a> {
    pub finding: &'a Finding,
    pub diagram: Diagram,
}

/// Everything an exporter may use.
pub struct Export<'a> {
    pub case: &'a Case,
    pub policy: &'a Policy,
    /// What graph formats draw, and what the HTML report opens with.
    pub diagram: Diagram,
    /// The findings an HTML report details (empty for a lot or an entity).
    /// When there is one and it is the subject, its diagram is `diagram`.
    pub findings: Vec<FindingView<'a>>,
    /// Records by id, to resolve evidence; shared by the exports of one scan.
    pub index: Arc<RecordIndex>,
    /// Resolution of PNG output, in dots per inch.
    pub dpi: u32,
    /// For DOT, SVG and PNG of an overview: draw only this printable part of
    /// its map (1-based, [`diagram::Overview::parts`]).
    pub part: Option<usize>,
}

/// PNG resolution unless `--dpi` says otherwise: twice a screen's 96, so
/// labels stay sharp when the picture is zoomed or printed.
pub const DEFAULT_DPI: u32 = 192;

impl<'a> Export<'a> {
    /// The export of one finding.
    pub fn finding(case: &'a Case, policy: &'a Policy, f: &'a Finding) -> Export<'a> {
        Export::finding_in(case, policy, f, Arc::new(RecordIndex::build(case)))
    }

    /// The export of one finding, with a record index built once for many.
    pub fn finding_in(case: &'a Case, policy: &'a Policy, f: &'a Finding, index: Arc<RecordIndex>) -> Export<'a> {
        let d = diagram::of_finding(case, policy, f, &index);
        Export {
            case,
            policy,
            diagram: d.clone(),
            findings: vec![FindingView { finding: f, diagram: d }],
            index,
            dpi: DEFAULT_DPI,
            part: None,
        }
    }

    /// The export of a diagram with no findings detailed.
    pub fn diagram(case: &'a Case, policy: &'a Policy, diagram: Diagram) -> Export<'a> {
        Export {
            case,
            policy,
            diagram,
            findings: vec![],
            index: Arc::new(RecordIndex::build(case)),
            dpi: DEFAULT_DPI,
            part: None,
        }
    }

    /// The whole case: every finding detailed, the case drawn (the earliest
    /// `max_records` records where given).
    pub fn report(
        case: &'a Case,
        policy: &'a Policy,
        findings: &'a [Finding],
        max_records: Option<usize>,
    ) -> Export<'a> {
        let index = Arc::new(RecordIndex::build(case));
        let diagram = diagram::of_case(case, policy, findings, max_records);
        let findings = findings
            .iter()
            .map(|f| FindingView { finding: f, diagram: diagram::of_finding(case, policy, f, &index) })
            .collect();
        Export { case, policy, diagram, findings, index, dpi: DEFAULT_DPI, part: None }
    }
}

/// One output format.
pub trait Exporter: Sync {
    /// The format's name on the command line.
    fn name(&self) -> &'static str;
    /// The file extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Renders the export.
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError>;
}

/// The exporter of a format: the registry, one line a format.
pub fn exporter(format: Format) -> &'static dyn Exporter {
    match format {
        Format::Dot => &dot::Dot,
        Format::Svg => &render::Svg,
        Format::Png => &render::Png,
        Format::Html => &html::Html,
        Format::Graphml => &graphml::GraphMl,
        Format::Gexf => &gexf::Gexf,
        Format::Ftm => &ftm::Ftm,
    }
}

/// Renders `x` in `format`.
pub fn export(x: &Export, format: Format) -> Result<Vec<u8>, ExportError> {
    exporter(format).export(x)
}

/// A file name made from a finding id: letters, digits, `.`, `-` and `_` kept, anything else `_`.
pub fn file_stem(id: &str) -> String {
    let s: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "finding".to_string() } else { s }
}

/// Writes one diagram per finding of `report` at or above `min_severity` into
/// `dir` (created if missing), named `<finding id>.<ext>`, and returns the
/// paths written, in the report's order. As HTML, an `index.html` lists the
/// findings with severity, score, terminal and flags, each linked to its page.
/// Used by `chiptrace scan --export-dir`.
pub fn export_findings(
    case: &Case,
    policy: &Policy,
    report: &ScanReport,
    dir: &Path,
    format: Format,
    min_severity: Severity,
) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Write { path: dir.display().to_string(), source: e })?;
    let index = Arc::new(RecordIndex::build(case));
    let mut written = Vec::new();
    for f in report.findings.iter().filter(|f| f.severity >= min_severity) {
        let bytes = export(&Export::finding_in(case, policy, f, index.clone()), format)?;
        let path = dir.join(format!("{}.{}", file_stem(&f.id), format.extension()));
        std::fs::write(&path, bytes).map_err(|e| ExportError::Write { path: path.display().to_string(), source: e })?;
        written.push(path);
    }
    if format == Format::Html {
        let path = dir.join("index.html");
        let shown: Vec<&Finding> = report.findings.iter().filter(|f| f.severity >= min_severity).collect();
        std::fs::write(&path, html::index(case, &shown, format.extension()))
            .map_err(|e| ExportError::Write { path: path.display().to_string(), source: e })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests;
