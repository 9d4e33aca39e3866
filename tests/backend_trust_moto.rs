//! The AWS backend as AWS behaves, against moto behind the fault proxy:
//!
//! - credentials in the AWS CLI's order (`--profile` > environment keys >
//!   `AWS_PROFILE`), an `aws login` session, a slow `credential_process`
//!   (an MFA push) run once and not cut;
//! - retries: one region hard down spends only its own retry budget; a
//!   throttled request gives its concurrency slot back while it waits; one
//!   IAM user whose reads fail is an error for that user only;
//! - creates AWS does not make idempotent (CreateSnapshot, KMS CreateKey)
//!   whose answer is lost make exactly one resource, journaled and undone.

mod support;

use moat::aws::inventory::{Fetched, PartId, PartValue};
use moat::collect::Backend;
use moat::journal::{EntryState, Journal};
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::backend::{connect, set_test_env};
use support::proxy::{FaultKind, Rule};
use support::run::{apply_losing_answer, undo_retrying};
use support::seed_ebs;
use support::seed_ebs::ec2_client;
use support::seed_ebs::instance_root_volume;
use support::{
    ACCOUNT_ID, Moto, Proxy, block_on, iam_client, moat_cmd, output_text, run_moat, temp_state_dir,
};
use support::{seed_cloudtrail, seed_cloudwatch};

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

fn scan_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}\n{}", output_text(o)))
}

fn item<'a>(scan: &'a Value, id: &str) -> &'a Value {
    scan["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("{id} in {scan}"))
}

// -- credentials

/// A scan of one item, as JSON.
const SCAN_ONE_ITEM: [&str; 5] = [
    "scan",
    "--item",
    "account.password-policy",
    "--format",
    "json",
];

/// The scan ran (a failing item exits 1) and read the emulator's account.
fn assert_scanned_the_account(o: &Output) {
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", output_text(o));
    assert_eq!(scan_json(o)["account"], ACCOUNT_ID);
}

#[test]
fn aws_profile_does_not_override_access_keys_in_the_environment() {
    let moto = Moto::start();
    let state = temp_state_dir();
    // As the AWS CLI: environment keys win over AWS_PROFILE (which names a
    // profile that does not even exist here).
    let o = moat_cmd(&moto.endpoint, state.path())
        .env("AWS_PROFILE", "not-configured")
        .args(SCAN_ONE_ITEM)
        .output()
        .expect("run moat");
    assert_scanned_the_account(&o);
    // An explicit --profile still wins over the environment keys.
    let o = moat_cmd(&moto.endpoint, state.path())
        .args(["--profile", "not-configured", "scan"])
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(2), "{}", output_text(&o));
    assert!(
        output_text(&o).contains("profile 'not-configured' is not in"),
        "{}",
        output_text(&o)
    );
}

#[test]
fn a_slow_credential_process_runs_once_and_is_not_cut() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let dir = tempfile::tempdir().expect("dir");
    let runs = dir.path().join("runs");
    let script = dir.path().join("mfa-push.sh");
    // An MFA push the user approves after 12 s.
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\nsleep 12\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"testing\", \"SecretAccessKey\": \"testing\"}}'\n",
            runs.display()
        ),
    )
    .expect("script");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile mfa]\ncredential_process = {}\nregion = us-east-1\n",
            script.display()
        ),
    )
    .expect("config");
    let t = Instant::now();
    let o = moat_cmd(&moto.endpoint, state.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &config)
        .args([
            "--profile",
            "mfa",
            "scan",
            "--section",
            "account",
            "--format",
            "json",
        ])
        .output()
        .expect("run moat");
    eprintln!("scan with a 12 s credential_process: {:?}", t.elapsed());
    let count = std::fs::read_to_string(&runs)
        .map(|s| s.lines().count())
        .unwrap_or(0);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        output_text(&o)
    );
    assert_eq!(scan_json(&o)["account"], ACCOUNT_ID);
    assert_eq!(count, 1, "the credential process ran {count} times");
}

#[test]
fn an_aws_login_profile_uses_its_signed_in_session() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let dir = tempfile::tempdir().expect("dir");
    let session = format!("arn:aws:iam::{ACCOUNT_ID}:user/moto");
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!("[profile signin]\nlogin_session = {session}\nregion = us-east-1\n"),
    )
    .expect("config");
    // What `aws login` leaves in its cache: file name = sha256(login_session).
    let cache = dir.path().join("login-cache");
    std::fs::create_dir(&cache).expect("cache dir");
    let hash = std::process::Command::new("sh")
        .args(["-c", &format!("printf '%s' '{session}' | sha256sum")])
        .output()
        .expect("sha256sum");
    let hash = String::from_utf8_lossy(&hash.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string();
    let token = serde_json::json!({
        "accessToken": {
            "accessKeyId": "testing",
            "secretAccessKey": "testing",
            "sessionToken": "session",
            "accountId": ACCOUNT_ID,
            "expiresAt": "2099-01-01T00:00:00Z"
        },
        "tokenType": "aws_sigv4",
        "refreshToken": "refresh",
        "idToken": "id",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": "-----BEGIN EC PRIVATE KEY-----\ntest\n-----END EC PRIVATE KEY-----\n"
    });
    std::fs::write(cache.join(format!("{hash}.json")), token.to_string()).expect("token");
    let o = moat_cmd(&moto.endpoint, state.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_LOGIN_CACHE_DIRECTORY", &cache)
        .args(["--profile", "signin"])
        .args(SCAN_ONE_ITEM)
        .output()
        .expect("run moat");
    assert_scanned_the_account(&o);
}

// -- retries

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_region_hard_down_does_not_spend_another_region_s_retries() {
    set_test_env();
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let b = Arc::new(connect(&proxy.endpoint, &[US, EU], 3, 16).await);
    proxy.rule(Rule::new(FaultKind::Status503).service("ec2").region(EU));
    // eu-west-1 keeps failing throughout (a region that hangs): enough
    // failing requests to empty a retry budget, and more while us-east-1 is
    // read, so whatever that budget regains is spent again.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut storm = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (b, stop) = (b.clone(), stop.clone());
        storm.spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = b.collect(PartId::EbsEncryption).await;
            }
        });
    }
    let t = Instant::now();
    while proxy.fault_count(FaultKind::Status503) < 300 && t.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "{} requests to eu-west-1 failed in {:?}",
        proxy.fault_count(FaultKind::Status503),
        t.elapsed()
    );
    // us-east-1 meets two transient failures: it has retries left.
    proxy.rule(
        Rule::new(FaultKind::Status503)
            .service("ec2")
            .region(US)
            .times(2),
    );
    let r = b.collect(PartId::EbsEncryption).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    while storm.join_next().await.is_some() {}
    let Ok(PartValue::EbsEncryption(p)) = r else {
        panic!("the part failed: {r:?}");
    };
    assert!(
        matches!(p.regions.get(US), Some(Fetched::Ready(false))),
        "{:?}",
        p.regions.get(US)
    );
    assert!(matches!(p.regions.get(EU), Some(Fetched::Error(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_request_gives_its_slot_back_while_it_waits() {
    set_test_env();
    let moto = Moto::start();
    // moto builds a region's EC2 backend on its first request (slow).
    ec2_client(&moto.endpoint, US)
        .await
        .describe_vpcs()
        .send()
        .await
        .expect("warm up");
    let proxy = Proxy::start(moto.port);
    // One slot for every request.
    let b = Arc::new(connect(&proxy.endpoint, &[US], 3, 1).await);
    proxy.rule(
        Rule::new(FaultKind::ThrottleAfter(3000))
            .operation("GetEbsEncryptionByDefault")
            .times(1),
    );
    let throttled = {
        let b = b.clone();
        tokio::spawn(async move {
            let t = Instant::now();
            (b.collect(PartId::EbsEncryption).await, t.elapsed())
        })
    };
    // Wait until the throttled request is backing off.
    let t = Instant::now();
    while proxy.fault_count(FaultKind::ThrottleAfter(3000)) == 0
        && t.elapsed() < Duration::from_secs(20)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let other = b.collect(PartId::PasswordPolicy).await;
    let other_took = t.elapsed();
    let (r, throttled_took) = throttled.await.expect("join");
    eprintln!(
        "throttled request: {throttled_took:?}; the other, sent while it waited: {other_took:?}"
    );
    assert!(other.is_ok(), "{other:?}");
    assert!(
        matches!(&r, Ok(PartValue::EbsEncryption(p)) if matches!(p.regions.get(US), Some(Fetched::Ready(_)))),
        "the throttled request succeeded on retry: {r:?}"
    );
    assert!(
        throttled_took >= Duration::from_millis(2900),
        "{throttled_took:?}"
    );
    assert!(
        other_took < Duration::from_millis(2000),
        "the other request waited for the throttled one's slot: {other_took:?}"
    );
}

#[test]
fn one_user_whose_reads_fail_is_an_error_for_that_user_only() {
    let moto = Moto::start();
    block_on(async {
        let iam = iam_client(&moto.endpoint).await;
        for user in ["alice", "bob"] {
            iam.create_user()
                .user_name(user)
                .send()
                .await
                .expect("user");
            iam.create_access_key()
                .user_name(user)
                .send()
                .await
                .expect("key");
        }
    });
    let proxy = Proxy::start(moto.port);
    proxy.rule(
        Rule::new(FaultKind::Status500)
            .operation("ListAccessKeys")
            .contains("UserName=bob"),
    );
    let state = temp_state_dir();
    let o = run_moat(
        &proxy.endpoint,
        state.path(),
        &["scan", "--section", "account", "--format", "json"],
    );
    let scan = scan_json(&o);
    let keys = item(&scan, "account.stale-access-keys");
    assert_eq!(keys["status"], "error", "{keys}");
    let findings = keys["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{keys}");
    assert_eq!(findings[0]["resource"], "user/bob");
    assert_eq!(findings[0]["status"], "error");
    // Items that need the IAM part but not bob's keys are checked as usual.
    for id in ["account.mfa-policy", "account.backup-admin"] {
        let i = item(&scan, id);
        assert_ne!(i["status"], "error", "{i}");
    }
}

// -- creates that AWS does not make idempotent

/// The ids of the snapshots moat made (tag `moat:created-by = moat`).
async fn moat_snapshots(ep: &str) -> Vec<String> {
    seed_ebs::moat_snapshots(ep)
        .await
        .iter()
        .filter_map(|s| s.snapshot_id().map(str::to_string))
        .collect()
}

fn journaled(state: &Path, action: &str) -> Vec<EntryState> {
    Journal::open(state, ACCOUNT_ID)
        .entries()
        .expect("journal")
        .iter()
        .filter(|e| e.op.action() == action)
        .map(|e| e.state)
        .collect()
}

#[test]
fn a_lost_create_snapshot_answer_makes_one_snapshot_that_undo_removes() {
    let moto = Moto::start();
    let volume = block_on(instance_root_volume(&moto.endpoint));
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    // The snapshot is made; its answer never reaches moat.
    seed_ebs::snapshot_losing_answer(&proxy, state.path(), &volume);
    let made = block_on(moat_snapshots(&moto.endpoint));
    assert_eq!(made.len(), 1, "one snapshot, not one per attempt: {made:?}");
    assert_eq!(
        journaled(state.path(), "ec2:CreateSnapshot"),
        vec![EntryState::Applied]
    );
    undo_retrying(&proxy.endpoint, state.path(), &["--region", US]);
    assert!(block_on(moat_snapshots(&moto.endpoint)).is_empty());
}

async fn kms_keys(ep: &str) -> Vec<String> {
    let out = seed_cloudtrail::kms(ep, US)
        .list_keys()
        .send()
        .await
        .expect("keys");
    out.keys()
        .iter()
        .filter_map(|k| k.key_id().map(str::to_string))
        .collect()
}

#[test]
fn a_lost_create_key_answer_makes_one_key_behind_the_alias() {
    let moto = Moto::start();
    let ep = moto.endpoint.clone();
    block_on(async {
        seed_cloudtrail::seed_failing(&ep).await;
        seed_cloudwatch::seed_failing(&ep).await;
    });
    let before = block_on(kms_keys(&ep));
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    apply_losing_answer(
        &proxy,
        state.path(),
        "CreateKey",
        &["--region", US, "apply", "cloudtrail.encrypted", "--yes"],
    );
    let new: Vec<String> = block_on(kms_keys(&ep))
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert_eq!(new.len(), 1, "one key, not one per attempt: {new:?}");
    let aliased = block_on(seed_cloudtrail::moat_trail_key(&ep)).map(|m| m.key_id().to_string());
    assert_eq!(aliased.as_ref(), new.first(), "the alias names the one key");
    assert_eq!(
        journaled(state.path(), "kms:CreateKey"),
        vec![EntryState::Applied]
    );
    undo_retrying(&proxy.endpoint, state.path(), &["--region", US]);
    let after: Vec<String> = block_on(kms_keys(&ep))
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert_eq!(after, new, "undo made no key and left none unnamed");
}
