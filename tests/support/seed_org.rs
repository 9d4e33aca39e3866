//! An AWS Organization of moto's default account (the management account).

#![allow(dead_code)]

use super::ACCOUNT_ID;

/// Create an organization with all features and `n` member accounts (moto
/// makes each with the OrganizationAccountAccessRole trusting the management
/// account); the members' ids, sorted.
pub async fn organization(ep: &str, n: usize) -> Vec<String> {
    let org = test_client!(aws_sdk_organizations, ep);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("organization");
    for i in 0..n {
        org.create_account()
            .account_name(format!("member-{i}"))
            .email(format!("member-{i}@example.com"))
            .send()
            .await
            .expect("account");
    }
    let listed = org.list_accounts().send().await.expect("accounts");
    let mut ids: Vec<String> = listed
        .accounts()
        .iter()
        .filter_map(|a| a.id().map(str::to_string))
        .filter(|id| id != ACCOUNT_ID)
        .collect();
    ids.sort();
    ids
}
