//! IAM's account-level settings: the account summary (with the attachment
//! quotas) and the account password policy.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{
    AccountSummary, DEFAULT_IAM_ATTACHMENT_QUOTA, IamQuotas, PasswordPolicy,
};
use aws_sdk_iam::types::SummaryKeyType;

impl AwsBackend {
    pub(crate) async fn account_summary(&self) -> Result<AccountSummary, CallError> {
        let out = self
            .send(
                "iam:GetAccountSummary",
                self.iam().get_account_summary().send(),
            )
            .await?;
        let get = |k: SummaryKeyType| {
            out.summary_map()
                .and_then(|m| m.get(&k))
                .copied()
                .unwrap_or(0)
        };
        // A quota the answer lacks is IAM's default.
        let quota = |k: SummaryKeyType| {
            u32::try_from(get(k))
                .ok()
                .filter(|q| *q > 0)
                .unwrap_or(DEFAULT_IAM_ATTACHMENT_QUOTA)
        };
        Ok(AccountSummary {
            account_mfa_enabled: get(SummaryKeyType::AccountMfaEnabled) > 0,
            account_access_keys_present: get(SummaryKeyType::AccountAccessKeysPresent) > 0,
            users: i64::from(get(SummaryKeyType::Users)),
            quotas: IamQuotas {
                policies_per_user: quota(SummaryKeyType::AttachedPoliciesPerUserQuota),
                policies_per_role: quota(SummaryKeyType::AttachedPoliciesPerRoleQuota),
                policies_per_group: quota(SummaryKeyType::AttachedPoliciesPerGroupQuota),
                groups_per_user: quota(SummaryKeyType::GroupsPerUserQuota),
            },
        })
    }

    /// The account password policy; `None` when none is set.
    pub(crate) async fn password_policy(&self) -> Result<Option<PasswordPolicy>, CallError> {
        let out = match self
            .send(
                "iam:GetAccountPasswordPolicy",
                self.iam().get_account_password_policy().send(),
            )
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(out.password_policy().map(|p| PasswordPolicy {
            // IAM's documented default when the length was never set.
            minimum_password_length: p.minimum_password_length().unwrap_or(8),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase_characters: p.require_uppercase_characters(),
            require_lowercase_characters: p.require_lowercase_characters(),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            max_password_age: p.max_password_age().filter(|d| *d > 0),
            password_reuse_prevention: p.password_reuse_prevention().filter(|n| *n > 0),
            hard_expiry: p.hard_expiry().unwrap_or(false),
        }))
    }
}
