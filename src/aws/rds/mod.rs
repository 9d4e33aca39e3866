//! Amazon RDS: DB instances and their settings, manual DB and DB cluster
//! snapshots, as moat reads them (the `Rds` part), and their documents.

pub mod ops;
mod resource;
pub(crate) mod sdk;
pub use resource::RdsRef;

use crate::aws::inventory::{ByRegion, Fetched};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One DB instance (the settings the rds items read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInstance {
    pub id: String,
    #[serde(default)]
    pub arn: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    #[serde(default)]
    pub class: String,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// The Aurora (or Multi-AZ DB) cluster the instance belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The port it listens on (for the security-group items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// The VPC security groups (ids), for the security-group items.
    #[serde(default)]
    pub vpc_security_groups: Vec<String>,
    /// Allocated storage in GiB (shown beside a pending storage change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_type: Option<String>,
    /// The modifications RDS holds for the next maintenance window
    /// (`PendingModifiedValues`), by API member name (`DBInstanceClass`,
    /// `EngineVersion`, …) with the value they will set. A ModifyDBInstance
    /// with ApplyImmediately applies them all at once.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
}

impl DbInstance {
    /// The live value of a setting that can be pending, by API member name
    /// (`None`: not one moat reads).
    pub fn live_setting(&self, member: &str) -> Option<String> {
        match member {
            "DBInstanceClass" => Some(self.class.clone()),
            "EngineVersion" => Some(self.engine_version.clone()),
            "AllocatedStorage" => self.allocated_storage.map(|v| v.to_string()),
            "MultiAZ" => self.multi_az.map(|v| v.to_string()),
            "StorageType" => self.storage_type.clone(),
            _ => None,
        }
    }

    /// What ApplyImmediately does to the queue: every pending value becomes live.
    pub(crate) fn apply_pending(&mut self) {
        for (member, value) in std::mem::take(&mut self.pending) {
            match member.as_str() {
                "DBInstanceClass" => self.class = value,
                "EngineVersion" => self.engine_version = value,
                "AllocatedStorage" => {
                    if let Ok(v) = value.parse() {
                        self.allocated_storage = Some(v);
                    }
                }
                "MultiAZ" => self.multi_az = Some(value == "true"),
                "StorageType" => self.storage_type = Some(value),
                _ => {}
            }
        }
    }

    /// The pending modifications as `Member live → pending`, one per entry.
    pub fn pending_changes(&self) -> Vec<String> {
        self.pending
            .iter()
            .map(|(member, value)| match self.live_setting(member) {
                Some(live) if !live.is_empty() => format!("{member} {live} → {value}"),
                _ => format!("{member} → {value}"),
            })
            .collect()
    }
}

/// A manual DB snapshot or DB cluster snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub id: String,
    /// The instance (or cluster) it was taken from.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub engine: String,
    pub encrypted: bool,
    /// The `restore` attribute: account ids allowed to copy or restore it,
    /// `all` for everyone.
    pub restore: Fetched<Vec<String>>,
}

impl DbSnapshot {
    pub fn is_public(&self) -> bool {
        matches!(&self.restore, Fetched::Ready(v) if v.iter().any(|a| a == PUBLIC))
    }
}

/// The `restore` attribute value that makes a snapshot public.
pub const PUBLIC: &str = "all";

/// RDS in one region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RdsRegion {
    pub instances: Vec<DbInstance>,
    /// Manual DB snapshots.
    #[serde(default)]
    pub snapshots: Vec<DbSnapshot>,
    /// Manual DB cluster snapshots (Aurora, Multi-AZ clusters).
    #[serde(default)]
    pub cluster_snapshots: Vec<DbSnapshot>,
}

/// The RDS part: every scanned region.
pub type Rds = ByRegion<RdsRegion>;

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

pub(crate) fn instance_document(i: &DbInstance) -> Value {
    let mut doc = json!({
        "DBInstanceIdentifier": i.id,
        "Engine": i.engine,
        "EngineVersion": i.engine_version,
        "DBInstanceClass": i.class,
        "PubliclyAccessible": i.publicly_accessible,
        "StorageEncrypted": i.storage_encrypted,
        "VpcSecurityGroups": sorted(&i.vpc_security_groups),
    });
    if !i.pending.is_empty() {
        doc["PendingModifiedValues"] = json!(i.pending);
    }
    doc
}

pub(crate) fn snapshot_document(id_key: &str, s: &DbSnapshot) -> Value {
    let restore = match &s.restore {
        Fetched::Ready(v) => json!(sorted(v)),
        Fetched::Error(e) => json!({ "Unreadable": e.summary() }),
    };
    json!({
        id_key: s.id,
        "Source": s.source,
        "Encrypted": s.encrypted,
        "Attributes": { "restore": restore },
    })
}
