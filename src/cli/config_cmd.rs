//! `moat config init|path`.

use super::{CliError, CliResult, ConfigArgs, Global};

pub fn run(_g: &Global, _a: &ConfigArgs) -> CliResult {
    Err(CliError::usage("moat config is not built yet"))
}
