//! `chiptrace man`: the manual page in roff, printed to stdout (docs/spec.md §5.4).
//! One page holds the tool and every subcommand, each with its options and
//! examples, generated from the clap definition the binary parses with.

use super::{Cli, EXIT_OK, Out};
use clap::CommandFactory;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace man > chiptrace.1 && man ./chiptrace.1
  chiptrace man | gzip > /usr/local/share/man/man1/chiptrace.1.gz")]
pub struct Args {}

pub fn run(_: Args) -> anyhow::Result<i32> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Out::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    // Each subcommand's own options and examples, so `man chiptrace` is the whole manual.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name();
        let sub = sub.clone().bin_name(format!("chiptrace {name}"));
        writeln!(out, ".SH \"CHIPTRACE {}\"", name.to_uppercase())?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
        let page = clap_mangen::Man::new(sub.clone());
        let mut opts = Vec::new();
        page.render_synopsis_section(&mut opts)?;
        page.render_options_section(&mut opts)?;
        // The sections of a subcommand become sub-sections of this page.
        let opts = String::from_utf8_lossy(&opts).replace(".SH ", ".SS ");
        out.write_all(opts.as_bytes())?;
        if let Some(after) = sub.get_after_help() {
            writeln!(out, ".SS EXAMPLES\n.nf\n{}\n.fi", roff_text(&after.to_string()))?;
        }
    }
    man.render_extra_section(&mut out)?;
    man.render_version_section(&mut out)?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// Text safe in roff: a leading `.` or `'` would start a request, a backslash an escape.
fn roff_text(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e");
            if l.starts_with('.') || l.starts_with('\'') { format!("\\&{l}") } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
