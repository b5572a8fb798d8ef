//! SVG and PNG, rendered from the DOT of [`super::dot`] by Graphviz's `dot`
//! through graphviz-rust's `exec`. Where `dot` is not installed the error
//! says how to install it.

use super::{Export, ExportError, Exporter, Format, dot};
use graphviz_rust::cmd::{CommandArg, Format as GvFormat};
use std::io::ErrorKind;

/// The SVG exporter.
pub struct Svg;

/// The PNG exporter.
pub struct Png;

impl Exporter for Svg {
    fn name(&self) -> &'static str {
        "svg"
    }
    fn extension(&self) -> &'static str {
        "svg"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        render(&dot::export_dot(x)?, Format::Svg)
    }
}

impl Exporter for Png {
    fn name(&self) -> &'static str {
        "png"
    }
    fn extension(&self) -> &'static str {
        "png"
    }
    fn export(&self, x: &Export) -> Result<Vec<u8>, ExportError> {
        render_at(&dot::export_dot(x)?, Format::Png, x.dpi)
    }
}

/// Renders DOT text with Graphviz `dot` to SVG, or to PNG at the default resolution.
pub fn render(dot_text: &str, format: Format) -> Result<Vec<u8>, ExportError> {
    render_at(dot_text, format, super::DEFAULT_DPI)
}

/// Renders DOT text with Graphviz `dot` to SVG or to PNG at `dpi` (SVG is
/// resolution-free and ignores it).
pub fn render_at(dot_text: &str, format: Format, dpi: u32) -> Result<Vec<u8>, ExportError> {
    let gv = match format {
        Format::Png => GvFormat::Png,
        _ => GvFormat::Svg,
    };
    let args = vec![CommandArg::Format(gv), CommandArg::Custom(format!("-Gdpi={}", dpi.clamp(24, 1200)))];
    let args = if format == Format::Png { args } else { args.into_iter().take(1).collect() };
    match graphviz_rust::exec_dot(dot_text.to_string(), args) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(ExportError::DotMissing { format }),
        Err(e) => Err(ExportError::Render { format, message: e.to_string().trim().to_string() }),
    }
}

/// Whether Graphviz `dot` can be run.
pub fn dot_available() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
