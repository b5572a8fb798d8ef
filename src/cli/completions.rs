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
    let mut out = Out::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "chiptrace", &mut out);
    out.flush()?;
    Ok(EXIT_OK)
}
