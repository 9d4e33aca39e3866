//! `moat scan`.

use super::{
    CliError, CliResult, Format, Framework, Global, ScanArgs, Session, account_of, collect,
    color_stdout, evaluate, resolve_items,
};
use crate::checks::{self, ItemDef, ItemResult, Status};
use crate::config::Settings;
use crate::history::{self, Against};
use crate::report::compare::Comparison;
use crate::report::compare::SavedScan;
use crate::report::{self, Header};
use futures::StreamExt;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::io::Write;
use std::path::{Path, PathBuf};

pub async fn run(s: &Session, a: &ScanArgs) -> CliResult {
    let (items, framework) = selection(a)?;
    // Refuse an unwritable destination before reading the account.
    let dest = destination(a)?;
    let scan = scan_account(s, a, &items, true).await?;
    let color = dest.is_none() && color_stdout();
    let out = render(a.format, framework, &scan, color);
    write_out(dest, &out)?;
    Ok(exit_code(&scan.results))
}

/// `scan` over the accounts of `--account` (more than one): each through
/// the role assumed in it, a few accounts at a time under the one bound on
/// requests in flight. An account that cannot be scanned (its role cannot
/// be assumed, its identity cannot be read) is an error of its own in the
/// report; the others go on.
pub async fn run_accounts(g: &Global, settings: Settings, a: &ScanArgs) -> CliResult {
    let (items, framework) = selection(a)?;
    let dest = destination(a)?;
    let pilot = super::connect(g, &settings).await?;
    let super::Targets {
        accounts: targets,
        skipped,
    } = super::resolve_targets(g, &pilot).await?;
    if targets.len() > 1
        && let Some(file) = a.compare.as_deref().filter(|c| *c != "last")
    {
        return Err(CliError::usage(format!(
            "--compare {} is one account's scan: with several accounts, compare each with its own last scan (--compare)",
            report::sanitize(file)
        )));
    }
    let state_dir = crate::state::state_dir();
    let total = targets.len();
    let tty = std::io::stderr().is_terminal();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let color = dest.is_none() && color_stdout();
    let scans: Vec<(String, Result<Rendered, String>)> = futures::stream::iter(&targets)
        .map(|t| {
            let (pilot, items, settings, state_dir, done) =
                (&pilot, &items, &settings, &state_dir, &done);
            async move {
                let scanned = match super::open_account(g, pilot, t).await {
                    Ok(aws) => {
                        let s = Session {
                            backend: super::wrap(g, aws),
                            state_dir: state_dir.clone(),
                            settings: settings.clone(),
                        };
                        // Rendered at once: only the report is kept, not
                        // the account's results (a large organization's
                        // memory would grow with them).
                        scan_account(&s, a, items, false)
                            .await
                            .map(|scan| Rendered {
                                text: render(a.format, framework, &scan, color),
                                code: exit_code(&scan.results),
                                compared: scan.comparison.is_some(),
                            })
                            .map_err(|e| e.message)
                    }
                    Err(e) => Err(e.to_string()),
                };
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if tty {
                    let word = if scanned.is_ok() { "scanned" } else { "failed" };
                    eprintln!("moat: account {} {word} ({n}/{total})", t.account);
                }
                (t.account.clone(), scanned)
            }
        })
        .buffered(ACCOUNTS_AT_ONCE)
        .collect()
        .await;
    let mut ok: Vec<Rendered> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (account, scanned) in scans {
        match scanned {
            Ok(scan) => ok.push(scan),
            Err(e) => {
                eprintln!("moat: account {account}: {e}");
                errors.push((account, e));
            }
        }
    }
    // What this run covered, so `report merge` can tell a whole from parts.
    let covered = json!({
        "items": items.iter().map(|i| i.id).collect::<Vec<_>>(),
        "framework": framework.map(|f| f.id()),
        "shard": g.shard.map(|s| format!("{}/{}", s.k, s.n)),
    });
    let run = Run {
        errors: &errors,
        skipped: &skipped,
        selection: covered,
    };
    let out = render_accounts(a.format, &ok, &run);
    write_out(dest, &out)?;
    Ok(if errors.is_empty() {
        ok.iter().map(|r| r.code).max().unwrap_or(0)
    } else {
        2
    })
}

/// Accounts scanned at once by [`run_accounts`]: each holds its inventory
/// until its report is made; the requests of all of them share one bound.
const ACCOUNTS_AT_ONCE: usize = 4;

/// The items the flags select, and the framework they report by.
fn selection(a: &ScanArgs) -> Result<(Vec<&'static ItemDef>, Option<report::Framework>), CliError> {
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
    Ok((items, framework))
}

fn destination(a: &ScanArgs) -> Result<Option<Destination>, CliError> {
    a.output.as_deref().map(Destination::check).transpose()
}

pub(super) fn write_out(dest: Option<Destination>, out: &str) -> Result<(), CliError> {
    match dest {
        Some(d) => d.write(out.as_bytes()),
        None => {
            print!("{out}");
            Ok(())
        }
    }
}

/// One account's scan, saved for later comparisons.
struct AccountScan {
    account: String,
    identity: String,
    generated: chrono::DateTime<chrono::Utc>,
    results: Vec<ItemResult>,
    comparison: Option<Comparison>,
}

/// Collect and judge `items` in the session's account (`progress`: a bar
/// on stderr when it is a terminal), compare with the earlier scan asked
/// for, and save this one.
async fn scan_account(
    s: &Session,
    a: &ScanArgs,
    items: &[&ItemDef],
    progress: bool,
) -> Result<AccountScan, CliError> {
    let parts = checks::parts_for(items);
    let inv = if progress {
        collect(&s.backend, &parts).await
    } else {
        crate::collect::collect_inventory(s.backend.clone(), &parts).await
    };
    let account = account_of(&inv)?;
    let identity = inv
        .identity
        .ready()
        .map(|i| i.arn.clone())
        .unwrap_or_default();
    let results = evaluate(items, &inv, s);
    drop(inv);
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
    Ok(AccountScan {
        account,
        identity,
        generated,
        results,
        comparison,
    })
}

/// One account's report in `format`.
fn render(
    format: Format,
    framework: Option<report::Framework>,
    scan: &AccountScan,
    color: bool,
) -> String {
    let (account, identity, results) = (&scan.account, &scan.identity, &scan.results);
    let cmp = scan.comparison.as_ref();
    let header = Header {
        account,
        identity,
        generated: scan.generated,
        framework,
        compare: cmp,
    };
    match (format, framework) {
        (Format::Json, fw) => report::json_with(account, identity, results, fw, cmp),
        (Format::Table, None) => report::table(account, identity, results, color, cmp),
        (Format::Table, Some(fw)) => {
            report::table_by_control(account, identity, results, fw, color, cmp)
        }
        (Format::Sarif, _) => report::sarif::sarif(&header, results),
        (Format::Markdown, _) => report::markdown::markdown(&header, results),
        (Format::Csv, _) => report::csv::csv(account, results, cmp),
        (Format::Ocsf, _) => report::ocsf::ocsf(&header, results),
    }
}

/// One account's report, rendered as soon as the account is scanned.
struct Rendered {
    text: String,
    /// The account's exit code (see [`exit_code`]).
    code: u8,
    /// Whether it was compared with an earlier scan (CSV's `change` column).
    compared: bool,
}

/// What a by-account scan reports beside the accounts it scanned.
struct Run<'a> {
    /// Accounts that could not be scanned, and why.
    errors: &'a [(String, String)],
    /// Accounts of the organization left out, and why.
    skipped: &'a [(String, String)],
    /// The items, framework and shard the run covered.
    selection: Value,
}

/// The report by account: JSON `{"accounts": [<one account's document>…],
/// "errors": [{"account", "error"}…], "skipped": [{"account", "reason"}…],
/// "selection": {"items", "framework", "shard"}}`; SARIF one run per
/// account; CSV one header row, the account on every row; a table or
/// Markdown report per account, the accounts not scanned or left out last.
fn render_accounts(format: Format, scans: &[Rendered], run: &Run) -> String {
    let (errors, skipped) = (run.errors, run.skipped);
    let each = || scans.iter().map(|r| r.text.as_str());
    let json = |text: &str| {
        serde_json::from_str::<Value>(text).unwrap_or_else(|e| {
            tracing::error!("an account's report is not JSON: {e}");
            Value::Null
        })
    };
    match format {
        Format::Json => {
            let errors: Vec<Value> = errors
                .iter()
                .map(|(account, error)| json!({"account": account, "error": error}))
                .collect();
            let skipped: Vec<Value> = skipped
                .iter()
                .map(|(account, reason)| json!({"account": account, "reason": reason}))
                .collect();
            // The accounts' documents are written as rendered, indented,
            // not parsed again: a document of a large organization as
            // parsed values would take many times its text.
            let mut out = String::from("{\n  \"accounts\": [");
            for (n, r) in scans.iter().enumerate() {
                out.push_str(if n == 0 { "\n    " } else { ",\n    " });
                out.push_str(&r.text.trim_end().replace('\n', "\n    "));
            }
            out.push_str(if scans.is_empty() { "],\n" } else { "\n  ],\n" });
            let rest = report::pretty_json(&json!({
                "errors": errors,
                "skipped": skipped,
                "selection": run.selection,
            }));
            out.push_str(rest.strip_prefix("{\n").unwrap_or(&rest));
            out
        }
        Format::Sarif => {
            let mut runs: Vec<Value> = Vec::new();
            let mut doc = Value::Null;
            for one in each().map(json) {
                if let Some(r) = one.get("runs").and_then(Value::as_array) {
                    runs.extend(r.iter().cloned());
                }
                doc = one;
            }
            if doc.is_null() {
                doc = json!({
                    "version": "2.1.0",
                    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                });
            }
            let tool = runs
                .first()
                .and_then(|r| r.get("tool"))
                .cloned()
                .unwrap_or_else(|| json!({"driver": {"name": "moat"}}));
            // An account not scanned: a run that says it did not execute.
            for (account, error) in errors {
                runs.push(json!({
                    "tool": tool,
                    "invocations": [{
                        "executionSuccessful": false,
                        "toolExecutionNotifications": [{
                            "level": "error",
                            "message": {"text": format!("account {account}: {error}")},
                        }],
                    }],
                    "results": [],
                    "properties": {"account": account},
                }));
            }
            doc["runs"] = Value::Array(runs);
            report::pretty_json(&doc)
        }
        // One array of every account's events, joined as text.
        Format::Ocsf => {
            let mut inner: Vec<String> = each()
                .map(|t| {
                    let t = t.trim();
                    let t = t.strip_prefix('[').unwrap_or(t);
                    t.strip_suffix(']').unwrap_or(t).trim().to_string()
                })
                .filter(|t| !t.is_empty())
                .collect();
            // An account not scanned: one event that says so.
            let time = crate::state::now().timestamp_millis();
            for (account, error) in errors {
                let e = report::ocsf::account_error(account, error, time);
                inner.push(report::pretty_json(&e).trim().replace('\n', "\n  "));
            }
            if inner.is_empty() {
                "[]\n".to_string()
            } else {
                format!("[\n  {}\n]\n", inner.join(",\n  "))
            }
        }
        Format::Csv => {
            let mut out = String::new();
            for (n, one) in each().enumerate() {
                let body = if n == 0 {
                    one
                } else {
                    one.split_once("\r\n").map_or("", |(_, rest)| rest)
                };
                out.push_str(body);
            }
            if out.is_empty() {
                out = report::csv::csv("", &[], None);
            }
            // An account not scanned: one row with status `error`.
            let with_change = scans.iter().any(|r| r.compared);
            for (account, error) in errors {
                out.push_str(&report::csv::error_row(account, error, with_change));
            }
            out
        }
        Format::Table | Format::Markdown => {
            let mut out: Vec<String> = each().map(str::to_string).collect();
            for (title, list) in [
                ("Accounts not scanned", errors),
                ("Accounts left out", skipped),
            ] {
                if list.is_empty() {
                    continue;
                }
                let lines: Vec<String> = list
                    .iter()
                    .map(|(account, e)| {
                        let (a, e) = (report::sanitize(account), report::sanitize(e));
                        match format {
                            Format::Markdown => format!("- **{a}**: {e}"),
                            _ => format!("  {a}  {e}"),
                        }
                    })
                    .collect();
                let title = match format {
                    Format::Markdown => format!("# {title}\n"),
                    _ => format!("{title}:"),
                };
                out.push(format!("{title}\n{}\n", lines.join("\n")));
            }
            out.join("\n")
        }
    }
}

fn exit_code(results: &[ItemResult]) -> u8 {
    let any = |st: Status| results.iter().any(|r| r.status == st);
    if any(Status::Error) {
        2
    } else if any(Status::Fail) {
        1
    } else {
        0
    }
}

/// Where `--output` writes: the file, replaced atomically.
pub(super) struct Destination {
    path: PathBuf,
    dir: PathBuf,
}

impl Destination {
    /// The file's directory must exist and the path must not be a directory.
    pub(super) fn check(path: &Path) -> Result<Self, CliError> {
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
    pub(super) fn write(&self, data: &[u8]) -> Result<(), CliError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_by_account_is_one_valid_document_with_or_without_accounts() {
        let doc = |account: &str| Rendered {
            text: format!("{{\n  \"account\": \"{account}\",\n  \"items\": []\n}}\n"),
            code: 0,
            compared: false,
        };
        let errors = vec![("333333333333".to_string(), "AccessDenied".to_string())];
        let run = Run {
            errors: &errors,
            skipped: &[],
            selection: json!({"items": ["a.b"], "framework": null, "shard": "1/2"}),
        };
        for scans in [vec![], vec![doc("111111111111"), doc("222222222222")]] {
            let text = render_accounts(Format::Json, &scans, &run);
            let v: Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(
                v["accounts"].as_array().map(Vec::len),
                Some(scans.len()),
                "{text}"
            );
            assert_eq!(v["errors"][0]["account"], "333333333333", "{text}");
            assert_eq!(v["selection"]["shard"], "1/2", "{text}");
            let keys: Vec<&str> = v
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str())
                .collect();
            assert_eq!(keys, ["accounts", "errors", "skipped", "selection"]);
        }
    }
}
