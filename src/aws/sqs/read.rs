//! SQS reads: the queue an SNS subscription delivers to.

use crate::aws::client::bad_input;
use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{QueueAccess, TopicKey};
use serde_json::Value;

/// `arn:PARTITION:sqs:REGION:ACCOUNT:NAME` → (region, account, name).
pub(crate) fn queue_arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    match p.as_slice() {
        ["arn", _, "sqs", region, account, name]
            if !region.is_empty() && !account.is_empty() && !name.is_empty() =>
        {
            Some((*region, *account, *name))
        }
        _ => None,
    }
}

impl AwsBackend {
    /// Queue `name` of `account` in `region`: `None` when it does not
    /// exist; `Err` says why it could not be read.
    pub(crate) async fn read_queue(
        &self,
        region: &str,
        account: &str,
        name: &str,
    ) -> Result<Option<QueueAccess>, String> {
        use aws_sdk_sqs::types::QueueAttributeName;
        let sqs = self.sqs(region);
        let gone = |e: &CallError| {
            e.is_code("AWS.SimpleQueueService.NonExistentQueue") || e.is_code("QueueDoesNotExist")
        };
        let url = match self
            .send(
                "sqs:GetQueueUrl",
                sqs.get_queue_url()
                    .queue_name(name)
                    .queue_owner_aws_account_id(account)
                    .send(),
            )
            .await
        {
            Ok(out) => out.queue_url().unwrap_or_default().to_string(),
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.summary()),
        };
        let attrs = match self
            .send(
                "sqs:GetQueueAttributes",
                sqs.get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::Policy)
                    .attribute_names(QueueAttributeName::KmsMasterKeyId)
                    .send(),
            )
            .await
        {
            Ok(out) => out,
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.summary()),
        };
        let get = |k: QueueAttributeName| {
            attrs
                .attributes()
                .and_then(|m| m.get(&k))
                .filter(|v| !v.trim().is_empty())
        };
        let policy = match get(QueueAttributeName::Policy) {
            None => None,
            Some(p) => Some(
                serde_json::from_str::<Value>(p)
                    .map_err(|e| bad_input("sqs:GetQueueAttributes", e).summary())?,
            ),
        };
        let key = get(QueueAttributeName::KmsMasterKeyId).map(|k| TopicKey {
            id: k.clone(),
            ..TopicKey::default()
        });
        Ok(Some(QueueAccess { policy, key }))
    }
}
