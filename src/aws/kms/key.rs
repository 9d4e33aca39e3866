//! The customer KMS keys moat creates and reads.

use crate::aws::inventory::Inventory;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A customer KMS key known by its alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsKey {
    /// `alias/NAME`.
    pub alias: String,
    pub key_id: String,
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub state: String,
    #[serde(default)]
    pub description: String,
    /// The `default` key policy (read for moat's own keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
}

pub const KEY_PENDING_DELETION: &str = "PendingDeletion";

pub fn kms_key<'a>(inv: &'a Inventory, region: &str, alias: &str) -> Option<&'a KmsKey> {
    inv.kms_keys
        .region(region)?
        .iter()
        .find(|k| k.alias == alias)
}
