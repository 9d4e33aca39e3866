//! `moat report merge`: one document from the JSON reports of several runs.

use super::scan::{Destination, write_out};
use super::{CliError, CliResult, ReportAction, ReportArgs};
use crate::report::{pretty_json, sanitize};
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
            write_out(dest, &pretty_json(&merged))?;
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
/// by-account document (`{"accounts", "errors", "skipped", "selection"}`)
/// or one account's (`{"account", "items"}`). Refused, since the merged
/// document would not be the whole it claims to be: an account in two
/// reports, reports that cover different items, and shards of a run with
/// one missing or of different N.
fn merge(reports: &[(&Path, Value)]) -> Result<Value, CliError> {
    let mut accounts: Vec<Value> = Vec::new();
    let mut errors: Vec<Value> = Vec::new();
    let mut skipped: Vec<Value> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut covered: Option<(Value, String)> = None;
    let mut shards: Vec<(u32, u32, String)> = Vec::new();
    for (n, (path, _)) in reports.iter().enumerate() {
        if reports[..n].iter().any(|(p, _)| p == path) {
            let name = sanitize(&path.display().to_string());
            return Err(CliError::usage(format!("{name} is given twice")));
        }
    }
    for (path, v) in reports {
        let name = sanitize(&path.display().to_string());
        let list = |key: &str| -> Result<Vec<Value>, CliError> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(a)) => Ok(a.clone()),
                Some(_) => Err(CliError::usage(format!("{name}: \"{key}\" is not a list"))),
            }
        };
        let (docs, errs) = match (v.get("accounts"), v.get("account")) {
            (Some(Value::Array(docs)), _) => (docs.clone(), list("errors")?),
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
                let whose = if *other == name {
                    format!("twice in {name}")
                } else {
                    format!("in both {other} and {name}")
                };
                return Err(CliError::usage(format!(
                    "account {} is {whose}: merge reports of different accounts \
                     (for example the shards of one run)",
                    sanitize(id)
                )));
            }
            seen.push((id.to_string(), name.clone()));
        }
        if let Some(sel) = v.get("selection").filter(|s| s.is_object()) {
            let what = json!({"items": sel["items"], "framework": sel["framework"]});
            match &covered {
                Some((first, first_name)) if *first != what => {
                    return Err(CliError::usage(format!(
                        "{name} covers other items than {first_name}: merge the reports of one run"
                    )));
                }
                Some(_) => {}
                None => covered = Some((what, name.clone())),
            }
            if let Some(shard) = sel["shard"].as_str() {
                let parsed = shard
                    .split_once('/')
                    .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)));
                let Some((k, n)) = parsed else {
                    return Err(CliError::usage(format!(
                        "{name}: shard '{}' is not K/N",
                        sanitize(shard)
                    )));
                };
                shards.push((k, n, name.clone()));
            }
        }
        accounts.extend(docs);
        errors.extend(errs);
        for s in list("skipped")? {
            if !skipped.contains(&s) {
                skipped.push(s);
            }
        }
    }
    if let Some((_, n, first)) = shards.first() {
        if let Some((_, other_n, other)) = shards.iter().find(|(_, m, _)| m != n) {
            return Err(CliError::usage(format!(
                "{first} is a shard of {n} and {other} a shard of {other_n}: merge the shards of one run"
            )));
        }
        for k in 1..=*n {
            match shards.iter().filter(|(j, _, _)| *j == k).count() {
                0 => {
                    return Err(CliError::usage(format!(
                        "shard {k}/{n} is missing: the merged report would leave its accounts out"
                    )));
                }
                1 => {}
                _ => return Err(CliError::usage(format!("shard {k}/{n} is given twice"))),
            }
        }
    }
    let mut merged = json!({"accounts": accounts, "errors": errors, "skipped": skipped});
    if let Some((what, _)) = covered {
        merged["selection"] =
            json!({"items": what["items"], "framework": what["framework"], "shard": null});
    }
    Ok(merged)
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
        let sel = |shard: &str, items: &[&str]| json!({"accounts": [], "errors": [], "selection": {"items": items, "framework": null, "shard": shard}});
        let missing = merge(&[(p1, sel("1/3", &["a.b"])), (p2, sel("3/3", &["a.b"]))]);
        assert!(missing.is_err_and(|e| e.message.contains("shard 2/3 is missing")));
        let other_n = merge(&[(p1, sel("1/2", &["a.b"])), (p2, sel("2/3", &["a.b"]))]);
        assert!(other_n.is_err_and(|e| e.message.contains("a shard of 3")));
        let other_items = merge(&[(p1, sel("1/2", &["a.b"])), (p2, sel("2/2", &["c.d"]))]);
        assert!(other_items.is_err_and(|e| e.message.contains("covers other items")));
        let whole =
            merge(&[(p1, sel("1/2", &["a.b"])), (p2, sel("2/2", &["a.b"]))]).expect("whole");
        assert_eq!(whole["selection"]["shard"], Value::Null);
        let sarif = merge(&[(p1, json!({"version": "2.1.0", "runs": []}))]);
        assert!(sarif.is_err_and(|e| e.message.contains("not a moat scan report")));
    }
}
