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
