//! What moat reads of the SQS queues SNS topics deliver to.

use crate::aws::sns::topic::TopicKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What GetQueueAttributes tells of an SQS queue a subscription delivers
/// to: SNS delivers only when the queue policy lets `sns.amazonaws.com`
/// send to it, and the queue's key (if any) lets SNS use it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueAccess {
    /// `Policy` (`None`: the queue has none, so only its own account's
    /// principals may send to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// `KmsMasterKeyId` (SSE-KMS), with what was read of the key (`None`:
    /// not encrypted with KMS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<TopicKey>,
}
