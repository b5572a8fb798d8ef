//! The command line: argument parsing, output to stdout, diagnostics to
//! stderr, exit codes. The only module that touches argv, stdout and exit codes.
//! One file per subcommand.

/// `eprintln!` for the CLI: the line is escaped for the terminal (see
/// `output`), so a value from the data printed to stderr cannot act on it.
macro_rules! say {
    ($($t:tt)*) => { $crate::cli::output::eprint_line(&format!($($t)*)) };
}

mod cluster;
mod completions;
mod eval;
mod export;
mod generate;
mod import;
mod man;
mod output;
mod scan;
mod screen;
mod trace;
mod validate;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub use output::Out;

/// Exit codes (docs/spec.md §2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;

const EXAMPLES: &str = "\
Examples:
  chiptrace validate fixtures/demo                   check a case folder first
  chiptrace scan fixtures/demo                       ranked findings with flags and evidence
  chiptrace scan fixtures/demo --format jsonl | head -1
  chiptrace export fixtures/demo --all -o report.html
  chiptrace trace fixtures/demo --lot L-100
  chiptrace completions bash > /etc/bash_completion.d/chiptrace
  chiptrace man > chiptrace.1

Exit codes: 0 done, 1 findings at or above --fail-on, 2 bad input or usage.
The case folder format: docs/spec.md and docs/case-format.md.";

#[derive(Parser, Debug)]
#[command(
    name = "chiptrace",
    version,
    about = "Trace AI-chip lots through trade records and find routes to restricted end users",
    after_help = EXAMPLES
)]
pub struct Cli {
    /// Print nothing on stderr but errors (no warning counts, no "wrote" lines, no progress bars).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `--quiet` was given: notes on stderr are left out, errors are not.
pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints a note on stderr unless `--quiet`.
macro_rules! note {
    ($($t:tt)*) => { if !$crate::cli::quiet() { say!($($t)*); } };
}
pub(crate) use note;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a synthetic case with planted diversion schemes and truth.json.
    Generate(generate::Args),
    /// Precision and recall of `scan` against the truth `generate` planted.
    Eval(eval::Args),
    /// Draw a finding, a lot or an entity as DOT, SVG, PNG, HTML, GraphML or GEXF.
    Export(export::Args),
    /// Read a case folder and print every problem as file:line: message.
    Validate(validate::Args),
    /// Follow a lot or an entity's goods forward, or back to their origins.
    Trace(trace::Args),
    /// Find every route that plausibly ends with a restricted end user, ranked, with flags and evidence.
    Scan(scan::Args),
    /// Match every entity's names and aliases against the screening lists.
    Screen(screen::Args),
    /// Turn a customs or bill-of-lading export into a case folder, by a mapping file.
    Import(import::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff) of chiptrace and its subcommands.
    Man(man::Args),
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Export(a) => export::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Trace(a) => trace::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Screen(a) => screen::run(a),
        Command::Import(a) => import::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return EXIT_OK;
            }
            say!("error: {e}");
            for cause in e.chain().skip(1) {
                say!("  caused by: {cause}");
            }
            EXIT_BAD_INPUT
        }
    }
}

/// Reads a case, printing its diagnostics to stderr. Returns None (after
/// printing) when the case has errors, so the caller exits 2.
pub(crate) fn load_case(dir: &std::path::Path, policy: Option<PathBuf>) -> anyhow::Result<Option<crate::read::Loaded>> {
    load_case_with(dir, read_options(policy)?)
}

/// [`load_case`] with reading options (`--threads` of the commands that have it).
pub(crate) fn load_case_with(
    dir: &std::path::Path,
    opts: crate::read::ReadOptions,
) -> anyhow::Result<Option<crate::read::Loaded>> {
    let loaded = crate::read::read_case(dir, &opts)?;
    Ok(checked(dir, loaded))
}

/// The name `-` gives standard input in diagnostics.
pub(crate) const STDIN: &str = "<stdin>";

/// Whether a path argument is `-`, standard input.
pub(crate) fn is_stdin(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Most bytes read from standard input for one file (a policy, a mapping, a
/// truth.json): far above any real one, so a wrong pipe cannot exhaust memory.
const STDIN_LIMIT: u64 = 1 << 30;

/// Reads standard input whole, for an option given as `-`; `what` names the
/// file in errors.
pub(crate) fn read_stdin(what: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(STDIN_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{STDIN}: cannot read {what}: {e}"))?;
    if bytes.len() as u64 > STDIN_LIMIT {
        anyhow::bail!("{STDIN}: {what} is over {} MiB; pass it as a file", STDIN_LIMIT >> 20);
    }
    Ok(bytes)
}

/// A file argument's bytes: standard input for `-`, else the file.
pub(crate) fn read_input(path: &std::path::Path, what: &str) -> anyhow::Result<(String, Vec<u8>)> {
    if is_stdin(path) {
        return Ok((STDIN.to_string(), read_stdin(what)?));
    }
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{shown}: cannot read {what}: {e}"))?;
    Ok((shown, bytes))
}

/// Read options for `--policy FILE`, where `-` reads the policy from standard input.
pub(crate) fn read_options(policy: Option<PathBuf>) -> anyhow::Result<crate::read::ReadOptions> {
    match policy {
        Some(p) if is_stdin(&p) => Ok(crate::read::ReadOptions {
            policy_file: Some(PathBuf::from(STDIN)),
            policy_bytes: Some(read_stdin("the policy")?),
            ..Default::default()
        }),
        policy_file => Ok(crate::read::ReadOptions { policy_file, ..Default::default() }),
    }
}

/// Prints a case's diagnostics as [`load_case`] does; None when it has errors.
pub(crate) fn checked(dir: &std::path::Path, loaded: crate::read::Loaded) -> Option<crate::read::Loaded> {
    let errors = loaded.diags.errors();
    if errors > 0 {
        for d in &loaded.diags.0 {
            say!("{d}");
        }
        say!("{}: {errors} error(s); run `chiptrace validate {}` for the full report", dir.display(), dir.display());
        return None;
    }
    if loaded.diags.warnings() > 0 {
        note!("{}: {} warning(s) (see `chiptrace validate`)", dir.display(), loaded.diags.warnings());
    }
    Some(loaded)
}

/// What `scan` and `screen` say on stderr about the screening lists: each
/// warning about a `lists/` entry (a file not read is never silent), and a
/// notice when there is nothing to screen against. Both are notes: `--quiet`
/// leaves them out (scan's JSON still carries them under `warnings`).
pub(crate) fn lists_notice(dir: &std::path::Path, loaded: &crate::read::Loaded) {
    let lists = dir.join("lists");
    let shown = lists.display().to_string();
    for d in loaded.diags.0.iter().filter(|d| !d.is_error() && d.file.starts_with(&shown)) {
        note!("{d}");
    }
    if loaded.case.lists.is_empty() {
        let why = if lists.is_dir() { "lists/ holds no list entries" } else { "the case has no lists/ folder" };
        note!("{}: warning: no screening lists ({why}): listed_party and listed_affiliate cannot fire", dir.display());
    }
}
