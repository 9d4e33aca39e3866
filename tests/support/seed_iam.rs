//! IAM seeding and read-back shared by the tests of the account and
//! CloudTrail items.

use super::{block_on, iam_client};

/// The console password every seeded user signs in with.
pub const PASSWORD: &str = "Correct-Horse-9!";

/// A policy document allowing `actions` on every resource.
pub fn allow(actions: &[&str]) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    .to_string()
}

/// A weak password policy: 8 characters, numbers and lower case, users may
/// change their own password.
pub async fn weak_password_policy(iam: &aws_sdk_iam::Client) {
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .require_numbers(true)
        .require_lowercase_characters(true)
        .allow_users_to_change_password(true)
        .send()
        .await
        .expect("seed a weak password policy");
}

/// User `name` with a console password ([`PASSWORD`]).
pub async fn console_user(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("user");
    login_profile(iam, name).await;
}

/// A console password ([`PASSWORD`]) for the existing user `name`.
pub async fn login_profile(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_login_profile()
        .user_name(name)
        .password(PASSWORD)
        .send()
        .await
        .expect("login profile");
}

/// Whether the group `MFARequired` exists, and how many customer managed
/// policies the account holds (the MFA policy's undo leaves neither).
pub async fn mfa_group_and_local_policies(iam: &aws_sdk_iam::Client) -> (bool, usize) {
    let group = iam
        .get_group()
        .group_name("MFARequired")
        .send()
        .await
        .is_ok();
    let policies = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .expect("policies")
        .policies
        .unwrap_or_default()
        .len();
    (group, policies)
}

/// The group's members, sorted, read back from IAM.
pub fn members(ep: &str, group: &str) -> Vec<String> {
    block_on(async {
        let out = iam_client(ep)
            .await
            .get_group()
            .group_name(group)
            .send()
            .await
            .expect("group");
        let mut m: Vec<String> = out.users().iter().map(|u| u.user_name().into()).collect();
        m.sort();
        m
    })
}
