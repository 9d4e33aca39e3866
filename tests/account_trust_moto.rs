//! Account items that must not pass on an account that only looks safe, and
//! whose fixes must do what they say, against moto: an MFA policy on a group
//! without the console users, administrators nobody signs in as, and console
//! passwords nobody uses.

mod support;

use serde_json::Value;
use support::run::{assert_ok, moat_env, resources, scan_item_env};
use support::seed_iam::{console_user, members};
use support::{Moto, block_on, iam_client, output_text, run_moat, temp_state_dir};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// An MFA-enforcing policy on a group that holds none of the console users
/// covers nobody: the item fails naming them; the fix adds them to the
/// group; undo takes out exactly those it added.
#[test]
fn mfa_policy_on_a_group_without_the_console_users() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam_client(ep).await;
        for u in ["dana", "lee"] {
            console_user(&iam, u).await;
        }
        // A service user (no password) is the group's only member.
        iam.create_user()
            .user_name("svc-backup")
            .send()
            .await
            .expect("user");
        let policy = iam
            .create_policy()
            .policy_name("RequireMFA")
            .policy_document(include_str!("../assets/policies/require-mfa.json"))
            .send()
            .await
            .expect("policy");
        let arn = policy.policy.and_then(|p| p.arn).expect("arn");
        iam.create_group()
            .group_name("MFARequired")
            .send()
            .await
            .expect("group");
        iam.attach_group_policy()
            .group_name("MFARequired")
            .policy_arn(&arn)
            .send()
            .await
            .expect("attach");
        iam.add_user_to_group()
            .group_name("MFARequired")
            .user_name("svc-backup")
            .send()
            .await
            .expect("member");
    });
    const ID: &str = "account.mfa-policy";
    let (code, item) = scan_item_env(ep, state.path(), &[], ID);
    assert_eq!((code, item["status"].as_str()), (1, Some("fail")), "{item}");
    assert_eq!(resources(&item), vec!["user/dana", "user/lee"]);
    assert!(
        item["findings"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("MFARequired")),
        "{item}"
    );

    // The preview lists the users joining the group.
    let plan = run_moat(ep, state.path(), &["plan", ID]);
    assert_ok(&plan);
    let text = String::from_utf8_lossy(&plan.stdout);
    for u in ["dana", "lee"] {
        assert!(
            text.contains(&format!("add user {u} to group MFARequired")),
            "{text}"
        );
    }
    assert!(!text.contains("create managed policy"), "{text}");

    assert_ok(&run_moat(ep, state.path(), &["apply", ID, "--yes"]));
    assert_eq!(
        members(ep, "MFARequired"),
        vec!["dana", "lee", "svc-backup"]
    );
    let (code, item) = scan_item_env(ep, state.path(), &[], ID);
    assert_eq!((code, item["status"].as_str()), (0, Some("pass")), "{item}");

    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    assert_eq!(
        members(ep, "MFARequired"),
        vec!["svc-backup"],
        "undo removed exactly the users moat added"
    );
    let policies = block_on(async {
        iam_client(ep)
            .await
            .list_attached_group_policies()
            .group_name("MFARequired")
            .send()
            .await
            .expect("attached")
            .attached_policies
            .unwrap_or_default()
            .len()
    });
    assert_eq!(
        policies, 1,
        "the group and its policy were not moat's to undo"
    );
}

async fn admin_role(iam: &aws_sdk_iam::Client, name: &str, trust: Value) {
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    iam.attach_role_policy()
        .role_name(name)
        .policy_arn(ADMIN)
        .send()
        .await
        .expect("attach");
}

async fn admin_user(iam: &aws_sdk_iam::Client, name: &str, password: bool) {
    if password {
        console_user(iam, name).await;
    } else {
        iam.create_user()
            .user_name(name)
            .send()
            .await
            .expect("user");
    }
    iam.attach_user_policy()
        .user_name(name)
        .policy_arn(ADMIN)
        .send()
        .await
        .expect("attach");
}

/// Roles another account or a CI system assumes, and admin users without a
/// console password, are not a person's way in: with one console admin the
/// item fails and says what it left out; a second console admin passes it.
#[test]
fn backup_admin_counts_only_principals_people_sign_in_as() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam_client(ep).await;
        admin_user(&iam, "ops", true).await;
        admin_user(&iam, "automation", false).await;
        admin_role(
            &iam,
            "OrganizationAccountAccessRole",
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}]}),
        )
        .await;
        admin_role(
            &iam,
            "ci-deploy",
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/automation"}, "Action": "sts:AssumeRole"}]}),
        )
        .await;
        admin_role(
            &iam,
            "github-actions",
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/app:*"}}}]}),
        )
        .await;
    });
    const ID: &str = "account.backup-admin";
    let (code, item) = scan_item_env(ep, state.path(), &[], ID);
    assert_eq!((code, item["status"].as_str()), (1, Some("fail")), "{item}");
    let detail = item["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("user/ops (console password)"), "{detail}");
    for left_out in [
        "user/automation",
        "role/OrganizationAccountAccessRole",
        "role/ci-deploy",
        "role/github-actions",
    ] {
        assert!(detail.contains(left_out), "{left_out}: {detail}");
    }

    block_on(async {
        let iam = iam_client(ep).await;
        admin_user(&iam, "ops-two", true).await;
    });
    let (code, item) = scan_item_env(ep, state.path(), &[], ID);
    assert_eq!((code, item["status"].as_str()), (0, Some("pass")), "{item}");
    let summary = item["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("user/ops (console password)")
            && summary.contains("user/ops-two (console password)"),
        "{summary}"
    );
}

/// CIS 2.11: a console password unused for 45 days is a stale credential,
/// aged from when it was set when it was never used. moat names it and
/// leaves its removal to a person (a deleted password has no undo).
#[test]
fn stale_console_password_is_a_guided_finding() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam_client(ep).await;
        console_user(&iam, "dana").await;
    });
    const ID: &str = "account.stale-access-keys";
    let (code, _) = scan_item_env(ep, state.path(), &[], ID);
    assert_eq!(code, 0, "a password set today is not stale");
    let later = (chrono::Utc::now() + chrono::Duration::days(60)).to_rfc3339();
    let env = [("MOAT_NOW", later.as_str())];
    let (code, item) = scan_item_env(ep, state.path(), &env, ID);
    assert_eq!((code, item["status"].as_str()), (1, Some("fail")), "{item}");
    assert_eq!(resources(&item), vec!["user/dana"]);
    assert!(
        item["findings"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("never been used")),
        "{item}"
    );

    let o = moat_env(ep, state.path(), &env, &["apply", ID, "--yes"]);
    let text = output_text(&o);
    assert!(text.contains("dana"), "{text}");
    assert!(text.contains("delete-login-profile"), "the steps: {text}");
    let profile = block_on(async {
        iam_client(ep)
            .await
            .get_login_profile()
            .user_name("dana")
            .send()
            .await
    });
    assert!(profile.is_ok(), "moat left the password in place");
}
