//! The account model of EBS and VPC (issue 4: ebs and vpc sections): the types its parts hold, the resources
//! moat can change ([`EbsVpcRef`], wrapped by `ResourceRef::EbsVpc`), their
//! documents, and how the model changes (the ops predict it with these).
//!
//! Every part is regional: [`PerRegion`] keeps each covered region, read or
//! failed on its own, so one region's failure errors only its own findings
//! and the "every enabled region" items know which regions exist.
//!
//! Resources created by an op get their AWS id only when AWS answers, so
//! documents never hold ids that a plan cannot predict: a snapshot moat
//! creates is named by its `Name` tag (`snapshot/REGION/moat-vol-…`), a flow
//! log by its VPC and destination, a detector by its region.

use super::apply::ApplyError;
use super::document::NotReady;
use super::s3::Fetched;
use super::{Inventory, PartError, PartId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// The tag moat puts on what it creates, and its value.
pub const CREATED_BY_TAG: &str = "moat:created-by";
pub const CREATED_BY_VALUE: &str = "moat";
/// The group that makes a snapshot public.
pub const ALL_GROUP: &str = "all";
/// A flow log that records every packet's summary, accepted and rejected.
pub const TRAFFIC_ALL: &str = "ALL";
pub const FLOW_LOG_ACTIVE: &str = "ACTIVE";
pub const DESTINATION_S3: &str = "s3";
pub const DETECTOR_ENABLED: &str = "ENABLED";
pub const DETECTOR_DISABLED: &str = "DISABLED";

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

/// Per-region data of one part: every region covered (the enabled regions,
/// or `--region`), each read or failed on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize",
    deserialize = "T: serde::de::DeserializeOwned"
))]
pub struct PerRegion<T> {
    pub regions: BTreeMap<String, Fetched<T>>,
}

impl<T> Default for PerRegion<T> {
    fn default() -> Self {
        Self {
            regions: BTreeMap::new(),
        }
    }
}

impl<T> PerRegion<T> {
    pub fn ready(&self, region: &str) -> Option<&T> {
        self.regions.get(region).and_then(Fetched::ready)
    }
    pub fn ready_mut(&mut self, region: &str) -> Option<&mut T> {
        self.regions.get_mut(region).and_then(Fetched::ready_mut)
    }
    /// The regions read, in order, with their data.
    pub fn iter_ready(&self) -> impl Iterator<Item = (&str, &T)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.ready().map(|v| (r.as_str(), v)))
    }
    /// The regions that could not be read, with why.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &PartError)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.error().map(|e| (r.as_str(), e)))
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

/// One region's VPCs with their flow logs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VpcRegion {
    pub vpcs: Vec<Vpc>,
}

impl VpcRegion {
    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    #[serde(default)]
    pub cidr_block: String,
    #[serde(default)]
    pub is_default: bool,
    /// The `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The flow logs attached to the VPC itself (not to its subnets or
    /// interfaces).
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
}

impl Vpc {
    /// A flow log that is active and not failing to deliver.
    pub fn active_flow_log(&self) -> Option<&FlowLog> {
        self.flow_logs.iter().find(|f| f.is_working())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    /// `None` for one a plan creates (AWS gives the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ACCEPT, REJECT or ALL.
    pub traffic_type: String,
    /// s3, cloud-watch-logs or kinesis-data-firehose.
    pub destination_type: String,
    /// The destination's ARN (for CloudWatch Logs, the log group's ARN or name).
    pub destination: String,
    /// ACTIVE.
    pub status: String,
    /// SUCCESS or FAILED (`None`: not reported yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_error: Option<String>,
}

impl FlowLog {
    pub fn is_working(&self) -> bool {
        self.status == FLOW_LOG_ACTIVE && self.deliver_status.as_deref() != Some("FAILED")
    }
    /// The bucket of an S3 destination (`arn:aws:s3:::bucket[/prefix]`).
    pub fn s3_bucket(&self) -> Option<&str> {
        if self.destination_type != DESTINATION_S3 {
            return None;
        }
        let rest = self.destination.split(":::").nth(1)?;
        rest.split('/').next().filter(|b| !b.is_empty())
    }
}

/// A region's GuardDuty detector (a region has at most one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detector {
    /// `None` for one a plan creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ENABLED or DISABLED.
    pub status: String,
}

impl Detector {
    pub fn enabled(&self) -> bool {
        self.status == DETECTOR_ENABLED
    }
}

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EbsVpcRef {
    /// A region's EBS encryption-by-default setting.
    EbsEncryption {
        region: String,
    },
    Volume {
        region: String,
        id: String,
    },
    /// A snapshot by id, or a snapshot moat creates by its `Name` tag.
    Snapshot {
        region: String,
        id: String,
    },
    Vpc {
        region: String,
        id: String,
    },
    /// A region's GuardDuty detector.
    GuardDuty {
        region: String,
    },
    /// A region as a whole: names the findings of a region that could not
    /// be read. No document (nothing to change).
    Region {
        region: String,
    },
}

impl EbsVpcRef {
    /// Examples for the "unknown resource" message, e.g. `"sg/REGION/ID"`.
    pub const EXAMPLES: &'static [&'static str] = &[
        "ebs-encryption/REGION",
        "volume/REGION/ID",
        "snapshot/REGION/ID",
        "vpc/REGION/ID",
        "guardduty/REGION",
        "region/REGION",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &&str| x.to_string();
        Some(match parts {
            ["ebs-encryption", region] => EbsVpcRef::EbsEncryption { region: s(region) },
            ["volume", region, id] => EbsVpcRef::Volume {
                region: s(region),
                id: s(id),
            },
            ["snapshot", region, id] => EbsVpcRef::Snapshot {
                region: s(region),
                id: s(id),
            },
            ["vpc", region, id] => EbsVpcRef::Vpc {
                region: s(region),
                id: s(id),
            },
            ["guardduty", region] => EbsVpcRef::GuardDuty { region: s(region) },
            ["region", region] => EbsVpcRef::Region { region: s(region) },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            EbsVpcRef::EbsEncryption { .. } => &[PartId::EbsEncryption],
            EbsVpcRef::Volume { .. } | EbsVpcRef::Snapshot { .. } => &[PartId::Ebs],
            EbsVpcRef::Vpc { .. } => &[PartId::VpcFlowLogs],
            EbsVpcRef::GuardDuty { .. } => &[PartId::GuardDuty],
            EbsVpcRef::Region { .. } => &[],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            EbsVpcRef::EbsEncryption { region }
            | EbsVpcRef::Volume { region, .. }
            | EbsVpcRef::Snapshot { region, .. }
            | EbsVpcRef::Vpc { region, .. }
            | EbsVpcRef::GuardDuty { region }
            | EbsVpcRef::Region { region } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let region = self.region().unwrap_or_default();
        // A region that could not be read renders as its error, so a plan
        // never pretends to know it.
        let unreadable = |e: &PartError| json!({"Region": region, "Unreadable": e.summary()});
        Ok(match self {
            EbsVpcRef::EbsEncryption { region } => {
                let part = inv
                    .ebs_encryption
                    .ready()
                    .ok_or(NotReady(PartId::EbsEncryption))?;
                part.regions.get(region).map(|f| match f {
                    Fetched::Ready(on) => json!({"Region": region, "EbsEncryptionByDefault": on}),
                    Fetched::Error(e) => unreadable(e),
                })
            }
            EbsVpcRef::Volume { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.volume(id))
                    .map(|v| volume_document(region, v))
            }
            EbsVpcRef::Snapshot { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.snapshot(id))
                    .map(|s| snapshot_document(region, s))
            }
            EbsVpcRef::Vpc { region, id } => {
                let part = inv
                    .vpc_flow_logs
                    .ready()
                    .ok_or(NotReady(PartId::VpcFlowLogs))?;
                part.ready(region)
                    .and_then(|r| r.vpc(id))
                    .map(|v| vpc_document(region, v))
            }
            EbsVpcRef::GuardDuty { region } => {
                let part = inv.guardduty.ready().ok_or(NotReady(PartId::GuardDuty))?;
                part.regions.get(region).map(|f| match f {
                    Fetched::Ready(d) => json!({
                        "Region": region,
                        "Detector": d.as_ref().map(|d| json!({"Status": d.status})),
                    }),
                    Fetched::Error(e) => unreadable(e),
                })
            }
            EbsVpcRef::Region { .. } => None,
        })
    }
}

fn volume_document(region: &str, v: &Volume) -> Value {
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
fn snapshot_document(region: &str, s: &Snapshot) -> Value {
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

fn vpc_document(region: &str, v: &Vpc) -> Value {
    let mut logs: Vec<Value> = v
        .flow_logs
        .iter()
        .map(|f| {
            json!({
                "TrafficType": f.traffic_type,
                "LogDestinationType": f.destination_type,
                "LogDestination": f.destination,
                "FlowLogStatus": f.status,
            })
        })
        .collect();
    logs.sort_by_key(|a| a.to_string());
    json!({
        "Region": region,
        "VpcId": v.id,
        "CidrBlock": v.cidr_block,
        "IsDefault": v.is_default,
        "FlowLogs": logs,
    })
}

impl fmt::Display for EbsVpcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EbsVpcRef::EbsEncryption { region } => write!(f, "ebs-encryption/{region}"),
            EbsVpcRef::Volume { region, id } => write!(f, "volume/{region}/{id}"),
            EbsVpcRef::Snapshot { region, id } => write!(f, "snapshot/{region}/{id}"),
            EbsVpcRef::Vpc { region, id } => write!(f, "vpc/{region}/{id}"),
            EbsVpcRef::GuardDuty { region } => write!(f, "guardduty/{region}"),
            EbsVpcRef::Region { region } => write!(f, "region/{region}"),
        }
    }
}

pub(crate) fn part<'a, T>(
    p: &'a mut super::Part<T>,
    what: &'static str,
) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

/// The region's data, which must have been read: a setting that could not
/// be read is never changed blindly.
pub(crate) fn region_mut<'a, T>(
    p: &'a mut PerRegion<T>,
    region: &str,
    what: &str,
) -> Result<&'a mut T, ApplyError> {
    match p.regions.get_mut(region) {
        Some(Fetched::Ready(v)) => Ok(v),
        Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
        None => Err(ApplyError::NoSuch(format!("{what} of region {region}"))),
    }
}

/// The flow log moat creates: all traffic to `destination` in S3.
pub fn is_ours(f: &FlowLog, destination: &str) -> bool {
    f.destination_type == DESTINATION_S3
        && f.traffic_type == TRAFFIC_ALL
        && f.destination == destination
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ResourceRef;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "ebs-encryption/us-east-1",
            "volume/eu-west-1/vol-0abc",
            "snapshot/us-east-1/snap-1",
            "snapshot/us-east-1/moat-vol-1-20261129-120000",
            "vpc/us-east-1/vpc-1",
            "guardduty/ap-south-1",
            "region/eu-central-1",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::EbsVpc(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        assert!("volume/us-east-1".parse::<ResourceRef>().is_err());
        assert!("guardduty/".parse::<ResourceRef>().is_err());
        assert!("vpc/a/b/c".parse::<ResourceRef>().is_err());
    }

    #[test]
    fn flow_log_bucket_from_destination() {
        let mut f = FlowLog {
            id: None,
            traffic_type: "ALL".into(),
            destination_type: "s3".into(),
            destination: "arn:aws:s3:::logs-bucket/vpc/".into(),
            status: "ACTIVE".into(),
            deliver_status: Some("SUCCESS".into()),
            deliver_error: None,
        };
        assert_eq!(f.s3_bucket(), Some("logs-bucket"));
        assert!(f.is_working());
        f.deliver_status = Some("FAILED".into());
        assert!(!f.is_working());
        f.destination_type = "cloud-watch-logs".into();
        assert_eq!(f.s3_bucket(), None);
    }
}
