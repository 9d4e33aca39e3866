//! `moat scan`.

use super::{
    CliError, CliResult, Format, Framework, ScanArgs, Session, account_of, collect, color_stdout,
    evaluate, resolve_items,
};
use crate::checks::{self, ItemDef, Status};
use crate::history::{self, Against};
use crate::report::compare::SavedScan;
use crate::report::{self, Header};
use std::io::Write;
use std::path::{Path, PathBuf};

pub async fn run(s: &Session, a: &ScanArgs) -> CliResult {
    let explicit = resolve_items(&a.items)?;
    let framework = a.framework.map(|f| match f {
        Framework::Cis6 => report::Framework::Cis6,
    });
    let items: Vec<&ItemDef> = checks::items()
        .iter()
        .filter(|i| {
            (a.sections.is_empty() && explicit.is_empty())
                || a.sections.iter().any(|s| s == i.section)
                || explicit.iter().any(|e| e.id == i.id)
        })
        .filter(|i| framework.is_none_or(|f| f.covers(i)))
        .collect();
    if let Some(fw) = framework
        && items.is_empty()
    {
        return Err(CliError::usage(format!(
            "none of the selected items is mapped to {} (`moat guide` shows each item's controls)",
            fw.id()
        )));
    }
    // Refuse an unwritable destination before reading the account.
    let dest = match &a.output {
        Some(path) => Some(Destination::check(path)?),
        None => None,
    };
    let inv = collect(&s.backend, &checks::parts_for(&items)).await;
    let account = account_of(&inv)?;
    let identity = inv
        .identity
        .ready()
        .map(|i| i.arn.clone())
        .unwrap_or_default();
    let results = evaluate(&items, &inv, s);
    let generated = crate::state::now();
    let demo = history::is_demo(s.backend.mode());
    // The earlier scan is found before this one is saved.
    let baseline = match a.compare.as_deref().map(Against::parse) {
        None => None,
        Some(against) => {
            let found = history::baseline(&s.state_dir, &account, demo, &against, &results)
                .map_err(CliError::usage)?;
            if found.is_none() {
                eprintln!(
                    "moat: no earlier scan of account {} to compare with; this one is saved for next time",
                    report::sanitize(&account)
                );
            }
            found
        }
    };
    history::save_in(
        &s.state_dir,
        &SavedScan::of(&account, demo, generated, &results),
    );
    let comparison = baseline.as_ref().map(|b| b.compare(&results));
    let cmp = comparison.as_ref();
    let header = Header {
        account: &account,
        identity: &identity,
        generated,
        framework,
        compare: cmp,
    };
    let color = dest.is_none() && color_stdout();
    let out = match (a.format, framework) {
        (Format::Json, fw) => report::json_with(&account, &identity, &results, fw, cmp),
        (Format::Table, None) => report::table(&account, &identity, &results, color, cmp),
        (Format::Table, Some(fw)) => {
            report::table_by_control(&account, &identity, &results, fw, color, cmp)
        }
        (Format::Sarif, _) => report::sarif::sarif(&header, &results),
        (Format::Markdown, _) => report::markdown::markdown(&header, &results),
        (Format::Csv, _) => report::csv::csv(&account, &results, cmp),
    };
    match dest {
        Some(d) => d.write(out.as_bytes())?,
        None => print!("{out}"),
    }
    let any = |st: Status| results.iter().any(|r| r.status == st);
    Ok(if any(Status::Error) {
        2
    } else if any(Status::Fail) {
        1
    } else {
        0
    })
}

/// Where `--output` writes: the file, replaced atomically.
struct Destination {
    path: PathBuf,
    dir: PathBuf,
}

impl Destination {
    /// The file's directory must exist and the path must not be a directory.
    fn check(path: &Path) -> Result<Self, CliError> {
        let fail = |why: &str| CliError::usage(format!("cannot write {}: {why}", path.display()));
        let name = path.file_name().ok_or_else(|| fail("not a file name"))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(fail("no such directory"));
        }
        if path.is_dir() {
            return Err(fail("it is a directory"));
        }
        Ok(Self {
            path: dir.join(name),
            dir,
        })
    }

    /// Write a temporary file beside the destination, then rename it over
    /// the destination: readers see the old report or the whole new one,
    /// never a part. A new file is private to the user (0600: the report
    /// describes the account's weaknesses); a replaced one keeps its mode.
    fn write(&self, data: &[u8]) -> Result<(), CliError> {
        let fail = |e: std::io::Error| {
            CliError::usage(format!("cannot write {}: {e}", self.path.display()))
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            let mut f = o.open(&tmp)?;
            if let Ok(meta) = std::fs::metadata(&self.path) {
                f.set_permissions(meta.permissions())?;
            }
            f.write_all(data)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(fail)
    }
}
