//! Account-level parts: the IAM account summary, the password policy and the
//! alternate contacts (AWS Account Management API).

use super::AwsBackend;
use super::error::CallError;
use crate::aws::account::sdk::contact_type;
use crate::inventory::{
    AccountSummary, AlternateContacts, Contact, ContactType, DEFAULT_IAM_ATTACHMENT_QUOTA,
    IamQuotas, PasswordPolicy,
};
use aws_sdk_iam::types::SummaryKeyType;

impl AwsBackend {
    pub(super) async fn account_summary(&self) -> Result<AccountSummary, CallError> {
        let out = self
            .send(
                "iam:GetAccountSummary",
                self.iam.get_account_summary().send(),
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
    pub(super) async fn password_policy(&self) -> Result<Option<PasswordPolicy>, CallError> {
        let out = match self
            .send(
                "iam:GetAccountPasswordPolicy",
                self.iam.get_account_password_policy().send(),
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

    pub(super) async fn alternate_contacts(&self) -> Result<AlternateContacts, CallError> {
        let lookups = ContactType::ALL.into_iter().map(|t| async move {
            let r = self
                .send(
                    "account:GetAlternateContact",
                    self.account
                        .get_alternate_contact()
                        .alternate_contact_type(contact_type(t))
                        .send(),
                )
                .await;
            match r {
                Ok(out) => Ok((
                    t,
                    out.alternate_contact().map(|c| Contact {
                        name: c.name().unwrap_or_default().to_string(),
                        title: c.title().unwrap_or_default().to_string(),
                        email: c.email_address().unwrap_or_default().to_string(),
                        phone: c.phone_number().unwrap_or_default().to_string(),
                    }),
                )),
                Err(e) if e.is_code("ResourceNotFoundException") => Ok((t, None)),
                Err(e) => Err(e),
            }
        });
        let mut contacts = AlternateContacts::default();
        for (t, c) in futures::future::try_join_all(lookups).await? {
            if let Some(c) = c {
                contacts.contacts.insert(t, c);
            }
        }
        Ok(contacts)
    }
}
