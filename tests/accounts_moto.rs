//! Several accounts through assumed roles (`--account`, `--role`,
//! `--external-id`), against moto taught sts:AssumeRole's trust checks
//! (tests/support/aws_behaviours/sts_assume_role_trust.py): the caller
//! (moto's default account) scans five member accounts, one of which has
//! no role to assume; that one is an error of its own and the rest are
//! reported, each as its own account. A fix applied in one member changes
//! that account only (read back with the member's own identity), and undo
//! reverses it there.

#[path = "support/ocsf.rs"]
mod ocsf;
mod support;

use serde_json::Value;
use std::path::Path;
use support::run::{US_EAST_1 as R, assert_ok, moat, stdout_json};
use support::{
    ACCOUNT_ID, CALLER_ARN, Moto, as_account, block_on, iam_client, output_text, temp_state_dir,
};

const ITEM: &str = "account.password-policy";
const ROLE: &str = "OrganizationAccountAccessRole";
/// Members with the role; the password policy of the first one passes.
const MEMBERS: [&str; 4] = [
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
];
/// A member without the role.
const NO_ROLE: &str = "555555555555";
/// A member whose role asks for an external id.
const WITH_EXTERNAL_ID: &str = "666666666666";
const EXTERNAL_ID: &str = "moat-test-7f3a";

fn trust(condition: Option<&str>) -> String {
    let condition = condition
        .map(|id| format!(r#","Condition":{{"StringEquals":{{"sts:ExternalId":"{id}"}}}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT_ID}:root"}},"Action":"sts:AssumeRole"{condition}}}]}}"#
    )
}

async fn create_role(ep: &str, account: &str, trust_policy: String) {
    iam_client(ep)
        .await
        .create_role()
        .role_name(ROLE)
        .assume_role_policy_document(trust_policy)
        .customize()
        .mutate_request(as_account(account))
        .send()
        .await
        .expect("create role");
}

/// Whether `account` has a password policy, read as that account.
async fn has_password_policy(ep: &str, account: &str) -> bool {
    match iam_client(ep)
        .await
        .get_account_password_policy()
        .customize()
        .mutate_request(as_account(account))
        .send()
        .await
    {
        Ok(_) => true,
        Err(e) if format!("{e:?}").contains("NoSuchEntity") => false,
        Err(e) => panic!("GetAccountPasswordPolicy in {account}: {e:?}"),
    }
}

async fn seed(ep: &str) {
    for m in MEMBERS {
        create_role(ep, m, trust(None)).await;
    }
    create_role(ep, WITH_EXTERNAL_ID, trust(Some(EXTERNAL_ID))).await;
    iam_client(ep)
        .await
        .update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .max_password_age(90)
        .password_reuse_prevention(24)
        .customize()
        .mutate_request(as_account(MEMBERS[0]))
        .send()
        .await
        .expect("password policy of the first member");
}

fn status_in(doc: &Value, id: &str) -> String {
    doc["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .and_then(|i| i["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn accounts_arg(ids: &[&str]) -> String {
    ids.join(",")
}

fn scan(ep: &str, state: &Path, accounts: &str, more: &[&str]) -> std::process::Output {
    scan_as(ep, state, "json", accounts, more)
}

/// `moat scan --item ITEM --format FORMAT --account ACCOUNTS MORE…`.
fn scan_as(
    ep: &str,
    state: &Path,
    format: &str,
    accounts: &str,
    more: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "scan",
        "--item",
        ITEM,
        "--format",
        format,
        "--account",
        accounts,
    ];
    args.extend(more);
    moat(ep, state, R, &args)
}

#[test]
fn every_member_is_scanned_as_itself_and_a_missing_role_is_an_error_of_its_own() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(seed(ep));
    let state = temp_state_dir();
    // The caller's own account too: worked in with the caller's credentials.
    let mut all = MEMBERS.to_vec();
    all.extend([NO_ROLE, ACCOUNT_ID]);
    let out = scan(ep, state.path(), &accounts_arg(&all), &[]);
    // One account could not be scanned: exit 2, the report still printed.
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON document");
    let docs = v["accounts"].as_array().expect("accounts");
    let ids: Vec<&str> = docs.iter().filter_map(|d| d["account"].as_str()).collect();
    let mut scanned = MEMBERS.to_vec();
    scanned.push(ACCOUNT_ID);
    assert_eq!(ids, scanned, "in the order given: {v}");
    for d in &docs[..MEMBERS.len()] {
        let account = d["account"].as_str().unwrap_or_default();
        let identity = d["identity"].as_str().unwrap_or_default();
        assert!(
            identity.contains(&format!("::{account}:assumed-role/{ROLE}/moat-moto")),
            "each member is read through its own role session, named after the caller: {d}"
        );
    }
    assert_eq!(docs[MEMBERS.len()]["identity"], CALLER_ARN, "{v}");
    assert_eq!(status_in(&docs[0], ITEM), "pass", "{v}");
    for d in &docs[1..] {
        assert_eq!(status_in(d, ITEM), "fail", "{v}");
    }
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["account"], NO_ROLE);
    let e = errors[0]["error"].as_str().unwrap_or_default();
    assert!(
        e.contains(&format!("arn:aws:iam::{NO_ROLE}:role/{ROLE}"))
            && e.contains("AccessDenied")
            && e.contains("trust policy"),
        "the reason, and what may cause it: {e}"
    );
    let some = accounts_arg(&[MEMBERS[0], MEMBERS[1], NO_ROLE]);
    // A table: every account's report, the accounts not scanned last.
    let table = scan_as(ep, state.path(), "table", &some, &[]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(MEMBERS[0]) && text.contains(MEMBERS[1]),
        "{text}"
    );
    assert!(
        text.contains("Accounts not scanned") && text.contains(NO_ROLE),
        "{text}"
    );
    // CSV: one header row, the account on every row, an error row.
    let csv = scan_as(ep, state.path(), "csv", &some, &[]);
    assert_eq!(csv.status.code(), Some(2), "{}", output_text(&csv));
    let csv = String::from_utf8_lossy(&csv.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("account,")).count(),
        1,
        "{csv}"
    );
    assert!(lines.iter().any(|l| l.starts_with(MEMBERS[0])), "{csv}");
    assert!(lines.iter().any(|l| l.starts_with(MEMBERS[1])), "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{NO_ROLE},,,,error,"))),
        "{csv}"
    );
    // OCSF: one array of every scanned account's events, valid OCSF 1.1.0.
    let ocsf = scan_as(ep, state.path(), "ocsf", &some, &[]);
    assert_eq!(ocsf.status.code(), Some(2), "{}", output_text(&ocsf));
    let events: Vec<Value> = serde_json::from_slice(&ocsf.stdout).expect("OCSF array");
    let mut accounts: Vec<&str> = events
        .iter()
        .filter_map(|e| e["cloud"]["account"]["uid"].as_str())
        .collect();
    accounts.dedup();
    // The account not scanned is one event that says so.
    assert_eq!(accounts, [MEMBERS[0], MEMBERS[1], NO_ROLE], "{ocsf:?}");
    assert!(
        events
            .iter()
            .any(|e| e["cloud"]["account"]["uid"] == NO_ROLE && e["status_code"] == "ERROR")
    );
    ocsf::validate(&ocsf.stdout).unwrap_or_else(|e| panic!("{e}"));
    // SARIF: a run per account, the one not scanned says it did not run.
    let sarif = scan_as(ep, state.path(), "sarif", &some, &[]);
    let sarif: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3, "{sarif}");
    assert_eq!(
        runs[2]["invocations"][0]["executionSuccessful"], false,
        "{sarif}"
    );
    assert_eq!(runs[2]["properties"]["account"], NO_ROLE, "{sarif}");
}

#[test]
fn a_fix_applied_in_one_member_changes_that_account_only_and_undo_reverses_it() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(seed(ep));
    let state = temp_state_dir();
    let target = MEMBERS[1];
    let plan = moat(ep, state.path(), R, &["plan", ITEM, "--account", target]);
    assert_ok(&plan);
    let applied = moat(
        ep,
        state.path(),
        R,
        &["apply", ITEM, "--yes", "--account", target],
    );
    assert_ok(&applied);
    assert!(
        output_text(&applied).contains(target),
        "the apply names the account it changes: {}",
        output_text(&applied)
    );
    block_on(async {
        assert!(has_password_policy(ep, target).await, "set in the member");
        assert!(
            !has_password_policy(ep, MEMBERS[2]).await,
            "not in another member"
        );
        assert!(
            !has_password_policy(ep, "123456789012").await,
            "not in the caller's"
        );
    });
    let v = stdout_json(&scan(ep, state.path(), target, &[]));
    assert_eq!(v["accounts"][0]["account"], target, "{v}");
    assert_eq!(status_in(&v["accounts"][0], ITEM), "pass", "{v}");
    let undone = moat(
        ep,
        state.path(),
        R,
        &["undo", "--last", "--yes", "--account", target],
    );
    assert_ok(&undone);
    block_on(async {
        assert!(
            !has_password_policy(ep, target).await,
            "undo reversed it in the member"
        );
    });
    // The caller's own journal has nothing to undo: the entry was the member's.
    let own = moat(ep, state.path(), R, &["undo", "--last", "--yes"]);
    assert!(!output_text(&own).contains(target), "{}", output_text(&own));
}

#[test]
fn one_item_is_applied_in_several_named_accounts_with_one_confirmation() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(seed(ep));
    let state = temp_state_dir();
    let (a, b) = (MEMBERS[1], MEMBERS[2]);
    let named = accounts_arg(&[a, NO_ROLE, b]);
    // Without a terminal and without --yes nothing is planned or sent.
    let refused = moat(ep, state.path(), R, &["apply", ITEM, "--account", &named]);
    assert_eq!(refused.status.code(), Some(2), "{}", output_text(&refused));
    // One item only: the same change in each account.
    let two = moat(
        ep,
        state.path(),
        R,
        &[
            "apply",
            ITEM,
            "account.alternate-contacts",
            "--yes",
            "--account",
            &named,
        ],
    );
    assert_eq!(two.status.code(), Some(2), "{}", output_text(&two));
    // Flags that would pick or feed accounts beyond what --account writes
    // out are refused before anything is read.
    for extra in [
        vec!["--exclude-account", b],
        vec!["--resource", "password-policy"],
        vec!["--confirm-account", a],
    ] {
        let mut args = vec!["apply", ITEM, "--yes", "--account", named.as_str()];
        args.extend(extra.iter().copied());
        let out = moat(ep, state.path(), R, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            output_text(&out)
        );
    }
    block_on(async {
        assert!(!has_password_policy(ep, a).await && !has_password_policy(ep, b).await);
    });

    let applied = moat(
        ep,
        state.path(),
        R,
        &["apply", ITEM, "--yes", "--account", &named],
    );
    let text = output_text(&applied);
    // The account without a role is an error of its own; the others are applied.
    assert_eq!(applied.status.code(), Some(2), "{text}");
    for id in [a, b, NO_ROLE] {
        assert!(text.contains(&format!("== account {id} ==")), "{text}");
    }
    assert_eq!(text.matches("verified").count(), 2, "{text}");
    block_on(async {
        assert!(has_password_policy(ep, a).await, "applied in {a}");
        assert!(has_password_policy(ep, b).await, "applied in {b}");
        assert!(
            !has_password_policy(ep, MEMBERS[3]).await,
            "not in another member"
        );
        assert!(
            !has_password_policy(ep, ACCOUNT_ID).await,
            "not in the caller's"
        );
    });
    // Each account's journal holds its own change: undo in one leaves the other.
    let undone = moat(
        ep,
        state.path(),
        R,
        &["undo", "--last", "--yes", "--account", a],
    );
    assert_ok(&undone);
    block_on(async {
        assert!(!has_password_policy(ep, a).await, "undone in {a}");
        assert!(has_password_policy(ep, b).await, "kept in {b}");
    });
}

#[test]
fn an_external_id_is_sent_when_given_and_bad_flags_are_usage_errors() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(seed(ep));
    let state = temp_state_dir();
    let without = scan(ep, state.path(), WITH_EXTERNAL_ID, &[]);
    assert_eq!(without.status.code(), Some(2), "{}", output_text(&without));
    assert!(
        output_text(&without).contains("AccessDenied"),
        "{}",
        output_text(&without)
    );
    let with = scan(
        ep,
        state.path(),
        WITH_EXTERNAL_ID,
        &["--external-id", EXTERNAL_ID],
    );
    assert_eq!(with.status.code(), Some(1), "{}", output_text(&with));
    assert_eq!(
        stdout_json(&with)["accounts"][0]["account"],
        WITH_EXTERNAL_ID
    );

    for (args, says) in [
        (vec!["scan", "--account", "12345"], "12 digits"),
        (
            vec![
                "scan",
                "--account",
                MEMBERS[0],
                "--role",
                "arn:aws:iam::1:role/x",
            ],
            "not a role name",
        ),
        (vec!["scan", "--role", ROLE], "need --account"),
        (
            vec!["plan", ITEM, "--account", "111111111111,222222222222"],
            "one account at a time",
        ),
        (vec!["--demo", "scan", "--account", MEMBERS[0]], "demo"),
        (
            vec![
                "scan",
                "--compare",
                "old.json",
                "--account",
                "111111111111,222222222222",
            ],
            "one account's scan",
        ),
    ] {
        let out = moat(ep, state.path(), R, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            output_text(&out)
        );
        assert!(
            output_text(&out).contains(says),
            "{args:?}: {}",
            output_text(&out)
        );
    }
}

fn account_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["account"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[test]
fn an_organization_is_scanned_account_by_account_and_shards_merge_into_the_whole() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let members = block_on(support::seed_org::organization(ep, 5));
    assert_eq!(members.len(), 5);
    // One member lost its role; another was closed.
    let (no_role, closed) = (members[0].clone(), members[1].clone());
    block_on(async {
        iam_client(ep)
            .await
            .delete_role()
            .role_name(ROLE)
            .customize()
            .mutate_request(as_account(&no_role))
            .send()
            .await
            .expect("delete the member's role");
        support::test_client!(aws_sdk_organizations, ep)
            .close_account()
            .account_id(&closed)
            .send()
            .await
            .expect("close");
    });
    let out = moat(
        ep,
        state.path(),
        R,
        &["scan", "--org", "--item", ITEM, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let v = stdout_json(&out);
    let mut expected: Vec<String> = members[2..].to_vec();
    expected.push(ACCOUNT_ID.to_string());
    expected.sort();
    assert_eq!(
        account_ids(&v),
        expected,
        "the management account and the active members: {v}"
    );
    assert_eq!(v["errors"][0]["account"], no_role.as_str(), "{v}");
    assert!(
        output_text(&out).contains(&closed) && output_text(&out).contains("not ACTIVE"),
        "the closed account is named as left out: {}",
        output_text(&out)
    );
    assert_eq!(
        v["skipped"][0]["account"],
        closed.as_str(),
        "in the report too: {v}"
    );
    assert_eq!(v["selection"]["items"], serde_json::json!([ITEM]), "{v}");
    // Nothing left, or --org where one account is meant: usage errors.
    let mut everyone: Vec<String> = members.clone();
    everyone.push(ACCOUNT_ID.to_string());
    let all = everyone.join(",");
    for args in [
        vec![
            "scan",
            "--org",
            "--exclude-account",
            all.as_str(),
            "--item",
            ITEM,
        ],
        vec![
            "apply",
            ITEM,
            "--yes",
            "--org",
            "--account",
            members[2].as_str(),
        ],
    ] {
        let refused = moat(ep, state.path(), R, &args);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{args:?}: {}",
            output_text(&refused)
        );
    }

    // Without the broken member, in two shards that together are the whole.
    let dir = temp_state_dir();
    let mut files = Vec::new();
    let mut sharded: Vec<String> = Vec::new();
    for k in ["1/2", "2/2"] {
        let file = dir.path().join(format!("shard-{}.json", &k[..1]));
        let file_arg = file.to_string_lossy().to_string();
        let run = moat(
            ep,
            state.path(),
            R,
            &[
                "scan",
                "--org",
                "--exclude-account",
                &no_role,
                "--shard",
                k,
                "--item",
                ITEM,
                "--format",
                "json",
                "--output",
                &file_arg,
            ],
        );
        assert_ne!(run.status.code(), Some(2), "{}", output_text(&run));
        let text = std::fs::read_to_string(&file).expect("shard report");
        let part: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(part["errors"], serde_json::json!([]), "{part}");
        sharded.extend(account_ids(&part));
        files.push(file_arg);
    }
    sharded.sort();
    assert_eq!(sharded, expected, "each account in exactly one shard");
    let merged = moat(
        ep,
        state.path(),
        &[],
        &["report", "merge", &files[0], &files[1]],
    );
    assert_eq!(
        merged.status.code(),
        Some(1),
        "members fail: {}",
        output_text(&merged)
    );
    assert_eq!(account_ids(&stdout_json(&merged)), expected);
    // The same account in two reports is refused (moto's account ids are
    // random, so a shard may be empty: the whole report, twice).
    let whole = dir.path().join("whole.json");
    std::fs::write(&whole, &out.stdout).expect("write");
    let whole = whole.to_string_lossy().to_string();
    let twice = moat(ep, state.path(), &[], &["report", "merge", &whole, &whole]);
    assert_eq!(twice.status.code(), Some(2), "{}", output_text(&twice));
    assert!(
        output_text(&twice).contains("given twice"),
        "{}",
        output_text(&twice)
    );
}
