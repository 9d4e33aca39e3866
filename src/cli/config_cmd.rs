//! `moat config init|path`: write the commented default config file, or say
//! where moat reads it from. Neither reads the file, so both work while it is
//! broken.

use super::{CliError, CliResult, ConfigAction, ConfigArgs, Global};
use crate::config::{self, ConfigError, Location, Source};
use std::io::Write;

pub fn run(g: &Global, a: &ConfigArgs) -> CliResult {
    let loc = config::locate(g.config.as_deref()).ok_or(ConfigError::NoConfigDir)?;
    match a.action {
        ConfigAction::Init { force } => init(&loc, force),
        ConfigAction::Path => path(&loc),
    }
}

/// Write `assets/config.toml` to the config path; an existing file is only
/// replaced with `--force`.
fn init(loc: &Location, force: bool) -> CliResult {
    let path = &loc.path;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::usage(format!(
                "cannot create the config dir {}: {e}",
                dir.display()
            ))
        })?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = match open.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::usage(format!(
                "config {} exists; `moat config init --force` replaces it with the defaults",
                path.display()
            )));
        }
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot write config {}: {e}",
                path.display()
            )));
        }
    };
    file.write_all(config::DEFAULT_FILE.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| CliError::usage(format!("cannot write config {}: {e}", path.display())))?;
    println!("wrote {}", path.display());
    Ok(0)
}

/// Print the path on standard output (for `$(moat config path)`), and
/// whether it exists, and who chose it, on standard error.
fn path(loc: &Location) -> CliResult {
    let from = match loc.source {
        Source::Default => String::new(),
        from => format!(" (from {from})"),
    };
    let state = if loc.path.is_file() {
        "exists".to_string()
    } else if loc.path.exists() {
        "exists but is not a file".to_string()
    } else if loc.source == Source::Default {
        "does not exist: moat uses its defaults; `moat config init` writes it".to_string()
    } else {
        "does not exist, so moat stops until it does; `moat config init` writes it".to_string()
    };
    println!("{}", loc.path.display());
    eprintln!("config {}{from} {state}", loc.path.display());
    Ok(0)
}
