//! Amazon EBS (EC2 API): encryption by default, volumes and snapshots.
//!
//! A snapshot moat creates is named by its `Name` tag
//! (`snapshot/REGION/moat-vol-…`) until AWS gives it an id, so documents
//! never hold ids that a plan cannot predict.

pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::EbsRef;

use crate::aws::inventory::Fetched;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The tag moat puts on what it creates, and its value.
pub const CREATED_BY_TAG: &str = "moat:created-by";
pub const CREATED_BY_VALUE: &str = "moat";
/// The group that makes a snapshot public.
pub const ALL_GROUP: &str = "all";
/// Add or remove a create-volume permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotPermissionChange {
    Add,
    Remove,
}

impl SnapshotPermissionChange {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotPermissionChange::Add => "add",
            SnapshotPermissionChange::Remove => "remove",
        }
    }
}

/// One region's volumes and the snapshots the account owns there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EbsRegion {
    pub volumes: Vec<Volume>,
    pub snapshots: Vec<Snapshot>,
}

impl EbsRegion {
    pub fn volume(&self, id: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.id == id)
    }
    /// A snapshot by id, or (for one moat created) by its `Name` tag: a plan
    /// names a new snapshot before AWS gives it an id.
    pub fn snapshot(&self, id: &str) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .find(|s| s.id == id)
            .or_else(|| self.snapshots.iter().find(|s| s.is_moat_named(id)))
    }
    pub(crate) fn snapshot_index(&self, id: &str) -> Option<usize> {
        self.snapshots
            .iter()
            .position(|s| s.id == id)
            .or_else(|| self.snapshots.iter().position(|s| s.is_moat_named(id)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeAttachment {
    pub instance_id: String,
    pub device: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub id: String,
    pub availability_zone: String,
    /// GiB.
    pub size: i32,
    pub volume_type: String,
    pub encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// creating, available, in-use, deleting, deleted, error.
    pub state: String,
    #[serde(default)]
    pub attachments: Vec<VolumeAttachment>,
    /// The `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Volume {
    pub fn in_use(&self) -> bool {
        self.state == "in-use" || !self.attachments.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
    #[serde(default)]
    pub description: String,
    pub encrypted: bool,
    /// pending, completed, error, recoverable, recovering.
    pub state: String,
    /// `None`: not started yet (a snapshot moat just asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Whether anyone may create a volume from it (createVolumePermission
    /// group `all`).
    pub public: Fetched<bool>,
}

impl Snapshot {
    pub fn created_by_moat(&self) -> bool {
        self.tags.get(CREATED_BY_TAG).map(String::as_str) == Some(CREATED_BY_VALUE)
    }
    pub(crate) fn is_moat_named(&self, name: &str) -> bool {
        self.created_by_moat() && self.tags.get("Name").map(String::as_str) == Some(name)
    }
}

pub(crate) fn volume_document(region: &str, v: &Volume) -> Value {
    let mut attachments: Vec<Value> = v
        .attachments
        .iter()
        .map(|a| json!({"InstanceId": a.instance_id, "Device": a.device}))
        .collect();
    attachments.sort_by_key(|a| a.to_string());
    json!({
        "Region": region,
        "VolumeId": v.id,
        "AvailabilityZone": v.availability_zone,
        "Size": v.size,
        "VolumeType": v.volume_type,
        "Encrypted": v.encrypted,
        "KmsKeyId": v.kms_key_id,
        "Attachments": attachments,
    })
}

/// No id (a snapshot moat creates has none until AWS answers), no times.
pub(crate) fn snapshot_document(region: &str, s: &Snapshot) -> Value {
    let permission = match &s.public {
        Fetched::Ready(true) => json!({"Group": [ALL_GROUP]}),
        Fetched::Ready(false) => json!({"Group": []}),
        Fetched::Error(e) => json!({"Unreadable": e.summary()}),
    };
    json!({
        "Region": region,
        "VolumeId": s.volume_id,
        "Description": s.description,
        "Encrypted": s.encrypted,
        "Tags": s.tags,
        "CreateVolumePermission": permission,
    })
}
