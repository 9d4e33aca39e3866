//! The account section against moto: for each item moto can hold, seed a
//! failing state, scan → fail, apply → the live state is what the preview
//! said, scan → pass, undo → the previous state is back.

mod support;

use support::run::{assert_ok, moat_env, resources, scan_item_env};
use support::seed_iam;
use support::{Moto, account_client, block_on, iam_client, output_text, run_moat, temp_state_dir};

/// Lines a unified diff adds (`+…`, not the `+++` header), trimmed.
fn added_lines(plan_out: &str) -> Vec<String> {
    plan_out
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| l[1..].trim().to_string())
        .collect()
}

/// The account's password policy as IAM reads it now.
async fn password_policy(ep: &str) -> aws_sdk_iam::types::PasswordPolicy {
    iam_client(ep)
        .await
        .get_account_password_policy()
        .send()
        .await
        .expect("read policy")
        .password_policy
        .expect("policy")
}

#[test]
fn password_policy_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        iam_client(ep)
            .await
            .update_account_password_policy()
            .minimum_password_length(8)
            .require_symbols(true)
            .allow_users_to_change_password(true)
            .send()
            .await
            .expect("seed policy");
    });
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.password-policy");
    assert_eq!((code, item["status"].as_str()), (1, Some("fail")), "{item}");

    let plan = run_moat(ep, state.path(), &["plan", "account.password-policy"]);
    assert_ok(&plan);
    let added = added_lines(&String::from_utf8_lossy(&plan.stdout));
    assert!(
        added.contains(&"\"MinimumPasswordLength\": 14,".to_string()),
        "{added:?}"
    );
    assert!(
        added.contains(&"\"PasswordReusePrevention\": 24,".to_string()),
        "{added:?}"
    );

    let apply = run_moat(
        ep,
        state.path(),
        &["apply", "account.password-policy", "--yes"],
    );
    assert_ok(&apply);
    assert!(
        output_text(&apply).contains("verified"),
        "{}",
        output_text(&apply)
    );
    let live = block_on(password_policy(ep));
    assert_eq!(live.minimum_password_length, Some(14));
    assert_eq!(live.password_reuse_prevention, Some(24));
    assert!(live.require_symbols, "other settings are kept");
    assert!(live.allow_users_to_change_password);
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.password-policy");
    assert_eq!((code, item["status"].as_str()), (0, Some("pass")), "{item}");

    let undo = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    assert_ok(&undo);
    let back = block_on(password_policy(ep));
    assert_eq!(back.minimum_password_length, Some(8));
    assert_eq!(back.password_reuse_prevention, None);
    assert!(back.require_symbols);
}

#[test]
fn missing_password_policy_is_created_and_undo_deletes_it() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let (_, item) = scan_item_env(ep, state.path(), &[], "account.password-policy");
    assert_eq!(item["status"], "fail");
    assert_ok(&run_moat(
        ep,
        state.path(),
        &["apply", "account.password-policy", "--yes"],
    ));
    let (_, item) = scan_item_env(ep, state.path(), &[], "account.password-policy");
    assert_eq!(item["status"], "pass");
    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    let gone = block_on(async {
        iam_client(ep)
            .await
            .get_account_password_policy()
            .send()
            .await
    });
    assert!(gone.is_err(), "policy deleted by undo");
}

#[test]
fn alternate_contacts_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    use aws_sdk_account::types::AlternateContactType as T;
    block_on(async {
        account_client(ep)
            .await
            .put_alternate_contact()
            .alternate_contact_type(T::Billing)
            .name("Pat Billing")
            .title("Finance")
            .email_address("billing@example.com")
            .phone_number("+1 555 0101")
            .send()
            .await
            .expect("seed billing contact");
    });
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.alternate-contacts");
    assert_eq!(code, 1);
    let res = resources(&item);
    assert_eq!(res, vec!["contact/OPERATIONS", "contact/SECURITY"]);

    // A missing or invalid input is a clear error naming the input; nothing changes.
    let bad = run_moat(
        ep,
        state.path(),
        &[
            "apply",
            "account.alternate-contacts",
            "--yes",
            "--input",
            "name=Sam",
            "--input",
            "title=Lead",
            "--input",
            "email=not-an-email",
            "--input",
            "phone=+1 555 0100",
        ],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", output_text(&bad));
    assert!(
        output_text(&bad).contains("'email'"),
        "{}",
        output_text(&bad)
    );
    let missing = run_moat(ep, state.path(), &["plan", "account.alternate-contacts"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        output_text(&missing).contains("input 'name'"),
        "{}",
        output_text(&missing)
    );

    let inputs = [
        "--input",
        "name=Sam Rivera",
        "--input",
        "title=Security lead",
        "--input",
        "email=security@example.com",
        "--input",
        "phone=+1 555 0100",
    ];
    let mut args = vec![
        "apply",
        "account.alternate-contacts",
        "--yes",
        "--resource",
        "contact/SECURITY",
    ];
    args.extend(inputs);
    assert_ok(&run_moat(ep, state.path(), &args));
    let (sec, ops) = block_on(async {
        let c = account_client(ep).await;
        let sec = c
            .get_alternate_contact()
            .alternate_contact_type(T::Security)
            .send()
            .await;
        let ops = c
            .get_alternate_contact()
            .alternate_contact_type(T::Operations)
            .send()
            .await;
        (sec, ops)
    });
    let sec = sec
        .expect("security contact set")
        .alternate_contact
        .expect("contact");
    assert_eq!(sec.email_address.as_deref(), Some("security@example.com"));
    assert_eq!(sec.name.as_deref(), Some("Sam Rivera"));
    assert!(ops.is_err(), "--resource limited the change to SECURITY");

    let mut args = vec!["apply", "account.alternate-contacts", "--yes"];
    args.extend(inputs);
    assert_ok(&run_moat(ep, state.path(), &args));
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.alternate-contacts");
    assert_eq!((code, item["status"].as_str()), (0, Some("pass")));

    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.alternate-contacts");
    assert_eq!(code, 1);
    let res = resources(&item);
    assert_eq!(
        res,
        vec!["contact/OPERATIONS"],
        "only the last batch was undone"
    );
    let billing = block_on(async {
        account_client(ep)
            .await
            .get_alternate_contact()
            .alternate_contact_type(T::Billing)
            .send()
            .await
    });
    assert_eq!(
        billing
            .expect("billing kept")
            .alternate_contact
            .and_then(|c| c.email_address)
            .as_deref(),
        Some("billing@example.com")
    );
}

async fn seed_admin(ep: &str, name: &str) {
    let iam = iam_client(ep).await;
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("user");
    iam.attach_user_policy()
        .user_name(name)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach admin");
}

#[test]
fn backup_admin_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_admin(ep, "ops"));
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.backup-admin");
    assert_eq!((code, item["status"].as_str()), (1, Some("fail")), "{item}");
    assert_ok(&run_moat(
        ep,
        state.path(),
        &[
            "apply",
            "account.backup-admin",
            "--yes",
            "--input",
            "user=spare-admin",
        ],
    ));
    let (groups, keys) = block_on(async {
        let iam = iam_client(ep).await;
        let g = iam
            .list_groups_for_user()
            .user_name("spare-admin")
            .send()
            .await
            .expect("groups");
        let k = iam
            .list_access_keys()
            .user_name("spare-admin")
            .send()
            .await
            .expect("keys");
        (
            g.groups
                .into_iter()
                .map(|g| g.group_name)
                .collect::<Vec<_>>(),
            k.access_key_metadata.len(),
        )
    });
    assert_eq!(groups, vec!["Administrators"]);
    assert_eq!(keys, 0, "no access keys for the break-glass user");
    // Nobody can sign in as it until a person sets its password (the steps).
    let (_, item) = scan_item_env(ep, state.path(), &[], "account.backup-admin");
    assert_eq!(item["status"], "fail", "{item}");
    block_on(async {
        let iam = iam_client(ep).await;
        for u in ["ops", "spare-admin"] {
            seed_iam::login_profile(&iam, u).await;
        }
    });
    let (_, item) = scan_item_env(ep, state.path(), &[], "account.backup-admin");
    assert_eq!(item["status"], "pass", "{item}");
    block_on(async {
        let iam = iam_client(ep).await;
        iam.delete_login_profile()
            .user_name("spare-admin")
            .send()
            .await
            .expect("remove the password again before undo");
    });
    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    let (user, group) = block_on(async {
        let iam = iam_client(ep).await;
        (
            iam.get_user().user_name("spare-admin").send().await.is_ok(),
            iam.get_group()
                .group_name("Administrators")
                .send()
                .await
                .is_ok(),
        )
    });
    assert!(!user && !group, "undo removed what apply created");
}

#[test]
fn mfa_policy_and_console_users_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam_client(ep).await;
        for u in ["dana", "lee"] {
            seed_iam::console_user(&iam, u).await;
        }
    });
    let (code, item) = scan_item_env(ep, state.path(), &[], "account.console-users-mfa");
    assert_eq!(code, 1);
    assert_eq!(item["findings"].as_array().map(Vec::len), Some(2), "{item}");
    let (_, mp) = scan_item_env(ep, state.path(), &[], "account.mfa-policy");
    assert_eq!(mp["status"], "fail");

    // Enforce for dana only; the MFA policy and group are created on the way.
    assert_ok(&run_moat(
        ep,
        state.path(),
        &[
            "apply",
            "account.console-users-mfa",
            "--yes",
            "--resource",
            "user/dana",
        ],
    ));
    let (dana, lee, doc) = block_on(async {
        let iam = iam_client(ep).await;
        let g = |u: &'static str| {
            let iam = iam.clone();
            async move {
                iam.list_groups_for_user()
                    .user_name(u)
                    .send()
                    .await
                    .expect("groups")
                    .groups
                    .into_iter()
                    .map(|g| g.group_name)
                    .collect::<Vec<_>>()
            }
        };
        let attached = iam
            .list_attached_group_policies()
            .group_name("MFARequired")
            .send()
            .await
            .expect("attached");
        let arn = attached
            .attached_policies()
            .first()
            .and_then(|p| p.policy_arn.clone())
            .expect("policy attached");
        let v = iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id("v1")
            .send()
            .await
            .expect("version");
        let doc = v.policy_version.and_then(|p| p.document).expect("document");
        (g("dana").await, g("lee").await, doc)
    });
    assert_eq!(dana, vec!["MFARequired"]);
    assert!(lee.is_empty());
    let doc = percent_decode(&doc);
    assert!(doc.contains("aws:MultiFactorAuthPresent"), "{doc}");
    // lee is a console user the policy does not cover yet.
    let (_, mp) = scan_item_env(ep, state.path(), &[], "account.mfa-policy");
    assert_eq!(mp["status"], "fail");
    assert_eq!(mp["findings"][0]["resource"], "user/lee", "{mp}");
    let (_, item) = scan_item_env(ep, state.path(), &[], "account.console-users-mfa");
    let details: Vec<&str> = item["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["detail"].as_str())
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("dana") && d.contains("MFARequired")),
        "{details:?}"
    );

    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    let (group, policies) =
        block_on(async { seed_iam::mfa_group_and_local_policies(&iam_client(ep).await).await });
    assert!(!group, "group deleted by undo");
    assert_eq!(policies, 0, "policy deleted by undo");
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[test]
fn stale_access_keys_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let key_id = block_on(async {
        let iam = iam_client(ep).await;
        iam.create_user()
            .user_name("backup-sync")
            .send()
            .await
            .expect("user");
        let k = iam
            .create_access_key()
            .user_name("backup-sync")
            .send()
            .await
            .expect("key");
        k.access_key.map(|k| k.access_key_id).expect("key id")
    });
    // moto's keys are brand new; evaluate 120 days later (never used, 120 days old).
    let later = (chrono::Utc::now() + chrono::Duration::days(120)).to_rfc3339();
    let env = [("MOAT_NOW", later.as_str())];
    let (code, _) = scan_item_env(ep, state.path(), &[], "account.stale-access-keys");
    assert_eq!(code, 0, "a fresh key is not stale");
    let (code, item) = scan_item_env(ep, state.path(), &env, "account.stale-access-keys");
    assert_eq!(code, 1);
    let resource = format!("user/backup-sync/key/{key_id}");
    assert_eq!(
        item["findings"][0]["resource"].as_str(),
        Some(resource.as_str())
    );

    let o = moat_env(
        ep,
        state.path(),
        &env,
        &[
            "apply",
            "account.stale-access-keys",
            "--resource",
            &resource,
            "--yes",
        ],
    );
    assert_ok(&o);
    let status = || {
        block_on(async {
            let iam = iam_client(ep).await;
            let k = iam
                .list_access_keys()
                .user_name("backup-sync")
                .send()
                .await
                .expect("keys");
            k.access_key_metadata
                .first()
                .and_then(|m| m.status.clone())
                .map(|s| s.as_str().to_string())
        })
    };
    assert_eq!(status().as_deref(), Some("Inactive"));
    let (code, _) = scan_item_env(ep, state.path(), &env, "account.stale-access-keys");
    assert_eq!(code, 0);
    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    assert_eq!(status().as_deref(), Some("Active"));
}

#[test]
fn undo_refuses_when_the_resource_changed_after_apply() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    assert_ok(&run_moat(
        ep,
        state.path(),
        &["apply", "account.password-policy", "--yes"],
    ));
    block_on(async {
        iam_client(ep)
            .await
            .update_account_password_policy()
            .minimum_password_length(30)
            .send()
            .await
            .expect("edit");
    });
    let o = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", output_text(&o));
    assert!(
        output_text(&o).contains("changed after moat applied"),
        "{}",
        output_text(&o)
    );
    let live = block_on(async {
        iam_client(ep)
            .await
            .get_account_password_policy()
            .send()
            .await
            .expect("read")
            .password_policy
    });
    assert_eq!(
        live.and_then(|p| p.minimum_password_length),
        Some(30),
        "nothing was sent"
    );
}

#[test]
fn journal_lists_entries_and_undo_without_journal_is_clear() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let o = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        output_text(&o).contains("no applied change"),
        "{}",
        output_text(&o)
    );
    assert_ok(&run_moat(
        ep,
        state.path(),
        &["apply", "account.password-policy", "--yes"],
    ));
    let list = run_moat(ep, state.path(), &["undo"]);
    assert_ok(&list);
    assert!(
        output_text(&list).contains("account.password-policy"),
        "{}",
        output_text(&list)
    );
    let o = run_moat(ep, state.path(), &["undo", "no-such-entry", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        output_text(&o).contains("no-such-entry"),
        "{}",
        output_text(&o)
    );
    // `--last` reverses the last apply, never an undo: a second one finds nothing.
    assert_ok(&run_moat(ep, state.path(), &["undo", "--last", "--yes"]));
    let o = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", output_text(&o));
    assert!(
        output_text(&o).contains("no applied change"),
        "{}",
        output_text(&o)
    );
}
