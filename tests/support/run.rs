//! Running the `moat` binary against an emulator and reading its answers:
//! the one way the integration tests scan, plan, apply and undo.
//!
//! Every run is [`moat_cmd`](super::moat_cmd) with arguments; `before` is
//! what goes ahead of the command (`--region us-east-1`, a `--regions`
//! list, nothing), so each test keeps the exact command line it had.

use super::proxy::{FaultKind, Rule};
use super::{Proxy, moat_cmd, output_text, run_moat};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// `--region us-east-1`, the session most tests run in.
pub const US_EAST_1: &[&str] = &["--region", "us-east-1"];

/// The run ended with exit code 0; its output otherwise.
pub fn assert_ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", output_text(o));
}

/// `moat <before…> <args…>`.
pub fn moat(ep: &str, state: &Path, before: &[&str], args: &[&str]) -> Output {
    let mut all: Vec<&str> = before.to_vec();
    all.extend(args);
    run_moat(ep, state, &all)
}

/// `moat <args…>` with `env` added to the environment.
pub fn moat_env(ep: &str, state: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = moat_cmd(ep, state);
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().expect("run moat")
}

/// `moat <args…>` with the product's retry policy (the harness pins one
/// attempt).
pub fn moat_retrying(ep: &str, state: &Path, args: &[&str]) -> Output {
    moat_cmd(ep, state)
        .env_remove("MOAT_MAX_ATTEMPTS")
        .args(args)
        .output()
        .expect("run moat")
}

/// `moat <args…>` through `proxy` with the product's retry policy, where
/// the first `operation` request reaches AWS (which applies it) but its
/// answer never reaches moat. It must succeed, and that one answer is lost.
pub fn apply_losing_answer(proxy: &Proxy, state: &Path, operation: &str, args: &[&str]) {
    proxy.rule(
        Rule::new(FaultKind::ForwardThenDrop)
            .operation(operation)
            .times(1),
    );
    assert_ok(&moat_retrying(&proxy.endpoint, state, args));
    assert_eq!(
        proxy.fault_count(FaultKind::ForwardThenDrop),
        1,
        "{:?}",
        proxy.operations()
    );
}

/// `moat <before…> undo --last --yes` with the product's retry policy,
/// which must succeed.
pub fn undo_retrying(ep: &str, state: &Path, before: &[&str]) {
    let mut all: Vec<&str> = before.to_vec();
    all.extend(["undo", "--last", "--yes"]);
    assert_ok(&moat_retrying(ep, state, &all));
}

/// `--region r` for every region of `regions`.
pub fn region_args<'a>(regions: &[&'a str]) -> Vec<&'a str> {
    regions.iter().flat_map(|r| ["--region", r]).collect()
}

/// The JSON a run printed (`--format json`).
pub fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}\n{}", output_text(o)))
}

/// The result of item `id` in a scan's JSON.
pub fn item<'a>(scan: &'a Value, id: &str) -> &'a Value {
    scan["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("{id} in the scan: {scan}"))
}

/// The result of item `id` in the JSON a scan run printed.
pub fn item_of(o: &Output, id: &str) -> Value {
    item(&stdout_json(o), id).clone()
}

/// `moat <before…> scan --item <id> --format json`: the item's result.
pub fn scan_item(ep: &str, state: &Path, before: &[&str], id: &str) -> Value {
    item_of(
        &moat(
            ep,
            state,
            before,
            &["scan", "--item", id, "--format", "json"],
        ),
        id,
    )
}

/// `moat scan --item <id> --format json` with `env` added: the exit code
/// and the item's result.
pub fn scan_item_env(ep: &str, state: &Path, env: &[(&str, &str)], id: &str) -> (i32, Value) {
    let o = moat_env(ep, state, env, &["scan", "--item", id, "--format", "json"]);
    (o.status.code().unwrap_or(-1), item_of(&o, id))
}

/// An item's status (`pass`, `fail`, …).
pub fn status(item: &Value) -> &str {
    item["status"].as_str().unwrap_or_default()
}

/// The finding of an item about `resource`.
pub fn finding<'a>(item: &'a Value, resource: &str) -> Option<&'a Value> {
    item["findings"]
        .as_array()?
        .iter()
        .find(|f| f["resource"] == resource)
}

/// The status of `resource` in an item: its finding's, or `pass` when the
/// item names it in no finding.
pub fn resource_status(item: &Value, resource: &str) -> String {
    finding(item, resource)
        .and_then(|f| f["status"].as_str())
        .unwrap_or("pass")
        .to_string()
}

/// The resources an item's findings name.
pub fn resources(item: &Value) -> Vec<String> {
    item["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["resource"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `moat <before…> <args…>` that must succeed and say `verified`; its
/// output.
pub fn apply_verified(ep: &str, state: &Path, before: &[&str], args: &[&str]) -> String {
    let o = moat(ep, state, before, args);
    assert_ok(&o);
    let out = output_text(&o);
    assert!(out.contains("verified"), "{args:?}: {out}");
    out
}

/// `moat <before…> undo --last --yes`.
pub fn undo_last(ep: &str, state: &Path, before: &[&str]) -> Output {
    moat(ep, state, before, &["undo", "--last", "--yes"])
}

/// `moat <before…> apply <item> [--resource <resource>] --yes`, with
/// `--input i` for every input, whatever its outcome.
pub fn apply_item(
    ep: &str,
    state: &Path,
    before: &[&str],
    item: &str,
    resource: Option<&str>,
    inputs: &[&str],
) -> Output {
    moat(ep, state, before, &apply_args(item, resource, inputs))
}

fn apply_args<'a>(item: &'a str, resource: Option<&'a str>, inputs: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["apply", item];
    if let Some(r) = resource {
        args.extend(["--resource", r]);
    }
    args.push("--yes");
    for i in inputs {
        args.extend(["--input", i]);
    }
    args
}

/// `moat <before…> apply <item> --resource <resource> --yes`, with
/// `--input i` for every input, that must succeed and say `verified`; its
/// output.
pub fn apply_resource(
    ep: &str,
    state: &Path,
    before: &[&str],
    item: &str,
    resource: &str,
    inputs: &[&str],
) -> String {
    apply_verified(ep, state, before, &apply_args(item, Some(resource), inputs))
}

/// `moat <before…> undo --last --yes` that must succeed.
pub fn undo_ok(ep: &str, state: &Path, before: &[&str]) -> Output {
    let o = undo_last(ep, state, before);
    assert_ok(&o);
    o
}

/// The detail of the finding about `resource` (empty without one).
pub fn finding_detail(item: &Value, resource: &str) -> String {
    finding(item, resource)
        .and_then(|f| f["detail"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The status and the region of the finding about `resource`.
pub fn status_and_region(item: &Value, resource: &str) -> Option<(String, String)> {
    item["findings"]
        .as_array()?
        .iter()
        .find(|f| f["resource"] == resource)
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["region"].as_str().unwrap_or_default().to_string(),
            )
        })
}

/// Batches of the journal in `state` with an entry still applied (undo
/// batches included), in time order.
pub fn applied_batches(state: &Path) -> Vec<String> {
    use moat::journal::{EntryState, Journal};
    let mut out: Vec<String> = vec![];
    for e in Journal::open(state, super::ACCOUNT_ID)
        .entries()
        .expect("read the journal")
    {
        if e.state == EntryState::Applied && !out.contains(&e.batch) {
            out.push(e.batch);
        }
    }
    out
}
