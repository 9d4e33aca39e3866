//! `moat completions SHELL` and `moat man`, generated from the clap definition.

use super::{CliError, CliResult, Shell};

pub fn completions(_shell: Shell) -> CliResult {
    Err(CliError::usage("moat completions is not built yet"))
}

pub fn man() -> CliResult {
    Err(CliError::usage("moat man is not built yet"))
}
