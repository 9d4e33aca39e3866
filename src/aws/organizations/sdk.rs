//! Organizations' SDK calls: the organization and its accounts.

use super::{OrgAccount, Organization};
use crate::aws::client::{AwsBackend, CallError, global_signing_region};

impl AwsBackend {
    /// Organizations is global: one client, signed for the partition's home region.
    fn organizations(&self) -> aws_sdk_organizations::Client {
        self.client(global_signing_region(self.region()))
    }

    /// organizations:DescribeOrganization, then every page of
    /// organizations:ListAccounts. Only the management account and a
    /// delegated administrator may list the accounts; a member account is
    /// answered AccessDeniedException.
    pub async fn organization(&self) -> Result<Organization, CallError> {
        let org = self.organizations();
        let described = self
            .send(
                "organizations:DescribeOrganization",
                org.describe_organization().send(),
            )
            .await?;
        let management_account = described
            .organization()
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_string();
        let pages: Vec<_> = self
            .send(
                "organizations:ListAccounts",
                org.list_accounts().into_paginator().send().try_collect(),
            )
            .await?;
        let accounts = pages
            .iter()
            .flat_map(|p| p.accounts())
            .filter_map(|a| {
                let id = a.id()?.to_string();
                #[allow(deprecated)]
                let state = a
                    .state()
                    .map(|s| s.as_str().to_string())
                    .or_else(|| a.status().map(|s| s.as_str().to_string()))
                    .unwrap_or_default();
                Some(OrgAccount {
                    id,
                    name: a.name().unwrap_or_default().to_string(),
                    state,
                })
            })
            .collect();
        Ok(Organization {
            management_account,
            accounts,
        })
    }
}
