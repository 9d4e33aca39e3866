//! `moat report merge`: one document from the JSON reports of several runs.

use super::scan::{Destination, write_out};
use super::{CliError, CliResult, ReportAction, ReportArgs};
use crate::report::{escape_json_invisibles, sanitize};
use serde_json::{Value, json};
use std::path::Path;

pub fn run(a: &ReportArgs) -> CliResult {
    match &a.action {
        ReportAction::Merge { files, output } => {
            let dest = output.as_deref().map(Destination::check).transpose()?;
            let mut reports = Vec::new();
            for f in files {
                reports.push((f.as_path(), read(f)?));
            }
            let merged = merge(&reports)?;
            let mut out = escape_json_invisibles(
                serde_json::to_string_pretty(&merged).unwrap_or_else(|_| "{}".into()),
            );
            out.push('\n');
            write_out(dest, &out)?;
            Ok(exit_code(&merged))
        }
    }
}

fn read(path: &Path) -> Result<Value, CliError> {
    let name = sanitize(&path.display().to_string());
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {name}: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("{name} is not a JSON report: {e}")))
}

/// The accounts and errors of every report, in order: a report is a
/// by-account document (`{"accounts", "errors"}`) or one account's
/// (`{"account", "items"}`). An account in two reports is refused: the
/// merged document would not say which one holds.
fn merge(reports: &[(&Path, Value)]) -> Result<Value, CliError> {
    let mut accounts: Vec<Value> = Vec::new();
    let mut errors: Vec<Value> = Vec::new();
    let mut seen: Vec<(String, &Path)> = Vec::new();
    for (path, v) in reports {
        let name = sanitize(&path.display().to_string());
        let (docs, errs): (Vec<Value>, Vec<Value>) = match (v.get("accounts"), v.get("account")) {
            (Some(Value::Array(docs)), _) => (
                docs.clone(),
                v.get("errors")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            ),
            (None, Some(Value::String(_))) if v.get("items").is_some() => (vec![v.clone()], vec![]),
            _ => {
                return Err(CliError::usage(format!(
                    "{name} is not a moat scan report (`moat scan --format json`)"
                )));
            }
        };
        for d in docs.iter().chain(&errs) {
            let Some(id) = d.get("account").and_then(Value::as_str) else {
                return Err(CliError::usage(format!(
                    "{name}: an entry names no account"
                )));
            };
            if let Some((_, other)) = seen.iter().find(|(s, _)| s == id) {
                return Err(CliError::usage(format!(
                    "account {} is in both {} and {name}: merge reports of different accounts \
                     (for example the shards of one run)",
                    sanitize(id),
                    sanitize(&other.display().to_string())
                )));
            }
            seen.push((id.to_string(), path));
        }
        accounts.extend(docs);
        errors.extend(errs);
    }
    Ok(json!({"accounts": accounts, "errors": errors}))
}

/// As `scan`: 2 when an account could not be scanned or an item could not
/// be checked, 1 when an item fails, else 0.
fn exit_code(merged: &Value) -> u8 {
    let statuses: Vec<&str> = merged["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["items"].as_array().into_iter().flatten())
        .filter_map(|i| i["status"].as_str())
        .collect();
    let errors = merged["errors"].as_array().is_some_and(|e| !e.is_empty());
    if errors || statuses.contains(&"error") {
        2
    } else if statuses.contains(&"fail") {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(account: &str, status: &str) -> Value {
        json!({"account": account, "identity": "arn:x", "items": [{"id": "a.b", "status": status}]})
    }

    #[test]
    fn shards_and_single_reports_join_in_order() {
        let p1 = Path::new("one.json");
        let p2 = Path::new("two.json");
        let by_account = json!({
            "accounts": [doc("111111111111", "pass")],
            "errors": [{"account": "222222222222", "error": "AccessDenied"}],
        });
        let merged = merge(&[(p1, by_account), (p2, doc("333333333333", "fail"))]).expect("merges");
        let ids: Vec<&str> = merged["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["account"].as_str())
            .collect();
        assert_eq!(ids, ["111111111111", "333333333333"]);
        assert_eq!(merged["errors"][0]["account"], "222222222222");
        assert_eq!(exit_code(&merged), 2);
        let clean = merge(&[(p2, doc("333333333333", "fail"))]).expect("one");
        assert_eq!(exit_code(&clean), 1);
    }

    #[test]
    fn the_same_account_twice_or_another_document_is_refused() {
        let p1 = Path::new("one.json");
        let p2 = Path::new("two.json");
        let twice = merge(&[
            (p1, doc("111111111111", "pass")),
            (p2, doc("111111111111", "fail")),
        ]);
        assert!(twice.is_err_and(|e| e.message.contains("in both one.json and two.json")));
        let sarif = merge(&[(p1, json!({"version": "2.1.0", "runs": []}))]);
        assert!(sarif.is_err_and(|e| e.message.contains("not a moat scan report")));
    }
}
