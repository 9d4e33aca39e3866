//! SNS topics, their subscriptions and the keys that encrypt them.

use crate::aws::inventory::Inventory;
use crate::aws::sqs::queue::QueueAccess;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One subscription to a topic, as ListSubscriptionsByTopic gives it, with
/// what GetSubscriptionAttributes adds for a confirmed one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub protocol: String,
    pub endpoint: String,
    /// Waiting for the endpoint's owner to confirm (`SubscriptionArn` is
    /// `PendingConfirmation`): nothing is delivered to it yet. E-mail and
    /// HTTP(S) endpoints, and endpoints in other accounts, start so.
    #[serde(default)]
    pub pending: bool,
    /// `FilterPolicy`: only messages it matches are delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<Value>,
    /// `FilterPolicyScope`: `MessageAttributes` (AWS's default) or `MessageBody`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_scope: Option<String>,
    /// For an SQS queue of this account: whether it still exists (`None`:
    /// not looked up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_exists: Option<bool>,
    /// For an SQS queue of this account that exists: who may send to it and
    /// the key that encrypts it (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueAccess>,
    /// Why the subscription's attributes or its endpoint could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

/// The KMS key that encrypts a topic or a queue (`KmsMasterKeyId`) and what
/// was read of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicKey {
    /// As the topic names it: key id, key ARN, alias name or alias ARN.
    pub id: String,
    /// `AWS` (an AWS managed key, such as `aws/sns`) or `CUSTOMER` (DescribeKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, … (DescribeKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The `default` key policy of a customer managed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// Why the key could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

impl TopicKey {
    /// An AWS managed key (`alias/aws/sns`, `alias/aws/sqs`, … by alias or
    /// alias ARN, or as DescribeKey reports it): its key policy lets only
    /// its own service use it, on behalf of the account's principals.
    pub fn is_aws_managed(&self) -> bool {
        let alias = self.id.split(':').next_back().unwrap_or(&self.id);
        alias.starts_with("alias/aws/") || self.manager.as_deref() == Some("AWS")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// Every subscription of the topic, confirmed or pending.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// The key that encrypts it at rest (`None`: not encrypted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<TopicKey>,
}

impl Topic {
    /// Subscriptions that receive what the topic publishes.
    pub fn confirmed(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter().filter(|s| !s.pending)
    }

    /// Subscriptions still waiting for their endpoint to confirm.
    pub fn pending(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter().filter(|s| s.pending)
    }
}

pub fn topic<'a>(inv: &'a Inventory, region: &str, name: &str) -> Option<&'a Topic> {
    inv.sns_topics
        .region(region)?
        .iter()
        .find(|t| t.name == name)
}
