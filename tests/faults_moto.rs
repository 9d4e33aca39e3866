//! Safety under faults, against moto behind the fault-injecting proxy:
//! a scan with 30 % transient faults (every kind) gives exactly the clean
//! scan's items; a service that is hard down turns only its items into
//! `error`; apply with faults on the mutating requests (including answers
//! dropped after the change was applied) leaves the account and the journal
//! agreeing, and undo restores the account.
//!
//! The binary runs with its default retry policy (`MOAT_MAX_ATTEMPTS` unset):
//! that policy is what is under test.

mod support;

use moat::aws::client::{AwsBackend, AwsOptions};
use moat::collect::Backend;
use moat::journal::{EntryState, Journal};
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Instant;
use support::backend::set_test_env;
use support::proxy::{FaultKind, Faults, Only};
use support::{
    ACCOUNT_ID, LOG_BUCKET, Moto, Proxy, WEB_BUCKET, block_on, iam_client, moat_cmd, output_text,
    s3_client, temp_state_dir,
};

/// Every transient kind the proxy has (reads get "forward then drop" too).
const ALL_KINDS: [FaultKind; 6] = [
    FaultKind::Delay(150),
    FaultKind::Status503,
    FaultKind::Status500,
    FaultKind::Throttle,
    FaultKind::Drop,
    FaultKind::ForwardThenDrop,
];

/// The binary with the product's retry policy (the harness pins 1 attempt).
fn moat(endpoint: &str, state: &Path, now: &str, args: &[&str]) -> (Output, std::time::Duration) {
    let t = Instant::now();
    let o = moat_cmd(endpoint, state)
        .env_remove("MOAT_MAX_ATTEMPTS")
        .env("MOAT_NOW", now)
        .args(args)
        .output()
        .expect("run moat");
    (o, t.elapsed())
}

fn scan_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}\n{}", output_text(o)))
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().expect("items").clone()
}

fn fixed_now() -> String {
    // One clock for every run of a test: findings that depend on age agree.
    chrono::Utc::now().to_rfc3339()
}

#[test]
fn scan_with_30_percent_transient_faults_equals_the_clean_scan() {
    let moto = Moto::start();
    block_on(support::seed_failing_account(&moto.endpoint));
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    let now = fixed_now();

    let (clean, t_clean) = moat(
        &proxy.endpoint,
        state.path(),
        &now,
        &["scan", "--format", "json"],
    );
    assert_eq!(clean.status.code(), Some(1), "{}", output_text(&clean));
    let clean_requests = proxy.requests().len();
    let clean = scan_json(&clean);

    // A scan of this account is ~35 requests: three seeded runs, so that every
    // kind of fault is met.
    proxy.clear();
    for seed in [7, 8, 9] {
        proxy.faults(Faults {
            fraction: 0.3,
            seed,
            kinds: ALL_KINDS.to_vec(),
            service: None,
            only: None,
        });
        let before = (proxy.requests().len(), proxy.faulted().len());
        let (faulty, t_faulty) = moat(
            &proxy.endpoint,
            state.path(),
            &now,
            &["scan", "--format", "json"],
        );
        proxy.clear_faults();
        eprintln!(
            "seed {seed}: clean scan {clean_requests} requests in {t_clean:?}; with faults {} requests, {} faulted, in {t_faulty:?}",
            proxy.requests().len() - before.0,
            proxy.faulted().len() - before.1,
        );
        assert_eq!(faulty.status.code(), Some(1), "{}", output_text(&faulty));
        let faulty = scan_json(&faulty);
        assert_eq!(faulty["account"], clean["account"]);
        assert_eq!(faulty["identity"], clean["identity"]);
        let (a, b) = (items(&clean), items(&faulty));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "item differs under faults (seed {seed})");
        }
        assert_eq!(clean, faulty, "the whole report is identical (seed {seed})");
    }
    for k in ALL_KINDS {
        assert!(proxy.fault_count(k) > 0, "{k:?} was injected");
    }
    let faulted = proxy.faulted().len();
    let total = proxy.requests().len();
    eprintln!("{faulted} of {total} requests faulted over three scans");
    assert!(faulted * 10 >= total * 2, "about 30 % faulted");
}

/// Scan with `service` hard down: its items are `error` naming the call,
/// every other item is as in the clean scan. Returns the exit code.
fn scan_with_service_down(service: &str, kind: FaultKind, prefix: &str) -> Option<i32> {
    let moto = Moto::start();
    block_on(support::seed_failing_account(&moto.endpoint));
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    let now = fixed_now();
    let (clean, _) = moat(
        &proxy.endpoint,
        state.path(),
        &now,
        &["scan", "--format", "json"],
    );
    let clean = items(&scan_json(&clean));

    proxy.down(service, kind);
    let (o, t) = moat(
        &proxy.endpoint,
        state.path(),
        &now,
        &["scan", "--format", "json"],
    );
    eprintln!(
        "{service} down ({kind:?}): exit {:?} in {t:?}, {} requests to it",
        o.status.code(),
        proxy.faulted().len()
    );
    let down = items(&scan_json(&o));
    assert_eq!(clean.len(), down.len());
    let mut errors = 0;
    for (c, d) in clean.iter().zip(&down) {
        if d["status"] == "error" {
            errors += 1;
            let summary = d["summary"].as_str().unwrap_or_default();
            assert!(
                summary.contains(prefix),
                "the error names the {service} call: {d}"
            );
        } else {
            assert_eq!(c, d, "an item not needing {service} is unaffected");
        }
        let checkable = !matches!(c["status"].as_str(), Some("manual" | "not_applicable"));
        if checkable
            && d["id"]
                .as_str()
                .is_some_and(|id| id.starts_with(&format!("{service}.")))
        {
            assert_eq!(d["status"], "error", "{d}");
        }
    }
    assert!(errors > 0, "some items needed {service}");
    o.status.code()
}

#[test]
fn s3_hard_down_turns_only_its_items_into_errors() {
    let code = scan_with_service_down("s3", FaultKind::Status503, "s3:");
    // An incomplete scan is an access error, as for AccessDenied.
    assert_eq!(code, Some(2));
}

#[test]
fn cloudfront_dropping_every_connection_turns_only_its_items_into_errors() {
    let code = scan_with_service_down("cloudfront", FaultKind::Drop, "cloudfront:");
    assert_eq!(code, Some(2));
}

/// Whether `op`'s effect is in the account, read directly from moto.
async fn effect_present(b: &Arc<dyn Backend>, op: &moat::plan::Op) -> bool {
    let resource = op.resource();
    let mut parts: Vec<_> = resource.parts().to_vec();
    parts.push(moat::aws::inventory::PartId::Identity);
    let inv = moat::collect::collect_inventory(b.clone(), &parts).await;
    let now = inv.document(&resource).expect("document");
    let mut after = inv.clone();
    let verb = op
        .action()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string();
    match after.apply(op) {
        Ok(()) => after.document(&resource).expect("document") == now,
        Err(e) => {
            let e = e.to_string();
            (verb.starts_with("Create") && e.ends_with("already exists"))
                || (verb.starts_with("Delete") && e.ends_with("does not exist"))
        }
    }
}

async fn password_min_length(ep: &str) -> Option<i32> {
    iam_client(ep)
        .await
        .get_account_password_policy()
        .send()
        .await
        .ok()
        .and_then(|p| p.password_policy)
        .and_then(|p| p.minimum_password_length)
}

async fn bucket_policy(ep: &str, bucket: &str) -> Option<Value> {
    s3_client(ep, "us-east-1")
        .await
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .ok()
        .and_then(|p| p.policy().and_then(|p| serde_json::from_str(p).ok()))
}

async fn iam_names(ep: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let iam = iam_client(ep).await;
    let users = iam.list_users().send().await.expect("users");
    let groups = iam.list_groups().send().await.expect("groups");
    let policies = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .expect("policies");
    (
        users
            .users()
            .iter()
            .map(|u| u.user_name().to_string())
            .collect(),
        groups
            .groups()
            .iter()
            .map(|g| g.group_name().to_string())
            .collect(),
        policies
            .policies()
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_string))
            .collect(),
    )
}

const APPLY_ITEMS: [&str; 3] = [
    "account.password-policy",
    "s3.deny-insecure-transport",
    "account.backup-admin",
];

#[test]
fn apply_under_write_faults_keeps_account_and_journal_in_agreement_and_undo_restores() {
    set_test_env();
    let moto = Moto::start();
    let ep = moto.endpoint.clone();
    block_on(support::seed_failing_account(&ep));
    let before = block_on(async {
        (
            password_min_length(&ep).await,
            bucket_policy(&ep, WEB_BUCKET).await,
            bucket_policy(&ep, LOG_BUCKET).await,
            iam_names(&ep).await,
        )
    });
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    let now = fixed_now();

    let mut plan = vec!["plan"];
    plan.extend(APPLY_ITEMS);
    plan.extend(["--input", "user=spare-admin"]);
    let (preview, _) = moat(&proxy.endpoint, state.path(), &now, &plan);
    assert_eq!(preview.status.code(), Some(0), "{}", output_text(&preview));

    // Half the mutating requests fail; most of those are applied upstream
    // with their answer dropped.
    proxy.clear();
    proxy.faults(Faults {
        fraction: 0.5,
        seed: 11,
        kinds: vec![
            FaultKind::ForwardThenDrop,
            FaultKind::ForwardThenDrop,
            FaultKind::Drop,
            FaultKind::Status503,
            FaultKind::Throttle,
            FaultKind::Status500,
        ],
        service: None,
        only: Some(Only::Mutating),
    });
    let mut apply = vec!["apply"];
    apply.extend(APPLY_ITEMS);
    apply.extend(["--input", "user=spare-admin", "--yes"]);
    let (o, t) = moat(&proxy.endpoint, state.path(), &now, &apply);
    proxy.clear_faults();
    let faulted: Vec<_> = proxy
        .faulted()
        .iter()
        .map(|r| format!("{} {:?} → {:?}", r.operation, r.fault, r.status))
        .collect();
    eprintln!(
        "apply under faults: exit {:?} in {t:?}; mutating {:?}; faulted {faulted:#?}\n{}",
        o.status.code(),
        proxy.mutating(),
        output_text(&o)
    );
    assert!(
        proxy.fault_count(FaultKind::ForwardThenDrop) > 0,
        "answers to applied writes were dropped"
    );
    let lost_creates = proxy
        .faulted()
        .iter()
        .filter(|r| {
            r.fault == Some(FaultKind::ForwardThenDrop) && r.operation.starts_with("Create")
        })
        .count();
    eprintln!("creates whose answer was dropped after they were applied: {lost_creates}");

    // The journal agrees with what moto holds, entry by entry.
    let journal = Journal::open(state.path(), ACCOUNT_ID);
    let entries = journal.entries().expect("journal");
    assert!(!entries.is_empty());
    block_on(async {
        let b: Arc<dyn Backend> = Arc::new(
            AwsBackend::connect(AwsOptions {
                endpoint_url: Some(ep.clone()),
                max_attempts: Some(1),
                ..AwsOptions::default()
            })
            .await
            .expect("connect"),
        );
        for e in &entries {
            let present = effect_present(&b, &e.op).await;
            match e.state {
                EntryState::Applied => {
                    assert!(present, "journaled applied, so in place: {:?}", e.op)
                }
                EntryState::Failed => assert!(
                    !present,
                    "journaled failed but applied (a lost answer left unjournaled): {:?}",
                    e.op
                ),
                EntryState::Unknown => {
                    panic!("no entry is left unknown by a finished run: {:?}", e.op)
                }
                EntryState::Undone => panic!("nothing undone yet"),
            }
        }
    });
    let applied = entries
        .iter()
        .filter(|e| e.state == EntryState::Applied)
        .count();
    eprintln!(
        "journal: {applied} applied, {} failed",
        entries.len() - applied
    );
    let all_applied = entries.iter().all(|e| e.state == EntryState::Applied);
    if all_applied {
        // execute re-read the account and found it as the preview said.
        assert_eq!(o.status.code(), Some(0), "{}", output_text(&o));
    }
    // Items whose every op was applied now pass (account.backup-admin wants
    // two administrators; this account gets its first, so it still fails).
    let (scan, _) = moat(
        &proxy.endpoint,
        state.path(),
        &now,
        &["scan", "--format", "json"],
    );
    let scan = items(&scan_json(&scan));
    for id in &APPLY_ITEMS[..2] {
        let all_applied = entries
            .iter()
            .filter(|e| e.item == *id)
            .all(|e| e.state == EntryState::Applied);
        let status = scan
            .iter()
            .find(|i| i["id"] == *id)
            .map(|i| i["status"].clone());
        if all_applied {
            assert_eq!(status, Some(Value::from("pass")), "{id}");
        }
    }
    // No create ran twice to an error, nothing exists twice.
    let (users, groups, policies) = block_on(iam_names(&ep));
    for list in [&users, &groups, &policies] {
        let mut d = list.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), list.len(), "{list:?}");
    }

    // Undo every applied batch (newest first), then the account is as seeded.
    for _ in 0..APPLY_ITEMS.len() {
        let (u, _) = moat(
            &proxy.endpoint,
            state.path(),
            &now,
            &["undo", "--last", "--yes"],
        );
        let text = output_text(&u);
        if text.contains("no applied change to undo") {
            break;
        }
        assert_eq!(u.status.code(), Some(0), "{text}");
    }
    let after = block_on(async {
        (
            password_min_length(&ep).await,
            bucket_policy(&ep, WEB_BUCKET).await,
            bucket_policy(&ep, LOG_BUCKET).await,
            iam_names(&ep).await,
        )
    });
    assert_eq!(after, before, "undo restored the account");
}
