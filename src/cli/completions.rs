//! `chiptrace completions SHELL`: a completion script for the shell, printed
//! to stdout (docs/spec.md §5.4), generated from the same clap definition the binary
//! parses with, so it never drifts from the real options.

use super::{Cli, EXIT_OK, Out};
use clap::CommandFactory;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  chiptrace completions bash > ~/.local/share/bash-completion/completions/chiptrace
  chiptrace completions zsh > ~/.zfunc/_chiptrace
  chiptrace completions fish > ~/.config/fish/completions/chiptrace.fish")]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    // clap_complete panics when its writer fails, so the script is made in
    // memory and written here, where a closed pipe (`| head`) exits 0 quietly.
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "chiptrace", &mut script);
    let mut out = Out::new();
    out.write_all(&script)?;
    out.flush()?;
    Ok(EXIT_OK)
}
