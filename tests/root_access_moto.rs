//! Centralized root access of member accounts (`account.central-root-access`),
//! against moto taught sts:AssumeRoot, IAM's organization root features and
//! the root user's credentials in a root session
//! (tests/support/aws_behaviours/organizations_root_access.py). The caller is
//! the organization's management account (moto's default account):
//! - its own scan fails until trusted access for IAM and both features are
//!   on; apply turns them on;
//! - a member's audit finds its root password, access key, signing
//!   certificate and MFA device; `account.root-access-keys` names the key;
//! - apply removes them only with the account id typed again
//!   (`--confirm-account`): without it, or with another id, nothing is sent;
//! - the other member keeps its root password; undo refuses the removal;
//! - a caller outside the member's organization is told where to run moat:
//!   never "not applicable", never a plan that changes its own organization.

mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::run::{US_EAST_1 as R, assert_ok, item, moat, stdout_json};
use support::{ACCOUNT_ID, Moto, as_account, block_on, output_text, temp_state_dir};

const ITEM: &str = "account.central-root-access";

/// The emulator's test-only store of an account's root credentials.
fn root_credentials(moto: &Moto, account: &str) -> Value {
    let (status, body) = support::http::request(
        moto.port,
        "GET",
        &format!("/moat-test/root-credentials?account={account}"),
        b"",
        Duration::from_secs(10),
    )
    .expect("GET root credentials");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("json")
}

fn seed_root(moto: &Moto, account: &str, body: Value) {
    let (status, answer) = support::http::request(
        moto.port,
        "POST",
        "/moat-test/root-credentials",
        body.to_string().as_bytes(),
        Duration::from_secs(10),
    )
    .expect("POST root credentials");
    assert_eq!(
        status,
        200,
        "{account}: {}",
        String::from_utf8_lossy(&answer)
    );
}

fn has_nothing(v: &Value) -> bool {
    v["login_profile"] == false
        && v["access_keys"].as_array().is_some_and(Vec::is_empty)
        && v["signing_certificates"]
            .as_array()
            .is_some_and(Vec::is_empty)
        && v["mfa_devices"].as_array().is_some_and(Vec::is_empty)
}

fn resources(item: &Value) -> Vec<String> {
    item["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["resource"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn member_root_credentials_are_audited_and_removed_only_with_the_account_id_typed() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let members = block_on(support::seed_org::organization(ep, 2));
    let (target, other) = (members[0].as_str(), members[1].as_str());
    let key = "AKIAROOTMEMBER000001";
    seed_root(
        &moto,
        target,
        json!({
            "account": target,
            "login_profile": true,
            "access_keys": [{"id": key, "status": "Active"}],
            "signing_certificates": [{"id": "ROOTCERTMEMBER0000000001", "status": "Active"}],
            "mfa_devices": [format!("arn:aws:iam::{target}:mfa/root-account-mfa-device")],
        }),
    );
    seed_root(
        &moto,
        other,
        json!({"account": other, "login_profile": true}),
    );
    let scan = |account: Option<&str>, items: &[&str]| {
        let mut args = vec!["scan", "--format", "json"];
        for i in items {
            args.extend(["--item", i]);
        }
        if let Some(a) = account {
            args.extend(["--account", a]);
        }
        let out = moat(ep, state.path(), R, &args);
        let v = stdout_json(&out);
        match account {
            Some(_) => v["accounts"][0].clone(),
            None => v,
        }
    };

    // The management account: trusted access for IAM and both features off.
    let own = scan(None, &[ITEM]);
    assert_eq!(item(&own, ITEM)["status"], "fail", "{own}");
    assert_eq!(resources(item(&own, ITEM)), ["org/root-access"], "{own}");
    // A member cannot be audited yet: never a pass.
    let before = scan(Some(target), &[ITEM]);
    assert_eq!(item(&before, ITEM)["status"], "fail", "{before}");

    let on = moat(ep, state.path(), R, &["apply", ITEM, "--yes"]);
    assert_ok(&on);
    let own = scan(None, &[ITEM]);
    assert_eq!(item(&own, ITEM)["status"], "pass", "{own}");

    // The member's root user, through the audit session.
    let audited = scan(
        Some(target),
        &[ITEM, "account.root-access-keys", "account.root-mfa"],
    );
    let found = item(&audited, ITEM);
    assert_eq!(found["status"], "fail", "{audited}");
    assert_eq!(
        resources(found),
        vec!["root/credentials".to_string(); 4],
        "password, key, certificate and MFA device: {audited}"
    );
    assert_eq!(
        resources(item(&audited, "account.root-access-keys")),
        [format!("root/key/{key}")],
        "{audited}"
    );

    // Without the account id typed again, or with another one, nothing is sent.
    for extra in [vec![], vec!["--confirm-account", other]] {
        let mut args = vec!["apply", ITEM, "--yes", "--account", target];
        args.extend(extra.iter().copied());
        let refused = moat(ep, state.path(), R, &args);
        assert_eq!(refused.status.code(), Some(2), "{}", output_text(&refused));
        assert!(
            output_text(&refused).contains("nothing was sent"),
            "{}",
            output_text(&refused)
        );
        assert_eq!(
            root_credentials(&moto, target)["login_profile"],
            true,
            "untouched after {args:?}"
        );
    }

    // Across several accounts a change that asks for the id typed is never applied.
    let several = format!("{target},{other}");
    let refused = moat(
        ep,
        state.path(),
        R,
        &["apply", ITEM, "--yes", "--account", &several],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", output_text(&refused));
    assert_eq!(root_credentials(&moto, target)["login_profile"], true);
    assert_eq!(root_credentials(&moto, other)["login_profile"], true);

    let removed = moat(
        ep,
        state.path(),
        R,
        &[
            "apply",
            ITEM,
            "--yes",
            "--account",
            target,
            "--confirm-account",
            target,
        ],
    );
    assert_ok(&removed);
    let text = output_text(&removed);
    assert!(text.contains("NOT reversible"), "{text}");
    assert!(text.contains("verified"), "{text}");
    assert!(
        has_nothing(&root_credentials(&moto, target)),
        "{}",
        root_credentials(&moto, target)
    );
    assert_eq!(
        root_credentials(&moto, other)["login_profile"],
        true,
        "the other member keeps its root password"
    );
    let after = scan(Some(target), &[ITEM, "account.root-mfa"]);
    assert_eq!(item(&after, ITEM)["status"], "pass", "{after}");
    // No credential left and no password recovery: MFA does not apply.
    assert_eq!(
        item(&after, "account.root-mfa")["status"],
        "not_applicable",
        "{after}"
    );

    // The removal cannot be undone, and undo says so.
    let undo = moat(
        ep,
        state.path(),
        R,
        &["undo", "--last", "--yes", "--account", target],
    );
    assert!(!undo.status.success(), "{}", output_text(&undo));
    assert!(
        output_text(&undo).contains("cannot be undone"),
        "{}",
        output_text(&undo)
    );
}

#[test]
fn a_caller_outside_the_members_organization_is_never_told_it_does_not_apply() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let management = "999999999999";
    let role = "MoatAudit";
    // An organization of another management account; moat's caller (moto's
    // default account) is in none, and reaches the member through a role.
    let member = block_on(async {
        let org = support::test_client!(aws_sdk_organizations, ep);
        org.create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .customize()
            .mutate_request(as_account(management))
            .send()
            .await
            .expect("organization");
        let created = org
            .create_account()
            .account_name("member")
            .email("member@example.com")
            .customize()
            .mutate_request(as_account(management))
            .send()
            .await
            .expect("account");
        let member = created
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("account id")
            .to_string();
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT_ID}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        support::iam_client(ep)
            .await
            .create_role()
            .role_name(role)
            .assume_role_policy_document(trust)
            .customize()
            .mutate_request(as_account(&member))
            .send()
            .await
            .expect("role");
        member
    });
    seed_root(
        &moto,
        &member,
        json!({"account": member, "login_profile": true}),
    );
    let out = moat(
        ep,
        state.path(),
        R,
        &[
            "scan",
            "--format",
            "json",
            "--item",
            ITEM,
            "--account",
            &member,
            "--role",
            role,
        ],
    );
    let v = stdout_json(&out);
    let found = item(&v["accounts"][0], ITEM);
    assert_eq!(found["status"], "manual", "{v}");
    assert!(found.to_string().contains(management), "{v}");
    let plan = moat(
        ep,
        state.path(),
        R,
        &["plan", ITEM, "--account", &member, "--role", role],
    );
    assert!(
        !output_text(&plan).contains("iam:Enable"),
        "no plan changes the caller's own organization: {}",
        output_text(&plan)
    );
    assert_eq!(root_credentials(&moto, &member)["login_profile"], true);
}
