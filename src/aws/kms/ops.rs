//! KMS's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    ApplyError, Inventory, KEY_PENDING_DELETION, KmsKey, KmsRef, ResourceRef,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn key_ref(region: &str, alias: &str) -> ResourceRef {
    ResourceRef::Kms(KmsRef::Key {
        region: region.to_string(),
        alias: alias.to_string(),
    })
}

/// kms:CreateKey with this key policy, then kms:CreateAlias: the alias
/// is how moat names the key (its id exists only once AWS made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateKmsKey {
    pub region: String,
    pub alias: String,
    pub description: String,
    pub policy: Value,
}

impl OpKind for CreateKmsKey {
    const ACTION: &'static str = "kms:CreateKey";

    fn resource(&self) -> ResourceRef {
        key_ref(&self.region, &self.alias)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("create KMS key {} in {}", self.alias, self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let CreateKmsKey {
            region,
            alias,
            description,
            policy,
        } = self;
        let keys = inv.kms_keys.region_or_new_mut("KMS keys", region)?;
        if keys.iter().any(|k| k.alias == *alias) {
            return Err(ApplyError::Exists(format!("KMS alias {alias}")));
        }
        keys.push(KmsKey {
            alias: alias.clone(),
            // The real id is known once KMS creates it; documents name keys by alias.
            key_id: format!("(new:{alias})"),
            arn: format!("(new:{alias})"),
            state: "Enabled".into(),
            description: description.clone(),
            policy: Some(policy.clone()),
        });
        Ok(())
    }

    /// The key stays: every log file written while a trail used it can
    /// only be read with it, and deletion makes them unreadable for good.
    /// Undoing the UpdateTrail points the trail back; deleting the key is
    /// the user's decision (the undo preview says so).
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![])
    }

    fn undo_note(&self) -> Option<String> {
        // The message lives with the item that creates the key.
        Some(crate::guide::msg(
            "cloudtrail.encrypted",
            "undo_key_stays",
            &[("alias", &self.alias), ("region", &self.region)],
        ))
    }

    fn kept_on_undo(&self) -> Option<ResourceRef> {
        Some(key_ref(&self.region, &self.alias))
    }

    /// A journal written by an earlier version may hold ScheduleKeyDeletion
    /// as the undo of CreateKmsKey: the key stays now (see
    /// [`undo_note`](OpKind::undo_note)).
    fn undo_ops(&self, journaled: Vec<Op>) -> Vec<Op> {
        journaled
            .into_iter()
            .filter(|o| !matches!(o, Op::ScheduleKmsKeyDeletion(_)))
            .collect()
    }
}

/// kms:ScheduleKeyDeletion of the key `key_id` moat created, or when the
/// journal does not know its id, of the key behind `alias` (a key cannot
/// be deleted at once; AWS waits `pending_days`, 7 to 30). Kept only so
/// that journals of earlier versions, where it undid CreateKmsKey, still
/// read: undo drops it (the key encrypts logs), and no plan sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleKmsKeyDeletion {
    pub region: String,
    pub alias: String,
    pub pending_days: i32,
    /// The id AWS gave the key when moat created it (an alias can be
    /// moved to another key since).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl OpKind for ScheduleKmsKeyDeletion {
    const ACTION: &'static str = "kms:ScheduleKeyDeletion";
    // Only read from journals of earlier versions, and undo drops it.
    const SENT: bool = false;

    fn resource(&self) -> ResourceRef {
        key_ref(&self.region, &self.alias)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "schedule KMS key {} for deletion in {} days",
            self.alias, self.pending_days
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let alias = &self.alias;
        let keys = inv.kms_keys.region_or_new_mut("KMS keys", &self.region)?;
        let k = keys
            .iter_mut()
            .find(|k| k.alias == *alias && k.state != KEY_PENDING_DELETION)
            .ok_or_else(|| ApplyError::NoSuch(format!("KMS key {alias}")))?;
        k.state = KEY_PENDING_DELETION.into();
        Ok(())
    }

    /// A key scheduled for deletion can be recovered (CancelKeyDeletion,
    /// then EnableKey) only by hand, in the console or the CLI.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}
