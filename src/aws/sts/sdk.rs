//! STS's SDK calls: who the caller is, read again before a change is sent.

use super::Identity;
use crate::aws::client::{AwsBackend, CallError};

/// Re-reads made right before a change is sent (the backend's `caller`).
impl AwsBackend {
    /// sts:GetCallerIdentity again: the credentials may resolve to another
    /// account than at start-up (SSO, `credential_process`).
    pub(crate) async fn reread_caller(&self) -> Result<Identity, CallError> {
        const ACTION: &str = "sts:GetCallerIdentity";
        let out = self
            .send(ACTION, self.sts().get_caller_identity().send())
            .await?;
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => Ok(Identity {
                account: account.to_string(),
                arn: arn.to_string(),
                user_id: out.user_id().unwrap_or_default().to_string(),
            }),
            _ => Err(CallError::new(
                ACTION,
                None,
                "the answer lacked the account id or the caller ARN",
            )),
        }
    }
}
